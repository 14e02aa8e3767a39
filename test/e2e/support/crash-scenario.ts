import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { Browser } from 'playwright-core';
import { freePort } from '../../../packages/server/test/support/redis-server.js';
import { axeViolations } from './axe.js';
import { launchChromium } from './browser.js';
import { MeetingPage } from './meeting-page.js';
import { healthy, startCluster, startServerProcess, timeOrdered, waitFor, type ServerProcess } from './processes.js';
import { screenshot } from './screenshots.js';
import { createMeeting, startEmbedder } from './servers.js';

/** The promises, as a person sees them: notice within 5 s, back within 5 s of the server answering. */
const NOTICE_WITHIN_MS = 5000;
const RESUMED_WITHIN_MS = 5000;

declare global {
  interface Window {
    /** When the page first showed the Reconnecting notice, and when its room was back (ms since the epoch). */
    __noticeShownAt: number;
    __reconnectedAt: number;
    /** What its room said from the crash on (state changes, errors, why it left), for a failure to tell. */
    __roomEvents: string[];
  }
}

/**
 * Notes in the page when the notice first appears and when the room is back, so that the 5 s promises are measured
 * where they happen rather than through the test's polling of pages busy decoding video.
 */
function recordTimes(page: MeetingPage): Promise<void> {
  return page.evaluateRoom((element) => {
    window.__noticeShownAt = 0;
    window.__reconnectedAt = 0;
    window.__roomEvents = [];
    const room = element.room!;
    // No named function in here: tsx would wrap it in a helper the page does not have.
    room.on('state-changed', (state) => window.__roomEvents.push(`${new Date().toISOString()} state ${state}`));
    room.on('disconnected', (reason) => window.__roomEvents.push(`${new Date().toISOString()} disconnected: ${reason}`));
    room.on('error', (error) => window.__roomEvents.push(`${new Date().toISOString()} error ${error.code}: ${error.message}`));
    room.on('left', (reason) => window.__roomEvents.push(`${new Date().toISOString()} left: ${reason}`));
    const root = element.shadowRoot!;
    new MutationObserver(() => {
      if (!window.__noticeShownAt && root.querySelector('[part="reconnecting"]')) window.__noticeShownAt = Date.now();
    }).observe(root, { childList: true, subtree: true });
    element.room!.on('reconnected', () => {
      window.__reconnectedAt = Date.now();
    });
  });
}

function recordedTimes(page: MeetingPage): Promise<{ noticeShownAt: number; reconnectedAt: number }> {
  return page.page.evaluate(() => ({ noticeShownAt: window.__noticeShownAt, reconnectedAt: window.__reconnectedAt }));
}

/** Where the call's server runs and how to crash it: one process, or every node of a cluster. */
export interface CrashTarget {
  /** The server's URL as browsers use it (nginx's, for a cluster). */
  front: string;
  /** A page on another origin embedding `<meeting-room>` from `front` (see `startEmbedder`). */
  embedderUrl: string;
  /** Kills every server process with SIGKILL. */
  kill(): Promise<void>;
  /** Starts them again on the same ports and the same data (SQLite file or Redis). */
  restart(): Promise<void>;
  /** The log records of every server process started so far, killed ones too (see `timeOrdered`). */
  logLines(): string[];
}

/** A crash target the test started, and stops with `close()`. */
export interface OwnedCrashTarget extends CrashTarget {
  close(): Promise<void>;
}

/** One server process on a SQLite file (DATA_DIR), and a page on another origin embedding it. */
export interface CrashableServer extends OwnedCrashTarget {
  /** The SQLite file, for a test to change while the server is down. */
  databasePath: string;
}

