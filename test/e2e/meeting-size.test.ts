// The README states the meeting-size limit and shows a full meeting: this holds both to the server's default.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useCallHarness } from './support/harness.js';
import { MeetingPage } from './support/meeting-page.js';
import { screenshot } from './support/screenshots.js';
import { createMeeting } from './support/servers.js';

/** MAX_PARTICIPANTS' default (packages/server/src/config.ts): the harness leaves it as it is. */
const DEFAULT_MAX_PARTICIPANTS = 8;
const harness = useCallHarness();

test(`a meeting holds ${DEFAULT_MAX_PARTICIPANTS} people by default, all on one page; one more is told it is full`, async () => {
  const meeting = await createMeeting(harness.parley.url);
  const ada = await MeetingPage.open(harness.browser, harness.embedder.url, meeting, 'Ada');
  // The others without cameras, as rooms in one page: the grid and the limit are what is under test here.
  const crowd = await harness.browser.newPage();
  await crowd.addInitScript('window.__name = (f) => f');
  await crowd.goto(harness.embedder.url);
  const names = ['Bob', 'Carol', 'Dan', 'Erin', 'Frank', 'Grace', 'Heidi'];
  assert.equal(names.length + 1, DEFAULT_MAX_PARTICIPANTS);
  const refusal = await crowd.evaluate(
    async ({ server, code, names }) => {
      document.querySelector('meeting-room')?.remove();
      const { Room } = (await import(`${server}/parley.js`)) as typeof import('@parley/sdk');
      await Promise.all(names.map((name) => new Room({ server }).join({ code, name, audio: false, video: false })));
      try {
        await new Room({ server }).join({ code, name: 'Ivan', audio: false, video: false });
        return 'let in';
      } catch (error) {
        return (error as { code?: string }).code;
      }
    },
    { server: harness.parley.url, code: meeting.code, names },
  );
  assert.equal(refusal, 'meeting-full', 'the ninth person');

  const page = ada.page;
  await page.waitForFunction((others) => document.querySelector('meeting-room')!.room!.participants.size === others, names.length);
  const tiles = () =>
    page.evaluate(() => {
      const grid = document.querySelector('meeting-room')!.shadowRoot!.querySelector('participant-grid')!.shadowRoot!;
      return { tiles: grid.querySelectorAll('participant-tile').length, pager: grid.querySelector('[part~="next-page"]') !== null };
    });
  await page.waitForFunction(
    (count) =>
      document.querySelector('meeting-room')!.shadowRoot!.querySelector('participant-grid')!.shadowRoot!.querySelectorAll('participant-tile')
        .length === count,
    DEFAULT_MAX_PARTICIPANTS,
  );
  assert.deepEqual(await tiles(), { tiles: DEFAULT_MAX_PARTICIPANTS, pager: false }, 'everyone on one page');
  await screenshot(page, 'grid-8');
  await crowd.close();
  await ada.close();
});
