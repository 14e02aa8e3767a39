// The README's embed snippet, exactly as a new user pastes it: the first ```html block of README.md, read at test
// time and served byte for byte, both as a whole page (quirks mode) and after a bare HTML5 skeleton (standards mode,
// where today's bug showed), never with CSS. Its `https://meet.example.com` is this test's Parley server: Chromium
// resolves that name to it (--host-resolver-rules) and trusts only its throwaway certificate, and the meeting with
// the snippet's code is put in the server's store. No byte of the snippet changes.
import assert from 'node:assert/strict';
import { createHash, createPublicKey } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { generate } from 'selfsigned';
import type { RunningServer } from '@parley/server';
import { CHROMIUM_ARGS, launchChromium } from './support/browser.js';
import { screenshot } from './support/screenshots.js';
import { startEmbedder, startParley, type Embedder } from './support/servers.js';

/** The first ```html code block of the README, as it stands there. */
function firstHtmlBlock(markdown: string): string {
  const block = /^```html\n([\s\S]*?)^```$/m.exec(markdown);
  assert.ok(block, 'README.md has an html code block');
  return block[1]!;
}

const snippet = firstHtmlBlock(await readFile(new URL('../../README.md', import.meta.url), 'utf8'));
const snippetOrigin = new URL(/<script type="module" src="([^"]+)"/.exec(snippet)![1]!).origin;
const snippetCode = /<meeting-room code="([^"]+)"/.exec(snippet)![1]!;

/** The snippet as the whole page (quirks mode), and after a bare HTML5 skeleton (standards mode); neither styles it. */
const barePages = {
  '/': snippet,
  '/standard': `<!doctype html>\n<html lang="en">\n<meta charset="utf-8">\n<title>A page of its own</title>\n${snippet}`,
};

/** Meetings sized by the page's CSS, as docs/embedding.md shows; the first joins the snippet's meeting. */
const sizedPage = await readFile(new URL('pages/sized.html', import.meta.url), 'utf8');

let certificates: string;
let parley: RunningServer;
/** The site whose pages hold the meeting: `barePages`, and `/sized`, meetings the page's own CSS sizes. */
let site: Server;
let siteUrl: string;
let ada: Embedder;
let browser: Browser;

before(async () => {
  const { hostname } = new URL(snippetOrigin);
  const pems = await generate([{ name: 'commonName', value: hostname }], {
    keyType: 'ec',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: hostname }] }],
  });
  certificates = await mkdtemp(join(tmpdir(), 'parley-readme-'));
  await writeFile(join(certificates, 'cert.pem'), pems.cert);
  await writeFile(join(certificates, 'key.pem'), pems.private);
  parley = await startParley({ TLS_CERT: join(certificates, 'cert.pem'), TLS_KEY: join(certificates, 'key.pem') });
  const now = new Date();
  await parley.meetings.store.create({
    code: snippetCode,
    hostKeyHash: createHash('sha256').update('nobody hosts this meeting').digest('hex'),
    createdAt: now,
    expiresAt: new Date(now.getTime() + 60 * 60_000),
    endedAt: null,
    occupied: false,
    locked: false,
    settings: {},
  });

  site = createServer((request, response) => {
    const page = barePages[request.url as keyof typeof barePages] ?? (request.url === '/sized' ? sizedPage : null);
    if (page === null) response.writeHead(404).end();
    else response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(page);
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  // Ada joins from a page of her own, loading parley.js from the same name.
  ada = await startEmbedder(snippetOrigin);

  // Only the snippet's host name goes to the local server, and only its certificate is trusted.
  const spki = createPublicKey(pems.cert).export({ type: 'spki', format: 'der' });
  browser = await launchChromium([
    ...CHROMIUM_ARGS,
    `--host-resolver-rules=MAP ${hostname}:443 127.0.0.1:${new URL(parley.url).port}`,
    `--ignore-certificate-errors-spki-list=${createHash('sha256').update(spki).digest('base64')}`,
  ]);
});

after(async () => {
  await browser?.close();
  await ada?.close();
  await new Promise((resolve) => site?.close(resolve));
  await parley?.close();
  if (certificates) await rm(certificates, { recursive: true, force: true });
});

