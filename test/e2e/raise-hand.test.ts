// Raised hands (issue 16, item 3) on three real pages: the same queue everywhere, read from what each page shows.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import type { Page } from 'playwright-core';
import { useCallHarness } from './support/harness.js';
import { MeetingPage } from './support/meeting-page.js';
import { SCREENSHOT_DIR } from './support/screenshots.js';
import { createMeeting } from './support/servers.js';
import { assertNoViolations, clickPanelButton, screenshot, visibleNotices } from './support/ui.js';

const harness = useCallHarness();

/** The hand badge each tile of the page's grid shows, by participant id; tiles without a visible badge are left out. */
function badges(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() => {
    const grid = document.querySelector('meeting-room')!.shadowRoot!.querySelector('participant-grid')!.shadowRoot!;
    const shown: Record<string, string> = {};
    for (const tile of grid.querySelectorAll('participant-tile')) {
      const badge = tile.shadowRoot!.querySelector<HTMLElement>('[part~="hand"]');
      if (badge?.checkVisibility()) shown[tile.dataset.participantId!] = badge.innerText.trim();
    }
    return shown;
  });
}

/** The raised hands the page's participants panel lists, top to bottom: `place name` as shown. */
function panelHands(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const list = document.querySelector('meeting-room')!.shadowRoot!.querySelector('participant-list')!.shadowRoot!;
    return [...list.querySelectorAll<HTMLElement>('[part~="hand"]')]
      .filter((item) => item.checkVisibility())
      .map((item) => `${item.querySelector<HTMLElement>('[part~="hand-place"]')!.innerText.trim()} ${item.querySelector<HTMLElement>('.name')!.innerText.trim()}`);
  });
}

async function openParticipants(page: Page): Promise<void> {
  await page.click('meeting-room >> meeting-controls >> [part~="participants"]');
  await page.waitForSelector('meeting-room >> participant-list >> [part~="participant"]');
}

/** Waits until `read()` deep-equals `expected` (the last value read is what the failure shows). */
async function eventually<T>(read: () => Promise<T>, expected: T, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!isDeepStrictEqual(value, expected) && Date.now() < deadline) {
    await sleep(100);
    value = await read();
  }
  assert.deepEqual(value, expected, what);
}

