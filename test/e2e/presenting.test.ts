// A presenter never sees their own shared screen on the stage (a picture of the screen inside itself, over and
// over): "You are presenting" with Stop takes its place, while everyone else sees the screen.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useCallHarness } from './support/harness.js';
import { MeetingPage } from './support/meeting-page.js';
import { screenshot } from './support/screenshots.js';
import { createMeeting } from './support/servers.js';

const harness = useCallHarness();

test('a presenter sees "You are presenting" with Stop instead of their own screen; Stop ends the share for everyone', async () => {
  const meeting = await createMeeting(harness.parley.url);
  const ada = await MeetingPage.open(harness.browser, harness.embedder.url, meeting, 'Ada');
  const bob = await MeetingPage.open(harness.browser, harness.embedder.url, { code: meeting.code }, 'Bob');
  await ada.page.click('meeting-room meeting-controls [part~="screen-share"]');

  // Bob sees Ada's screen moving on his stage.
  await bob.page.waitForFunction(
    (id) => {
      const grid = document.querySelector('meeting-room')!.shadowRoot!.querySelector('participant-grid')!;
      const tile = grid.shadowRoot!.querySelector(`[part~="stage"] participant-tile[source="screen"][data-participant-id="${id}"]`);
      return (tile?.shadowRoot?.querySelector('video')?.getVideoPlaybackQuality().totalVideoFrames ?? 0) > 0;
    },
    ada.participantId,
    { timeout: 20_000 },
  );

  // Ada's stage holds the notice, large and visible, and nothing on her page plays her own screen.
  const notice = ada.page.locator('meeting-room participant-grid [part~="stage"] [part~="presenting"]');
  await notice.waitFor({ state: 'visible', timeout: 10_000 });
  assert.equal((await notice.locator('p').textContent())?.trim(), 'You are presenting');
  const box = (await notice.boundingBox())!;
  assert.ok(box.height >= 240, `the notice is ${box.height} px tall`);
  const ownScreenShown = await ada.page.evaluate(() => {
    const element = document.querySelector('meeting-room')!;
    const screen = element.room!.localParticipant.screenStream;
    const grid = element.shadowRoot!.querySelector('participant-grid')!.shadowRoot!;
    return [...grid.querySelectorAll('participant-tile')].some((tile) => tile.shadowRoot!.querySelector('video')?.srcObject === screen);
  });
  assert.equal(ownScreenShown, false, "Ada's page shows no video of her own screen");
  await screenshot(ada.page, 'presenting');

  // Stop, from the keyboard: the share ends for everyone, the grid comes back, and focus lands on the share toggle
  // rather than vanishing with the button.
  await notice.locator('[part~="stop-presenting"]').focus();
  await ada.page.keyboard.press('Enter');
  await ada.page.waitForFunction(() => !document.querySelector('meeting-room')!.room!.localParticipant.screenSharing);
  await notice.waitFor({ state: 'detached' });
  assert.equal(await ada.gridLayout(), '2x1');
  const focused = await ada.page.evaluate(() => {
    const controls = document.querySelector('meeting-room')!.shadowRoot!.activeElement;
    return controls?.shadowRoot?.activeElement?.getAttribute('part');
  });
  assert.equal(focused, 'screen-share');
  await bob.page.waitForFunction(
    (id) =>
      !document
        .querySelector('meeting-room')!
        .shadowRoot!.querySelector('participant-grid')!
        .shadowRoot!.querySelector(`participant-tile[source="screen"][data-participant-id="${id}"]`),
    ada.participantId,
    { timeout: 10_000 },
  );
  await bob.close();
  await ada.close();
});
