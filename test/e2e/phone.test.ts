// A 360×740 phone: the host's control bar is one row (what does not fit is in its More menu), and whichever panel is
// open, it stays uncovered. Mute/unmute and leave are the topmost elements at their own centres, at least 44 px
// square, and the panel toggles switch panels directly (settings through the More menu).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { axeViolations } from './support/axe.js';
import { useCallHarness } from './support/harness.js';
import { MeetingPage } from './support/meeting-page.js';
import { screenshot } from './support/screenshots.js';
import { createMeeting } from './support/servers.js';

const harness = useCallHarness();

interface ControlSpot {
  /** The button's centre and size, in page pixels. */
  x: number;
  y: number;
  width: number;
  height: number;
  /** What the page hit-tests at that centre, through every shadow root: `button[part]` or another element. */
  topmost: string;
}

/** Each shown control button's box and what a tap at its centre would reach; the open panel's box, if any. */
function layout(page: Page) {
  return page.evaluate(() => {
    const room = document.querySelector('meeting-room')!.shadowRoot!;
    const spots: Record<string, ControlSpot> = {};
    // The row's buttons that show (those the More menu holds are hidden from the row).
    const shown = [...room.querySelector('meeting-controls')!.shadowRoot!.querySelectorAll(':host > button')].filter(
      (button) => button.getClientRects().length > 0,
    );
    for (const button of shown) {
      const box = button.getBoundingClientRect();
      const [x, y] = [box.left + box.width / 2, box.top + box.height / 2];
      // elementFromPoint stops at shadow hosts: descend into each one's shadow root at the same point.
      let hit = document.elementFromPoint(x, y);
      while (hit?.shadowRoot) {
        const inner: Element | null = hit.shadowRoot.elementFromPoint(x, y);
        if (!inner || inner === hit) break;
        hit = inner;
      }
      const target = hit?.closest('button') ?? hit;
      const topmost = `${target?.localName}${target?.getAttribute('part') ? `[${target.getAttribute('part')}]` : ''}`;
      spots[button.getAttribute('part')!] = { x, y, width: box.width, height: box.height, topmost };
    }
    const panel = room.querySelector('[part~="panel"]')?.getBoundingClientRect();
    const controls = room.querySelector('meeting-controls')!.getBoundingClientRect();
    return { spots, panel: panel ? { top: panel.top, bottom: panel.bottom } : null, controlsTop: controls.top };
  });
}

test('on a 360×740 phone every panel leaves the controls reachable: mic and leave on top, ≥ 44 px, panels switch', async () => {
  const meeting = await createMeeting(harness.parley.url);
  // The host: the most controls (reactions, recording, End meeting for all too).
  const ada = await MeetingPage.open(harness.browser, harness.embedder.url, meeting, 'Ada');
  const bob = await MeetingPage.open(harness.browser, harness.embedder.url, { code: meeting.code }, 'Bob');
  const page = ada.page;
  await page.setViewportSize({ width: 360, height: 740 });
  await page.waitForFunction(() => document.querySelector('meeting-room')!.room!.participants.size === 1);

  const row = await layout(page);
  assert.deepEqual(Object.keys(row.spots), ['microphone', 'camera', 'hand', 'chat', 'participants', 'more', 'leave']);
  assert.equal(new Set(Object.values(row.spots).map((spot) => Math.round(spot.y))).size, 1, `one row: ${JSON.stringify(row.spots)}`);

  const panels = { chat: 'chat-panel', participants: 'participant-list', settings: 'device-settings' } as const;
  for (const [toggle, element] of Object.entries(panels)) {
    // Switch straight from the previous panel: a click where a finger would tap the toggle, or the More button and
    // then the menu's item.
    const before = await layout(page);
    const button = before.spots[toggle] ? toggle : 'more';
    assert.equal(before.spots[button]!.topmost, `button[${button}]`, `the ${button} button is reachable`);
    await page.mouse.click(before.spots[button]!.x, before.spots[button]!.y);
    if (button === 'more') {
      const item = await page.waitForFunction((action) => {
        const controls = document.querySelector('meeting-room')!.shadowRoot!.querySelector('meeting-controls')!.shadowRoot!;
        const box = controls.querySelector(`[part~="menu-item"][data-action="${action}"]`)?.getBoundingClientRect();
        return box && { x: box.left + box.width / 2, y: box.top + box.height / 2, width: box.width, height: box.height };
      }, toggle);
      const spot = (await item.jsonValue())!;
      assert.ok(spot.width >= 44 && spot.height >= 44, `the menu's ${toggle} item is ${spot.width}×${spot.height} px`);
      await screenshot(page, 'phone-more-menu');
      await page.mouse.click(spot.x, spot.y);
    }
    await page.waitForFunction(
      (tag) => document.querySelector('meeting-room')!.shadowRoot!.querySelector(`[part~="panel"] ${tag}`),
      element,
    );
    const open = await layout(page);
    assert.ok(open.panel, `the ${toggle} panel is open`);
    assert.ok(open.panel.bottom <= open.controlsTop + 0.5, `the ${toggle} panel overlaps the controls: ${JSON.stringify(open)}`);
    for (const [part, spot] of Object.entries(open.spots)) {
      assert.equal(spot.topmost, `button[${part}]`, `with ${toggle} open, a tap on ${part} reaches ${spot.topmost}: ${JSON.stringify(open)}`);
      assert.ok(spot.width >= 44 && spot.height >= 44, `${part} is ${spot.width}×${spot.height} px`);
    }
    await screenshot(page, `phone-${toggle}`);
  }
  assert.deepEqual(await axeViolations(page), [], 'axe at 360 px with the settings open');

  // Escape closes the settings, and focus goes back where they were opened from: the More button.
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => {
    const room = document.querySelector('meeting-room')!.shadowRoot!;
    const focused = room.querySelector('meeting-controls')!.shadowRoot!.activeElement;
    return !room.querySelector('[part~="panel"]') && focused?.getAttribute('part') === 'more';
  });
  // The chat again, for the taps with a panel open below.
  const { spots: closed } = await layout(page);
  await page.mouse.click(closed.chat!.x, closed.chat!.y);
  await page.waitForFunction(() => document.querySelector('meeting-room')!.shadowRoot!.querySelector('[part~="panel"] chat-panel'));

  // With a panel open, a tap on the microphone mutes, and one on leave leaves.
  const { spots } = await layout(page);
  await page.mouse.click(spots.microphone!.x, spots.microphone!.y);
  await page.waitForFunction(() => !document.querySelector('meeting-room')!.room!.localParticipant.audioEnabled);
  await page.mouse.click(spots.leave!.x, spots.leave!.y);
  await page.waitForFunction(() => document.querySelector('meeting-room')!.room!.state === 'left');
  await bob.close();
  await ada.close();
});
