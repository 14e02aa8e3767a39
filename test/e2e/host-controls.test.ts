import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { useCallHarness } from './support/harness.js';
import { MeetingPage } from './support/meeting-page.js';
import { createMeeting } from './support/servers.js';
import { assertNoViolations, clickPanelButton, focused, screenshot, visibleNotices } from './support/ui.js';

const harness = useCallHarness();

/** Answers the open confirmation (`confirm` or `cancel`) after checking its question. */
async function answerConfirmation(page: Page, host: string, heading: string, answer: 'confirm' | 'cancel'): Promise<void> {
  const dialog = page.locator(`meeting-room >> ${host} >> confirm-dialog >> dialog[open]`);
  await dialog.waitFor();
  assert.equal(await dialog.locator('[part~="heading"]').textContent(), heading);
  await dialog.locator(`[part~="${answer}"]`).click();
  await dialog.waitFor({ state: 'detached' });
}

/** The text of `<meeting-room>`'s status area (waiting, left, ended…). */
function statusText(page: Page): Promise<string | undefined> {
  return page.evaluate(
    () => document.querySelector('meeting-room')!.shadowRoot!.querySelector('[part~="status"] p')?.textContent?.trim(),
  );
}

async function openParticipants(page: Page): Promise<void> {
  await page.evaluate(() => {
    const controls = document.querySelector('meeting-room')!.shadowRoot!.querySelector('meeting-controls')!;
    controls.shadowRoot!.querySelector<HTMLButtonElement>('[part~="participants"]')!.click();
  });
  await page.waitForSelector('meeting-room >> participant-list >> [part~="participant"]');
}

/** On the demo's meeting page: types the name on the prejoin screen and presses Join. */
async function joinFromPrejoin(page: Page, name: string): Promise<void> {
  await page.fill('meeting-room >> input[name=name]', name);
  await page.click('meeting-room >> button[type=submit]');
}

test('waiting room from the host panel: the guest waits, the host admits, then asks them to mute', async () => {
  const meeting = await createMeeting(harness.parley.url);
  const host = await MeetingPage.open(harness.browser, harness.embedder.url, meeting, 'Ada');
  await openParticipants(host.page);
  await host.page.click('meeting-room >> participant-list >> [part~="host-controls"] label:nth-child(2) input');
  await host.page.waitForFunction(() => document.querySelector('meeting-room')!.room!.settings.waitingRoom);

  const guest = await harness.browser.newPage();
  await guest.goto(`${harness.embedder.url}/?${new URLSearchParams({ code: meeting.code, name: 'Bob' })}`);
  await guest.waitForFunction(() => document.querySelector('meeting-room')?.room?.state === 'waiting');
  assert.equal(await statusText(guest), 'Waiting for the host to let you in…');
  await host.page.waitForSelector('meeting-room >> participant-list >> [part~="waiting"] li');
  assert.equal(await host.page.evaluate(() => document.querySelector('meeting-room')!.room!.participants.size), 0, 'nobody in yet');

  await clickPanelButton(host.page, 'Admit Bob');
  await guest.waitForFunction(() => document.querySelector('meeting-room')!.room!.state === 'joined');
  await host.page.waitForFunction(() => document.querySelector('meeting-room')!.room!.participants.size === 1);
  const bobId = await guest.evaluate(() => document.querySelector('meeting-room')!.room!.localParticipant.id);
  await host.waitForVideoFrom(bobId);

  // Asking to mute turns Bob's microphone off on his side; nobody can turn it back on for him.
  await clickPanelButton(host.page, 'Mute Bob');
  await guest.waitForFunction(() => document.querySelector('meeting-room')!.room!.localParticipant.audioEnabled === false);
  // Bob sees who muted him, not only hears it from a screen reader.
  assert.deepEqual(await visibleNotices(guest), ['Ada muted you You can turn your microphone back on when you want to speak.']);
  await assertNoViolations(guest, 'with the muted notice');
  await screenshot(guest, 'muted-notice');
  await host.page.waitForFunction((id) => document.querySelector('meeting-room')!.room!.participants.get(id)!.audioEnabled === false, bobId);
  await guest.close();
  await host.close();
});

