import type { MediaTransport } from '../media-transport.js';
import type { RemoteParticipant } from '../remote-participant.js';

/** How long a switch waits for the new path to carry everyone's media before the room takes it regardless. */
export const SWITCH_TIMEOUT_MS = 4000;

/** Frames (or, for sound, packets) the new path must have decoded of a track before it is shown. */
const FRAMES_BEFORE_SHOWN = 3;
/** How often the new path's statistics are read while waiting. */
const POLL_MS = 100;

/**
 * Auto mode's make-before-break, as Jitsi does between P2P and its bridge: when a meeting moves between the mesh and
 * the SFU, the new transport comes up beside the old one, which goes on showing everyone. Once the new one carries a
 * decoded track of everyone who sends (their camera, else their microphone), or after {@link SWITCH_TIMEOUT_MS},
 * `ready` is called: the room takes the new transport and {@link deliver} hands each participant the new tracks in
 * one step. Lives in the SFU chunk: every switch has the SFU on one side, so the chunk is loaded anyway.
 */
export class TransportSwitch {
  /** Tracks the new path brought, per participant, not shown yet (`true`: a screen). */
  readonly #tracks = new Map<string, Map<MediaStreamTrack, boolean>>();
  readonly #states = new Map<string, RTCPeerConnectionState>();
  /** Participants whose media is awaited on the new path. */
  readonly #awaited = new Set<string>();
  /** Participants there when the switch began: the others (newcomers) get their tracks at once. */
  readonly #known: Set<string>;
  readonly #timer: ReturnType<typeof setTimeout>;
  readonly #check: () => void;
  #done = false;

  /**
   * `transport`: the new one, started. `localId` orders each pair on a new mesh: the lower id offers. `receive` shows
   * a track to its participant (for newcomers now, for the others at {@link deliver}); `ready` is called once.
   */
  constructor(
    readonly transport: MediaTransport,
    participants: ReadonlyMap<string, RemoteParticipant>,
    localId: string,
    readonly receive: (participantId: string, track: MediaStreamTrack, screen: boolean) => void,
    ready: () => void,
  ) {
    this.#known = new Set(participants.keys());
    const check = (this.#check = () => {
      if (!this.#done && this.#awaited.size === 0) ready();
    });
    transport.on('track', (id, track, screen) => {
      if (this.#done) return;
      if (!this.#known.has(id)) return receive(id, track, screen);
      let tracks = this.#tracks.get(id);
      if (!tracks) this.#tracks.set(id, (tracks = new Map()));
      tracks.set(track, screen);
      if (!screen && (track.kind === 'video' || !participants.get(id)?.videoEnabled)) {
        void this.#decoded(id, track).then(() => {
          this.#awaited.delete(id);
          check();
        });
      }
    });
    transport.on('tracks-ended', (id) => this.#tracks.delete(id));
    transport.on('connection-state-changed', (id, state) => this.#states.set(id, state));
    for (const participant of participants.values()) {
      if (participant.videoEnabled || participant.audioEnabled) this.#awaited.add(participant.id);
      transport.addParticipant(participant.id, localId < participant.id);
    }
    this.#timer = setTimeout(ready, SWITCH_TIMEOUT_MS);
    // Nobody to wait for: ready once the room holds this switch.
    queueMicrotask(check);
  }

  /**
   * Resolves once the new path decodes the track: a remote track is muted until its first packets arrive, and a
   * picture shows only from the first keyframe on. A transport without statistics for it is taken at its word.
   */
  async #decoded(id: string, track: MediaStreamTrack): Promise<void> {
    if (track.muted) await new Promise((resolve) => track.addEventListener('unmute', resolve, { once: true }));
    while (!this.#done) {
      const report = await this.transport.getStats(id);
      if (!report) return;
      let count = 0;
      report.forEach((stats: { type: string; trackIdentifier?: string; framesDecoded?: number; packetsReceived?: number }) => {
        if (stats.type === 'inbound-rtp' && stats.trackIdentifier === track.id) count = stats.framesDecoded ?? stats.packetsReceived ?? 0;
      });
      if (count >= FRAMES_BEFORE_SHOWN) return;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /** Someone left during the switch: nothing of theirs is awaited. */
  forget(participantId: string): void {
    this.#awaited.delete(participantId);
    this.#tracks.delete(participantId);
    this.#check();
  }

  /** The room took the new transport: each participant's tracks from the old one give way to the new ones. */
  deliver(participants: ReadonlyMap<string, RemoteParticipant>): void {
    this.#done = true;
    clearTimeout(this.#timer);
    for (const participant of participants.values()) {
      const tracks = this.#tracks.get(participant.id);
      // The same stream with the new tracks in it: a <video> showing it keeps its picture until the new one comes.
      if (tracks) for (const old of participant.stream?.getTracks() ?? []) participant.stream!.removeTrack(old);
      for (const [track, screen] of tracks ?? []) if (track.readyState === 'live') this.receive(participant.id, track, screen);
      const state = this.#states.get(participant.id);
      if (state) participant.setConnectionState(state);
    }
  }

  /** Another switch replaced this one, or the room left: the new transport goes. */
  close(): void {
    this.#done = true;
    clearTimeout(this.#timer);
    this.transport.close();
  }
}
