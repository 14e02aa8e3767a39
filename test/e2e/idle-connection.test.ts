import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useCallHarness } from './support/harness.js';
import { MeetingPage } from './support/meeting-page.js';
import { createMeeting } from './support/servers.js';

// Idle connections closed after 2 s, so that a prejoin screen outlives its first connection within the test.
const harness = useCallHarness({ env: { CONNECTION_IDLE_TIMEOUT_MS: '2000' } });

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${harness.parley.url}/metrics`)).text();
  const line = text.split('\n').find((entry) => entry.startsWith(`${name} `));
  return Number(line?.split(' ')[1] ?? Number.NaN);
}

async function until(check: () => Promise<boolean>, message: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(message);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('a prejoin screen left open past the idle timeout: the server closes its early connection, the page opens another, and Join goes through on it', async () => {
  const meeting = await createMeeting(harness.parley.url);
  const host = await MeetingPage.open(harness.browser, harness.embedder.url, meeting, 'Ada');
  const guest = await harness.browser.newPage();
  const sockets: string[] = [];
  guest.on('websocket', (socket) => sockets.push(socket.url()));
  await guest.goto(`${harness.embedder.url}/?${new URLSearchParams({ code: meeting.code, name: 'Bob', prejoin: '1' })}`);
  await guest.waitForSelector('meeting-room >> prejoin-screen >> button[type=submit]');

  // The early connection speaks for nobody: closed once idle, and opened again by the page at once.
  await until(async () => (await metric('parley_idle_disconnects_total')) >= 1, 'the idle early connection was never closed');
  await until(async () => sockets.length >= 2 && (await metric('parley_sockets')) === 2, 'the page did not connect again');

  const [opened, closed] = [sockets.length, await metric('parley_idle_disconnects_total')];
  await guest.click('meeting-room >> prejoin-screen >> button[type=submit]');
  await guest.waitForFunction(() => document.querySelector('meeting-room')?.room?.state === 'joined');
  await host.page.waitForFunction(() => document.querySelector('meeting-room')!.room!.participants.size === 1);
  assert.equal(sockets.length, opened, 'Join took over the reopened connection: no new handshake after the click');
  await host.waitForVideoFrom(await guest.evaluate(() => document.querySelector('meeting-room')!.room!.localParticipant.id));

  // In the meeting, nobody is idle however long it lasts.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  for (const page of [guest, host.page]) {
    assert.equal(await page.evaluate(() => document.querySelector('meeting-room')!.room!.state), 'joined');
  }
  assert.equal(await metric('parley_idle_disconnects_total'), closed, 'no connection closed since the join');
  await guest.close();
  await host.close();
});