test('remove and end for all: the removed guest cannot come back; ending closes the meeting for good', async () => {
  const meeting = await createMeeting(harness.parley.url);
  const host = await MeetingPage.open(harness.browser, harness.embedder.url, meeting, 'Ada');
  const bob = await MeetingPage.open(harness.browser, harness.embedder.url, { code: meeting.code }, 'Bob');
  const carol = await MeetingPage.open(harness.browser, harness.embedder.url, { code: meeting.code }, 'Carol');
  await openParticipants(host.page);

  // Remove asks first: Cancel keeps Bob in the call.
  await clickPanelButton(host.page, 'Remove Bob');
  await answerConfirmation(host.page, 'participant-list', 'Remove Bob from the meeting?', 'cancel');
  await host.page.waitForTimeout(500);
  assert.equal(await bob.page.evaluate(() => document.querySelector('meeting-room')!.room!.state), 'joined');
  await clickPanelButton(host.page, 'Remove Bob');
  await answerConfirmation(host.page, 'participant-list', 'Remove Bob from the meeting?', 'confirm');
  await bob.page.waitForFunction(() => document.querySelector('meeting-room')!.room!.state === 'left');
  assert.equal(await statusText(bob.page), 'A host removed you from the meeting');
  assert.equal(
    await bob.page.evaluate(() => document.querySelector('meeting-room')!.shadowRoot!.querySelector('[part~="rejoin"]')),
    null,
    'no way back offered',
  );
  // The same room object (same session) is refused.
  const refusal = await bob.page.evaluate((code) =>
    document.querySelector('meeting-room')!.room!.join({ code, name: 'Bob' }).then(
      () => 'joined',
      (error: { code: string }) => error.code,
    ),
  meeting.code);
  assert.equal(refusal, 'removed-by-host');

  // End meeting for all asks first too; the host sees the question.
  for (const page of [host.page, carol.page]) await page.evaluate(() => document.querySelector('meeting-room')!.setAttribute('exit-url', '/after-the-meeting'));
  await host.page.click('meeting-room >> meeting-controls >> [part~="end-meeting"]');
  await host.page.locator('meeting-room >> meeting-controls >> confirm-dialog >> dialog[open]').waitFor();
  await assertNoViolations(host.page, 'with the End meeting confirmation');
  await screenshot(host.page, 'confirm-end-meeting');
  await answerConfirmation(host.page, 'meeting-controls', 'End the meeting for everyone?', 'confirm');
  await carol.page.waitForFunction(() => document.querySelector('meeting-room')!.room!.state === 'left');
  assert.equal(await statusText(carol.page), 'The host ended the meeting');
  // The host who ended it is told so, and both have a way out that leads where the page said.
  await host.page.waitForFunction(() => document.querySelector('meeting-room')!.room!.state === 'left');
  assert.equal(await statusText(host.page), 'You ended the meeting');
  await assertNoViolations(host.page, 'on the end screen');
  await screenshot(host.page, 'end-screen');
  for (const page of [host.page, carol.page]) {
    const exit = page.locator('meeting-room >> [part~="exit"]');
    assert.equal(await exit.textContent(), 'Return to home screen');
    await exit.click();
    await page.waitForURL(`${harness.embedder.url}/after-the-meeting`);
  }
  // Nobody gets in again: a new visitor hears that the meeting does not exist (or has ended).
  const dan = await harness.browser.newPage();
  await dan.goto(`${harness.embedder.url}/?${new URLSearchParams({ code: meeting.code, name: 'Dan' })}`);
  await dan.waitForSelector('meeting-room >> [part~="status"] .error');
  assert.equal(
    await dan.evaluate(() => document.querySelector('meeting-room')!.shadowRoot!.querySelector('[part~="status"] .error')!.textContent),
    'There is no meeting with this code, or it has ended.',
  );
  await dan.close();
  for (const page of [bob, carol, host]) await page.close();
});

