import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useCallHarness } from './support/harness.js';

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
