// Reactions (issue 16): chosen from the toolbar's picker with the keyboard or sent by the page, shown over the
// sender's tile on every page, told to screen readers, gone after a few seconds; a flood stays a trickle.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { LIMITS } from '@parley/protocol';
import { axeViolations } from './support/axe.js';
import { useCallHarness } from './support/harness.js';
import { MeetingPage } from './support/meeting-page.js';
import { screenshot } from './support/screenshots.js';
import { createMeeting } from './support/servers.js';

const harness = useCallHarness();

/** How many reactions are over the tile of `participantId` on `page` now. */
function reactionCount(page: Page, participantId: string): Promise<number> {
  return page.evaluate((id) => {
    const grid = document.querySelector('meeting-room')!.shadowRoot!.querySelector('participant-grid')!;
    const tile = grid.shadowRoot!.querySelector(`participant-tile[data-participant-id="${id}"]`)!;
    return tile.shadowRoot!.querySelectorAll('[part~="reaction"]').length;
  }, participantId);
}

/**
 * From now on, samples every tile on `page` every 20 ms, into `window.__reactionsSeen` by participant id: the emoji
 * that showed fully (inside the tile, opaque), and the most reactions shown at once. A reaction lasts 3 s: sampling
 * in the page sees it however busy the machine running the test is.
 */
function watchReactions(page: Page): Promise<void> {
  return page.evaluate(() => {
    const seen: Record<string, { shown: string[]; most: number }> = {};
    (window as unknown as { __reactionsSeen: typeof seen }).__reactionsSeen = seen;
    setInterval(() => {
      const grid = document.querySelector('meeting-room')?.shadowRoot?.querySelector('participant-grid');
      for (const tile of grid?.shadowRoot?.querySelectorAll<HTMLElement>('participant-tile') ?? []) {
        const record = (seen[tile.dataset.participantId!] ??= { shown: [], most: 0 });
        const box = tile.getBoundingClientRect();
        const bubbles = [...tile.shadowRoot!.querySelectorAll('[part~="reaction"]')];
        record.most = Math.max(record.most, bubbles.length);
        for (const bubble of bubbles) {
          const { left, right, top, bottom, width } = bubble.getBoundingClientRect();
          const inside = width > 0 && left >= box.left && right <= box.right && top >= box.top && bottom <= box.bottom;
          const emoji = bubble.textContent!;
          if (inside && Number(getComputedStyle(bubble).opacity) > 0.95 && !record.shown.includes(emoji)) record.shown.push(emoji);
        }
      }
    }, 20);
  });
}

/** What `watchReactions` saw over the tile of `participantId`. */
const seenOver = (page: Page, participantId: string) =>
  page.evaluate(
    (id) => (window as unknown as { __reactionsSeen: Record<string, { shown: string[]; most: number }> }).__reactionsSeen[id] ?? { shown: [], most: 0 },
    participantId,
  );

/** Waits until `watchReactions` saw `emoji` fully over the tile of `participantId`. */
async function untilShown(page: Page, participantId: string, emoji: string): Promise<void> {
  await page
    .waitForFunction(
      ([id, wanted]) =>
        (window as unknown as { __reactionsSeen: Record<string, { shown: string[] }> }).__reactionsSeen[id]?.shown.includes(wanted) ?? false,
      [participantId, emoji] as const,
      { timeout: 10_000 },
    )
    .catch(async (error: Error) => {
      throw new Error(`${emoji} never showed over the tile: ${JSON.stringify(await seenOver(page, participantId))}`, { cause: error });
    });
}

/** Waits until no reaction is left over the tile of `participantId` (each lasts 3 s). */
async function untilGone(page: Page, participantId: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await reactionCount(page, participantId)) > 0) {
    assert.ok(Date.now() < deadline, 'the reactions over the tile never went');
    await page.waitForTimeout(100);
  }
}

const announcement = (page: Page) =>
  page.evaluate(() => document.querySelector('meeting-room')!.shadowRoot!.querySelector('[part="announcer"]')!.textContent);

