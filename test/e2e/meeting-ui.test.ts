import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { axeViolations } from './support/axe.js';
import { useCallHarness } from './support/harness.js';
import { MeetingPage } from './support/meeting-page.js';
import { screenshot } from './support/screenshots.js';
import { createMeeting } from './support/servers.js';

// Room for the ten-person grid; the default cap is sized for a mesh of real cameras.
const harness = useCallHarness({ env: { MAX_PARTICIPANTS: '12' } });

async function assertNoViolations(page: Page, state: string): Promise<void> {
  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], `axe-core violations ${state}:\n${JSON.stringify(violations, null, 2)}`);
}

/** The chain of focused elements through shadow roots, as `tag[part]` strings. */
function focusPath(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const path: string[] = [];
    let element = document.activeElement;
    while (element) {
      path.push(`${element.localName}${element.getAttribute('part') ? `[${element.getAttribute('part')}]` : ''}`);
      element = element.shadowRoot?.activeElement ?? null;
    }
    return path;
  });
}

/** Text content of the first element matching `selector` inside the nested shadow roots named by `hosts`. */
function shadowText(page: Page, hosts: string[], selector: string): Promise<string | null> {
  return page.evaluate(
    ([hosts, selector]) => {
      let root: Document | ShadowRoot = document;
      for (const host of hosts) root = root.querySelector(host)!.shadowRoot!;
      return root.querySelector(selector)?.textContent?.trim() ?? null;
    },
    [hosts, selector] as const,
  );
}

function controlLabel(page: Page, part: string): Promise<string | null> {
  return page.evaluate(
    (part) =>
      document
        .querySelector('meeting-room')!
        .shadowRoot!.querySelector('meeting-controls')!
        .shadowRoot!.querySelector(`[part~="${part}"]`)!
        .getAttribute('aria-label'),
    part,
  );
}

function clickControl(page: Page, part: string): Promise<void> {
  return page.evaluate((part) => {
    const controls = document.querySelector('meeting-room')!.shadowRoot!.querySelector('meeting-controls')!;
    controls.shadowRoot!.querySelector<HTMLButtonElement>(`[part~="${part}"]`)!.click();
  }, part);
}

