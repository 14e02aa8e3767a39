import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { assertEveryoneReceivesEveryone, assertTiles } from './support/assertions.js';
import { useCallHarness } from './support/harness.js';
import { MeetingPage } from './support/meeting-page.js';
import { screenshot } from './support/screenshots.js';
import { createMeeting } from './support/servers.js';

describe('a real call through our own server, embedded on another origin', () => {
  const harness = useCallHarness();
  let meeting: { code: string; hostKey: string };
  const pages: MeetingPage[] = [];

  before(async () => {
    meeting = await createMeeting(harness.parley.url);
    assert.notEqual(new URL(harness.embedder.url).origin, new URL(harness.parley.url).origin);
  });

  test('two pages see and hear each other', async () => {
    const { browser, embedder } = harness;
    pages.push(await MeetingPage.open(browser, embedder.url, meeting, 'Ada'));
    pages.push(await MeetingPage.open(browser, embedder.url, { code: meeting.code }, 'Bob'));
    await assertTiles(pages);
    // Ada came with the host key: everyone sees her [HOST] badge, and nobody else's.
    for (const page of pages) {
      const badges = await page.page.evaluate(() => {
        const grid = document.querySelector('meeting-room')!.shadowRoot!.querySelector('participant-grid')!;
        return [...grid.shadowRoot!.querySelectorAll('participant-tile')]
          .filter((tile) => tile.shadowRoot!.querySelector('[part="host-badge"]'))
          .map((tile) => tile.dataset.participantId);
      });
      assert.deepEqual(badges, [pages[0]!.participantId], `${page.name} shows the host badge on Ada only`);
    }
    for (const page of pages) assert.equal(await page.gridLayout(), '2x1');
    await assertEveryoneReceivesEveryone(pages);
  });

  test('four pages: everyone decodes everyone, in a 2×2 grid', async () => {
    const { browser, embedder } = harness;
    pages.push(await MeetingPage.open(browser, embedder.url, { code: meeting.code }, 'Carol'));
    pages.push(await MeetingPage.open(browser, embedder.url, { code: meeting.code }, 'Dan'));
    await assertTiles(pages);
    for (const page of pages) assert.equal(await page.gridLayout(), '2x2');
    await assertEveryoneReceivesEveryone(pages);
  });

  test('muting the microphone shows on every other page within 2 s', async () => {
    const [ada, ...others] = pages as [MeetingPage, ...MeetingPage[]];
    // Only a precondition: generous, since each check is a round trip into a page busy decoding three videos.
    for (const page of others) await page.waitForTile(ada.participantId, "!tile.hasAttribute('audio-muted')", 5000);
    assert.equal(await ada.evaluateRoom((element) => element.toggleMicrophone(false)), false);
    await Promise.all(
      others.map((page) => page.waitForTile(ada.participantId, "tile.hasAttribute('audio-muted')", 2000)),
    );
    // Screen readers hear it too, from the live region.
    for (const page of others) {
      const announced = await page.page.evaluate(
        () => document.querySelector('meeting-room')!.shadowRoot!.querySelector('[part="announcer"]')!.textContent,
      );
      assert.equal(announced, 'Ada turned their microphone off');
    }
    // The grid as the README shows it: four people, the host muted.
    await screenshot(pages[1]!.page, 'grid-4');
    // Unmute from the keyboard, as in Google Meet: Ctrl+D while focus is in the meeting.
    await ada.page.evaluate(() => {
      const controls = document.querySelector('meeting-room')!.shadowRoot!.querySelector('meeting-controls')!;
      controls.shadowRoot!.querySelector<HTMLButtonElement>('[part="camera"]')!.focus();
    });
    await ada.page.keyboard.press('Control+d');
    await Promise.all(
      others.map((page) => page.waitForTile(ada.participantId, "!tile.hasAttribute('audio-muted')", 2000)),
    );
  });

  test('turning the camera off shows initials instead of video on every other page', async () => {
    const [, bob, ...others] = pages as [MeetingPage, MeetingPage, ...MeetingPage[]];
    const placeholderShown = "tile.hasAttribute('camera-off') && !!tile.shadowRoot.querySelector('[part=avatar]')";
    assert.equal(await bob.evaluateRoom((element) => element.toggleCamera(false)), false);
    await Promise.all(others.map((page) => page.waitForTile(bob.participantId, placeholderShown, 2000)));
    const avatar = await others[0]!.page.evaluate((id) => {
      const grid = document.querySelector('meeting-room')!.shadowRoot!.querySelector('participant-grid')!;
      const tile = grid.shadowRoot!.querySelector(`participant-tile[data-participant-id="${id}"]`)!;
      return tile.shadowRoot!.querySelector('[part="avatar"]')!.textContent;
    }, bob.participantId);
    assert.equal(avatar, 'B');
    assert.equal(await bob.evaluateRoom((element) => element.toggleCamera(true)), true);
    await Promise.all(others.map((page) => page.waitForTile(bob.participantId, `!(${placeholderShown})`, 2000)));
  });

  test('leaving removes the tile everywhere and leaves no live track behind', async () => {
    const dan = pages.pop()!;
    const inCall = await dan.liveMediaObjects();
    assert.ok(inCall.liveTracks >= 2 && inCall.openPeerConnections === 3, JSON.stringify(inCall));
    await dan.evaluateRoom((element) => element.leave());
    await Promise.all(pages.map((page) => page.waitForTile(dan.participantId, 'tile === null', 5000)));
    assert.deepEqual(await dan.liveMediaObjects(), { liveTracks: 0, openPeerConnections: 0, liveReceiverTracks: 0 });
    await dan.page.waitForFunction(
      () => window.__recorded.webSockets.every((socket) => socket.readyState === WebSocket.CLOSED),
      null,
      { timeout: 2000 },
    );
    assert.deepEqual(await dan.openResources(), { openDataChannels: 0, openWebSockets: 0, pendingTimers: 0 });
    for (const page of pages) assert.equal(await page.gridLayout(), '2x2');
    await dan.close();
  });
});
