// The grid tells the room which cameras it shows (room.setVideoWanted): in the mesh, a participant on another grid
// page stops sending you their camera, and sends it again once you turn to their page.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Room } from '@parley/sdk';
import { useCallHarness } from './support/harness.js';
import { MeetingPage } from './support/meeting-page.js';
import { screenshot } from './support/screenshots.js';
import { createMeeting } from './support/servers.js';

declare global {
  interface Window {
    /** Bob: the one camera besides Ada's, joined last, so on the second page of Ada's grid. */
    __bob: Room;
  }
}

const harness = useCallHarness();

test("a participant on another page of the grid pauses their camera toward you, and resumes when you turn to it", async () => {
  const meeting = await createMeeting(harness.parley.url);
  const ada = await MeetingPage.open(harness.browser, harness.embedder.url, meeting, 'Ada');
  // A phone: a page holds you and five others.
  await ada.page.setViewportSize({ width: 360, height: 740 });
  // Five without cameras, then Bob with his camera (and no microphone, so he never speaks his way onto page 1).
  const others = await harness.browser.newPage();
  others.on('pageerror', (error) => console.error('[others] page error:', error));
  await others.addInitScript('window.__name = (f) => f');
  await others.goto(harness.embedder.url);
  const bobId = await others.evaluate(
    async ({ server, code }) => {
      document.querySelector('meeting-room')?.remove();
      const { Room } = (await import(`${server}/parley.js`)) as typeof import('@parley/sdk');
      const crowd = ['Carol', 'Dan', 'Erin', 'Frank', 'Grace'];
      await Promise.all(crowd.map((name) => new Room({ server }).join({ code, name, audio: false, video: false })));
      window.__bob = new Room({ server });
      await window.__bob.join({ code, name: 'Bob', audio: false, video: true });
      return window.__bob.localParticipant.id;
    },
    { server: harness.parley.url, code: meeting.code },
  );
  try {
    await ada.page.waitForFunction(() => document.querySelector('meeting-room')!.room!.participants.size === 6);
    const grid = '[part~="grid"]';
    await ada.page.waitForFunction(
      (selector) =>
        document.querySelector('meeting-room')!.shadowRoot!.querySelector('participant-grid')!.shadowRoot!.querySelector<HTMLElement>(selector)
          ?.dataset.pages === '2',
      grid,
    );
    assert.equal((await ada.tileIds()).includes(bobId), false, 'Bob is on page 2');
    await screenshot(ada.page, 'video-wanted-phone-page-1');

    /** Bytes of Bob's camera sent to Ada so far, from Bob's side of their peer connection. */
    const bytesSent = () =>
      others.evaluate(async (adaId) => {
        let bytes = 0;
        (await window.__bob.getStats(adaId))?.forEach((stats) => {
          if (stats.type === 'outbound-rtp' && stats.kind === 'video') bytes += stats.bytesSent ?? 0;
        });
        return bytes;
      }, ada.participantId);
    /** Waits until Bob's camera toward Ada flows (`true`) or stands still (`false`) over a second. */
    const waitForSending = async (sending: boolean, what: string) => {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const before = await bytesSent();
        await ada.page.waitForTimeout(1000);
        if ((await bytesSent()) > before === sending) return;
        if (Date.now() > deadline) throw new Error(`${what}: not reached in 15 s`);
      }
    };

    await waitForSending(false, "Bob's camera paused toward Ada");
    const paused = await bytesSent();
    await ada.page.waitForTimeout(2000);
    assert.equal(await bytesSent(), paused, 'nothing sent for 2 s');
    assert.equal(await others.evaluate(() => window.__bob.localParticipant.videoEnabled), true, "Bob's camera is still on");

    await ada.page.click('[part~="next-page"]');
    await ada.waitForTile(bobId, 'tile !== null', 5000);
    await waitForSending(true, "Bob's camera sent to Ada again");
    // What Ada sees: Bob's picture moving on page 2.
    const shown = await ada.receivedFrom(bobId);
    await ada.page.waitForFunction(
      ({ id, presented }) => {
        const grid = document.querySelector('meeting-room')!.shadowRoot!.querySelector('participant-grid')!;
        const video = grid.shadowRoot!.querySelector(`participant-tile[data-participant-id="${id}"]`)?.shadowRoot?.querySelector('video');
        return (video?.getVideoPlaybackQuality().totalVideoFrames ?? 0) > presented + 10;
      },
      { id: bobId, presented: shown.framesPresented },
      { timeout: 10_000 },
    );
    await screenshot(ada.page, 'video-wanted-phone-page-2');

    await ada.page.click('[part~="previous-page"]');
    await waitForSending(false, "Bob's camera paused again once Ada turned back");
  } finally {
    await others.close();
    await ada.close();
  }
});
