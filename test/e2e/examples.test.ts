import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import type { RunningServer } from '@parley/server';
import { assertEveryoneReceivesEveryone, assertTiles } from './support/assertions.js';
import { buildAndServe, exampleFolder, serveFolder, type ExampleSite } from './support/example-site.js';
import { useCallHarness } from './support/harness.js';
import { MeetingPage } from './support/meeting-page.js';
import { createMeeting, startEmbedder, startParley } from './support/servers.js';

/** Presses the prejoin screen's Join once it is ready (the element's own button, whatever its label). */
async function pressPrejoinJoin(page: Page): Promise<void> {
  await page.click('meeting-room >> [part~="join"]:not([disabled])', { timeout: 20_000 });
}

/** Waits until an element inside `<meeting-room>`'s shadow roots (Playwright selectors pierce them) shows `text`. */
async function waitForText(page: Page, selector: string, text: string): Promise<void> {
  await page.locator(`meeting-room >> ${selector}`).filter({ hasText: text }).first().waitFor({ timeout: 15_000 });
}

// One browser for the file, and one Parley server for the examples that need no tokens.
const harness = useCallHarness();

describe('examples/plain-html: one script tag from the Parley server', () => {
  let site: ExampleSite;
  const pages: MeetingPage[] = [];

  before(async () => {
    // The pages name the server a developer starts on their machine; here it is on another port.
    site = await serveFolder(exampleFolder('plain-html'), {
      rewrite: (html) => html.replaceAll('http://localhost:3000', harness.parley.url),
    });
  });

  after(async () => {
    await site?.close();
  });

  test('the page as shipped and its themed Italian twin join one meeting and see and hear each other', async () => {
    const { code } = await createMeeting(harness.parley.url);
    pages.push(
      await MeetingPage.openUrl(harness.browser, `${site.url}/?${new URLSearchParams({ code, name: 'Ada' })}`, 'Ada', {
        join: pressPrejoinJoin,
      }),
    );
    pages.push(
      await MeetingPage.openUrl(harness.browser, `${site.url}/themed.html?${new URLSearchParams({ code, name: 'Bob' })}`, 'Bob', {
        join: async (page) => {
          // registerTranslation's catalog, and the page's own override of one string.
          await waitForText(page, 'h2', 'Pronto a partecipare?');
          await waitForText(page, '[part~="join"]', 'Entra nella riunione');
          await pressPrejoinJoin(page);
        },
      }),
    );
    await assertTiles(pages);
    await assertEveryoneReceivesEveryone(pages);
  });

  test('the themed page: dark theme, custom properties and ::part() reach inside, strings are Italian', async () => {
    const { page } = pages[1]!;
    const look = await page.evaluate(() => {
      const meeting = document.querySelector('meeting-room')!;
      const controls = meeting.shadowRoot!.querySelector<HTMLElement>('[part~="controls"]')!;
      const leave = controls.shadowRoot!.querySelector('[part~="leave"]')!;
      return {
        theme: meeting.getAttribute('theme'),
        accent: getComputedStyle(controls).getPropertyValue('--parley-accent').trim(),
        controlsBorder: getComputedStyle(controls).borderTopColor,
        leaveLabel: leave.getAttribute('aria-label'),
      };
    });
    assert.deepEqual(look, {
      theme: 'dark',
      accent: '#0b57d0',
      controlsBorder: 'rgb(11, 87, 208)',
      leaveLabel: 'Esci dalla riunione',
    });
    await Promise.all(pages.map((meetingPage) => meetingPage.close()));
  });

  test("own-toolbar.html: the page's own buttons raise a hand, react, record and open picture in picture, and the others see it", async () => {
    const { code, hostKey } = await createMeeting(harness.parley.url);
    const ada = await MeetingPage.openUrl(harness.browser, `${site.url}/own-toolbar.html?${new URLSearchParams({ code, name: 'Ada' })}`, 'Ada', {
      join: async (page) => {
        // hide="background": the prejoin screen offers no background of its own.
        await page.waitForSelector('meeting-room >> prejoin-screen >> [part~="join"]:not([disabled])', { timeout: 20_000 });
        assert.equal(await page.locator('meeting-room >> prejoin-screen >> [part~="background-select"]').count(), 0);
        await page.evaluate((key) => document.querySelector('meeting-room')!.setAttribute('host-key', key), hostKey);
        await pressPrejoinJoin(page);
      },
    });
    const bob = await MeetingPage.openUrl(harness.browser, `${site.url}/?${new URLSearchParams({ code, name: 'Bob' })}`, 'Bob', {
      join: pressPrejoinJoin,
    });
    try {
      await assertTiles([ada, bob]);
      // The built-in buttons of everything the page offers itself are gone; Bob's page keeps them.
      for (const part of ['hand', 'reactions', 'picture-in-picture', 'record']) {
        assert.equal(await ada.page.locator(`meeting-room >> meeting-controls >> [part~="${part}"]`).count(), 0, part);
      }
      assert.equal(await bob.page.locator('meeting-room >> meeting-controls >> [part~="hand"]').count(), 1);
      const adaTileOnBob = (inner: string) =>
        bob.page.locator(`meeting-room >> participant-tile[data-participant-id="${ada.participantId}"] >> ${inner}`);

      // Noise suppression went on as Ada joined; the page's button says so, and turns it off.
      await ada.page.waitForSelector('#noise[aria-pressed="true"]');
      await ada.page.click('#noise');
      await ada.page.waitForSelector('#noise[aria-pressed="false"]');

      await ada.page.click('#hand');
      await adaTileOnBob('[part~="hand"]').waitFor({ timeout: 10_000 });
      await ada.page.waitForSelector('#hand[aria-pressed="true"]');

      await ada.page.click('#applause');
      await adaTileOnBob('[part~="reaction"]').filter({ hasText: '👏' }).waitFor({ timeout: 10_000 });

      // Recording: Bob sees the indicator while it runs; Ada's page gets the file as its own link, not a download.
      const indicator = bob.page.locator('meeting-room >> [part~="recording"]');
      await ada.page.click('#record');
      await indicator.filter({ hasText: 'Recording' }).waitFor({ timeout: 15_000 });
      await ada.page.waitForTimeout(2000);
      await ada.page.click('#record');
      const file = ada.page.locator('#recording-file a');
      await file.waitFor({ timeout: 20_000 });
      assert.match((await file.getAttribute('download')) ?? '', /\.webm$/);
      const bytes = await ada.page.evaluate(async () => (await (await fetch(document.querySelector<HTMLAnchorElement>('#recording-file a')!.href)).blob()).size);
      assert.ok(bytes > 10_000, `a recording of 2 s has ${bytes} bytes`);
      await indicator.waitFor({ state: 'hidden', timeout: 10_000 });

      // Picture in picture from the page's own button (a click: the browser wants a user gesture), showing Bob.
      const [window] = await Promise.all([ada.context.waitForEvent('page'), ada.page.click('#pip')]);
      await window.waitForFunction(() => (document.querySelector('video')?.videoWidth ?? 0) > 0, undefined, { timeout: 15_000 });
      assert.match(await window.locator('body').innerText(), /Bob/);
      await ada.page.locator('#log li').filter({ hasText: 'Picture in picture opened' }).waitFor();
    } finally {
      await Promise.all([ada.close(), bob.close()]);
    }
  });
});