/** Records the page's `parley-reaction` events from now on, in `window.__reactions`. */
function recordReactionEvents(page: Page): Promise<void> {
  return page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { __reactions: string[] }).__reactions = seen;
    document.querySelector('meeting-room')!.addEventListener('parley-reaction', (event) => {
      seen.push(`${event.detail.participant.name}${event.detail.participant.isLocal ? ' (local)' : ''} ${event.detail.emoji}`);
    });
  });
}
const reactionEvents = (page: Page) => page.evaluate(() => (window as unknown as { __reactions: string[] }).__reactions);

const pickerButton = 'meeting-controls button[part~="reactions"]';

test('a reaction from the picker shows over the sender’s tile on every page, is announced there, and goes', async () => {
  const meeting = await createMeeting(harness.parley.url);
  const pages = [];
  for (const name of ['Ada', 'Bob', 'Cy']) pages.push(await MeetingPage.open(harness.browser, harness.embedder.url, meeting, name));
  const [ada, bob, cy] = pages as [MeetingPage, MeetingPage, MeetingPage];
  for (const page of pages) {
    await page.page.waitForFunction(() => document.querySelector('meeting-room')!.room!.participants.size === 2, null, { timeout: 20_000 });
    await recordReactionEvents(page.page);
    await watchReactions(page.page);
  }

  // Ada, by keyboard only: the reactions button, Enter opens the picker on 👍, → to 👏, Enter sends it.
  await ada.page.focus(pickerButton);
  await ada.page.keyboard.press('Enter');
  await ada.page.waitForSelector('meeting-controls [part~="reaction-picker"]');
  assert.equal(await ada.page.evaluate(() => document.querySelector('meeting-room')!.shadowRoot!.querySelector('meeting-controls')!.shadowRoot!.activeElement?.textContent), '👍');
  await ada.page.keyboard.press('ArrowRight');
  await ada.page.keyboard.press('Enter');

  // Ada sees her own, on her own tile.
  await untilShown(ada.page, ada.participantId, '👏');
  for (const page of [bob, cy]) {
    await untilShown(page.page, ada.participantId, '👏');
    // While it shows: it lasts three seconds.
    if (page === bob) await screenshot(bob.page, 'reaction');
    assert.equal(await announcement(page.page), 'Ada reacted 👏', `${page.name} hears it`);
    assert.deepEqual(await reactionEvents(page.page), ['Ada 👏']);
  }
  // Ada is not told of her own; the picker has closed and focus is back on its button.
  assert.deepEqual(await reactionEvents(ada.page), ['Ada (local) 👏']);
  assert.notEqual(await announcement(ada.page), 'Ada reacted 👏');
  assert.equal(await ada.page.$('meeting-controls [part~="reaction-picker"]'), null);
  assert.equal(
    await ada.page.evaluate(() => document.querySelector('meeting-room')!.shadowRoot!.querySelector('meeting-controls')!.shadowRoot!.activeElement?.getAttribute('part')),
    'reactions',
  );

  // Bob, through the page's own API: it lands on Bob's tile, beside nothing of Ada's once hers has gone.
  await bob.evaluateRoom((room) => room.react('🎉'));
  await untilShown(cy.page, bob.participantId, '🎉');
  assert.equal(await announcement(cy.page), 'Bob reacted 🎉');
  await untilGone(cy.page, ada.participantId);
  // And Bob's goes too, a few seconds after it came.
  await untilGone(cy.page, bob.participantId);
  assert.deepEqual(await reactionEvents(cy.page), ['Ada 👏', 'Bob 🎉']);
  // Each over its sender's tile only, on every page; nothing over Cy's, who sent none.
  for (const page of pages) {
    assert.deepEqual((await seenOver(page.page, ada.participantId)).shown, ['👏'], page.name);
    assert.deepEqual((await seenOver(page.page, bob.participantId)).shown, ['🎉'], page.name);
    assert.equal((await seenOver(page.page, cy.participantId)).most, 0, page.name);
  }
  await Promise.all(pages.map((page) => page.close()));
});

