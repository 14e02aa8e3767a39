import type { LocalParticipant } from '@parley/sdk';
import { dispatchParleyEvent } from './events.js';

/** Where the last choice is remembered, as the prejoin screen remembers the name. */
export const NOISE_SUPPRESSION_STORAGE_KEY = 'parley:noise-suppression';

/** What a room must offer for its microphone's noise suppression. */
export interface NoiseSuppressingRoom {
  readonly localParticipant: Pick<LocalParticipant, 'noiseSuppression' | 'setNoiseSuppression'>;
}

/**
 * The choice made last on this site; on when none was made. On by default: RNNoise takes steady noise (fans,
 * traffic, keyboards) out at about 1.4 % of a core, and leaves speech as it is (docs/performance.md); where the
 * browser cannot run it, it stays off.
 */
export function rememberedNoiseSuppression(): boolean {
  try {
    return localStorage.getItem(NOISE_SUPPRESSION_STORAGE_KEY) !== 'off';
  } catch {
    return true;
  }
}

/**
 * Turns the noise suppression of `room`'s microphone on or off and, when `remember`, keeps the choice for the next
 * meeting on this site. Fires `parley-noise-suppression-changed` from `target` when the state changed. Resolves to the
 * state now; rejects with the SDK's `ParleyError` (`unsupported`…) and the microphone sent as captured.
 */
export async function setNoiseSuppression(target: EventTarget, room: NoiseSuppressingRoom, on: boolean, remember = true): Promise<boolean> {
  if (remember) {
    try {
      localStorage.setItem(NOISE_SUPPRESSION_STORAGE_KEY, on ? 'on' : 'off');
    } catch {
      // Storage blocked (e.g. a sandboxed iframe): the choice holds for this meeting only.
    }
  }
  const local = room.localParticipant;
  const before = local.noiseSuppression;
  try {
    await local.setNoiseSuppression(on);
  } finally {
    if (local.noiseSuppression !== before) {
      dispatchParleyEvent(target, 'parley-noise-suppression-changed', { enabled: local.noiseSuppression });
    }
  }
  return local.noiseSuppression;
}