test('prejoin on a foreign origin in German: preview reused for the call, focus moves in, name remembered', async () => {
  const meeting = await createMeeting(harness.parley.url);
  const context = await harness.browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  // Counts captures and WebSockets: the prejoin preview's stream must be the one the call sends, and the connection
  // opened while the prejoin screen shows the one the call uses.
  await page.addInitScript(() => {
    const counts = { captures: 0, sockets: 0, openSockets: 0, closedSockets: 0 };
    (window as unknown as { counts: typeof counts }).counts = counts;
    const capture = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = (constraints) => {
      counts.captures += 1;
      return capture(constraints);
    };
    window.WebSocket = class extends WebSocket {
      constructor(...args: ConstructorParameters<typeof WebSocket>) {
        super(...args);
        counts.sockets += 1;
        this.addEventListener('open', () => (counts.openSockets += 1));
        this.addEventListener('close', () => (counts.closedSockets += 1));
      }
    };
  });
  type Counts = { captures: number; sockets: number; openSockets: number; closedSockets: number };
  const counts = () => page.evaluate(() => (window as unknown as { counts: Counts }).counts);
  const url = `${harness.embedder.url}/?${new URLSearchParams({ code: meeting.code, prejoin: '1', lang: 'de' })}`;
  await page.goto(url);

  // The German catalog is a chunk beside parley.js, fetched cross-origin on demand.
  await page.waitForFunction(
    () =>
      document.querySelector('meeting-room')?.shadowRoot?.querySelector('prejoin-screen')?.shadowRoot?.querySelector('h2')
        ?.textContent === 'Bereit zum Beitreten?',
  );
  await page.waitForSelector('meeting-room >> [part~="join"]:not([disabled])');
  await page.waitForFunction(() => (window as unknown as { counts: Counts }).counts.openSockets === 1);
  assert.equal(await page.evaluate(() => document.querySelector('meeting-room')!.room), null, 'connected, not joined');
  await assertNoViolations(page, 'on the German prejoin screen');
  await screenshot(page, 'prejoin');

  await page.fill('meeting-room >> [part~="name"]', 'Ada');
  await page.click('meeting-room >> [part~="join"]');
  await page.waitForFunction(() => document.querySelector('meeting-room')?.room?.state === 'joined');
  assert.deepEqual(await counts(), { captures: 1, sockets: 1, openSockets: 1, closedSockets: 0 }, 'one capture and one connection, both from prejoin');
  assert.equal(await page.evaluate(() => document.querySelector('meeting-room')!.room!.localParticipant.name), 'Ada');
  await page.waitForFunction(
    () => document.querySelector('meeting-room')!.shadowRoot!.activeElement?.localName === 'meeting-controls',
  );
  assert.deepEqual(await focusPath(page), ['meeting-room', 'meeting-controls[controls]', 'button[microphone]']);
  assert.equal(await controlLabel(page, 'microphone'), 'Mikrofon');

  // Any string can be overridden, and the language can change while in the meeting.
  await page.evaluate(() => {
    document.querySelector('meeting-room')!.strings = { leaveMeeting: 'Tschüss' };
  });
  await page.waitForFunction(
    () =>
      document.querySelector('meeting-room')!.shadowRoot!.querySelector('meeting-controls')!.shadowRoot!
        .querySelector('[part~="leave"]')!.getAttribute('aria-label') === 'Tschüss',
  );
  await page.evaluate(() => document.querySelector('meeting-room')!.setAttribute('lang', 'fr'));
  await page.waitForFunction(
    () =>
      document.querySelector('meeting-room')!.shadowRoot!.querySelector('meeting-controls')!.shadowRoot!
        .querySelector('[part~="microphone"]')!.getAttribute('aria-label') === 'Micro',
  );

  // Leaving moves focus to Rejoin; next visit the name is already filled in.
  await page.evaluate(() => document.querySelector('meeting-room')!.leave());
  await page.waitForFunction(() => document.querySelector('meeting-room')!.shadowRoot!.activeElement?.getAttribute('part') === 'rejoin');
  await page.goto(url);
  await page.waitForSelector('meeting-room >> [part~="name"]');
  assert.equal(await page.inputValue('meeting-room >> [part~="name"]'), 'Ada');
  // The connection follows the prejoin screen: closed when it no longer names a meeting, opened again when it does,
  // closed when the element leaves the page.
  const waitForCounts = (open: number, closed: number) =>
    page.waitForFunction(
      ([open, closed]) => {
        const { openSockets, closedSockets } = (window as unknown as { counts: Counts }).counts;
        return openSockets === open && closedSockets === closed;
      },
      [open, closed] as const,
    );
  await waitForCounts(1, 0);
  await page.evaluate(() => (document.querySelector('meeting-room')!.code = ''));
  await waitForCounts(1, 1);
  await page.evaluate((code) => (document.querySelector('meeting-room')!.code = code), meeting.code);
  await waitForCounts(2, 1);
  await page.evaluate(() => document.querySelector('meeting-room')!.remove());
  await waitForCounts(2, 2);
  await context.close();
});

