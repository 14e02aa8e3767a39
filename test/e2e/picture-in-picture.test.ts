// Picture in picture (issue 16): the controls' button opens Chromium's Document Picture-in-Picture window with the
// other speaker's camera playing, their name, and microphone and leave buttons that act on the meeting. Headless
// Chromium (the runner's mode, Chromium's "new" headless) has the API and opens the window as a page of the same
// context, so what is checked is the window itself: its video decoding frames (in the mesh and through Janus, and
// while the page is hidden), its buttons muting and leaving.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { useCallHarness } from './support/harness.js';
import { MeetingPage } from './support/meeting-page.js';
import { screenshot } from './support/screenshots.js';
import { createMeeting } from './support/servers.js';
import { startSfuServer, type SfuServer } from './support/sfu-server.js';

const harness = useCallHarness();

/** Records the page's `parley-pip-*` events from now on, in `window.__pip`. */
function recordPipEvents(page: Page): Promise<void> {
  return page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { __pip: string[] }).__pip = seen;
    const room = document.querySelector('meeting-room')!;
    for (const type of ['parley-pip-opened', 'parley-pip-closed'] as const) room.addEventListener(type, () => seen.push(type));
  });
}
const pipEvents = (page: Page) => page.evaluate(() => (window as unknown as { __pip: string[] }).__pip);

/**
 * Watches the window's video (every 100 ms, up to 15 s) until it has decoded 10 more frames and played 0.3 s further:
 * its decoded size, what it did, and whether its time only went forward (a restarted video goes back to 0).
 */
function videoPlayback(pip: Page) {
  return pip.evaluate(async () => {
    const video = document.querySelector('video')!;
    const startTime = video.currentTime;
    const startFrames = video.getVideoPlaybackQuality().totalVideoFrames;
    const samples = [startTime];
    const deadline = performance.now() + 15_000;
    let frames = 0;
    while (performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      samples.push(video.currentTime);
      frames = video.getVideoPlaybackQuality().totalVideoFrames - startFrames;
      if (frames >= 10 && video.currentTime - startTime >= 0.3) break;
    }
    const steady = samples.every((time, index) => index === 0 || time >= samples[index - 1]!);
    return {
      width: video.videoWidth,
      height: video.videoHeight,
      advanced: video.currentTime - startTime,
      frames,
      paused: video.paused,
      steady,
      samples: samples.map((time) => time.toFixed(2)).join(' '),
    };
  });
}

/** Whether the window's video played on: 10 frames and 0.3 s, its time never going back. */
function assertPlays(playback: Awaited<ReturnType<typeof videoPlayback>>, when: string): void {
  assert.ok(playback.width > 0 && playback.height > 0, `${when}: decoded size ${playback.width}x${playback.height}`);
  assert.ok(playback.frames >= 10 && playback.advanced >= 0.3 && !playback.paused, `${when}: ${JSON.stringify(playback)}`);
  // Re-rendering the window (a media change, the speaker's stream) does not restart its video.
  assert.ok(playback.steady, `${when}: its time went back: ${playback.samples}`);
}

