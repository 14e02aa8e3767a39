import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { useCallHarness } from './support/harness.js';
import { screenshot } from './support/screenshots.js';
import { createMeeting } from './support/servers.js';

const harness = useCallHarness();

test('the demo: New meeting makes you host; a guest joins by typing the code', async () => {
  const host = await harness.browser.newPage();
  await host.goto(harness.parley.url);
  await host.click('#new-meeting');
  await host.waitForURL(/\/m\/[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}$/);
  const code = new URL(host.url()).pathname.split('/').pop()!;
  assert.equal(new URL(host.url()).hash, '', 'the host key left the address bar');
  await host.fill('meeting-room >> input[name=name]', 'Ada');
  await host.click('meeting-room >> button[type=submit]');
  await host.waitForFunction(() => document.querySelector('meeting-room')?.room?.localParticipant.isHost === true);

  const guest = await harness.browser.newPage();
  await guest.goto(harness.parley.url);
  // Typed as people do: upper case, spaces, an O for a 0.
  await guest.fill('#code', code.toUpperCase().replaceAll('-', ' ').replaceAll('0', 'O'));
  await guest.click('#join button[type=submit]');
  await guest.waitForURL(`${harness.parley.url}/m/${code}`);
  await guest.fill('meeting-room >> input[name=name]', 'Bob');
  await guest.click('meeting-room >> button[type=submit]');
  await guest.waitForFunction(() => {
    const room = document.querySelector('meeting-room')?.room;
    return room?.state === 'joined' && room.localParticipant.isHost === false && room.participants.size === 1;
  });
  await host.waitForFunction(() => document.querySelector('meeting-room')!.room!.participants.size === 1);
});

/**
 * Asserts `<html lang>` and the visible text of `selector` (the start page's main button, or the prejoin's Join
 * button, whose translation is fetched after the page loads: so it waits for it, up to 10 s).
 */
async function assertLanguage(page: Page, selector: string, expected: { lang: string; text: string }): Promise<void> {
  const seen = async () => ({
    lang: await page.evaluate(() => document.documentElement.lang),
    text: ((await page.locator(selector).first().textContent()) ?? '').trim(),
  });
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && JSON.stringify(await seen()) !== JSON.stringify(expected)) await page.waitForTimeout(100);
  assert.deepEqual(await seen(), expected);
}

test("the demo pages speak the browser's language, or the one ?lang= names, on the start page and in the meeting", async () => {
  const german = await harness.browser.newContext({ locale: 'de-DE' });
  const page = await german.newPage();
  await page.goto(harness.parley.url);
  await assertLanguage(page, '#new-meeting', { lang: 'de', text: 'Neue Besprechung' });
  await screenshot(page, 'start-page');
  await page.click('#new-meeting');
  await page.waitForURL(/\/m\/[0-9a-z-]+$/);
  await assertLanguage(page, 'meeting-room >> button[type=submit]', { lang: 'de', text: 'Beitreten' });

  // ?lang= wins over the browser, and stays through the join form to the meeting.
  await page.goto(`${harness.parley.url}/?lang=fr`);
  await assertLanguage(page, '#new-meeting', { lang: 'fr', text: 'Nouvelle réunion' });
  const meeting = await createMeeting(harness.parley.url);
  await page.fill('#code', meeting.code);
  await page.click('#join button[type=submit]');
  await page.waitForURL(`${harness.parley.url}/m/${meeting.code}?lang=fr`);
  await assertLanguage(page, 'meeting-room >> button[type=submit]', { lang: 'fr', text: 'Participer' });

  // A language the pages do not speak: English.
  const elsewhere = await harness.browser.newContext({ locale: 'ja-JP' });
  const japanese = await elsewhere.newPage();
  await japanese.goto(`${harness.parley.url}/m/${meeting.code}`);
  await assertLanguage(japanese, 'meeting-room >> button[type=submit]', { lang: 'en', text: 'Join' });
  await elsewhere.close();
  await german.close();
});

test('the start page and the meeting look the same, dark or light as the system prefers', async () => {
  const meeting = await createMeeting(harness.parley.url);
  for (const colorScheme of ['dark', 'light'] as const) {
    const context = await harness.browser.newContext({ colorScheme });
    const page = await context.newPage();
    await page.goto(harness.parley.url);
    const start = await page.evaluate(() => {
      const body = getComputedStyle(document.body);
      return { background: body.backgroundColor, text: body.color };
    });
    await page.goto(`${harness.parley.url}/m/${meeting.code}`);
    await page.locator('meeting-room >> input[name=name]').waitFor();
    const inMeeting = await page.evaluate(() => {
      const room = getComputedStyle(document.querySelector('meeting-room')!);
      return { page: getComputedStyle(document.body).backgroundColor, background: room.backgroundColor, text: room.color };
    });
    assert.deepEqual(
      { background: inMeeting.background, text: inMeeting.text, page: inMeeting.page },
      { background: start.background, text: start.text, page: start.background },
      `${colorScheme}: the meeting's colours are the start page's`,
    );
    await context.close();
  }
});

test('the demo: every end screen leads back to the start page', async () => {
  const response = await fetch(`${harness.parley.url}/api/meetings`, { method: 'POST' });
  const { code } = (await response.json()) as { code: string };
  const page = await harness.browser.newPage();
  await page.goto(`${harness.parley.url}/m/${code}`);
  await page.fill('meeting-room >> input[name=name]', 'Ada');
  await page.click('meeting-room >> button[type=submit]');
  await page.waitForFunction(() => document.querySelector('meeting-room')?.room?.state === 'joined');
  await page.click('meeting-room >> meeting-controls >> [part~="leave"]');
  const exit = page.locator('meeting-room >> [part~="exit"]');
  await exit.waitFor();
  assert.equal(await exit.textContent(), 'Return to home screen');
  await exit.click();
  await page.waitForURL(`${harness.parley.url}/`);
  await page.waitForSelector('h1:text("Parley")');
  await page.close();
});
