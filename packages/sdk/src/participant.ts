import type { ParticipantInfo, Reaction } from '@parley/protocol';
import type { ConnectionQuality } from './stats/connection-quality.js';
import { TypedEmitter } from './typed-emitter.js';

/** Events every participant emits; the room re-emits each with the participant first. */
export type ParticipantEventMap = {
  /** `audioEnabled` or `videoEnabled` changed. */
  'media-changed': () => void;
  /** `stream` was set or tracks were added to it. */
  'stream-changed': () => void;
  /** Started or stopped speaking (debounced: a cough does not count). */
  'speaking-changed': (speaking: boolean) => void;
  /** Remote participants only: `connectionQuality` changed. */
  'connection-quality-changed': (quality: ConnectionQuality) => void;
  /** Screen sharing started or stopped: see `screenStream`. */
  'screen-share-changed': () => void;
  /** Remote participants only: the peer connection carrying their media changed state. */
  'connection-state-changed': (state: RTCPeerConnectionState) => void;
  /** Reacted (`Room.react`): show `emoji` over them a moment. */
  reaction: (emoji: Reaction) => void;
};

/** Someone in the meeting: what everyone knows about them, and their media. */
export abstract class Participant extends TypedEmitter<ParticipantEventMap> {
  /** Assigned by the server on join; empty for the local participant until then. */
  id = '';
  name = '';
  isHost = false;
  audioEnabled = false;
  videoEnabled = false;
  /** Camera and microphone tracks, or `null` while none has arrived (remote) or been captured (local). */
  stream: MediaStream | null = null;
  /** Whether this participant is sharing their screen. */
  screenSharing = false;
  /** Whether this participant is speaking now (debounced). */
  isSpeaking = false;
  /** Whether their hand is up: see `Room.raisedHands` for the queue (`hands-changed` says when it changes). */
  handRaised = false;
  abstract readonly isLocal: boolean;

  /** Without `info` (the local participant before joining): no id or name, not host, media off. */
  constructor(info?: ParticipantInfo) {
    super();
    if (!info) return;
    this.id = info.id;
    this.name = info.name;
    this.isHost = info.isHost;
    this.audioEnabled = info.audioEnabled;
    this.videoEnabled = info.videoEnabled;
    this.screenSharing = info.screenSharing;
  }

  /** The shared screen as its own stream, or `null` when not sharing. */
  abstract readonly screenStream: MediaStream | null;

  /** @internal */
  setSpeaking(speaking: boolean): void {
    if (speaking === this.isSpeaking) return;
    this.isSpeaking = speaking;
    this.emit('speaking-changed', speaking);
  }

  /** @internal */
  setMediaState(audio: boolean, video: boolean): void {
    if (audio === this.audioEnabled && video === this.videoEnabled) return;
    this.audioEnabled = audio;
    this.videoEnabled = video;
    this.emit('media-changed');
  }

  /** @internal */
  reacted(emoji: Reaction): void {
    this.emit('reaction', emoji);
  }
}
