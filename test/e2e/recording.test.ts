// Local recording (issue 16, item 6) on real pages: a host allows a guest, who records the meeting in their browser;
// everyone sees "Recording", a newcomer is told before joining, and the file is a real 1280×720 WebM with sound.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { useCallHarness } from './support/harness.js';
import { MeetingPage } from './support/meeting-page.js';
import { createMeeting } from './support/servers.js';
import { clickPanelButton, screenshot } from './support/ui.js';
import { hasEbmlMagic, readWebm } from './support/webm.js';

const harness = useCallHarness();

/** The "Recording" indicator's text, if the page shows it. */
function indicator(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const shown = document.querySelector('meeting-room')!.shadowRoot!.querySelector<HTMLElement>('[part~="recording"]');
    return shown?.checkVisibility() ? shown.innerText.trim() : null;
  });
}

async function eventually<T>(read: () => Promise<T>, expected: T, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (value !== expected && Date.now() < deadline) {
    await sleep(100);
    value = await read();
  }
  assert.equal(value, expected, what);
}

const recordToggle = 'meeting-room >> meeting-controls >> [part~="record"]';

/** Records the page's `parley-recording-*` events as text, and keeps the last file its own recording produced. */
async function listen(page: Page): Promise<void> {
  await page.evaluate(() => {
    const state = window as unknown as { heard: string[]; recorded?: Blob };
    state.heard = [];
    const room = document.querySelector('meeting-room')!;
    room.addEventListener('parley-recording-started', ({ detail }) => state.heard.push(`started ${detail.participant.name}`));
    room.addEventListener('parley-recording-stopped', ({ detail }) => {
      state.heard.push(`stopped ${detail.participant.name}${detail.blob ? ' with a file' : ''}`);
      if (detail.blob) state.recorded = detail.blob;
    });
  });
}

const heard = (page: Page) => page.evaluate(() => (window as unknown as { heard: string[] }).heard);