test('raised hands: the same queue on every page, tile badges and panel; a host lowers one, then all; a newcomer sees the queue', async () => {
  const meeting = await createMeeting(harness.parley.url);
  const ada = await MeetingPage.open(harness.browser, harness.embedder.url, meeting, 'Ada');
  const bob = await MeetingPage.open(harness.browser, harness.embedder.url, { code: meeting.code }, 'Bob');
  const carol = await MeetingPage.open(harness.browser, harness.embedder.url, { code: meeting.code }, 'Carol');
  const pages = [ada, bob, carol];
  for (const { page } of pages) await page.waitForFunction(() => document.querySelector('meeting-room')!.room!.participants.size === 2);
  // What the host page hears of hands, as `parley-hand-*` events.
  await ada.page.evaluate(() => {
    const heard: string[] = [];
    (window as unknown as { handEvents: string[] }).handEvents = heard;
    const room = document.querySelector('meeting-room')!;
    room.addEventListener('parley-hand-raised', ({ detail }) => heard.push(`raised ${detail.participant.name} ${detail.position}`));
    room.addEventListener('parley-hand-lowered', ({ detail }) => heard.push(`lowered ${detail.participant.name}`));
  });
  const handEvents = () => ada.page.evaluate(() => (window as unknown as { handEvents: string[] }).handEvents);

  // Carol, then Bob, from the toolbar; then Ada, the host, from her page's script.
  const [adaId, bobId, carolId] = pages.map(({ participantId }) => participantId);
  await carol.page.click('meeting-room >> meeting-controls >> [part~="hand"]');
  await eventually(() => badges(ada.page), { [carolId!]: '✋ 1' }, 'Carol’s hand on the host’s page');
  await bob.page.click('meeting-room >> meeting-controls >> [part~="hand"]');
  await eventually(() => badges(ada.page), { [carolId!]: '✋ 1', [bobId!]: '✋ 2' }, 'Bob’s hand on the host’s page');
  // The host sees who raised a hand, not only hears it from a screen reader.
  const notices = await visibleNotices(ada.page);
  assert.ok(notices.some((notice) => notice.startsWith('Bob raised their hand')), JSON.stringify(notices));
  assert.equal(
    await ada.page.evaluate(() => document.querySelector('meeting-room')!.shadowRoot!.querySelector('[part~="announcer"]')!.textContent!.trim()),
    'Bob raised their hand',
  );
  await ada.evaluateRoom((room) => room.raiseHand());

  const queue = { [carolId!]: '✋ 1', [bobId!]: '✋ 2', [adaId!]: '✋ 3' };
  for (const { page, name } of pages) await eventually(() => badges(page), queue, `badges on ${name}’s page`);
  assert.equal(await bob.page.getAttribute('meeting-room >> meeting-controls >> [part~="hand"]', 'aria-pressed'), 'true');
  assert.equal(await ada.page.getAttribute('meeting-room >> meeting-controls >> [part~="hand"]', 'aria-label'), 'Raise hand');
  for (const { page } of pages) await openParticipants(page);
  await eventually(() => panelHands(ada.page), ['✋ 1 Carol', '✋ 2 Bob', '✋ 3 Ada (You)'], 'the host’s panel');
  await eventually(() => panelHands(bob.page), ['✋ 1 Carol', '✋ 2 Bob (You)', '✋ 3 Ada'], 'Bob’s panel');
  await eventually(() => panelHands(carol.page), ['✋ 1 Carol (You)', '✋ 2 Bob', '✋ 3 Ada'], 'Carol’s panel');
  await assertNoViolations(ada.page, 'with raised hands in the panel');
  await screenshot(ada.page, 'raised-hands');
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await ada.page.locator(`meeting-room >> participant-grid >> participant-tile[data-participant-id="${bobId}"]`).screenshot({
    path: `${SCREENSHOT_DIR}/raised-hand-badge.png`,
  });
  // A guest lowers only their own hand in the panel; the host has Lower hand for everyone, and Lower all hands.
  assert.equal(await bob.page.locator('meeting-room >> participant-list >> [part~="lower-all"]').count(), 0);
  assert.equal(await bob.page.locator('meeting-room >> participant-list >> [part~="hand"] button').count(), 1);
  await bob.page.setViewportSize({ width: 360, height: 740 });
  await eventually(() => panelHands(bob.page), ['✋ 1 Carol', '✋ 2 Bob (You)', '✋ 3 Ada'], 'Bob’s panel on a phone');
  await screenshot(bob.page, 'raised-hands-phone');

  // The host lowers Bob's hand: Ada moves up to second, on every page.
  await clickPanelButton(ada.page, 'Lower hand Bob');
  const lowered = { [carolId!]: '✋ 1', [adaId!]: '✋ 2' };
  for (const { page, name } of pages) await eventually(() => badges(page), lowered, `badges on ${name}’s page after Bob’s hand went down`);
  await eventually(() => panelHands(carol.page), ['✋ 1 Carol (You)', '✋ 2 Ada'], 'Carol’s panel after Bob’s hand went down');
  assert.equal(await bob.page.getAttribute('meeting-room >> meeting-controls >> [part~="hand"]', 'aria-pressed'), 'false');

  // Then all of them.
  await clickPanelButton(ada.page, 'Lower all hands');
  for (const { page, name } of pages) await eventually(() => badges(page), {}, `no badge on ${name}’s page`);
  await eventually(() => panelHands(bob.page), [], 'no raised hand in Bob’s panel');
  assert.deepEqual(await handEvents(), [
    'raised Carol 1',
    'raised Bob 2',
    'raised Ada 3',
    'lowered Bob',
    'lowered Carol',
    'lowered Ada',
  ]);

  // Bob and Carol raise again; Dan joins with the hand button hidden, and sees the queue as it is.
  await bob.page.click('meeting-room >> meeting-controls >> [part~="hand"]');
  await eventually(() => badges(carol.page), { [bobId!]: '✋ 1' }, 'Bob’s hand again');
  await carol.page.click('meeting-room >> meeting-controls >> [part~="hand"]');
  await eventually(() => badges(ada.page), { [bobId!]: '✋ 1', [carolId!]: '✋ 2' }, 'Carol’s hand again');
  const dan = await MeetingPage.openUrl(harness.browser, `${harness.embedder.url}/?${new URLSearchParams({ code: meeting.code, name: 'Dan', hide: 'hand' })}`, 'Dan');
  await eventually(() => badges(dan.page), { [bobId!]: '✋ 1', [carolId!]: '✋ 2' }, 'badges on the newcomer’s page');
  await openParticipants(dan.page);
  await eventually(() => panelHands(dan.page), ['✋ 1 Bob', '✋ 2 Carol'], 'the newcomer’s panel');
  assert.equal(await dan.page.locator('meeting-room >> meeting-controls >> [part~="hand"]').count(), 0, 'hide="hand" leaves the button out');
  // The page can still raise Dan's hand through the element.
  await dan.evaluateRoom((room) => room.raiseHand());
  await eventually(() => badges(ada.page), { [bobId!]: '✋ 1', [carolId!]: '✋ 2', [dan.participantId]: '✋ 3' }, 'Dan’s hand on the host’s page');

  for (const page of [...pages, dan]) await page.close();
});
