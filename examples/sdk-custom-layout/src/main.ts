// A speaker view of our own, on @parley/sdk alone: the active speaker large, everyone else in a strip below, and our
// own microphone, camera and leave buttons. No Parley elements: every pixel here is this file's.
import { ErrorCode, ParleyError, REACTIONS, Room, type ParticipantSnapshot, type RoomSnapshot } from '@parley/sdk';
import './style.css';

// Where to meet comes from the page's address: ?server=https://meet.example.com&code=abcd-efgh-jkmn&name=Ada
const { server = 'http://localhost:3000', code = '', name = '' } = Object.fromEntries(
  new URLSearchParams(location.search),
);

const element = <T extends HTMLElement>(selector: string) => document.querySelector<T>(selector)!;
const joinForm = element<HTMLFormElement>('#join-form');
const meeting = element('#meeting');
const stage = element('#stage');
const strip = element('#strip');
const microphoneButton = element<HTMLButtonElement>('#microphone');
const cameraButton = element<HTMLButtonElement>('#camera');
const cameraChoice = element<HTMLSelectElement>('#camera-choice');
const leaveButton = element<HTMLButtonElement>('#leave');
const noiseBox = element<HTMLInputElement>('#noise-suppression');
const handButton = element<HTMLButtonElement>('#hand');
const queueLine = element('#queue');
const picker = element('#reactions');
const statusLine = element('#status');
const errorLine = element('#error');

// #region create
const room = new Room({ server });
// #endregion create

// #region render
/** Why we are out of the meeting, once we are: set by the `left` event below. */
let leftBecause = '';

/** One tile per participant, kept across renders so each `<video>` keeps playing while it moves. */
const tiles = new Map<string, HTMLElement>();

function tileFor(participant: ParticipantSnapshot): HTMLElement {
  let tile = tiles.get(participant.id);
  if (!tile) {
    tile = document.createElement('figure');
    tile.className = 'tile';
    tile.dataset.participantId = participant.id;
    const video = document.createElement('video');
    video.autoplay = true;
    video.playsInline = true;
    video.muted = participant.isLocal; // never play your own microphone back to you
    tile.append(video, document.createElement('figcaption'));
    tiles.set(participant.id, tile);
    if (!participant.isLocal) watchForFrozenVideo(video, participant.id);
  }
  const video = tile.querySelector('video')!;
  if (video.srcObject !== participant.stream) video.srcObject = participant.stream;
  tile.querySelector('figcaption')!.textContent =
    `${participant.name}${participant.isLocal ? ' (you)' : ''}${participant.audioEnabled ? '' : ' 🔇'}`;
  tile.classList.toggle('speaking', participant.isSpeaking);
  return tile;
}

/** Draws the whole meeting from one snapshot: whatever changed, the picture is the snapshot's. */
function render(snapshot: RoomSnapshot): void {
  meeting.hidden = snapshot.state !== 'joined' && snapshot.state !== 'reconnecting';
  joinForm.hidden = !meeting.hidden;
  if (snapshot.state === 'reconnecting') statusLine.textContent = 'Reconnecting…';
  else statusLine.textContent = snapshot.state === 'left' ? leftBecause : '';
  const everyone = [snapshot.localParticipant, ...snapshot.participants];
  // The stage shows who talks now, else the first other participant, else you.
  const onStage =
    everyone.find((participant) => participant.id === snapshot.activeSpeakerId) ??
    snapshot.participants[0] ??
    snapshot.localParticipant;
  stage.replaceChildren(tileFor(onStage));
  strip.replaceChildren(...everyone.filter((participant) => participant !== onStage).map(tileFor));
  for (const id of tiles.keys()) {
    if (!everyone.some((participant) => participant.id === id)) tiles.delete(id);
  }
  microphoneButton.setAttribute('aria-pressed', String(snapshot.localParticipant.audioEnabled));
  cameraButton.setAttribute('aria-pressed', String(snapshot.localParticipant.videoEnabled));
}

room.subscribe(() => render(room.getSnapshot()));
// #endregion render

// #region frozen-video
/**
 * A remote picture can freeze inside the browser: frames keep arriving and being decoded, yet the `<video>` presents
 * none. Count what it presents (requestVideoFrameCallback is cheap); every few seconds, if frames were decoded but
 * none presented, ask the SDK to repair the connection, at most every 30 s.
 */
