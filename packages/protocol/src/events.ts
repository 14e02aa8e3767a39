/**
 * The signaling protocol as Socket.IO event maps, in the style of socket.io's own `typed-events.ts`:
 * one map per direction, acknowledgements as the last callback. Documented in `docs/protocol.md`.
 */
import type { ProtocolError } from './errors.js';
import type {
  IceCandidateMessage,
  IceCandidatePayload,
  JoinMeetingRequest,
  MediaState,
  ResumeMeetingRequest,
  SessionDescriptionMessage,
} from './schemas.js';

/** What the server answers to a request: data on success, a typed error otherwise. */
export type Result<T = undefined> = { ok: true; data: T } | { ok: false; error: ProtocolError };

/** The acknowledgement callback every client request ends with. */
export type Ack<T = undefined> = (result: Result<T>) => void;

/** A participant as everyone in the meeting sees them. */
export interface ParticipantInfo {
  /** Assigned by the server on join; stable for the connection. */
  id: string;
  name: string;
  isHost: boolean;
  audioEnabled: boolean;
  videoEnabled: boolean;
  /** Sharing their screen: their connection carries a second video track, the screen. */
  screenSharing: boolean;
}

/** The subset of `RTCIceServer` the server hands out. */
export interface IceServerConfig {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** The answer to a successful `join-meeting`. */
export interface JoinedMeeting {
  meeting: { code: string; expiresAt: string };
  /** The joining participant, as the others see them. */
  self: ParticipantInfo;
  /** Everyone who was already in the meeting. They will each send an offer. */
  participants: ParticipantInfo[];
  /** STUN/TURN servers to use for every peer connection in this meeting. */
  iceServers: IceServerConfig[];
  /**
   * Secret that lets a new connection take over this participant after the old one dropped (`resume-meeting`).
   * Keep it in memory only; it is as good as the participant's identity.
   */
  resumeToken: string;
  /** How long after a drop the server keeps the participant for a resume, in milliseconds. */
  resumeWindowMs: number;
}

export type ParticipantLeftReason = 'left' | 'disconnected';

export interface ClientToServerEvents {
  'join-meeting': (request: JoinMeetingRequest, ack: Ack<JoinedMeeting>) => void;
  /**
   * Takes over the participant that `resumeToken` was issued to, after its connection dropped. The answer is as for
   * a join: the same `self.id`, and everyone in the meeting now.
   */
  'resume-meeting': (request: ResumeMeetingRequest, ack: Ack<JoinedMeeting>) => void;
  offer: (message: SessionDescriptionMessage, ack: Ack) => void;
  answer: (message: SessionDescriptionMessage, ack: Ack) => void;
  'ice-candidate': (message: IceCandidateMessage, ack: Ack) => void;
  'media-state': (state: MediaState, ack: Ack) => void;
  'leave-meeting': (ack: Ack) => void;
}

export interface ServerToClientEvents {
  'participant-joined': (participant: ParticipantInfo) => void;
  'participant-left': (event: { participantId: string; reason: ParticipantLeftReason }) => void;
  offer: (message: { from: string; sdp: string }) => void;
  answer: (message: { from: string; sdp: string }) => void;
  'ice-candidate': (message: { from: string; candidate: IceCandidatePayload }) => void;
  'media-state': (event: { participantId: string } & MediaState) => void;
}
