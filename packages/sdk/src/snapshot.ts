import type { MeetingSettings, RecordingState, WaitingParticipant } from '@parley/protocol';
import type { ChatMessage } from './chat.js';
import type { RoomState } from './events.js';
import type { Participant } from './participant.js';
import { RemoteParticipant } from './remote-participant.js';
import type { ConnectionQuality } from './stats/connection-quality.js';

/** A participant frozen at one moment. */
export interface ParticipantSnapshot {
  readonly id: string;
  readonly name: string;
  readonly isLocal: boolean;
  readonly isHost: boolean;
  readonly audioEnabled: boolean;
  readonly videoEnabled: boolean;
  readonly screenSharing: boolean;
  readonly isSpeaking: boolean;
  readonly handRaised: boolean;
  readonly stream: MediaStream | null;
  readonly screenStream: MediaStream | null;
  /** Remote participants only. */
  readonly connectionState?: RTCPeerConnectionState;
  /** Remote participants only. */
  readonly connectionQuality?: ConnectionQuality;
}

/**
 * The whole room frozen at one moment: what `Room.getSnapshot()` returns. The same object comes back until
 * something changes, as `useSyncExternalStore` and other stores require.
 */
export interface RoomSnapshot {
  readonly state: RoomState;
  readonly meetingCode: string | null;
  readonly localParticipant: ParticipantSnapshot;
  /** Everyone else, in the order they joined. */
  readonly participants: readonly ParticipantSnapshot[];
  readonly activeSpeakerId: string | null;
  readonly chatMessages: readonly ChatMessage[];
  readonly audioOutputDeviceId: string;
  readonly settings: MeetingSettings;
  /** For hosts: the waiting room. */
  readonly waitingParticipants: readonly WaitingParticipant[];
  /** Raised hands, first raised first, by participant id. */
  readonly raisedHands: readonly string[];
  /** Who records the meeting and whom a host allowed to (see `Room.recording`). */
  readonly recording: RecordingState;
}

export function snapshotParticipant(participant: Participant): ParticipantSnapshot {
  const remote =
    participant instanceof RemoteParticipant
      ? { connectionState: participant.connectionState, connectionQuality: participant.connectionQuality }
      : {};
  return Object.freeze({
    id: participant.id,
    name: participant.name,
    isLocal: participant.isLocal,
    isHost: participant.isHost,
    audioEnabled: participant.audioEnabled,
    videoEnabled: participant.videoEnabled,
    screenSharing: participant.screenSharing,
    isSpeaking: participant.isSpeaking,
    handRaised: participant.handRaised,
    stream: participant.stream,
    screenStream: participant.screenStream,
    ...remote,
  });
}
