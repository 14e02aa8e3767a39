import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { WebSocket } from 'ws';
import { JanusSession } from '@parley/protocol/janus';
import { signCoreToken } from '../../packages/server/src/sfu/janus-tokens.js';
import { startJanus, type TestJanus } from '../../packages/server/test/support/janus-server.js';
import { useCallHarness } from '../e2e/support/harness.js';
import { SdkPage } from '../e2e/support/sdk-page.js';
import { createMeeting } from '../e2e/support/servers.js';
import de from '../../packages/elements/src/i18n/locales/de.js';

/**
 * Issue 15: a Janus SIGKILLed mid-call. Three SDK pages in an SFU meeting. (a) With two instances (`JANUS_URLS`), the
 * meeting's one is killed: the server moves the meeting to the other and the pages follow. (b) With one instance,
 * it is killed and restarted a second later: the server creates the room again and the pages rejoin. Either way every
 * page decodes every other page's camera again (frame counters advancing) within 5 s of the kill, or of the restart:
 * issue 15's goal, asserted with room for a loaded machine (as redis-outage.test.ts does) and printed, for
 * docs/performance.md §6. (c) With two instances, the meeting's one hangs (SIGSTOP, its connections left open): the
 * server notices the unanswered keepalive after `JANUS_TIMEOUT_MS` and moves the meeting as in (a). (d) With one
 * instance, it hangs for 8 s and goes on: the server finds the room still there and the pages rejoin it. (e) Someone
 * who joins while the one instance is down is told why in their language, and Try again works once it is back. The
 * waits for everything else are generous.
 */

// Every kill makes the server log its lost Janus connection.
process.env.LOG_LEVEL ??= 'fatal';
/** Issue 15's goal is 5 s from the kill (two instances) or the restart (one); asserted with room for a loaded machine. */
const RECOVERY_BOUND_MS = 20_000;
/** How long the recovery is watched, to print its time even when it misses the promise. */
const RECOVERY_WATCH_MS = 30_000;
const NAMES = ['Ada', 'Bob', 'Cem'];
/** How long the one instance hangs: past the server's JANUS_TIMEOUT_MS (5 s) and a keepalive, so it counts lost. */
const HUNG_FOR_MS = 8_000;

/** Janus instances sharing secrets, and a server environment naming them. */
async function startJanuses(count: number): Promise<{ januses: TestJanus[]; env: NodeJS.ProcessEnv }> {
  const januses = [await startJanus()];
  for (let i = 1; i < count; i++) januses.push(await startJanus({ secrets: januses[0]! }));
  const env = {
    MEDIA_MODE: 'sfu',
    [count === 1 ? 'JANUS_URL' : 'JANUS_URLS']: januses.map((janus) => janus.url).join(','),
    JANUS_TOKEN_SECRET: januses[0]!.tokenSecret,
    JANUS_ADMIN_KEY: januses[0]!.adminKey,
  };
  return { januses, env };
}

/** Whether `janus` holds meeting `code`'s room (the server writes the code in the room's description). */
async function holdsMeeting(janus: TestJanus, code: string): Promise<boolean> {
  const session = await JanusSession.connect({ url: janus.url, token: signCoreToken(janus.tokenSecret, Date.now() + 60_000), WebSocket });
  try {
    const handle = await session.attach('janus.plugin.videoroom');
    const { data } = await handle.request({ request: 'list', admin_key: janus.adminKey });
    return ((data['list'] ?? []) as { description?: string }[]).some((room) => room.description === `parley:${code}`);
  } finally {
    await session.close();
  }
}

/** Which of `januses` holds meeting `code`'s room: exactly one must. */
async function holderOf(januses: TestJanus[], code: string): Promise<number> {
  const holders = await Promise.all(januses.map((janus) => holdsMeeting(janus, code)));
  const holder = holders.indexOf(true);
  assert.ok(holder >= 0 && holders.filter(Boolean).length === 1, `one instance holds the meeting: ${holders}`);
  return holder;
}

/** A call of three pages through Janus, and a way to time how long until every camera decodes everywhere again. */
function useSfuCall(env: NodeJS.ProcessEnv) {
  const harness = useCallHarness({ env });
  const call = { code: '', pages: [] as SdkPage[], ids: [] as string[] };

  before(async () => {
    ({ code: call.code } = await createMeeting(harness.parley.url));
    for (const name of NAMES) {
      const page = await SdkPage.open(harness.browser, harness.embedder.url, name);
      call.pages.push(page);
      call.ids.push(await page.join(harness.parley.url, call.code));
    }
  });
  after(async () => {
    for (const page of call.pages) await page.close();
  });

  /** Video frames each page decoded from each other page, as `Ada←Bob` → frames. */
  const frames = async (): Promise<Map<string, number>> => {
    const counts = new Map<string, number>();
    await Promise.all(
      call.pages.map(async (page, index) => {
        const others = call.ids.filter((_, other) => other !== index);
        const decoded = await page.page.evaluate(
          (ids) =>
            Promise.all(
              ids.map(async (id) => {
                let count = 0;
                (await window.__room.getStats(id))?.forEach((stats) => {
                  if (stats.type === 'inbound-rtp' && stats.kind === 'video') count += stats.framesDecoded ?? 0;
                });
                return count;
              }),
            ),
          others,
        );
        others.forEach((id, at) => counts.set(`${page.name}←${NAMES[call.ids.indexOf(id)]}`, decoded[at]!));
      }),
    );
    return counts;
  };

  /**
   * Milliseconds from `since` until every pair's frame counter advances from one look to the next (a quarter second
   * apart) on a stream that decodes again, or throws after `timeoutMs` naming the pairs still frozen.
   */
  const recovery = async (since: number, timeoutMs: number): Promise<number> => {
    const back = new Map<string, number>();
    let previous = await frames();
    while (back.size < previous.size) {
      if (Date.now() - since > timeoutMs) {
        const frozen = [...previous.keys()].filter((pair) => !back.has(pair));
        throw new Error(`not decoding again after ${timeoutMs} ms: ${frozen.join(', ')}`);
      }
      await delay(250);
      const now = await frames();
      for (const [pair, count] of now) if (!back.has(pair) && count > (previous.get(pair) ?? 0) && (previous.get(pair) ?? 0) > 0) back.set(pair, Date.now());
      previous = now;
    }
    return Math.max(...back.values()) - since;
  };

  /** Every page decodes every other's camera, advancing. */
  const everyoneDecodes = () => recovery(Date.now(), 60_000);

  return { harness, call, frames, recovery, everyoneDecodes };
}

