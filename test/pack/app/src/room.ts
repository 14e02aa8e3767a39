// #region room
import { ParleyError, Room } from '@parley/sdk';

/** Joins with the SDK alone and shows each other participant's video in a `<video>` of its own. */
export async function joinWithSdk(server: string, code: string, name: string): Promise<Room> {
  const room = new Room({ server });
  const videos = new Map<string, HTMLVideoElement>();
  // The snapshot is the whole room at one moment; `subscribe` calls back after every change.
  room.subscribe(() => {
    const { participants } = room.getSnapshot();
    for (const participant of participants) {
      let video = videos.get(participant.id);
      if (!video) {
        video = document.createElement('video');
        video.autoplay = true;
        video.playsInline = true;
        video.dataset.participantId = participant.id;
        videos.set(participant.id, video);
        document.body.append(video);
      }
      if (video.srcObject !== participant.stream) video.srcObject = participant.stream;
    }
    for (const [id, video] of videos) {
      if (!participants.some((participant) => participant.id === id)) {
        video.remove();
        videos.delete(id);
      }
    }
  });
  room.on('participant-joined', (participant) => console.log(`${participant.name} joined`));
  try {
    await room.join({ code, name });
  } catch (error) {
    if (error instanceof ParleyError) console.error(error.code, error.message);
    throw error;
  }
  return room;
}
// #endregion room
