import type { MeetingSettings, ParticipantLeftReason, Reaction, RecordingState, WaitingParticipant } from '@parley/protocol';
import type { ChatMessage } from './chat.js';
import type { ParleyError } from './errors.js';
import type { Participant } from './participant.js';
import type { RemoteParticipant } from './remote-participant.js';
import type { DeviceList } from './device-list.js';
import type { ConnectionQuality } from './stats/connection-quality.js';

/**
 * Where a room is in its life: `join()` moves it from `idle` (or `left`) through `joining` (and `waiting`, while a
 * meeting's waiting room holds you until a host lets you in) to `joined`; a dropped server connection moves it to
 * `reconnecting` and back (or on to `left`). Media between participants keeps flowing while `reconnecting`: only
 * signaling is down.
 */
export type RoomState = 'idle' | 'joining' | 'waiting' | 'joined' | 'reconnecting' | 'left';

/**
 * Why the room left the meeting: `leave()` was called, the server connection was lost, a host ended the meeting
 * for everyone, a host removed you, or the meeting expired while the server was out of reach.
 */
export type LeaveReason = 'left' | 'connection-lost' | 'ended' | 'removed' | 'expired';

/** Everything a `Room` emits. Participant events flow up here with the participant as first argument. */
export type RoomEventMap = {
  'state-changed': (state: RoomState) => void;
  /** The meeting was entered; `localParticipant` has its id and `participants` holds everyone already there. */
  joined: () => void;
  left: (reason: LeaveReason) => void;
  /**
   * The server connection dropped; the room is trying to get back in, for as long as a peer is still connected
   * (the call goes on meanwhile), else for the resume window. `reason` is Socket.IO's.
   */
  reconnecting: (reason: string) => void;
  /** Back in the meeting as the same participant after a drop. */
  reconnected: () => void;
  /**
   * The server connection is gone for good (the resume window passed with no peer connected, or the server refused
   * the resume); `left` follows.
   */
  disconnected: (reason: string) => void;
  'participant-joined': (participant: RemoteParticipant) => void;
  'participant-left': (participant: RemoteParticipant, reason: ParticipantLeftReason) => void;
  /** A participant's (local or remote) microphone or camera was turned on or off. */
  'media-changed': (participant: Participant) => void;
  /** A participant's `stream` changed: tracks arrived (remote) or were captured (local). */
  'stream-changed': (participant: Participant) => void;
  'connection-state-changed': (participant: RemoteParticipant, state: RTCPeerConnectionState) => void;
  /** A participant (you included) started or stopped speaking; debounced, so a cough does not count. */
  'speaking-changed': (participant: Participant, speaking: boolean) => void;
  /** The spotlight moved: see `activeSpeaker`. */
  'active-speaker-changed': (participant: Participant | null) => void;
  /** A remote participant's `connectionQuality` changed (1 unusable … 5 excellent). */
  'connection-quality-changed': (participant: RemoteParticipant, quality: ConnectionQuality) => void;
  /** A participant (local or remote) started or stopped sharing their screen: see `screenStream`. */
  'screen-share-changed': (participant: Participant) => void;
  /** Devices were plugged in or out. */
  'devices-changed': (devices: DeviceList) => void;
  /** `audioOutputDeviceId` changed. */
  'audio-output-changed': (deviceId: string) => void;
  /** A chat message arrived, or you sent one. */
  'chat-message': (message: ChatMessage) => void;
  /** The meeting has a waiting room: you wait until a host admits you (`joined`) or turns you away. */
  waiting: () => void;
  /** A host asks you to turn your microphone off; the room has already turned it off. `by` is that host. */
  'mute-requested': (by: RemoteParticipant | null) => void;
  /** A participant (you included) became host or stopped being one: see `isHost`. */
  'host-changed': (participant: Participant) => void;
  /** The meeting was locked or unlocked, or its waiting room turned on or off: see `settings`. */
  'meeting-updated': (settings: MeetingSettings) => void;
  /**
   * A hand went up or down, or someone with a hand up left: `raisedHands`, first raised first (each participant's
   * `handRaised` is up to date).
   */
  'hands-changed': (raisedHands: readonly string[]) => void;
  /**
   * Someone started or stopped recording, a host allowed or disallowed someone, or a recorder left: `room.recording`
   * now. Recording yourself and missing from `recorders`? A host took your permission back: stop.
   */
  'recording-changed': (recording: RecordingState) => void;
  /** For hosts: someone arrived in or left the waiting room: see `waitingParticipants`. */
  'waiting-list-changed': (waiting: readonly WaitingParticipant[]) => void;
  /** Something failed that the application should know about; fatal failures are followed by `left`. */
  error: (error: ParleyError) => void;
  /** A participant reacted (`react`): someone else, or you once the server took your reaction. */
  reaction: (participant: Participant, emoji: Reaction) => void;
};