export async function startCrashableServer(): Promise<CrashableServer> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-crash-'));
  const port = await freePort();
  const env = { DATA_DIR: dir };
  let server: ServerProcess = await startServerProcess(port, env);
  const started = [server];
  const embedder = await startEmbedder(server.url);
  return {
    front: server.url,
    embedderUrl: embedder.url,
    databasePath: join(dir, 'parley.db'),
    kill: () => server.kill(),
    async restart() {
      server = await startServerProcess(port, env);
      started.push(server);
    },
    logLines: () => timeOrdered(started),
    async close() {
      await embedder.close();
      await server.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `nodes` server processes sharing one Redis behind nginx (see `startCluster`): a crash kills every node at once. */
export async function startCrashableCluster(nodes: number): Promise<OwnedCrashTarget> {
  const cluster = await startCluster(nodes);
  return {
    front: cluster.front,
    embedderUrl: cluster.embedder.url,
    async kill() {
      await Promise.all(cluster.nodes.map((node) => node.kill()));
    },
    async restart() {
      await Promise.all(cluster.nodes.map((_, index) => cluster.restart(index)));
    },
    logLines: () => cluster.logLines(),
    close: () => cluster.stop(),
  };
}

export interface CrashHarness<Target extends OwnedCrashTarget> {
  readonly server: Target;
  readonly browser: Browser;
}

/**
 * Starts a crashable server (by default one process on SQLite; pass `() => startCrashableCluster(2)` for nodes on
 * Redis) and a browser before the file's tests, and stops both after them. Read the fields inside tests.
 */
export function useCrashableServer(): CrashHarness<CrashableServer>;
export function useCrashableServer<Target extends OwnedCrashTarget>(start: () => Promise<Target>): CrashHarness<Target>;
export function useCrashableServer(start: () => Promise<OwnedCrashTarget> = startCrashableServer): CrashHarness<OwnedCrashTarget> {
  const harness = {} as { server: OwnedCrashTarget; browser: Browser };
  before(async () => {
    harness.server = await start();
    harness.browser = await launchChromium();
  });
  after(async () => {
    await harness.browser?.close();
    await harness.server?.close();
  });
  return harness;
}

/** What each page shows and holds, from inside it. */
interface PageState {
  state: string;
  self: string;
  isHost: boolean;
  others: string[];
  settings: { locked: boolean; waitingRoom: boolean };
  peerConnectionsCreated: number;
  connected: string[];
}

function pageState(page: MeetingPage): Promise<PageState> {
  return page.evaluateRoom((element) => {
    const room = element.room!;
    const participants = [...room.participants.values()];
    return {
      state: room.state,
      self: room.localParticipant.id,
      isHost: room.localParticipant.isHost,
      others: participants.map((participant) => participant.id).sort(),
      settings: { ...room.settings },
      peerConnectionsCreated: window.__recorded.peerConnections.length,
      connected: participants.filter((participant) => participant.connectionState === 'connected').map((participant) => participant.id).sort(),
    };
  });
}

/** The "Reconnecting…" notice, by what it says: `null` while it is not shown. */
function noticeText(page: MeetingPage): Promise<string | null> {
  return page.page.evaluate(() => {
    const notice = document.querySelector('meeting-room')?.shadowRoot?.querySelector<HTMLElement>('[part="reconnecting"]');
    return notice?.checkVisibility() ? notice.innerText : null;
  });
}

/**
 * Waits until `page` is back in the call with the notice gone; if it is not within `timeoutMs`, fails saying what
 * the page showed, what its room said since the crash, and every server log record about its participant.
 */
async function waitUntilBack(page: MeetingPage, target: CrashTarget, timeoutMs: number): Promise<void> {
  const what = `${page.name} back, the notice gone`;
  try {
    await waitFor(async () => (await pageState(page)).state === 'joined' && (await noticeText(page)) === null, what, timeoutMs);
  } catch (error) {
    const seen = await page.page
      .evaluate(() => ({ state: document.querySelector('meeting-room')?.room?.state, events: window.__roomEvents }))
      .catch((failure: unknown) => ({ state: `unknown (${String(failure)})`, events: [] }));
    const notice = await noticeText(page).catch(() => null);
    // With the servers' recovery decisions and every refusal (a refused request names its socket, not its sender).
    const logs = target.logLines().filter((line) => line.includes(page.participantId) || /after a crash|server listening|refused/.test(line));
    throw new Error(
      [
        `${(error as Error).message}: ${page.name} (${page.participantId}) is ${seen.state}, notice ${JSON.stringify(notice)}`,
        `its room said: ${seen.events.join(' | ') || 'nothing'}`,
        `server logs about it (and their starts):`,
        ...logs,
      ].join('\n'),
    );
  }
}

/** Waits until every page has decoded more video from every other page than in `since`. */
async function videoAdvances(pages: MeetingPage[], since: Map<string, number>, what: string): Promise<void> {
  for (const receiver of pages) {
    for (const sender of pages) {
      if (sender === receiver) continue;
      const key = `${sender.participantId}→${receiver.participantId}`;
      await waitFor(
        async () => (await receiver.receivedFrom(sender.participantId)).framesDecoded > (since.get(key) ?? 0),
        `${receiver.name} decoding more video from ${sender.name} (${what})`,
        10_000,
      );
    }
  }
}

async function framesNow(pages: MeetingPage[]): Promise<Map<string, number>> {
  const frames = new Map<string, number>();
  for (const receiver of pages) {
    for (const sender of pages) {
      if (sender === receiver) continue;
      frames.set(`${sender.participantId}→${receiver.participantId}`, (await receiver.receivedFrom(sender.participantId)).framesDecoded);
    }
  }
  return frames;
}

/**
 * A three-person call (Ada hosting, the waiting room on) whose server is killed with SIGKILL and comes back after
 * `outageMs`: media keeps flowing throughout, each page shows the Reconnecting notice within 5 s, every page is back
 * as the same participant within 5 s of `/healthz` answering (same ids, Ada still host, the waiting room still on,
 * no new peer connection), and a newcomer, admitted by Ada, then sees and decodes everyone. With `screenshotName`,
 * Bob's page showing the notice is saved under that name (see `screenshot`).
 */
export async function crashDuringCall(browser: Browser, target: CrashTarget, outageMs: number, screenshotName?: string): Promise<void> {
  const meeting = await createMeeting(target.front);
  const ada = await MeetingPage.open(browser, target.embedderUrl, meeting, 'Ada');
  const bob = await MeetingPage.open(browser, target.embedderUrl, { code: meeting.code }, 'Bob');
  const cy = await MeetingPage.open(browser, target.embedderUrl, { code: meeting.code }, 'Cy');
  const pages = [ada, bob, cy];
  let down = false;
  try {
    await ada.evaluateRoom((element) => element.room!.updateMeeting({ waitingRoom: true }));
    for (const receiver of pages) {
      for (const sender of pages) if (sender !== receiver) await receiver.waitForVideoFrom(sender.participantId, 30_000);
    }
    const beforeCrash = await Promise.all(pages.map(pageState));
    for (const page of pages) await recordTimes(page);

    await target.kill();
    down = true;
    const killedAt = Date.now();
    await Promise.all(pages.map((page) => waitFor(async () => (await noticeText(page)) !== null, `${page.name}'s Reconnecting notice`, 15_000)));
    for (const page of pages) {
      const { noticeShownAt } = await recordedTimes(page);
      assert.ok(noticeShownAt - killedAt <= NOTICE_WITHIN_MS, `${page.name} showed the notice ${noticeShownAt - killedAt} ms after the kill`);
      const text = await noticeText(page);
      assert.match(text ?? '', /Reconnecting/, `${page.name}: the notice says what happens`);
      assert.match(text ?? '', /call goes on/, `${page.name}: the notice says the call goes on`);
      assert.match(text ?? '', /Nobody new can join/, `${page.name}: the notice says newcomers must wait`);
    }
    if (screenshotName) await screenshot(bob.page, screenshotName);
    assert.deepEqual(await axeViolations(bob.page), [], 'the notice passes axe-core (contrast, roles)');

    // The media never needed the server: every video keeps advancing while it is away, to the end of the outage.
    let frames = await framesNow(pages);
    while (Date.now() - killedAt < outageMs - 5000) {
      await delay(Math.min(10_000, outageMs - 5000 - (Date.now() - killedAt)));
      await videoAdvances(pages, frames, `${Math.round((Date.now() - killedAt) / 1000)} s into the outage`);
      frames = await framesNow(pages);
    }
    await delay(Math.max(0, outageMs - (Date.now() - killedAt)));
    for (const page of pages) {
      const { state } = await pageState(page);
      assert.equal(state, 'reconnecting', `${page.name} is still in the call, ${Math.round((Date.now() - killedAt) / 1000)} s into the outage`);
      assert.notEqual(await noticeText(page), null, `${page.name} still shows the notice`);
    }
    await videoAdvances(pages, frames, 'at the end of the outage');

    // The clock starts when the first node answers through the front, not when the last one is up.
    const restarting = target.restart();
    // Its failure is reported by the `await` below; until then it must not count as unhandled.
    restarting.catch(() => undefined);
    let healthyAt = 0;
    try {
      await waitFor(() => healthy(target.front), 'the server answering /healthz again', 30_000);
      healthyAt = Date.now();
    } finally {
      await restarting;
      down = false;
    }
    await Promise.all(pages.map((page) => waitUntilBack(page, target, 30_000)));
    for (const page of pages) {
      const { reconnectedAt } = await recordedTimes(page);
      assert.ok(reconnectedAt - healthyAt <= RESUMED_WITHIN_MS, `${page.name} was back ${reconnectedAt - healthyAt} ms after /healthz answered`);
    }
    const afterResume = await Promise.all(pages.map(pageState));
    for (const [index, page] of pages.entries()) {
      assert.deepEqual(
        { ...afterResume[index], state: beforeCrash[index]!.state },
        beforeCrash[index],
        `${page.name}: the same participant, the same role, settings and peer connections (none made anew)`,
      );
    }
    assert.equal(afterResume[0]!.isHost, true, 'Ada is still host');
    assert.deepEqual(afterResume[0]!.settings, { locked: false, waitingRoom: true }, 'the waiting room is still on');
    await videoAdvances(pages, await framesNow(pages), 'after the resume');

    // Signaling works for everyone again: a newcomer waits, Ada admits them, and they see and decode everyone.
    const joining = MeetingPage.open(browser, target.embedderUrl, { code: meeting.code }, 'Dee');
    await ada.page.waitForFunction(() => document.querySelector('meeting-room')!.room!.waitingParticipants.length === 1, null, { timeout: 20_000 });
    await ada.evaluateRoom((element) => element.room!.admit(element.room!.waitingParticipants[0]!.id));
    const dee = await joining;
    pages.push(dee);
    for (const page of pages) {
      if (page !== dee) {
        await dee.waitForVideoFrom(page.participantId, 30_000);
        await page.waitForVideoFrom(dee.participantId, 30_000);
      }
    }
  } finally {
    await Promise.all(pages.map((page) => page.close()));
    // The next test of the file needs a server, whatever went wrong in this one.
    if (down) await target.restart();
  }
}
