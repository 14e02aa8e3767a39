import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { crashDuringCall, useCrashableServer } from './support/crash-scenario.js';
import { MeetingPage } from './support/meeting-page.js';
import { screenshot } from './support/screenshots.js';
import { createMeeting } from './support/servers.js';

/** The server process is killed with SIGKILL mid-call and a new one starts on the same SQLite file soon after. */

const crashable = useCrashableServer();

test('SIGKILL mid-call, back 3 s later: everyone resumes as themselves, at once', { timeout: 180_000 }, async () => {
  await crashDuringCall(crashable.browser, crashable.server, 3000);
});

test('a meeting that expired while its server was down: every page says so, with no way back in', { timeout: 120_000 }, async () => {
  const { server, browser } = crashable;
  const meeting = await createMeeting(server.front);
  const ada = await MeetingPage.open(browser, server.embedderUrl, meeting, 'Ada');
  const bob = await MeetingPage.open(browser, server.embedderUrl, { code: meeting.code }, 'Bob');
  try {
    await bob.waitForVideoFrom(ada.participantId, 30_000);
    await server.kill();
    // While it was down, the meeting's time ran out (as if MEETING_TTL_MS had passed).
    const db = new Database(server.databasePath);
    db.prepare('UPDATE meetings SET expires_at = ? WHERE code = ?').run(Date.now() - 1000, meeting.code);
    db.close();
    await server.restart();
    for (const page of [ada, bob]) {
      await page.page.waitForFunction(() => document.querySelector('meeting-room')!.room!.state === 'left', null, { timeout: 10_000 });
      const shown = await page.page.evaluate(() => {
        const root = document.querySelector('meeting-room')!.shadowRoot!;
        return { status: root.querySelector<HTMLElement>('[part="status"]')?.innerText, rejoin: root.querySelector('[part~="rejoin"]') !== null };
      });
      assert.deepEqual(shown, { status: 'The meeting has expired', rejoin: false }, `${page.name} is told, and offered no Rejoin`);
    }
    await screenshot(bob.page, 'meeting-expired');
  } finally {
    await Promise.all([ada.close(), bob.close()]);
  }
});
