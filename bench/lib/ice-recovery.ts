import type { SdkPage } from '../../test/e2e/support/sdk-page.js';
import type { TurnServer } from '../../test/e2e/support/turn-server.js';

declare global {
  interface Window {
    /** Set by `armOutageInPage` before each forced failure: the connection states reported since. */
    __benchOutageStates?: string[];
  }
}

export interface RecoveryOptions {
  runs: number;
  /** How long coturn stays dead each time (issue 13: restarted 3 s after it was killed). */
  turnDownMs: number;
  /** Media that is not back this long after TURN is broken, not slow. */
  timeoutMs: number;
  /** getStats polling period while waiting for media: the resolution of "media flowing". */
  pollMs: number;
  /** Media flows this long before each failure, as in a call under way rather than one just connected. */
  settleMs: number;
}

/** One side of the call: a participant driven through the SDK, and the id of the other one. */
export interface RecoverySide {
  sdk: SdkPage;
  remoteId: string;
}

/**
 * One forced failure, in ms of wall clock (`Date.now()`, shared by Node and the pages). Each "both sides" step is
 * the later of the two participants.
 */
export interface RecoveryRun {
  /** `turn.restart()` resolved (coturn accepts again) → both sides decoded a new video frame from the other. */
  recoveredMs: number;
  /** coturn SIGKILLed → both sides decoded a new video frame: the whole outage. */
  outageMs: number;
  /** The connection states the two sides reported during the outage, e.g. `disconnected`, in order. */
  states: string[];
}

/** Waits until both sides decode video from each other: before the first failure, and after each one. */
export async function waitForMedia(sides: readonly RecoverySide[], options: RecoveryOptions): Promise<number> {
  const flowing = await Promise.all(
    sides.map(({ sdk, remoteId }) =>
      sdk.page.evaluate(firstNewFrameInPage, { remoteId, pollMs: options.pollMs, timeoutMs: options.timeoutMs }),
    ),
  );
  return Math.max(...flowing);
}

/**
 * SIGKILLs the TURN server under a relay-only call `runs` times, restarting it `turnDownMs` later, and times the
 * SDK's automatic ICE restart bringing media back. Media must be flowing when it starts.
 */
export async function measureRecoveries(
  turn: TurnServer,
  sides: readonly RecoverySide[],
  options: RecoveryOptions,
): Promise<RecoveryRun[]> {
  const runs: RecoveryRun[] = [];
  for (let index = 0; index < options.runs; index++) {
    await new Promise((resolve) => setTimeout(resolve, options.settleMs));
    runs.push(await recoverOnce(turn, sides, options));
  }
  return runs;
}

async function recoverOnce(
  turn: TurnServer,
  sides: readonly RecoverySide[],
  options: RecoveryOptions,
): Promise<RecoveryRun> {
  await Promise.all(sides.map(({ sdk, remoteId }) => sdk.page.evaluate(armOutageInPage, remoteId)));
  // A crash, not a shutdown: every allocation is gone the moment coturn exits.
  await turn.kill();
  const forcedAt = Date.now();
  await new Promise((resolve) => setTimeout(resolve, options.turnDownMs));
  await turn.restart();
  const backAt = Date.now();
  const flowingAt = await waitForMedia(sides, options);
  const states = await Promise.all(sides.map(({ sdk }) => sdk.page.evaluate(() => window.__benchOutageStates ?? [])));
  return { recoveredMs: flowingAt - backAt, outageMs: flowingAt - forcedAt, states: states.flat() };
}

/** Runs in the page: records the connection states to `remoteId` reported from now on. */
function armOutageInPage(remoteId: string): void {
  const states: string[] = [];
  window.__benchOutageStates = states;
  window.__room.on('connection-state-changed', (participant, state) => {
    if (participant.id === remoteId && window.__benchOutageStates === states) states.push(state);
  });
}

/**
 * Runs in the page: the time of the first poll that sees more video frames decoded from `remoteId` than when it
 * started. Nothing is decoded while the path is down, so that is the first frame through the new path.
 */
async function firstNewFrameInPage(options: { remoteId: string; pollMs: number; timeoutMs: number }): Promise<number> {
  const decoded = async () => {
    const report = await window.__room.getStats(options.remoteId);
    let frames = 0;
    report?.forEach((stats) => {
      if (stats.type === 'inbound-rtp' && stats.kind === 'video') frames += stats.framesDecoded ?? 0;
    });
    return frames;
  };
  const deadline = Date.now() + options.timeoutMs;
  const baseline = await decoded();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, options.pollMs));
    if ((await decoded()) > baseline) return Date.now();
    if (Date.now() > deadline) {
      const state = window.__room.participants.get(options.remoteId)?.connectionState ?? 'none';
      throw new Error(`recovery: no new video frame within ${options.timeoutMs} ms (connection ${state})`);
    }
  }
}