/** The first `<meeting-room>`'s box, its controls' box and its remote tile's video, in page pixels. */
function measure(page: Page) {
  return page.evaluate(() => {
    const element = document.querySelector('meeting-room')!;
    const grid = element.shadowRoot!.querySelector('participant-grid');
    const video = grid?.shadowRoot?.querySelector('participant-tile:not([local])')?.shadowRoot?.querySelector('video');
    const [room, controls, remote] = [element, element.shadowRoot!.querySelector('meeting-controls'), video].map((target) =>
      target ? JSON.parse(JSON.stringify(target.getBoundingClientRect())) as DOMRect : null,
    );
    return { element: room!, controls, video: remote, frames: video?.getVideoPlaybackQuality().totalVideoFrames ?? 0, viewportHeight: innerHeight };
  });
}

test('the README snippet on a page of its own shows the other person at least 240 px tall, and page CSS still sizes it', async () => {
  const adaContext = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const adaPage = await adaContext.newPage();
  await adaPage.goto(`${ada.url}/?code=${snippetCode}&name=Ada`);
  await adaPage.waitForFunction(() => document.querySelector('meeting-room')?.room?.state === 'joined', null, { timeout: 20_000 });

  for (const path of ['/standard', '/']) {
    const bobContext = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    const bob = await bobContext.newPage();
    const served = await (await bob.goto(`${siteUrl}${path}`))!.text();
    assert.ok(served.endsWith(snippet) && !/style/i.test(served.slice(0, -snippet.length)), `${path} is the snippet, unstyled`);
    await bob.waitForFunction(() => document.querySelector('meeting-room')?.room?.state === 'joined', null, { timeout: 20_000 });
    // Ada's picture decodes and keeps moving in Bob's grid.
    await bob.waitForFunction(
      () => {
        const grid = document.querySelector('meeting-room')!.shadowRoot!.querySelector('participant-grid');
        const video = grid?.shadowRoot?.querySelector('participant-tile:not([local])')?.shadowRoot?.querySelector('video');
        return (video?.getVideoPlaybackQuality().totalVideoFrames ?? 0) > 0;
      },
      null,
      { timeout: 30_000 },
    );
    const first = await measure(bob);
    await bob.waitForTimeout(1500);
    const bare = await measure(bob);
    const seen = `${path}: ${JSON.stringify(bare)}`;
    assert.ok(bare.frames > first.frames, `${path}: Ada's video stopped at ${first.frames} frames`);
    assert.ok(bare.video && bare.video.height >= 240, `Ada's video is ${bare.video?.height} px tall on ${seen}`);
    // The controls are inside the element, and the whole meeting fits the window.
    assert.ok(bare.controls && bare.controls.bottom <= bare.element.bottom + 0.5, `controls outside the element on ${seen}`);
    assert.ok(bare.element.bottom <= bare.viewportHeight, `the meeting runs past the window on ${seen}`);
    if (path === '/standard') {
      await screenshot(bob, 'readme-snippet');
      // In a narrow column of a desktop page (a sidebar, a card), still with no CSS on the element: 240 px of video.
      await bob.evaluate(() => (document.body.style.width = '500px'));
      await bob.waitForTimeout(500);
      const narrow = await measure(bob);
      await screenshot(bob, 'readme-snippet-narrow');
      const seenNarrow = `a 500 px column: ${JSON.stringify(narrow)}`;
      assert.equal(narrow.element.width, 500, seenNarrow);
      assert.ok(narrow.video && narrow.video.height >= 240, `Ada's video is ${narrow.video?.height} px tall in ${seenNarrow}`);
      assert.ok(narrow.controls && narrow.controls.bottom <= narrow.element.bottom + 0.5, `controls outside the element in ${seenNarrow}`);
      assert.ok(narrow.element.bottom <= narrow.viewportHeight, `the meeting runs past the window in ${seenNarrow}`);
    }
    await bobContext.close();
  }

  // A page's own CSS wins, as docs/embedding.md shows: a height (here below the default minimum), a ratio, the window.
  const styledContext = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const styled = await styledContext.newPage();
  await styled.goto(`${siteUrl}/sized`);
  await styled.waitForFunction(() => document.querySelector('meeting-room')?.room?.state === 'joined', null, { timeout: 20_000 });
  const box = await measure(styled);
  assert.ok(box.controls && box.controls.bottom <= box.element.bottom + 0.5, `controls outside the box: ${JSON.stringify(box)}`);
  const sizes = await styled.evaluate(() =>
    [...document.querySelectorAll('meeting-room')].map((element) => {
      const { width, height } = element.getBoundingClientRect();
      return `${element.className} ${width}×${height}`;
    }),
  );
  assert.deepEqual(sizes, ['box 640×240', 'ratio 480×360', 'window 1264×720']);
  await Promise.all([adaContext.close(), styledContext.close()]);
});
