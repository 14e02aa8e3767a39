import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import { after, before, describe, test } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import type { RunningServer } from '@parley/server';
import { assertEveryoneReceivesEveryone, assertTiles } from './support/assertions.js';
import { launchChromium } from './support/browser.js';
import { buildAndServe, type ExampleSite } from './support/example-site.js';
import { MeetingPage } from './support/meeting-page.js';
import { createMeeting, startParley } from './support/servers.js';

/** The names in the app's own participant list: framework-rendered DOM, outside `<meeting-room>`. */
function listedNames(page: Page): Promise<string[]> {
  return page.getByRole('list', { name: 'Others in the meeting' }).getByRole('listitem').allTextContents();
}

/** The app's own status line (light DOM only: the element has status regions of its own in its shadow root). */
function appStatus(page: Page): Promise<string> {
  return page.locator('body > div > header > [role="status"]').innerText();
}

/** The app's own Leave button, which calls the element's `leave()` (the element's own is "Leave meeting"). */
function leaveButton(page: Page): Locator {
  return page.getByRole('button', { name: 'Leave', exact: true });
}

/** Waits until `read` resolves to `expected`, then asserts it. */
async function eventually<T>(read: () => Promise<T>, expected: T, message: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let actual = await read();
  while (!isDeepStrictEqual(actual, expected) && Date.now() < deadline) {
    await delay(50);
    actual = await read();
  }
  assert.deepEqual(actual, expected, message);
}

/** The example apps, each with the framework it names and the person who joins through it. */
const apps = [
  { example: 'react', framework: 'React', person: 'Ada' },
  { example: 'vue', framework: 'Vue', person: 'Bob' },
  { example: 'svelte', framework: 'Svelte', person: 'Cy' },
] as const;

describe('<meeting-room> inside React 19, Vue 3 and Svelte 5 apps built with Vite', () => {
  let parley: RunningServer;
  let browser: Browser;
  let outDir: string;
  let meeting: { code: string; hostKey: string };
  /** In the order of `apps`. */
  const sites: ExampleSite[] = [];
  const pages: MeetingPage[] = [];

  before(async () => {
    parley = await startParley();
    outDir = await mkdtemp(join(tmpdir(), 'parley-examples-'));
    for (const { example } of apps) sites.push(await buildAndServe(example, parley.url, join(outDir, example)));
    browser = await launchChromium();
    meeting = await createMeeting(parley.url);
  });

  after(async () => {
    await browser?.close();
    await Promise.all(sites.map((site) => site.close()));
    if (outDir) await rm(outDir, { recursive: true, force: true });
    await parley?.close();
  });

  test('a React, a Vue and a Svelte page in one meeting see and hear each other', async () => {
    for (const [index, { person }] of apps.entries()) {
      // The first to join is host.
      const credentials = index === 0 ? meeting : { code: meeting.code };
      pages.push(await MeetingPage.open(browser, sites[index]!.url, credentials, person));
    }
    await assertTiles(pages);
    await assertEveryoneReceivesEveryone(pages);
  });

  test("the elements' events reach each framework: its own list names the other participants", async () => {
    // Later joiners heard of earlier ones while joining, earlier ones of later ones live.
    for (const [index, { framework, person }] of apps.entries()) {
      const others = apps.filter((app) => app.person !== person).map((app) => app.person);
      await eventually(async () => (await listedNames(pages[index]!.page)).sort(), others, `the ${framework} app lists ${others.join(', ')}`);
      assert.equal(await appStatus(pages[index]!.page), 'In the meeting');
    }
  });

  test("each framework's Leave button leaves, the app hears parley-left, and no live track remains", async () => {
    // The last to join leaves first; those still in hear parley-participant-left.
    for (let index = apps.length - 1; index >= 0; index--) {
      const leaving = pages[index]!;
      await leaveButton(leaving.page).click();
      await eventually(() => appStatus(leaving.page), 'You left', `the ${apps[index]!.framework} app handled parley-left`);
      assert.deepEqual(await leaving.liveMediaObjects(), { liveTracks: 0, openPeerConnections: 0, liveReceiverTracks: 0 });
      for (const [stayingIndex, staying] of pages.slice(0, index).entries()) {
        await staying.waitForTile(leaving.participantId, 'tile === null', 5000);
        const stillIn = apps.slice(0, index).filter((app) => app.person !== staying.name).map((app) => app.person);
        await eventually(
          async () => (await listedNames(staying.page)).sort(),
          stillIn,
          `the ${apps[stayingIndex]!.framework} app handled parley-participant-left`,
        );
      }
    }
    for (const { page } of pages) assert.equal(await leaveButton(page).isDisabled(), true);
  });

  test('parley-error reaches each framework: a meeting that does not exist', async () => {
    for (const site of sites) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${site.url}/?code=zzzz-zzzz-zzzz&name=Eve`);
      const alert = page.locator('body > div > header > [role="alert"]');
      await alert.waitFor({ timeout: 10_000 });
      assert.match(await alert.innerText(), /no meeting/i);
      assert.equal(await appStatus(page), 'Not in the meeting');
      await context.close();
    }
  });
});
