import type { PeerSession } from '../peer-session.js';
import type { RemoteParticipant } from '../remote-participant.js';
import { QualityTracker, type ConnectionQuality } from './connection-quality.js';
import { SpeakerDetector, type SpeakerState } from './speaker-detector.js';

/** Audio levels are sampled this often: fast enough that speaking shows within a syllable. */
const AUDIO_LEVEL_INTERVAL_MS = 200;
/** Connection quality is sampled this often: loss and jitter need a few seconds of packets to mean anything. */
const QUALITY_INTERVAL_MS = 2000;

export interface MediaMonitorOptions {
  /** The local participant's id, and whether their microphone is on. */
  local(): { id: string; audioEnabled: boolean };
  /** Every remote participant with the connection to them. */
  peers(): Iterable<[RemoteParticipant, PeerSession]>;
  onSpeakers(state: SpeakerState): void;
  onQuality(participant: RemoteParticipant, quality: ConnectionQuality): void;
}

/**
 * Watches the meeting's media: who is speaking (from audio levels, debounced by `SpeakerDetector`) and how good
 * each connection is (from `getStats`, smoothed by `QualityTracker`). Two timers, both stopped by `stop()`.
 */
export class MediaMonitor {
  readonly #options: MediaMonitorOptions;
  readonly #speakers = new SpeakerDetector();
  readonly #quality = new Map<string, QualityTracker>();
  #audioTimer: ReturnType<typeof setInterval> | undefined;
  #qualityTimer: ReturnType<typeof setInterval> | undefined;
  #sampling = false;

  constructor(options: MediaMonitorOptions) {
    this.#options = options;
  }

  start(): void {
    this.stop();
    this.#audioTimer = setInterval(() => void this.#sampleAudio(), AUDIO_LEVEL_INTERVAL_MS);
    this.#qualityTimer = setInterval(() => void this.#sampleQuality(), QUALITY_INTERVAL_MS);
  }

  stop(): void {
    clearInterval(this.#audioTimer);
    clearInterval(this.#qualityTimer);
    this.#audioTimer = this.#qualityTimer = undefined;
    this.#speakers.reset();
    this.#quality.clear();
  }

  async #sampleAudio(): Promise<void> {
    // getStats is asynchronous: never let samples pile up behind a slow one.
    if (this.#sampling) return;
    this.#sampling = true;
    try {
      const peers = [...this.#options.peers()];
      const measured = await Promise.all(peers.map(([, session]) => session.audioLevels()));
      const levels = new Map<string, number>();
      peers.forEach(([participant], index) => {
        levels.set(participant.id, participant.audioEnabled ? measured[index]!.remote : 0);
      });
      const local = this.#options.local();
      // What we send is the same on every connection: any one of them tells our level.
      const localLevel = local.audioEnabled ? (measured[0]?.local ?? 0) : 0;
      if (!this.#audioTimer) return;
      levels.set(local.id, localLevel);
      const state = this.#speakers.update(performance.now(), levels);
      if (state.changed) this.#options.onSpeakers(state);
    } catch {
      // A connection closed mid-sample: the next sample sees the room as it is.
    } finally {
      this.#sampling = false;
    }
  }

  async #sampleQuality(): Promise<void> {
    const peers = [...this.#options.peers()];
    for (const id of this.#quality.keys()) {
      if (!peers.some(([participant]) => participant.id === id)) this.#quality.delete(id);
    }
    await Promise.all(
      peers.map(async ([participant, session]) => {
        let tracker = this.#quality.get(participant.id);
        if (!tracker) {
          tracker = new QualityTracker();
          this.#quality.set(participant.id, tracker);
        }
        try {
          const quality = tracker.update(await session.qualityStats());
          if (this.#qualityTimer) this.#options.onQuality(participant, quality);
        } catch {
          // Closed while sampling.
        }
      }),
    );
  }
}