test('a flood from one page shows as a few reactions at most on the others', async () => {
  const meeting = await createMeeting(harness.parley.url);
  const ada = await MeetingPage.open(harness.browser, harness.embedder.url, meeting, 'Ada');
  const bob = await MeetingPage.open(harness.browser, harness.embedder.url, meeting, 'Bob');
  await bob.page.waitForFunction(() => document.querySelector('meeting-room')!.room!.participants.size === 1, null, { timeout: 20_000 });
  await recordReactionEvents(bob.page);
  await watchReactions(bob.page);

  // A held key: 50 reactions as fast as the page can send them.
  const outcomes = await ada.evaluateRoom((room) =>
    Promise.all(Array.from({ length: 50 }, () => room.react('😂').then(() => 'sent', (error: { code: string }) => error.code))),
  );
  const sent = outcomes.filter((outcome) => outcome === 'sent').length;
  assert.equal(sent, LIMITS.reactionBurst - 1, 'the SDK sends a burst and no more');
  assert.ok(outcomes.every((outcome) => outcome === 'sent' || outcome === 'rate-limited'), outcomes.join());

  await untilShown(bob.page, ada.participantId, '😂');
  await bob.page.waitForTimeout(1000);
  const { most } = await seenOver(bob.page, ada.participantId);
  assert.ok(most >= 1 && most <= 3, `${most} shown at once`);
  assert.equal((await reactionEvents(bob.page)).length, sent, 'Bob heard of exactly what was sent');
  await Promise.all([ada, bob].map((page) => page.close()));
});

test('hide="reactions" leaves the button out; the picker on a 360×740 phone', async () => {
  const meeting = await createMeeting(harness.parley.url);
  const ada = await MeetingPage.open(harness.browser, harness.embedder.url, meeting, 'Ada');
  const bob = await MeetingPage.open(harness.browser, harness.embedder.url, meeting, 'Bob');
  const page = ada.page;
  await page.evaluate(() => document.querySelector('meeting-room')!.setAttribute('hide', 'reactions'));
  await page.waitForFunction(() => !document.querySelector('meeting-room')!.shadowRoot!.querySelector('meeting-controls')!.shadowRoot!.querySelector('[part~="reactions"]'));
  await page.evaluate(() => document.querySelector('meeting-room')!.removeAttribute('hide'));
  await page.waitForSelector(pickerButton);

  await page.setViewportSize({ width: 360, height: 740 });
  await page.waitForFunction(() => document.querySelector('meeting-room')!.room!.participants.size === 1);
  await watchReactions(page);
  // A phone-wide meeting keeps the reactions button in its More menu.
  await page.click('meeting-controls [part~="more"]');
  await page.click('meeting-controls [part~="menu-item"][data-action="reactions"]');
  await page.waitForSelector('meeting-controls [part~="reaction-picker"]');
  // Bob's reaction arrives while Ada's picker is open.
  await bob.evaluateRoom((room) => room.react('❤️'));
  await untilShown(page, bob.participantId, '❤️');
  // The whole picker is on screen, over the call, and every emoji is a 44 px target.
  const picker = await page.evaluate(() => {
    const controls = document.querySelector('meeting-room')!.shadowRoot!.querySelector('meeting-controls')!.shadowRoot!;
    const box = controls.querySelector('[part~="reaction-picker"]')!.getBoundingClientRect();
    const sizes = [...controls.querySelectorAll('[part~="reaction-choice"]')].map((choice) => choice.getBoundingClientRect().width);
    return { left: box.left, right: box.right, top: box.top, sizes };
  });
  await screenshot(page, 'reactions-mobile');
  assert.ok(picker.left >= 0 && picker.right <= 360 && picker.top >= 0, JSON.stringify(picker));
  assert.ok(picker.sizes.every((size) => size >= 44), JSON.stringify(picker.sizes));
  assert.deepEqual(await axeViolations(page), []);
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.querySelector('meeting-room')!.shadowRoot!.querySelector('meeting-controls')!.shadowRoot!.querySelector('[part~="reaction-picker"]'));
  await Promise.all([ada, bob].map((meetingPage) => meetingPage.close()));
});