/** How each fault is made, and what the logs call it. */
const FAULTS = {
  // A crash: the connections close.
  SIGKILL: { name: 'crash', make: (janus: TestJanus) => janus.kill(), goal: 'goal 5000' },
  // A hang: the connections stay open; the server notices the unanswered keepalive after JANUS_TIMEOUT_MS (5 s by default).
  SIGSTOP: { name: 'hang', make: (janus: TestJanus) => janus.hang(), goal: 'goal 5000 from when the server noticed' },
} as const;

for (const [signal, fault] of Object.entries(FAULTS)) {
  describe(`Janus ${fault.name}: two instances, the meeting moves`, async () => {
    const { januses, env } = await startJanuses(2);
    after(() => Promise.all(januses.map((janus) => janus.stop())));
    const { call, recovery, everyoneDecodes } = useSfuCall(env);

    test(`${signal} of the meeting’s Janus: every page decodes every other page’s camera again, through the other`, async () => {
      await everyoneDecodes();
      const failed = await holderOf(januses, call.code);

      const failedAt = Date.now();
      await fault.make(januses[failed]!);
      try {
        // Frames a jitter buffer still held are no sign of recovery: look from when the old streams have stopped.
        await delay(300);
        const recoveredMs = await recovery(failedAt, RECOVERY_WATCH_MS);
        console.log(`janus-${fault.name} (two instances): every camera decodes everywhere again ${recoveredMs} ms after the ${signal}`);
        assert.ok(await holdsMeeting(januses[1 - failed]!, call.code), 'the meeting is on the other instance now');
        assert.ok(recoveredMs <= RECOVERY_BOUND_MS, `recovered in ${recoveredMs} ms (${fault.goal})`);
      } finally {
        januses[failed]!.resume();
      }
    });
  });
}

describe('Janus crash or hang: one instance, back', async () => {
  const { januses, env } = await startJanuses(1);
  const janus = januses[0]!;
  after(() => janus.stop());
  const { harness, call, recovery, everyoneDecodes } = useSfuCall(env);

  test('SIGKILL, restart after 1 s: every page decodes every other page’s camera again soon after the restart', async () => {
    await everyoneDecodes();
    await janus.kill();
    await delay(1000);
    await janus.restart();
    const restartedAt = Date.now();
    const recoveredMs = await recovery(restartedAt, RECOVERY_WATCH_MS);
    console.log(`janus-crash (one instance): every camera decodes everywhere again ${recoveredMs} ms after Janus answered again`);
    assert.ok(await holdsMeeting(janus, call.code), 'the room was created again');
    assert.ok(recoveredMs <= RECOVERY_BOUND_MS, `recovered in ${recoveredMs} ms (goal 5000)`);
  });

  test('SIGSTOP for longer than JANUS_TIMEOUT_MS, then SIGCONT: every page decodes every other page’s camera again soon after', async () => {
    await everyoneDecodes();
    janus.hang();
    try {
      // The server counts it lost after 5 s and a keepalive; the pages' own sessions would take 15–40 s.
      await delay(HUNG_FOR_MS);
    } finally {
      janus.resume();
    }
    const resumedAt = Date.now();
    const recoveredMs = await recovery(resumedAt, RECOVERY_WATCH_MS);
    console.log(`janus-hang (one instance): every camera decodes everywhere again ${recoveredMs} ms after the SIGCONT`);
    assert.ok(recoveredMs <= RECOVERY_BOUND_MS, `recovered in ${recoveredMs} ms (goal 5000)`);
    // The old connections may carry media again by themselves before the server's media-path makes the pages
    // publish anew: once that is done too, everyone still decodes everyone.
    await delay(5_000);
    await recovery(Date.now(), RECOVERY_WATCH_MS);
  });

  test('someone joining while it is down reads why, in their language, on a phone, and gets in with Try again once it is back', async () => {
    const context = await harness.browser.newContext({ viewport: { width: 360, height: 740 } });
    try {
      const page = await context.newPage();
      await janus.kill();
      try {
        const query = new URLSearchParams({ code: call.code, name: 'Dana', lang: 'de' });
        await page.goto(`${harness.embedder.url}/?${query}`);
        const error = page.locator('meeting-room [part~="status"] .error');
        await error.waitFor({ state: 'visible', timeout: 20_000 });
        assert.equal(await error.textContent(), de.errors.internal);
        if (process.env['SCREENSHOT_DIR']) await page.screenshot({ path: `${process.env['SCREENSHOT_DIR']}/janus-down-join-de.png` });
      } finally {
        await janus.restart();
      }
      await page.locator('meeting-room [part~="rejoin"]').click();
      await page.waitForFunction(() => document.querySelector('meeting-room')?.room?.state === 'joined', null, { timeout: 20_000 });
    } finally {
      await context.close();
    }
  });
});