/** Makes `page` hidden (a tab switched away from), as far as its scripts can tell, or visible again. */
function setHidden(page: Page, hidden: boolean): Promise<void> {
  return page.evaluate((hidden) => {
    // Values, not getters: the test's functions must not be named (tsx would wrap them in a helper the page lacks).
    Object.defineProperty(document, 'hidden', { configurable: true, value: hidden });
    Object.defineProperty(document, 'visibilityState', { configurable: true, value: hidden ? 'hidden' : 'visible' });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

/**
 * Ada and Bob meet on `parleyUrl` (through `embedderUrl`); Ada opens the window from the controls and checks it
 * through to leaving. `screenshotName`: where to save the window's picture.
 */
async function buttonMuteLeave(browser: Browser, parleyUrl: string, embedderUrl: string, screenshotName?: string): Promise<void> {
  const meeting = await createMeeting(parleyUrl);
  const ada = await MeetingPage.open(browser, embedderUrl, meeting, 'Ada');
  const bob = await MeetingPage.open(browser, embedderUrl, meeting, 'Bob');
  await ada.page.waitForFunction(() => document.querySelector('meeting-room')!.room!.participants.size === 1, null, { timeout: 20_000 });
  await bob.waitForTile(ada.participantId, `tile && !tile.hasAttribute('audio-muted')`, 10_000);
  await recordPipEvents(ada.page);

  // A click: the user activation Document Picture-in-Picture requires.
  const [pip] = await Promise.all([ada.context.waitForEvent('page'), ada.page.click('meeting-controls button[part~="picture-in-picture"]')]);
  assert.equal(await ada.page.evaluate(() => (window as unknown as { documentPictureInPicture: { window: Window | null } }).documentPictureInPicture.window !== null), true, 'documentPictureInPicture.window is open');
  await ada.page.waitForFunction(() => (window as unknown as { __pip: string[] }).__pip.includes('parley-pip-opened'));

  // Bob's camera, decoded and playing in the window, with his name.
  await pip.waitForFunction(() => (document.querySelector('video')?.videoWidth ?? 0) > 0, null, { timeout: 10_000 });
  assertPlays(await videoPlayback(pip), 'shown');
  assert.equal(await pip.locator('.name').textContent(), 'Bob');
  // What it shows is the fake camera's picture: mostly green.
  const [red, green, blue] = await pip.evaluate(() => {
    const video = document.querySelector('video')!;
    const canvas = new OffscreenCanvas(64, 36);
    const context = canvas.getContext('2d')!;
    context.drawImage(video, 0, 0, 64, 36);
    const { data } = context.getImageData(0, 0, 64, 36);
    const sums = [0, 0, 0];
    for (let index = 0; index < data.length; index += 4) for (const channel of [0, 1, 2]) sums[channel]! += data[index + channel]!;
    return sums.map((sum) => sum / (data.length / 4));
  });
  assert.ok(green! > 80 && green! > 2 * red! && green! > 2 * blue!, `mean colour ${[red, green, blue].map(Math.round)}`);
  // The grid tells the room that Bob's camera is wanted at the window's size, even were the page hidden.
  assert.deepEqual(
    await ada.page.evaluate((id) => [...document.querySelector('meeting-room')!.shadowRoot!.querySelector('participant-grid')!.shownElsewhere.keys()].includes(id), bob.participantId),
    true,
  );

  // Ada switches to another tab: the grid stops asking for the videos it shows (after a 2 s grace), but not for the
  // one in the window, which keeps playing.
  await setHidden(ada.page, true);
  await pip.waitForTimeout(3000);
  assertPlays(await videoPlayback(pip), 'with the page hidden');
  await setHidden(ada.page, false);

  if (screenshotName) {
    // The docs' picture: the window at a size a user would give it.
    await pip.setViewportSize({ width: 400, height: 300 });
    await pip.bringToFront();
    await pip.waitForTimeout(500);
    await screenshot(pip, screenshotName);
  }

  // Its microphone button mutes Ada's microphone: her track stops, and Bob sees her tile's muted microphone.
  await pip.click('button.device');
  await bob.waitForTile(ada.participantId, `tile && tile.hasAttribute('audio-muted')`, 10_000);
  assert.equal(await ada.page.evaluate(() => document.querySelector('meeting-room')!.room!.localParticipant.stream!.getAudioTracks().every((track) => !track.enabled)), true);
  await pip.waitForSelector('button.device[aria-pressed="false"]');

  // Its leave button leaves: Ada is out, Bob sees her go, the window closes with the meeting.
  await Promise.all([pip.waitForEvent('close'), pip.click('button.leave')]);
  await ada.page.waitForFunction(() => document.querySelector('meeting-room')!.room!.state === 'left');
  await bob.page.waitForFunction(() => document.querySelector('meeting-room')!.room!.participants.size === 0, null, { timeout: 10_000 });
  assert.deepEqual(await pipEvents(ada.page), ['parley-pip-opened', 'parley-pip-closed']);
  assert.equal(await ada.page.evaluate(() => document.querySelector('meeting-room')!.shadowRoot!.querySelector('participant-grid')), null);

  await ada.context.close();
  await bob.context.close();
}

test('the controls’ button opens the other speaker in a picture-in-picture window whose mute and leave work', () =>
  buttonMuteLeave(harness.browser, harness.parley.url, harness.embedder.url, 'picture-in-picture'));

describe('SFU mode (through Janus)', () => {
  let sfu: SfuServer;
  before(async () => {
    sfu = await startSfuServer();
  });
  after(() => sfu?.stop());

  test('the same window, its camera arriving through Janus, still while the page is hidden', () =>
    buttonMuteLeave(harness.browser, sfu.parley.url, sfu.embedder.url));
});

test('closePictureInPicture() closes the window and the grid stops asking for its camera; hide="pip" hides the button', async () => {
  const meeting = await createMeeting(harness.parley.url);
  const ada = await MeetingPage.open(harness.browser, harness.embedder.url, meeting, 'Ada');
  const bob = await MeetingPage.open(harness.browser, harness.embedder.url, meeting, 'Bob');
  await ada.page.waitForFunction(() => document.querySelector('meeting-room')!.room!.participants.size === 1, null, { timeout: 20_000 });
  await recordPipEvents(ada.page);

  // The page's own button calls the API (a click, for the user activation); twice opens one window.
  await ada.page.evaluate(() => {
    const button = document.createElement('button');
    button.id = 'pip';
    button.textContent = 'Picture in picture';
    button.onclick = () => {
      const room = document.querySelector('meeting-room')!;
      void Promise.all([room.openPictureInPicture(), room.openPictureInPicture()]);
    };
    document.body.append(button);
  });
  const [pip] = await Promise.all([ada.context.waitForEvent('page'), ada.page.click('#pip')]);
  await pip.waitForFunction(() => (document.querySelector('video')?.videoWidth ?? 0) > 0, null, { timeout: 10_000 });
  assert.equal(ada.context.pages().length, 2, 'one window');

  await Promise.all([pip.waitForEvent('close'), ada.evaluateRoom((room) => room.closePictureInPicture())]);
  await ada.page.waitForFunction(() => (window as unknown as { __pip: string[] }).__pip.includes('parley-pip-closed'));
  assert.deepEqual(await pipEvents(ada.page), ['parley-pip-opened', 'parley-pip-closed']);
  assert.equal(await ada.page.evaluate(() => document.querySelector('meeting-room')!.shadowRoot!.querySelector('participant-grid')!.shownElsewhere.size), 0);
  // Still in the meeting: closing the window is not leaving.
  assert.equal(await ada.page.evaluate(() => document.querySelector('meeting-room')!.room!.state), 'joined');

  await ada.page.evaluate(() => document.querySelector('meeting-room')!.setAttribute('hide', 'pip'));
  await ada.page.waitForFunction(() => !document.querySelector('meeting-room')!.shadowRoot!.querySelector('meeting-controls')!.shadowRoot!.querySelector('[part~="picture-in-picture"]'));

  await ada.context.close();
  await bob.context.close();
});