test('panels: participants, settings and chat open from the controls, close with Escape, and pass axe', async () => {
  const meeting = await createMeeting(harness.parley.url);
  const ada = await MeetingPage.open(harness.browser, harness.embedder.url, meeting, 'Ada');
  const bob = await MeetingPage.open(harness.browser, harness.embedder.url, { code: meeting.code }, 'Bob');
  const page = ada.page;
  await page.waitForFunction(() => document.querySelector('meeting-room')!.room!.participants.size === 1);

  await clickControl(page, 'participants');
  await page.waitForSelector('meeting-room >> participant-list >> [part~="participant"]');
  const names = await page.evaluate(() =>
    [...document.querySelector('meeting-room')!.shadowRoot!.querySelector('participant-list')!.shadowRoot!.querySelectorAll('li')].map(
      // Name and badge; a host's action buttons follow them.
      (item) => [...item.querySelectorAll('.name, .badge')].map((part) => part.textContent!.trim()).join(' '),
    ),
  );
  assert.deepEqual(names, ['Ada (You) HOST', 'Bob']);
  assert.equal(await controlLabel(page, 'participants'), 'Participants');
  await assertNoViolations(page, 'with the participants panel open');
  await screenshot(page, 'participants');

  // Escape closes the panel and gives focus back to the toggle that opened it.
  await page.focus('meeting-room >> button.close');
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.querySelector('meeting-room')!.shadowRoot!.querySelector('[part~="panel"]'));
  assert.deepEqual(await focusPath(page), ['meeting-room', 'meeting-controls[controls]', 'button[participants]']);

  await clickControl(page, 'settings');
  await page.waitForSelector('meeting-room >> device-settings >> [part~="camera-select"] option', { state: 'attached' });
  const camera = await page.evaluate(() => document.querySelector('meeting-room')!.room!.localParticipant.deviceId('video'));
  assert.equal(await page.inputValue('meeting-room >> device-settings >> [part~="camera-select"]'), camera);
  await assertNoViolations(page, 'with the settings panel open');
  await screenshot(page, 'settings');

  await clickControl(page, 'chat');
  await bob.page.evaluate(() => document.querySelector('meeting-room')!.room!.sendChatMessage('Hello Ada'));
  await page.waitForSelector('meeting-room >> chat-panel >> text=Hello Ada');
  assert.equal(await shadowText(page, ['meeting-room'], '#panel-title'), 'In-call messages');
  await assertNoViolations(page, 'with the chat open');
  await screenshot(page, 'chat');

  // A phone: every control fits in 360 px and a panel covers the stage instead of squeezing it.
  await page.setViewportSize({ width: 360, height: 740 });
  const fit = await page.evaluate(() => {
    const room = document.querySelector('meeting-room')!;
    const controls = room.shadowRoot!.querySelector('meeting-controls')!;
    const panel = room.shadowRoot!.querySelector('[part~="panel"]')!.getBoundingClientRect();
    return { overflow: controls.scrollWidth - controls.clientWidth, panelWidth: panel.width };
  });
  assert.ok(fit.overflow <= 0, `the controls overflow by ${fit.overflow}px at 360px`);
  assert.equal(Math.round(fit.panelWidth), 360);
  await assertNoViolations(page, 'at 360 px with the chat open');
  await screenshot(page, 'mobile-chat');
  await page.keyboard.press('Escape');
  await assertNoViolations(page, 'at 360 px');
  await screenshot(page, 'mobile');

  await page.setViewportSize({ width: 1280, height: 720 });
  await page.evaluate(() => document.querySelector('meeting-room')!.setAttribute('theme', 'light'));
  await assertNoViolations(page, 'in the light theme');
  await screenshot(page, 'light');
  await bob.close();
  await ada.close();
});

test('ten people: pages of nine with arrows, everyone reachable, axe clean', async () => {
  const meeting = await createMeeting(harness.parley.url);
  const ada = await MeetingPage.open(harness.browser, harness.embedder.url, meeting, 'Ada');
  // Nine more people without cameras, as nine rooms in one page: the grid is what is under test here.
  const crowd = await harness.browser.newPage();
  await crowd.addInitScript('window.__name = (f) => f');
  await crowd.goto(harness.embedder.url);
  await crowd.evaluate(
    async ({ server, code }) => {
      document.querySelector('meeting-room')?.remove();
      const { Room } = (await import(`${server}/parley.js`)) as typeof import('@parley/sdk');
      const names = ['Bob', 'Carol', 'Dan', 'Erin', 'Frank', 'Grace', 'Heidi', 'Ivan', 'Judy'];
      await Promise.all(names.map((name) => new Room({ server }).join({ code, name, audio: false, video: false })));
    },
    { server: harness.parley.url, code: meeting.code },
  );
  const page = ada.page;
  await page.waitForFunction(() => document.querySelector('meeting-room')!.room!.participants.size === 9);
  const grid = () =>
    page.evaluate(() => {
      const root = document.querySelector('meeting-room')!.shadowRoot!.querySelector('participant-grid')!.shadowRoot!;
      return {
        tiles: root.querySelectorAll('participant-tile').length,
        next: root.querySelector('[part~="next-page"]')?.getAttribute('aria-disabled') === 'true',
      };
    });
  await page.waitForFunction(
    () =>
      document.querySelector('meeting-room')!.shadowRoot!.querySelector('participant-grid')!.shadowRoot!.querySelectorAll('participant-tile')
        .length === 9,
  );
  assert.deepEqual(await grid(), { tiles: 9, next: false }, 'nine on the first page, and a next one');
  await assertNoViolations(page, 'with ten people, first page');
  await screenshot(page, 'grid-10');
  await page.click('meeting-room >> participant-grid >> [part~="next-page"]');
  await page.waitForFunction(
    () =>
      document.querySelector('meeting-room')!.shadowRoot!.querySelector('participant-grid')!.shadowRoot!.querySelectorAll('participant-tile')
        .length < 9,
  );
  assert.equal((await grid()).next, true, 'the last page has no next');
  await assertNoViolations(page, 'with ten people, last page');
  await crowd.close();
  await ada.close();
});
