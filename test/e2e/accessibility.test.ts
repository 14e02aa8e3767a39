import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { axeViolations } from './support/axe.js';
import { MeetingPage } from './support/meeting-page.js';
import { createMeeting } from './support/servers.js';
import { useCallHarness } from './support/harness.js';

const harness = useCallHarness();

/** Rules for a whole page of our own (the demo's), beyond the WCAG ones every state is held to. */
const WHOLE_PAGE_RULES = ['landmark-one-main', 'page-has-heading-one', 'region'];

async function assertNoViolations(page: Page, state: string, alsoRules: string[] = []): Promise<void> {
  const violations = await axeViolations(page, alsoRules);
  assert.deepEqual(violations, [], `axe-core violations ${state}:\n${JSON.stringify(violations, null, 2)}`);
}

test('no axe-core violations: prejoin, alone, four people, chat open, screen shared, light and dark', async () => {
  const meeting = await createMeeting(harness.parley.url);
  const host = await harness.browser.newPage();
  await host.goto(`${harness.parley.url}/m/${meeting.code}`);
  await host.waitForSelector('meeting-room >> input[name=name]');
  await assertNoViolations(host, 'on the prejoin form');

  await host.fill('meeting-room >> input[name=name]', 'Ada');
  await host.click('meeting-room >> button[type=submit]');
  await host.waitForFunction(() => document.querySelector('meeting-room')?.room?.state === 'joined');
  await assertNoViolations(host, 'alone in the meeting');

  const others: MeetingPage[] = [];
  for (const name of ['Bob', 'Carol', 'Dan']) others.push(await MeetingPage.open(harness.browser, harness.embedder.url, meeting, name));
  await host.waitForFunction(() => document.querySelector('meeting-room')!.room!.participants.size === 3);
  for (const theme of ['dark', 'light']) {
    await host.evaluate((value) => document.querySelector('meeting-room')!.setAttribute('theme', value), theme);
    await assertNoViolations(host, `with four people (${theme})`);
  }

  await host.evaluate(() => {
    const controls = document.querySelector('meeting-room')!.shadowRoot!.querySelector('meeting-controls')!;
    controls.shadowRoot!.querySelector<HTMLButtonElement>('[part~="chat"]')!.click();
  });
  await others[0]!.page.evaluate(() => document.querySelector('meeting-room')!.room!.sendChatMessage('Hello'));
  await host.waitForFunction(() => document.querySelector('meeting-room')!.room!.chatMessages.length === 1);
  await assertNoViolations(host, 'with the chat open');

  await others[0]!.evaluateRoom((element) => element.toggleScreenShare());
  await host.waitForFunction(() =>
    document.querySelector('meeting-room')!.shadowRoot!.querySelector('participant-grid')!.shadowRoot!.querySelector('[data-layout="presentation"]'),
  );
  await assertNoViolations(host, 'with a screen shared');
  for (const page of others) await page.close();
  await host.close();
});

test("the demo's own pages: one main landmark, a level-one heading, all content in landmarks (axe), light and dark", async () => {
  const meeting = await createMeeting(harness.parley.url);
  for (const colorScheme of ['dark', 'light'] as const) {
    const context = await harness.browser.newContext({ colorScheme });
    const page = await context.newPage();
    await page.goto(harness.parley.url);
    await assertNoViolations(page, `on the start page (${colorScheme})`, WHOLE_PAGE_RULES);
    await page.goto(`${harness.parley.url}/m/${meeting.code}`);
    await page.waitForSelector('meeting-room >> input[name=name]');
    await assertNoViolations(page, `on the meeting page's prejoin (${colorScheme})`, WHOLE_PAGE_RULES);
    await page.fill('meeting-room >> input[name=name]', 'Ada');
    await page.click('meeting-room >> button[type=submit]');
    await page.waitForFunction(() => document.querySelector('meeting-room')?.room?.state === 'joined');
    await assertNoViolations(page, `in the meeting (${colorScheme})`, WHOLE_PAGE_RULES);
    await context.close();
  }
});
