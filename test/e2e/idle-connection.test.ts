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

test('the early connection closed as idle while the camera is being captured (a permission prompt left open): join connects again and gets in', async () => {
  const meeting = await createMeeting(harness.parley.url);
  const guest = await harness.browser.newPage();
  await guest.addInitScript('window.__name = (f) => f');
  await guest.goto(harness.embedder.url);
  await guest.evaluate(() => document.querySelector('meeting-room')?.remove());
  const closedBefore = await metric('parley_idle_disconnects_total');
  const joined = guest.evaluate(
    async ({ server, code }) => {
      const { Room } = (await import(`${server}/parley.js`)) as typeof import('@parley/sdk');
      // The camera answers only once the test says so, as if a permission prompt stood open meanwhile.
      const capture = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      const answered = new Promise<void>((resolve) => ((window as unknown as { __answer: () => void }).__answer = resolve));
      navigator.mediaDevices.getUserMedia = async (constraints) => {
        await answered;
        return capture(constraints);
      };
      const room = new Room({ server, requestTimeoutMs: 5000 });
      room.connect();
      await room.join({ code, name: 'Bob' });
      return room.state;
    },
    { server: harness.parley.url, code: meeting.code },
  );
  await until(async () => (await metric('parley_idle_disconnects_total')) > closedBefore, 'the early connection was never closed');
  await guest.evaluate(() => (window as unknown as { __answer: () => void }).__answer());
  assert.equal(await joined, 'joined');
  await guest.close();
});
