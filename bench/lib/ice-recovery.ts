import type { Page } from 'playwright-core';
import type { SdkPage } from '../../test/e2e/support/sdk-page.js';
import type { TurnServer } from '../../test/e2e/support/turn-server.js';

/** When (`Date.now()`) the connection to the other participant was lost, and in which state; then back. */
interface OutageSteps {
  lost: { at: number; state: string };
  reconnected: number;
}
type Outage = { [Step in keyof OutageSteps]: Promise<OutageSteps[Step]> };

declare global {
  interface Window {
    /** Set by `armOutageInPage` before each forced failure. */
    __benchOutage?: Outage;
  }
}

export interface RecoveryOptions {
  runs: number;
  /** Each wait (loss seen, media back) that takes this long is broken, not slow. */
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
  /** coturn exited → both sides' connection reported `disconnected` or `failed`. */
  lossDetectedMs: number;
  /** `turn.restart()` resolved (coturn accepts again) → both sides' connection reported `connected` again. */
  reconnectedMs: number;
  /** `turn.restart()` resolved → both sides decoded a new video frame from the other. */
  recoveredMs: number;
  /** coturn exited → both sides decoded a new video frame: the whole outage. */
  outageMs: number;
  /** The states the two sides reported first, e.g. `disconnected`. */
  lossStates: string[];
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
 * Kills the TURN server under a relay-only call `runs` times, restarting it as soon as both sides have seen the
 * loss, and times the SDK's automatic ICE restart bringing media back. Media must be flowing when it starts.
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
  // Listening before the failure: loss and reconnection are timed by the SDK's events, not by polling.
  await Promise.all(sides.map(({ sdk, remoteId }) => sdk.page.evaluate(armOutageInPage, remoteId)));
  // The failure counts from coturn's exit: its allocations live until then (SIGTERM takes some ms).
  await turn.stop();
  const forcedAt = Date.now();
  const losses = await Promise.all(sides.map(({ sdk }) => outageStep(sdk.page, 'lost', options.timeoutMs)));
  await turn.restart();
  const backAt = Date.now();
  const [flowingAt, ...reconnections] = await Promise.all([
    waitForMedia(sides, options),
    ...sides.map(({ sdk }) => outageStep(sdk.page, 'reconnected', options.timeoutMs)),
  ]);
  return {
    lossDetectedMs: Math.max(...losses.map((loss) => loss.at)) - forcedAt,
    reconnectedMs: Math.max(...reconnections) - backAt,
    recoveredMs: flowingAt - backAt,
    outageMs: flowingAt - forcedAt,
    lossStates: losses.map((loss) => loss.state),
  };
}

/** Waits in the page for one step of the outage armed there, up to `timeoutMs` from now. */
function outageStep<Step extends keyof OutageSteps>(
  page: Page,
  step: Step,
  timeoutMs: number,
): Promise<OutageSteps[Step]> {
  // Playwright's evaluate typing loses the link between `step` and its result type.
  return page.evaluate(outageStepInPage, { step, timeoutMs }) as Promise<OutageSteps[Step]>;
}

/** Runs in the page. */
async function outageStepInPage(options: { step: keyof OutageSteps; timeoutMs: number }) {
  let timer = 0;
  const timeout = new Promise<never>((_, reject) => {
    const error = new Error(`recovery: the connection was not ${options.step} within ${options.timeoutMs} ms`);
    timer = window.setTimeout(() => reject(error), options.timeoutMs);
  });
  try {
    return await Promise.race([window.__benchOutage![options.step], timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs in the page: records the first `disconnected` or `failed` of the connection to `remoteId` from now on,
 * then its first `connected` after that.
 */
function armOutageInPage(remoteId: string): void {
  const room = window.__room;
  let lost!: (loss: OutageSteps['lost']) => void;
  let reconnected!: (at: number) => void;
  let down = false;
  window.__benchOutage = {
    lost: new Promise((resolve) => (lost = resolve)),
    reconnected: new Promise((resolve) => (reconnected = resolve)),
  };
  const listener = (participant: { id: string }, state: RTCPeerConnectionState) => {
    if (participant.id !== remoteId) return;
    if (!down && (state === 'disconnected' || state === 'failed')) {
      down = true;
      lost({ at: Date.now(), state });
    } else if (down && state === 'connected') {
      room.off('connection-state-changed', listener);
      reconnected(Date.now());
    }
  };
  room.on('connection-state-changed', listener);
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
