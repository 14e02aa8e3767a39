import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useCallHarness } from './support/harness.js';
import { MeetingPage } from './support/meeting-page.js';
import { createMeeting } from './support/servers.js';
import { assertNoViolations, screenshot, visibleNotices } from './support/ui.js';

const harness = useCallHarness();

test('in the call: the meeting code and Copy invite link, which the page can point elsewhere or hide', async () => {
  const meeting = await createMeeting(harness.parley.url);
  const ada = await MeetingPage.open(harness.browser, harness.embedder.url, meeting, 'Ada', (context) =>
    context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: harness.embedder.url }),
  );
  const page = ada.page;
  const info = page.locator('meeting-room >> [part~="meeting-info"]');
  assert.ok(await info.isVisible(), 'the meeting code shows during the call');
  // "Meeting code" is said to screen readers; the eye sees the code itself.
  assert.equal((await info.innerText()).replace(/\s+/g, ' ').trim(), `Meeting code ${meeting.code} Copy invite link`);
  assert.ok(await page.locator('meeting-room >> [part~="meeting-info"] >> text=' + meeting.code).isVisible());

  // By default the link is the meeting's page on the Parley server, which anyone invited can open.
  await page.click('meeting-room >> [part~="copy-invite"]');
  assert.deepEqual(await visibleNotices(page), ['Invite link copied']);
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), `${harness.parley.url}/m/${meeting.code}`);
  await assertNoViolations(page, 'with the invite notice');
  await screenshot(page, 'invite');

  await page.setViewportSize({ width: 360, height: 740 });
  const box = (await info.boundingBox())!;
  assert.ok(box.x >= 0 && box.x + box.width <= 360, `the invite fits a phone: ${JSON.stringify(box)}`);
  await screenshot(page, 'invite-mobile');

  await ada.evaluateRoom((element) => element.setAttribute('invite-url', 'https://app.example/join/abc'));
  await page.click('meeting-room >> [part~="copy-invite"]');
  await page.waitForFunction(async () => (await navigator.clipboard.readText()) === 'https://app.example/join/abc');

  await ada.evaluateRoom((element) => element.setAttribute('no-invite', ''));
  await info.waitFor({ state: 'detached' });
  await ada.close();
});

test('a guest without camera or microphone who clicks the microphone sees why and how to fix it', async () => {
  const meeting = await createMeeting(harness.parley.url);
  const guest = await MeetingPage.open(harness.browser, harness.embedder.url, meeting, 'Bob', async (context) => {
    await context.addInitScript(() => {
      MediaDevices.prototype.getUserMedia = () => Promise.reject(new DOMException('Requested device not found', 'NotFoundError'));
      MediaDevices.prototype.enumerateDevices = () => Promise.resolve([]);
    });
  });
  const page = guest.page;
  const fix = 'No camera or microphone found Connect a microphone or camera, check that it is switched on and not disabled in your system settings, then try again.';
  // Joining without devices says so once the call shows…
  assert.deepEqual(await visibleNotices(page), [fix]);
  await page.click('meeting-room >> meeting-notices >> [part~="dismiss"]');
  await page.waitForFunction(() => document.querySelector('meeting-room')!.shadowRoot!.querySelector('meeting-notices')!.notices.length === 0);

  // …and so does the microphone button, every time it cannot turn anything on.
  await page.click('meeting-room >> meeting-controls >> [part~="microphone"]');
  assert.deepEqual(await visibleNotices(page), [fix]);
  assert.equal(await page.evaluate(() => document.querySelector('meeting-room')!.room!.localParticipant.audioEnabled), false);
  await assertNoViolations(page, 'with the device notice');
  await screenshot(page, 'no-device-notice');
  await guest.close();
});

test('participants at 360 px: long names stay whole, with the host actions on their own row', async () => {
  const meeting = await createMeeting(harness.parley.url);
  const ada = await MeetingPage.open(harness.browser, harness.embedder.url, meeting, 'Ada');
  const guests = [];
  for (const name of ['Christopher Montgomery-Blackwood', 'Maximiliane Oberhausen-Stein']) {
    guests.push(await MeetingPage.open(harness.browser, harness.embedder.url, { code: meeting.code }, name));
  }
  const page = ada.page;
  await page.setViewportSize({ width: 360, height: 740 });
  await page.waitForFunction(() => document.querySelector('meeting-room')!.room!.participants.size === 2);
  await page.click('meeting-room >> meeting-controls >> [part~="participants"]');
  await page.waitForSelector('meeting-room >> participant-list >> [part~="actions"]');
  const rows = await page.evaluate(() =>
    [...document.querySelector('meeting-room')!.shadowRoot!.querySelector('participant-list')!.shadowRoot!.querySelectorAll('li')].map(
      (row) => {
        const name = row.querySelector<HTMLElement>('[part~="name"]')!;
        const actions = row.querySelector('[part~="actions"]')?.getBoundingClientRect();
        return {
          name: name.textContent!.trim(),
          whole: name.scrollWidth <= name.clientWidth,
          actionsBelow: !actions || actions.top >= name.getBoundingClientRect().bottom,
          actionsFit: !actions || actions.right <= 360,
        };
      },
    ),
  );
  assert.deepEqual(rows, [
    { name: 'Ada (You)', whole: true, actionsBelow: true, actionsFit: true },
    { name: 'Christopher Montgomery-Blackwood', whole: true, actionsBelow: true, actionsFit: true },
    { name: 'Maximiliane Oberhausen-Stein', whole: true, actionsBelow: true, actionsFit: true },
  ]);
  await assertNoViolations(page, 'with long names in the participants panel at 360 px');
  await screenshot(page, 'participants-long-names');
  for (const guest of guests) await guest.close();
  await ada.close();
});
