// Meetings on a page of another origin, as the docs show them: the README's `<meeting-room>` page
// (pages/embed.html) and troubleshooting.md's iframe (pages/iframe-embed.html), whose `allow` attribute delegates
// camera and microphone. ALLOWED_ORIGINS lets that origin open sockets and frame the meeting page.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { Browser, Frame } from 'playwright-core';
import type { RunningServer } from '@parley/server';
import { launchChromium } from './support/browser.js';
import { createMeeting, startParley } from './support/servers.js';

const EXAMPLE_SERVER = 'https://meet.example.com';
const EXAMPLE_CODE = 'abcd-efgh-jkmn';
const pages: Record<string, string> = {
  '/embed.html': await readFile(new URL('pages/embed.html', import.meta.url), 'utf8'),
  '/iframe-embed.html': await readFile(new URL('pages/iframe-embed.html', import.meta.url), 'utf8'),
};

let site: Server;
let siteUrl: string;
let parley: RunningServer;
let browser: Browser;

/** A port free on 127.0.0.1 now: Parley's own origin must be known before it starts, to list it. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

before(async () => {
  const parleyPort = await freePort();
  const parleyUrl = `http://127.0.0.1:${parleyPort}`;
  // `/<page>?code=…`: the page with the example server and meeting code replaced by the real ones.
  site = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://site');
    const page = pages[url.pathname];
    if (!page) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    response.end(page.replaceAll(EXAMPLE_SERVER, parleyUrl).replaceAll(EXAMPLE_CODE, url.searchParams.get('code') ?? ''));
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  // The site, and Parley's own origin: the framed meeting page's socket comes from it.
  parley = await startParley({ PORT: String(parleyPort), ALLOWED_ORIGINS: `${siteUrl},${parleyUrl}` });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await parley?.close();
  await new Promise((resolve) => site?.close(resolve));
});

test('the README page joins, and a meeting in a cross-origin iframe with the allow attribute shows its video', async () => {
  const { code } = await createMeeting(parley.url);

  const bobContext = await browser.newContext();
  const bob = await bobContext.newPage();
  const bobLog: string[] = [];
  bob.on('console', (message) => bobLog.push(message.text()));
  await bob.goto(`${siteUrl}/embed.html?code=${code}`);
  await bob.waitForFunction(() => document.querySelector('meeting-room')?.room?.state === 'joined', null, { timeout: 20_000 });
  const bobId = await bob.evaluate(() => document.querySelector('meeting-room')!.room!.localParticipant.id);

  const adaContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const ada = await adaContext.newPage();
  await ada.goto(`${siteUrl}/iframe-embed.html?code=${code}`);
  const meeting = ada.frameLocator('iframe');
  await meeting.locator('meeting-room >> input[name=name]').fill('Ada');
  await meeting.locator('meeting-room >> button[type=submit]').click();

  const meetingUrl = `${parley.url}/m/${code}`;
  const frame: Frame | undefined = ada.frames().find((candidate) => candidate.url() === meetingUrl);
  assert.ok(frame, `no frame at ${meetingUrl}: ${ada.frames().map((candidate) => candidate.url()).join(', ')}`);
  await frame.waitForFunction(() => document.querySelector('meeting-room')?.room?.state === 'joined', null, { timeout: 20_000 });
  const camera = await frame.evaluate(() => document.querySelector('meeting-room')!.room!.localParticipant.videoEnabled);
  assert.equal(camera, true, 'the allow attribute delegated the camera to the framed meeting');

  await frame.waitForFunction(
    (id) => {
      const grid = document.querySelector('meeting-room')!.shadowRoot!.querySelector('participant-grid');
      const video = grid?.shadowRoot?.querySelector(`participant-tile[data-participant-id="${id}"]`)?.shadowRoot?.querySelector('video');
      return !!video && video.videoWidth > 0 && video.getVideoPlaybackQuality().totalVideoFrames > 0;
    },
    bobId,
    { timeout: 30_000 },
  );
  // The README's listener heard Ada arrive.
  await bob.waitForFunction(() => document.querySelector('meeting-room')!.room!.participants.size === 1);
  assert.ok(bobLog.includes('Ada joined'), `Bob's console: ${bobLog.join(' | ')}`);
  await Promise.all([adaContext.close(), bobContext.close()]);
});
