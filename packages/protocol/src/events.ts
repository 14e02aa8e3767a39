/**
 * The signaling protocol as Socket.IO event maps, in the style of socket.io's own `typed-events.ts`:
 * one map per direction, acknowledgements as the last callback. Documented in `docs/protocol.md`.
 */
import type { ProtocolError } from './errors.js';
import type {
  AllowRecordingRequest,
  AppMessage,
  IceCandidateMessage,
  IceCandidatePayload,
  IceRestartRequest,
  JoinMeetingRequest,
  LowerHandRequest,
  MediaState,
  MeetingInfoRequest,
  MeetingSettingsUpdate,
  ParticipantTarget,
  RaiseHandRequest,
  ReactionRequest,
  ResumeMeetingRequest,
  SessionDescriptionMessage,
  SetRecordingRequest,
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

/** Per-meeting settings a host controls. */
export interface MeetingSettings {
  /** Nobody new gets in. */
  locked: boolean;
  /** Newcomers wait until a host admits them. */
  waitingRoom: boolean;
  /**
   * Set when the server turned the waiting room on by itself because a host removed someone (who could otherwise
   * come back under a new session); cleared as soon as a host sets the waiting room. Absent means no.
   */
  waitingRoomAfterRemoval?: boolean;
}

/** Someone in the waiting room, as hosts see them. */
export interface WaitingParticipant {
  id: string;
  name: string;
}

/**
 * The answer to `join-meeting` while the meeting has a waiting room: wait for `admitted` or `denied`. Tell it from
 * a `JoinedMeeting` by `waiting === true` (a `JoinedMeeting`'s `waiting` is an array).
 */
export interface WaitingForHost {
  waiting: true;
  /** The id this participant will have once admitted; hosts admit or deny by it. */
  participantId: string;
}

/** How a meeting's media travels: peer to peer between every two participants, or through a media server. */
export type MediaPath = MeshMediaPath | SfuMediaPath;

/** The zero-dependency default: one peer connection per remote participant, negotiated over this signaling. */
export interface MeshMediaPath {
  mode: 'mesh';
}

/**
 * SFU mode: everyone publishes to, and subscribes from, the meeting's Janus VideoRoom. Janus names rooms and feeds
 * by string (`string_ids`); a participant's feed id is their participant id.
 */
export interface SfuMediaPath {
  mode: 'sfu';
  /** The Janus server's WebSocket URL, as browsers reach it (`wss://` in production). */
  janusUrl: string;
  /** The meeting's VideoRoom. */
  room: string;
  /**
   * This participant's pass to Janus: a Janus signed token (realm `janus`, the VideoRoom plugin only), sent as
   * `token` with every Janus request (create, attach, message, trickle, keepalive). A fresh one arrives in
   * `media-path` before it expires; use it from then on.
   */
  token: string;
  /**
   * This participant's pass to `room` and no other: a VideoRoom signed token (realm `janus.plugin.videoroom`,
   * `room=<room>`), sent as `token` in the body of every VideoRoom `join`, as a publisher and as a subscriber.
   * Janus checks the two tokens separately (a core token cannot name a room), hence two.
   */
  roomToken: string;
  /** When `token` and `roomToken` expire, in milliseconds since the epoch. */
  tokenExpiresAt: number;
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
   * Secret that lets a new connection take over this participant after the old one dropped (`resume-meeting`),
   * even on a server process that restarted after a crash. Signed by the server, naming the meeting, the
   * participant and their role, and expiring; replaced by `resume-token` when any of these changes and before it
   * expires. Keep it in memory only; it is as good as the participant's identity.
   */
  resumeToken: string;
  /** How long after a drop the server keeps the participant for a resume, in milliseconds. */
  resumeWindowMs: number;
  /**
   * In a resume answer: the server restarted without handing its participants over (it crashed) and is still
   * taking them back. Participants missing from `participants` may yet resume; each is announced when it does
   * (`participant-joined` or `participant-present`), so keep their peer connections meanwhile.
   */
  recovering?: boolean;
  settings: MeetingSettings;
  /** How this meeting's media travels now; absent (a server from before SFU mode) means `mesh`. */
  media?: MediaPath;
  /** For hosts: who is in the waiting room now (empty for everyone else). */
  waiting: WaitingParticipant[];
  /** Raised hands, first raised first; absent (a server from before raised hands) means none. */
  hands?: RaisedHand[];
  /** Who records the meeting and who may; absent (a server from before recording) means nobody. */
  recording?: RecordingState;
}

/**
 * Local recording: a participant records the meeting in their own browser (nothing reaches the server); the server
 * only keeps who does, so that everyone can be told. Several may record at once, each their own file.
 */
export interface RecordingState {
  /** Who records the meeting now, first started first. */
  recorders: string[];
  /** Who a host allowed to record (hosts may always, and are not listed unless a host allowed them too). */
  allowed: string[];
}

/** The answer to `meeting-info`: what to tell someone before they join. */
export interface MeetingInfo {
  /** Someone records the meeting now. */
  recording: boolean;
}

/** A raised hand in the meeting's queue, as the server ordered it. */
export interface RaisedHand {
  participantId: string;
  /** When the server saw the hand go up, in milliseconds since the epoch: the queue's order (the client's clock never counts). */
  raisedAt: number;
}

/** Why someone left: by choice, lost connection (past the resume window), or removed by a host. */
export type ParticipantLeftReason = 'left' | 'disconnected' | 'removed';

export interface ClientToServerEvents {
  /** With a waiting room on (and not a host), the answer is `WaitingForHost`; `admitted` or `denied` follows. */
  'join-meeting': (request: JoinMeetingRequest, ack: Ack<JoinedMeeting | WaitingForHost>) => void;
  /**
   * Takes over the participant that `resumeToken` was issued to, after its connection dropped. The answer is as for
   * a join: the same `self.id`, and everyone in the meeting now. With a valid token, a meeting that ended or expired
   * meanwhile is refused `meeting-ended` or `meeting-expired`.
   */
  'resume-meeting': (request: ResumeMeetingRequest, ack: Ack<JoinedMeeting>) => void;
  offer: (message: SessionDescriptionMessage, ack: Ack) => void;
  answer: (message: SessionDescriptionMessage, ack: Ack) => void;
  /**
   * The ack is optional, and the reference client sends none: a candidate that cannot be delivered needs no answer,
   * and without acks a relay is one frame on the wire instead of two.
   */
  'ice-candidate': (message: IceCandidateMessage, ack?: Ack) => void;
  /** The polite side of a connection whose path is lost asks the impolite one to restart ICE. Ack optional, as for candidates. */
  'ice-restart-request': (message: IceRestartRequest, ack?: Ack) => void;
  'media-state': (state: MediaState, ack: Ack) => void;
  /**
   * An application message (chat) for everyone else in the meeting, relayed by the server. In SFU mode there is no
   * peer-to-peer data channel to carry it.
   */
  'app-message': (message: AppMessage, ack: Ack) => void;
  /**
   * Raises or lowers your own hand. A hand already up keeps its place; the answer is the queue now, and everyone
   * (you included) hears `hands-changed` when it changed.
   */
  'raise-hand': (request: RaiseHandRequest, ack: Ack<RaisedHand[]>) => void;
  /**
   * Before joining (no meeting on this socket needed): whether the meeting is being recorded, for the prejoin screen.
   * Refused as a join with the same code and token would be (`meeting-not-found`, `unauthorized`, `rate-limited`),
   * and an unknown code counts as a failed join: it tells nothing a join would not.
   */
  'meeting-info': (request: MeetingInfoRequest, ack: Ack<MeetingInfo>) => void;
  /**
   * The sender started (`recording: true`) or stopped recording in their browser. Starting is refused
   * `recording-not-allowed` unless the sender is a host or a host allowed them. Everyone hears `recording-changed`.
   */
  'set-recording': (request: SetRecordingRequest, ack: Ack<RecordingState>) => void;
  /** Leaves the meeting; from the waiting room, stops waiting (the connection stays open, in no meeting). */
  'leave-meeting': (ack: Ack) => void;
  // Host controls: refused with `not-host` for everyone else.
  /** Ends the meeting for everyone; its code can never be joined again. */
  'end-meeting': (ack: Ack) => void;
  /** Asks a participant to turn their microphone off. Their client does it; nobody can turn it on for them. */
  'mute-participant': (target: ParticipantTarget, ack: Ack) => void;
  /** Removes a participant; their session cannot join this meeting again. */
  'remove-participant': (target: ParticipantTarget, ack: Ack) => void;
  /** Makes another participant the host, in place of the sender. */
  'transfer-host': (target: ParticipantTarget, ack: Ack) => void;
  /** Locks or unlocks the meeting, turns the waiting room on or off. */
  'update-meeting': (update: MeetingSettingsUpdate, ack: Ack<MeetingSettings>) => void;
  /** Lets someone in from the waiting room. */
  'admit-participant': (target: ParticipantTarget, ack: Ack) => void;
  /** Turns someone in the waiting room away. */
  'deny-participant': (target: ParticipantTarget, ack: Ack) => void;
  /** Lowers one participant's hand (`participantId`, the host's own too), or everyone's (`all: true`). Answers the queue now. */
  'lower-hand': (target: LowerHandRequest, ack: Ack<RaisedHand[]>) => void;
  /**
   * Allows a participant to record the meeting, or takes it back: a recording they run then stops (their client
   * hears `recording-changed` without them among the recorders, and stops). Answers the state now.
   */
  'allow-recording': (request: AllowRecordingRequest, ack: Ack<RecordingState>) => void;
  /**
   * Shows a reaction (one of `REACTIONS`) to everyone else (`reaction`). Past `LIMITS.reactionBurst` at once, then one
   * per `LIMITS.reactionIntervalMs`, refused `rate-limited`.
   */
  'send-reaction': (reaction: ReactionRequest, ack: Ack) => void;
}

/** A client request: every client event is one. */
export type RequestEvent = keyof ClientToServerEvents;

/** A request's arguments: everything before the ack (`never` for the events whose ack is optional). */
export type RequestArgs<E extends RequestEvent> =
  Parameters<ClientToServerEvents[E]> extends [...infer Args, (result: Result<infer _>) => void] ? Args : never;

/** What a successful request answers with (`undefined` for the events whose ack is optional). */
export type RequestData<E extends RequestEvent> =
  Extract<Parameters<ClientToServerEvents[E]>[number], (result: never) => void> extends (result: Result<infer T>) => void ? T : never;

/** A request's payload, the argument before the ack: `undefined` for the requests that carry none. */
export type RequestPayload<E extends RequestEvent> =
  Parameters<ClientToServerEvents[E]> extends [infer First, ...unknown[]]
    ? First extends (result: never) => void
      ? undefined
      : First
    : undefined;

export interface ServerToClientEvents {
  /** Someone new is in the meeting: the receiver, here before them, sends the first offer. */
  'participant-joined': (participant: ParticipantInfo) => void;
  /**
   * Someone who was in the meeting before you, but missing from your join answer (with several nodes, two joins on
   * two nodes at the same moment): they send the first offer, as for those listed in the answer.
   */
  'participant-present': (participant: ParticipantInfo) => void;
  'participant-left': (event: { participantId: string; reason: ParticipantLeftReason }) => void;
  offer: (message: { from: string; sdp: string }) => void;
  answer: (message: { from: string; sdp: string }) => void;
  'ice-candidate': (message: { from: string; candidate: IceCandidatePayload }) => void;
  /** `from` lost the path to you: restart ICE on your connection with them (you are its impolite side). */
  'ice-restart-request': (message: { from: string }) => void;
  'media-state': (event: { participantId: string } & MediaState) => void;
  /** An application message (chat) `from` a participant, relayed by the server (see the client's `app-message`). */
  'app-message': (event: { from: string } & AppMessage) => void;
  /**
   * The meeting's media moved (to or from the media server, or to another Janus after one failed), or here is a
   * fresh Janus token: follow it. Bring the new path up before dropping the old one.
   */
  'media-path': (path: MediaPath) => void;
  /** The host ended the meeting. The server closes the connection after this. */
  'meeting-ended': () => void;
  /** A host asks you to turn your microphone off. */
  'mute-requested': (event: { by: string }) => void;
  /** A host removed you. The server closes the connection after this. */
  removed: () => void;
  /** Someone became host, or stopped being one. */
  'host-changed': (event: { participantId: string; isHost: boolean }) => void;
  /** The meeting's settings changed. */
  'meeting-updated': (settings: MeetingSettings) => void;
  /** To hosts: who is in the waiting room now. An empty list to a participant who has just stopped being host. */
  'waiting-list': (event: { waiting: WaitingParticipant[] }) => void;
  /** Your new resume token: your role changed, or the previous one is getting old. Use it for the next resume. */
  'resume-token': (event: { resumeToken: string }) => void;
  /**
   * A hand went up or down, or someone with a hand up left: the whole queue, first raised first. Every node sends
   * its own participants the queue as it sees it, so the last one each page receives is the same everywhere.
   */
  'hands-changed': (event: { hands: RaisedHand[] }) => void;
  /**
   * Someone started or stopped recording, a host allowed or disallowed someone, or a recorder left: the whole state.
   * A recorder that is not among `recorders` any more (a host took the permission back) stops recording.
   */
  'recording-changed': (event: { recording: RecordingState }) => void;
  /** To someone waiting: a host let you in. Same shape as a join answer. */
  admitted: (meeting: JoinedMeeting) => void;
  /**
   * To someone waiting: a host turned you away, or the meeting ended or expired meanwhile. The server closes the
   * connection after this.
   */
  denied: () => void;
  /** `from` reacted (see the client's `send-reaction`): show `emoji` over their tile a moment. */
  reaction: (event: { from: string } & ReactionRequest) => void;
}