/** A person on the SDK-only speaker view. */
interface SpeakerViewPage {
  context: BrowserContext;
  page: Page;
  name: string;
}

/** The tiles the speaker view shows: whose, where, and whether its video presents frames. */
function speakerViewTiles(page: Page) {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('.tile')].map((tile) => {
      const video = tile.querySelector('video')!;
      return {
        caption: tile.querySelector('figcaption')!.textContent ?? '',
        place: tile.parentElement!.id,
        framesPresented: video.getVideoPlaybackQuality().totalVideoFrames,
        videoWidth: video.videoWidth,
      };
    }),
  );
}

describe('examples/sdk-custom-layout: a speaker view on @parley/sdk alone', () => {
  let outDir: string;
  let site: ExampleSite;
  const people: SpeakerViewPage[] = [];

  before(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'parley-sdk-example-'));
    site = await buildAndServe('sdk-custom-layout', harness.parley.url, outDir);
  });

  after(async () => {
    await site?.close();
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  async function joinAs(name: string, code: string): Promise<SpeakerViewPage> {
    const context = await harness.browser.newContext({ viewport: { width: 1280, height: 720 } });
    const page = await context.newPage();
    page.on('pageerror', (error) => console.error(`[${name}] page error:`, error));
    await page.goto(`${site.url}/?${new URLSearchParams({ code, name })}`);
    await page.getByRole('button', { name: 'Join' }).click();
    await page.locator('#meeting').waitFor({ state: 'visible', timeout: 20_000 });
    return { context, page, name };
  }

  test("two people see each other's video in their own layout: one on stage, the rest in the strip", async () => {
    const { code } = await createMeeting(harness.parley.url);
    people.push(await joinAs('Ada', code), await joinAs('Bob', code));
    for (const { page, name } of people) {
      const other = people.find((person) => person.name !== name)!.name;
      await page.waitForFunction(
        (other) =>
          [...document.querySelectorAll('.tile')].some(
            (tile) =>
              tile.querySelector('figcaption')!.textContent!.startsWith(other) &&
              tile.querySelector('video')!.getVideoPlaybackQuality().totalVideoFrames > 0,
          ),
        other,
        { timeout: 30_000, polling: 200 },
      );
      const tiles = await speakerViewTiles(page);
      assert.deepEqual(tiles.map((tile) => tile.place).sort(), ['stage', 'strip'], `${name}: one tile on stage, one in the strip`);
      const remote = tiles.find((tile) => tile.caption.startsWith(other))!;
      assert.ok(remote.videoWidth > 0, `${name} sees ${other}'s video`);
    }
  });

  test('its noise suppression box is on once joined (assets from the Parley server) and turns it off', async () => {
    const [ada] = people as [SpeakerViewPage];
    const box = ada.page.getByRole('checkbox', { name: 'Noise suppression' });
    await ada.page.waitForFunction(() => document.querySelector<HTMLInputElement>('#noise-suppression')!.checked, null, { timeout: 10_000 });
    assert.equal(await ada.page.locator('#error').innerText(), '');
    await box.click();
    assert.equal(await box.isChecked(), false);
    assert.equal(await ada.page.evaluate(() => document.querySelector('#microphone')!.getAttribute('aria-pressed')), 'true');
  });

  test("its own microphone button mutes, and the other's layout redraws from the snapshot", async () => {
    const [ada, bob] = people as [SpeakerViewPage, SpeakerViewPage];
    await ada.page.getByRole('button', { name: 'Microphone' }).click();
    await ada.page.waitForSelector('#microphone[aria-pressed="false"]');
    await bob.page.waitForFunction(
      () => [...document.querySelectorAll('figcaption')].some((caption) => caption.textContent === 'Ada 🔇'),
      null,
      { timeout: 10_000 },
    );
  });

  test('Leave leaves: the join form is back, and the other sees only themselves', async () => {
    const [ada, bob] = people as [SpeakerViewPage, SpeakerViewPage];
    await ada.page.getByRole('button', { name: 'Leave' }).click();
    await ada.page.locator('#join-form').waitFor({ state: 'visible' });
    assert.equal(await ada.page.locator('#status').innerText(), 'You left the meeting.');
    await bob.page.waitForFunction(() => document.querySelectorAll('.tile').length === 1, null, { timeout: 10_000 });
    await Promise.all(people.map(({ context }) => context.close()));
  });

  test('a join that fails says why, from the error code', async () => {
    const context = await harness.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${site.url}/?code=zzzz-zzzz-zzzz&name=Eve`);
    await page.getByRole('button', { name: 'Join' }).click();
    await page.waitForFunction(() => document.querySelector('#error')!.textContent !== '', null, { timeout: 10_000 });
    assert.equal(await page.locator('#error').innerText(), 'There is no meeting with this code, or it has ended.');
    await context.close();
  });
});

describe('examples/backend: meetings created and participants vouched for by your backend', () => {
  const secret = randomBytes(32).toString('base64url');
  const createMeetingKey = randomBytes(32).toString('base64url');
  /** A Parley server of its own, that admits only people with a token, and creates meetings only for the backend. */
  let verifyingParley: RunningServer;
  let backend: ChildProcess;
  let backendUrl: string;

  before(async () => {
    verifyingParley = await startParley({ AUTH_TOKEN_SECRET: secret, CREATE_MEETING_KEY: createMeetingKey });
    backend = spawn(process.execPath, [join(exampleFolder('backend'), 'server.js')], {
      env: {
        ...process.env,
        PARLEY_URL: verifyingParley.url,
        PARLEY_TOKEN_SECRET: secret,
        PARLEY_CREATE_MEETING_KEY: createMeetingKey,
        HOST: '127.0.0.1',
        PORT: '0',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    for await (const line of createInterface({ input: backend.stdout! })) {
      const announced = /^Backend on (\S+),/.exec(line);
      if (announced) {
        backendUrl = announced[1]!;
        break;
      }
    }
    assert.ok(backendUrl, 'the backend announced its address');
  });

  after(async () => {
    if (backend && backend.exitCode === null) {
      backend.kill();
      await once(backend, 'exit');
    }
    await verifyingParley?.close();
  });

  test("its creator joins as host, a guest joins by the link, and they see and hear each other", async () => {
    const ada = await MeetingPage.openUrl(harness.browser, `${backendUrl}/`, 'Ada', {
      join: async (page) => {
        await page.fill('input[name="name"]', 'Ada');
        await Promise.all([page.waitForURL(/\/meetings\/[\w-]+\?/), page.click('button')]);
      },
    });
    const code = new URL(ada.page.url()).pathname.split('/').at(-1)!;
    const bob = await MeetingPage.openUrl(harness.browser, `${backendUrl}/meetings/${code}`, 'Bob', {
      join: async (page) => {
        await page.fill('input[name="name"]', 'Bob');
        await Promise.all([page.waitForURL(/name=Bob/), page.click('button')]);
      },
    });
    await assertTiles([ada, bob]);
    await assertEveryoneReceivesEveryone([ada, bob]);
    const roles = await Promise.all(
      [ada, bob].map((person) => person.evaluateRoom((meeting) => [meeting.room!.localParticipant.name, meeting.room!.localParticipant.isHost])),
    );
    assert.deepEqual(roles, [['Ada', true], ['Bob', false]]);
    await Promise.all([ada.close(), bob.close()]);

    // The server turns away a page that embeds the meeting without a token from the backend.
    const embedder = await startEmbedder(verifyingParley.url);
    const context = await harness.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${embedder.url}/?${new URLSearchParams({ code, name: 'Eve' })}`);
    await waitForText(page, '[part~="status"]', 'This site did not vouch for you to join this meeting.');
    await context.close();
    await embedder.close();
  });
});
