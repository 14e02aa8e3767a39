import { test } from 'node:test';
import { assertEveryoneReceivesEveryone, assertTiles } from './support/assertions.js';
import { MeetingPage } from './support/meeting-page.js';
import { createMeeting } from './support/servers.js';
import { useCallHarness } from './support/harness.js';

const harness = useCallHarness();

test('three people joining at the same instant all connect', async () => {
  const meeting = await createMeeting(harness.parley.url);
  const pages = await Promise.all(
    ['Ada', 'Bob', 'Carol'].map((name) => MeetingPage.open(harness.browser, harness.embedder.url, { code: meeting.code }, name)),
  );
  await assertTiles(pages);
  await assertEveryoneReceivesEveryone(pages);
});