function watchForFrozenVideo(video: HTMLVideoElement, participantId: string): void {
  // This tile's participant. Someone who leaves and comes back under the same id is a new object, with a new tile.
  const watched = room.participants.get(participantId);
  let presented = 0;
  const countFrame = () => {
    presented += 1;
    video.requestVideoFrameCallback(countFrame);
  };
  video.requestVideoFrameCallback(countFrame);
  let last = { presented, decoded: null as number | null, repairedAt: 0 };
  const watchdog = setInterval(async () => {
    const participant = room.participants.get(participantId);
    if (!participant || participant !== watched) return clearInterval(watchdog);
    const decoded = participant.videoEnabled && !video.paused ? await participant.framesDecoded() : null;
    const frozen = decoded !== null && last.decoded !== null && decoded > last.decoded && presented === last.presented;
    const repair = frozen && Date.now() - last.repairedAt > 30_000;
    if (repair) participant.repairVideo();
    last = { presented, decoded, repairedAt: repair ? Date.now() : last.repairedAt };
  }, 3000);
}
// #endregion frozen-video

// #region controls
microphoneButton.addEventListener('click', () => room.toggleMicrophone());
cameraButton.addEventListener('click', () => room.toggleCamera());
leaveButton.addEventListener('click', () => room.leave());
// #endregion controls

// #region devices
async function listCameras(): Promise<void> {
  const { cameras } = await room.listDevices();
  const current = room.localParticipant.videoTrack?.getSettings().deviceId;
  cameraChoice.replaceChildren(
    ...cameras.map((camera, index) => new Option(camera.label || `Camera ${index + 1}`, camera.deviceId, false, camera.deviceId === current)),
  );
}

cameraChoice.addEventListener('change', () => room.switchCamera(cameraChoice.value));
room.on('devices-changed', () => listCameras());
// #endregion devices

// #region noise
/** Noise suppression (RNNoise, fetched from the Parley server on first use); the box shows what is in effect. */
async function setNoiseSuppression(on: boolean): Promise<void> {
  try {
    await room.localParticipant.setNoiseSuppression(on);
  } catch (error) {
    // `unsupported` (no AudioWorklet or WebAssembly) and the like: the microphone goes as captured.
    errorLine.textContent = error instanceof Error ? error.message : String(error);
  }
  noiseBox.checked = room.localParticipant.noiseSuppression;
}

noiseBox.addEventListener('change', () => setNoiseSuppression(noiseBox.checked));
// On in every meeting, where the browser can.
room.on('joined', () => setNoiseSuppression(true));
// #endregion noise

// #region hands
handButton.addEventListener('click', () => (room.localParticipant.handRaised ? room.lowerHand() : room.raiseHand()));
room.on('hands-changed', (raised) => {
  queueLine.textContent = raised.map((id, index) => `${index + 1}. ${room.participants.get(id)?.name ?? 'You'}`).join('  ');
  handButton.setAttribute('aria-pressed', String(room.localParticipant.handRaised));
});
// #endregion hands

// #region reactions
for (const emoji of REACTIONS) {
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = emoji;
  // Past the allowance, react() rejects with `rate-limited` without asking the server: nothing to tell anyone.
  button.addEventListener('click', () => room.react(emoji).catch(() => {}));
  picker.append(button);
}
/** The emoji over the sender's tile for 3 s. */
room.on('reaction', (participant, emoji) => {
  const bubble = Object.assign(document.createElement('span'), { className: 'reaction', textContent: emoji });
  tiles.get(participant.id)?.append(bubble);
  setTimeout(() => bubble.remove(), 3000);
});
// #endregion reactions

// #region events
room.on('joined', () => listCameras());
room.on('participant-joined', (participant) => console.log(`${participant.name} joined`));
room.on('left', (reason) => {
  leftBecause = reason === 'ended' ? 'The host ended the meeting.' : 'You left the meeting.';
});
// Failures during the meeting (a device lost, the connection gone for good); fatal ones are followed by `left`.
room.on('error', (error) => {
  errorLine.textContent = error.message;
});
// #endregion events

// #region join
/** What to tell the person when joining fails, by the error's stable `code`. */
function explain(error: unknown): string {
  if (!(error instanceof ParleyError)) return 'Something went wrong.';
  switch (error.code) {
    case ErrorCode.MeetingNotFound:
      return 'There is no meeting with this code, or it has ended.';
    case ErrorCode.MeetingFull:
      return 'This meeting is full.';
    case ErrorCode.ServerUnreachable:
      return 'The meeting server cannot be reached.';
    default:
      return error.message;
  }
}

joinForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  errorLine.textContent = '';
  try {
    // Camera or microphone denied is not fatal: you join to watch and listen, and `error` says why.
    await room.join({ code, name: new FormData(joinForm).get('name') as string });
  } catch (error) {
    errorLine.textContent = explain(error);
  }
});
// #endregion join

(joinForm.elements.namedItem('name') as HTMLInputElement).value = name;
render(room.getSnapshot());