test('a host allows a guest to record: everyone sees it, a newcomer is told before joining, the file is a 1280×720 WebM with sound; taking the permission back stops it', async () => {
  const meeting = await createMeeting(harness.parley.url);
  const ada = await MeetingPage.open(harness.browser, harness.embedder.url, meeting, 'Ada');
  const bob = await MeetingPage.open(harness.browser, harness.embedder.url, { code: meeting.code }, 'Bob');
  // Two in the call while one records, a third page on the prejoin screen: more starve two cores.
  const pages = [ada, bob];
  for (const { page } of pages) await page.waitForFunction(() => document.querySelector('meeting-room')!.room!.participants.size === 1);
  for (const { page } of pages) await listen(page);

  // Nobody a host did not allow can record: no toggle, and the element's method is refused by the server.
  assert.equal(await bob.page.locator(recordToggle).count(), 0);
  const refused = await bob.evaluateRoom((room) => room.startRecording().then(() => 'started', (error: { code: string }) => error.code));
  assert.equal(refused, 'recording-not-allowed');
  assert.equal(await indicator(ada.page), null);

  // The host allows Bob from the participants panel; his toolbar gains the toggle.
  await ada.page.click('meeting-room >> meeting-controls >> [part~="participants"]');
  await ada.page.waitForSelector('meeting-room >> participant-list >> [part~="participant"]');
  await clickPanelButton(ada.page, 'Allow recording Bob');
  await bob.page.waitForSelector(recordToggle);

  // Bob records from his toolbar: everyone sees "Recording", not only screen readers.
  await bob.page.click(recordToggle);
  await bob.page.waitForFunction(() => (window as unknown as { heard: string[] }).heard.includes('started Bob'));
  const startedAt = Date.now();
  for (const { page, name } of pages) await eventually(() => indicator(page), '● Recording', `the indicator on ${name}’s page`);
  assert.equal(await bob.page.getAttribute(recordToggle, 'aria-pressed'), 'true');
  await screenshot(ada.page, 'recording-indicator');

  // Dan opens the meeting: before joining, his prejoin screen says it is being recorded. (He joins once the
  // recording is over.)
  const query = new URLSearchParams({ code: meeting.code, name: 'Dan', prejoin: '1', hide: 'recording' });
  const danPage = await (await harness.browser.newContext({ viewport: { width: 1280, height: 720 } })).newPage();
  await danPage.goto(`${harness.embedder.url}/?${query}`);
  const notice = danPage.locator('meeting-room >> prejoin-screen >> [part~="recorded"]');
  await notice.waitFor({ state: 'visible', timeout: 10_000 });
  assert.equal((await notice.innerText()).trim(), '● This meeting is being recorded');
  await screenshot(danPage, 'recording-prejoin');

  // About four seconds in, Bob stops from his toolbar: the file downloads, and the indicator goes everywhere.
  await sleep(Math.max(0, 4000 - (Date.now() - startedAt)));
  const downloaded = bob.page.waitForEvent('download', { timeout: 45_000 });
  await bob.page.click(recordToggle, { noWaitAfter: true });
  await bob.page.waitForFunction(() => (window as unknown as { heard: string[] }).heard.includes('stopped Bob with a file'), null, { timeout: 20_000 });
  const download = await downloaded;
  const recordedMs = Date.now() - startedAt;
  for (const { page, name } of pages) await eventually(() => indicator(page), null, `no indicator on ${name}’s page`);
  assert.match(download.suggestedFilename(), new RegExp(`^${meeting.code} .+\\.webm$`));
  const file = new Uint8Array(await readFile((await download.path())!));
  assert.ok(hasEbmlMagic(file), 'a WebM (EBML) file');
  const webm = readWebm(file);
  assert.deepEqual(
    webm.tracks.map(({ type, width, height }) => (type === 'video' ? `video ${width}×${height}` : type)).sort(),
    ['audio', 'video 1280×720'],
  );
  // The duration is written into the header: the frames' length, which is the time recorded (less the encoder's
  // start, up to seconds on a starved machine).
  assert.ok(webm.durationMs !== undefined && Math.abs(webm.durationMs - webm.lastFrameMs) < 100, JSON.stringify(webm));
  assert.ok(webm.lastFrameMs > 3000 && webm.lastFrameMs <= recordedMs && webm.lastFrameMs > recordedMs - 5000, `${webm.lastFrameMs} ms of frames in ${recordedMs} ms`);

  // Played back in the page: the picture is 1280×720 and the browser knows its length; the sound is not silence.
  const played = await bob.page.evaluate(async () => {
    const blob = (window as unknown as { recorded: Blob }).recorded;
    const video = document.createElement('video');
    video.src = URL.createObjectURL(blob);
    await new Promise((resolve) => video.addEventListener('loadedmetadata', resolve, { once: true }));
    const audio = await new AudioContext().decodeAudioData(await blob.arrayBuffer());
    const samples = audio.getChannelData(0);
    const rms = Math.sqrt(samples.reduce((sum, sample) => sum + sample * sample, 0) / samples.length);
    return { width: video.videoWidth, height: video.videoHeight, duration: video.duration, audioSeconds: audio.duration, rms };
  });
  assert.equal(played.width, 1280);
  assert.equal(played.height, 720);
  assert.ok(Math.abs(played.duration * 1000 - webm.durationMs!) < 100, JSON.stringify(played));
  assert.ok(played.audioSeconds > 3, JSON.stringify(played));
  assert.ok(played.rms > 0.01, `the mixed audio is not silent: ${JSON.stringify(played)}`);

  // Dan joins; he hid the toggle: allowed, he still has none (his page's script could record).
  await danPage.click('meeting-room >> prejoin-screen >> [part~="join"]');
  await danPage.waitForFunction(() => document.querySelector('meeting-room')!.room?.state === 'joined', null, { timeout: 20_000 });
  await ada.page.waitForFunction(() => document.querySelector('meeting-room')!.room!.participants.size === 2);
  await clickPanelButton(ada.page, 'Allow recording Dan');
  await sleep(500);
  assert.equal(await danPage.locator(recordToggle).count(), 0);

  // Bob records again, through his page's script; the host takes the permission back: his recording stops, and his
  // page still gets the file.
  await bob.evaluateRoom((room) => room.startRecording());
  await eventually(() => indicator(ada.page), '● Recording', 'the indicator for the second recording');
  await clickPanelButton(ada.page, 'Stop allowing recording Bob');
  await eventually(() => indicator(ada.page), null, 'no indicator once the host took the permission back');
  await bob.page.waitForFunction(() => (window as unknown as { heard: string[] }).heard.length === 4);
  assert.deepEqual(await heard(bob.page), ['started Bob', 'stopped Bob with a file', 'started Bob', 'stopped Bob with a file']);
  assert.equal(await bob.page.locator(recordToggle).count(), 0);
  assert.deepEqual(await heard(ada.page), ['started Bob', 'stopped Bob', 'started Bob', 'stopped Bob']);

  // The host records, and leaves while recording: the indicator ends for the others, and the host has the file.
  await ada.evaluateRoom((room) => room.startRecording());
  await eventually(() => indicator(bob.page), '● Recording', 'the host’s recording');
  await ada.evaluateRoom((room) => room.leave());
  await eventually(() => indicator(bob.page), null, 'no indicator once the recorder left');
  await eventually(() => indicator(danPage), null, 'none for Dan either');
  await ada.page.waitForFunction(() => (window as unknown as { heard: string[] }).heard.at(-1) === 'stopped Ada with a file');

  await danPage.context().close();
  for (const page of pages) await page.close();
});
