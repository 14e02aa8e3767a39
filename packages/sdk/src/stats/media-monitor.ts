import type { MediaStats } from '../media-transport.js';
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
  peers(): Iterable<[RemoteParticipant, MediaStats]>;
  onSpeakers(state: SpeakerState): void;
  onQuality(participant: RemoteParticipant, quality: ConnectionQuality): void;
}

/** The two timers of {@link createMediaMonitor}. */
export interface MediaMonitor {
  /** Starts sampling (restarting if it was running). */
  start(): void;
  /** Stops sampling and forgets every measurement. */
  stop(): void;
}

/**
 * Watches the meeting's media: who is speaking (from audio levels, debounced by `SpeakerDetector`) and how good
 * each connection is (from `getStats`, smoothed by `QualityTracker`). Two timers, both stopped by `stop()`.
 */
export function createMediaMonitor(options: MediaMonitorOptions): MediaMonitor {
  const speakers = new SpeakerDetector();
  const qualityTrackers = new Map<string, QualityTracker>();
  let audioTimer: ReturnType<typeof setInterval> | undefined;
  let qualityTimer: ReturnType<typeof setInterval> | undefined;
  let sampling = false;

  const sampleAudio = async (): Promise<void> => {
    // getStats is asynchronous: never let samples pile up behind a slow one.
    if (sampling) return;
    sampling = true;
    try {
      const peers = [...options.peers()];
      const measured = await Promise.all(peers.map(([, session]) => session.audioLevels()));
      const levels = new Map<string, number>();
      peers.forEach(([participant], index) => {
        levels.set(participant.id, participant.audioEnabled ? measured[index]!.remote : 0);
      });
      const local = options.local();
      // What we send is the same on every connection: any one of them tells our level.
      const localLevel = local.audioEnabled ? (measured[0]?.local ?? 0) : 0;
      if (!audioTimer) return;
      levels.set(local.id, localLevel);
      const state = speakers.update(performance.now(), levels);
      if (state.changed) options.onSpeakers(state);
    } catch {
      // A connection closed mid-sample: the next sample sees the room as it is.
    } finally {
      sampling = false;
    }
  };

  const sampleQuality = async (): Promise<void> => {
    const peers = [...options.peers()];
    for (const id of qualityTrackers.keys()) {
      if (!peers.some(([participant]) => participant.id === id)) qualityTrackers.delete(id);
    }
    await Promise.all(
      peers.map(async ([participant, session]) => {
        let tracker = qualityTrackers.get(participant.id);
        if (!tracker) {
          tracker = new QualityTracker();
          qualityTrackers.set(participant.id, tracker);
        }
        try {
          const quality = tracker.update(await session.qualityStats());
          if (qualityTimer) options.onQuality(participant, quality);
        } catch {
          // Closed while sampling.
        }
      }),
    );
  };

  const stop = (): void => {
    clearInterval(audioTimer);
    clearInterval(qualityTimer);
    audioTimer = qualityTimer = undefined;
    speakers.reset();
    qualityTrackers.clear();
  };

  return {
    start() {
      stop();
      audioTimer = setInterval(() => void sampleAudio(), AUDIO_LEVEL_INTERVAL_MS);
      qualityTimer = setInterval(() => void sampleQuality(), QUALITY_INTERVAL_MS);
    },
    stop,
  };
}
