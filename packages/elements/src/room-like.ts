import type { Participant, Room, RoomEventMap, TypedEmitter } from '@parley/sdk';

/**
 * What the elements use of an SDK `Room`: its events and the members below. The SDK's `Room` is one; a stand-in (a
 * test's fake, a page's own wrapper) can be another without casts. Each element's `room` property asks only for the
 * part it uses (`RoomPart`).
 */
export interface RoomLike
  extends Pick<TypedEmitter<RoomEventMap>, 'on' | 'off'>,
    Pick<
      Room,
      | 'inMeeting'
      | 'participants'
      | 'activeSpeaker'
      | 'audioOutputDeviceId'
      | 'chatMessages'
      | 'sendChatMessage'
      | 'settings'
      | 'waitingParticipants'
      | 'leave'
      | 'toggleMicrophone'
      | 'toggleCamera'
      | 'toggleScreenShare'
      | 'stopScreenShare'
      | 'listDevices'
      | 'switchCamera'
      | 'switchMicrophone'
      | 'endMeeting'
      | 'muteParticipant'
      | 'removeParticipant'
      | 'transferHost'
      | 'updateMeeting'
      | 'admit'
      | 'deny'
      | 'raisedHands'
      | 'raiseHand'
      | 'lowerHand'
      | 'lowerAllHands'
      | 'react'
      | 'recording'
      | 'allowRecording'
    > {
  /** You, shown like the others. */
  readonly localParticipant: Participant;
  /**
   * Which remote cameras are shown and at what size (`Room.setVideoWanted`), told by `<participant-grid>`. Optional:
   * a stand-in without it gets every video, as before.
   */
  setVideoWanted?: Room['setVideoWanted'];
}

/** The part of a room an element uses: the room's events and the members named. */
export type RoomPart<Member extends keyof RoomLike> = Pick<RoomLike, 'on' | 'off' | Member>;