test('waiting room: the host sees a badge and a notice, and admits from it with the keyboard alone', async () => {
  const meeting = await createMeeting(harness.parley.url);
  const host = await MeetingPage.open(harness.browser, harness.embedder.url, meeting, 'Ada');
  await host.evaluateRoom((element) => element.room!.updateMeeting({ waitingRoom: true }));

  const guest = await harness.browser.newPage();
  await guest.goto(`${harness.embedder.url}/?${new URLSearchParams({ code: meeting.code, name: 'Bob' })}`);
  await guest.waitForFunction(() => document.querySelector('meeting-room')?.room?.state === 'waiting');

  assert.deepEqual(await visibleNotices(host.page), ['Bob wants to join Admit See all']);
  const badge = host.page.locator('meeting-room >> meeting-controls >> [part~="waiting"]');
  assert.equal(await badge.textContent(), '1');
  assert.ok(await badge.isVisible(), 'the badge on the participants toggle shows');
  assert.equal(
    await host.page.locator('meeting-room >> meeting-controls >> [part~="participants"]').getAttribute('aria-label'),
    'Participants, 1 waiting to join',
  );
  await assertNoViolations(host.page, 'with the waiting-room notice');
  await screenshot(host.page, 'waiting-room-notice');

  // From the microphone button, Shift+Tab reaches Admit in a few steps; Enter lets Bob in.
  await host.page.focus('meeting-room >> meeting-controls >> [part~="microphone"]');
  for (let step = 0; step < 6 && !(await focused(host.page)).startsWith('action: Admit'); step++) {
    await host.page.keyboard.press('Shift+Tab');
  }
  assert.equal(await focused(host.page), 'action: Admit');
  await host.page.keyboard.press('Enter');
  await guest.waitForFunction(() => document.querySelector('meeting-room')!.room!.state === 'joined');
  await host.page.waitForFunction(() => !document.querySelector('meeting-room')!.shadowRoot!.querySelector('meeting-controls')!.shadowRoot!.querySelector('[part~="waiting"]'));
  assert.deepEqual(await host.page.evaluate(() => document.querySelector('meeting-room')!.shadowRoot!.querySelector('meeting-notices')!.notices), []);
  await guest.close();
});

test('a removed guest who reloads /m/<code> stays out: refused in the same browser, and without its storage held in the waiting room the removal turned on, where the host denies them', async () => {
  const meeting = await createMeeting(harness.parley.url);
  const host = await harness.browser.newPage();
  await host.goto(`${harness.parley.url}/m/${meeting.code}#host=${encodeURIComponent(meeting.hostKey)}`);
  await joinFromPrejoin(host, 'Ada');
  await host.waitForFunction(() => document.querySelector('meeting-room')?.room?.localParticipant.isHost === true);
  const bob = await harness.browser.newPage();
  await bob.goto(`${harness.parley.url}/m/${meeting.code}`);
  await joinFromPrejoin(bob, 'Bob');
  await host.waitForFunction(() => document.querySelector('meeting-room')!.room!.participants.size === 1);
  const participants = () => host.evaluate(() => document.querySelector('meeting-room')!.room!.participants.size);

  await openParticipants(host);
  await clickPanelButton(host, 'Remove Bob');
  await answerConfirmation(host, 'participant-list', 'Remove Bob from the meeting?', 'confirm');
  await bob.waitForFunction(() => document.querySelector('meeting-room')!.room!.state === 'left');
  assert.equal(await statusText(bob), 'A host removed you from the meeting');
  // The host sees that the waiting room is on now, and why, beside its switch.
  const notice = host.locator('meeting-room >> participant-list >> [part~="waiting-room-notice"]');
  await notice.waitFor({ state: 'visible' });
  assert.equal(
    await notice.textContent(),
    'Turned on because someone was removed: if they come back, they wait here for you. Turn it off to let people straight in.',
  );
  assert.equal(await host.isChecked('meeting-room >> participant-list >> [part~="host-controls"] label:nth-child(2) input'), true);
  await screenshot(host, 'waiting-room-after-removal');

  // Bob reloads: the same browser is the same session, which the meeting refuses.
  await bob.reload();
  await joinFromPrejoin(bob, 'Bob');
  const error = bob.locator('meeting-room >> prejoin-screen >> [part~="error"]');
  await error.waitFor({ state: 'visible' });
  assert.equal(await error.textContent(), 'A host removed you from this meeting.');
  assert.equal(await participants(), 0);

  // Without the browser's storage (a private window, site data cleared) he is someone new to the server: the
  // waiting room holds him, and the host turns him away.
  await bob.evaluate(() => {
    localStorage.clear();
    sessionStorage.clear();
  });
  await bob.reload();
  await joinFromPrejoin(bob, 'Bob');
  await bob.waitForFunction(() => document.querySelector('meeting-room')?.room?.state === 'waiting');
  assert.equal(await statusText(bob), 'Waiting for the host to let you in…');
  await host.waitForSelector('meeting-room >> participant-list >> [part~="waiting"] li');
  assert.equal(await participants(), 0, 'not in the call while waiting');
  await clickPanelButton(host, 'Deny Bob');
  await error.waitFor({ state: 'visible' });
  assert.equal(await error.textContent(), 'The host did not let you in.');
  assert.equal(await participants(), 0);
  await bob.close();
  await host.close();
});
