import type { JoinedMeeting, MediaPath } from '@parley/protocol';
import type { Environment } from './environment.js';
import type { LocalParticipant, LocalTrackKind } from './local-participant.js';
import type { Logger } from './logger.js';
import type { SignalClient } from './signal-client.js';
import type { QualityStats } from './stats/connection-quality.js';

/**
 * Whether a remote participant's camera video is shown here, and at about what size in CSS pixels: `null` when it
 * is shown nowhere (an off-page tile), so its sender may stop sending it.
 */
export type VideoWanted = { width: number; height: number } | null;

/** What a {@link MediaTransport} reports; participants are named by id. */
export type MediaTransportEventMap = {
  /** A remote participant's track arrived: camera or microphone, or (`screen`) their shared screen. */
  track: (participantId: string, track: MediaStreamTrack, screen: boolean) => void;
  /** The participant's tracks so far carry nothing any more (the path to them was renewed): new ones follow. */
  'tracks-ended': (participantId: string) => void;
  'connection-state-changed': (participantId: string, state: RTCPeerConnectionState) => void;
  /** An application message (chat) from a participant. */
  message: (participantId: string, message: string) => void;
};

/** The speaking and connection-quality monitor's measurements of the media exchanged with one participant. */
export interface MediaStats {
  /** Loudness (0–1) received from the participant and sent, averaged since the previous call. */
  audioLevels(): Promise<{ remote: number; local: number }>;
  qualityStats(): Promise<QualityStats>;
}

/** What a transport is made with, for one join. */
export interface MediaTransportContext {
  /** The room's signaling connection: negotiation messages go through it. */
  signal: SignalClient;
  environment: Environment;
  logger: Logger;
  iceTransportPolicy: RTCIceTransportPolicy;
  /** Whose tracks to send: `stream` (camera, microphone) and `screenStream`, read when a connection opens. */
  local: Pick<LocalParticipant, 'stream' | 'screenStream'>;
}

/**
 * How media travels between the participants of a room: peer to peer (`MeshTransport`) or through a media server
 * (`SfuTransport`). A `Room` owns one per join and knows it only through this interface.
 */
export interface MediaTransport {
  on<E extends keyof MediaTransportEventMap>(event: E, listener: MediaTransportEventMap[E]): unknown;
  /** The meeting was joined: its ICE servers (and, for a media server, where it is) are known. */
  start(meeting: JoinedMeeting): void;
  /**
   * The meeting's media path, as the server now says (a `media-path` event, or a resume): returns whether this
   * transport follows it by itself (the path it is on, say with a fresh token; in SFU mode also another Janus or room,
   * where the meeting moved). Another mode needs another transport.
   */
  updatePath(path: MediaPath): boolean;
  /** Someone to exchange media with. `initiator`: whether this side was there first (and opens the negotiation). */
  addParticipant(participantId: string, initiator: boolean): void;
  removeParticipant(participantId: string): void;
  /** Sends a local track from now on (camera and microphone without renegotiating); `null` unpublishes it. */
  publishTrack(kind: LocalTrackKind, track: MediaStreamTrack | null): Promise<void>;
  /** Sends an application message (chat) to everyone; queued for those not reachable yet. */
  send(message: string): void;
  /** Which remote videos are shown here and at what size (see {@link VideoWanted}). Every video is wanted at first. */
  setVideoWanted(participantId: string, wanted: VideoWanted): void;
  /** Renews the media path to a participant whose video decodes but no longer shows. */
  repairVideo(participantId: string): void;
  /** Told when signaling drops and comes back: negotiation waits for it. */
  setSignalingUp(up: boolean): void;
  /** Whether media may still be flowing to anyone (a connection is up, or only briefly interrupted). */
  readonly connected: boolean;
  /** WebRTC statistics of the media exchanged with one participant, or `null`. */
  getStats(participantId: string): Promise<RTCStatsReport | null>;
  /** The measurements of every participant media is exchanged with. */
  stats(): Iterable<[participantId: string, stats: MediaStats]>;
  close(): void;
}

/** Makes a room's transport for one join; may load its code on demand (`import()`) and resolve later. */
export type MediaTransportFactory = (context: MediaTransportContext) => MediaTransport | Promise<MediaTransport>;
