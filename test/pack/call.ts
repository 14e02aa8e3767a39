// The call part of test/pack/pack.test.ts, run inside `scripts/loopback-netns.sh` (loopback only):
//   node --import tsx test/pack/call.ts <app folder with the tarballs installed and dist/ built>
// Starts `npx parley-server` and `vite preview` from that folder on free ports of 127.0.0.1, creates a meeting with
// POST /api/meetings, and opens the built app twice in Chromium: one page with <meeting-room> (@parley/elements),
// one with its own view on `Room` (@parley/sdk). Exits 0 once each page has decoded video from the other, else 1.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { freePort } from '../../packages/server/test/support/redis-server.js';
import { launchChromium } from '../e2e/support/browser.js';
import { healthy, waitFor } from '../e2e/support/processes.js';
import { cleanEnv, start, stopAll } from './processes.js';

const app = process.argv[2];
if (!app) throw new Error('usage: call.ts <app folder>');

const server = `http://127.0.0.1:${await freePort()}`;
const preview = `http://127.0.0.1:${await freePort()}`;

/** Waits until `hasVideo` holds in `page`: the other participant's video shown (a size) and playing (frames presented). */
async function waitForRemoteVideo(page: Page, what: string, hasVideo: () => boolean): Promise<void> {
  await page.waitForFunction(hasVideo, undefined, { timeout: 60_000, polling: 100 }).catch((error: Error) => {
    throw new Error(`${what}: no video from the other page: ${error.message}`, { cause: error });
  });
}

const processes: ReturnType<typeof start>[] = [];
let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
try {
  // No ICE_SERVERS, TURN or Redis: the server hands out no STUN/TURN (host candidates only) and keeps meetings in memory.
  const env = cleanEnv({ HOST: '127.0.0.1', PORT: new URL(server).port, DATABASE_PATH: ':memory:', LOG_LEVEL: 'warn', LOG_FORMAT: 'json' });
  for (const name of ['ICE_SERVERS', 'TURN_URLS', 'TURN_SECRET', 'REDIS_URL', 'JANUS_URL', 'MEDIA_MODE', 'API_KEY', 'CREATE_MEETING_KEY', 'AUTH_TOKEN_SECRET', 'AUTH_JWKS_URL', 'WEBHOOK_URL']) {
    delete env[name];
  }
  // `--no`: run the installed bin, never fetch one.
  processes.push(start('npx', ['--no', 'parley-server'], { cwd: app, env }));
  await waitFor(() => healthy(server), `${server}/healthz`, 60_000).catch((error: Error) => {
    throw new Error(`${error.message}\n${processes[0]!.output()}`);
  });
  console.log(`npx parley-server answers ${server}/healthz`);

  const { port } = new URL(preview);
  processes.push(start('npx', ['--no', 'vite', 'preview', '--host', '127.0.0.1', '--port', port, '--strictPort'], { cwd: app }));
  await waitFor(async () => (await fetch(preview)).ok, `vite preview on ${preview}`, 60_000).catch((error: Error) => {
    throw new Error(`${error.message}\n${processes[1]!.output()}`);
  });

  const response = await fetch(`${server}/api/meetings`, { method: 'POST' });
  if (response.status !== 201) throw new Error(`POST /api/meetings answered ${response.status}`);
  const { code } = (await response.json()) as { code: string };

  browser = await launchChromium();
  const open = async (ui: string, name: string) => {
    const page = await (await browser!.newContext()).newPage();
    page.on('pageerror', (error) => console.error(`${name}: ${error.message}`));
    await page.goto(`${preview}/?${new URLSearchParams({ ui, server, code, name })}`);
    return page;
  };
  const elementsPage = await open('elements', 'Ada');
  const sdkPage = await open('sdk', 'Grace');

  await Promise.all([
    waitForRemoteVideo(elementsPage, '<meeting-room>', () => {
      const meeting = document.querySelector('meeting-room');
      const [remoteId] = meeting?.room?.participants.keys() ?? [];
      if (remoteId === undefined) return false;
      const grid = meeting!.shadowRoot?.querySelector('participant-grid');
      const tile = grid?.shadowRoot?.querySelector(`participant-tile[data-participant-id="${remoteId}"]`);
      const video = tile?.shadowRoot?.querySelector('video');
      return !!video && video.videoWidth > 0 && video.getVideoPlaybackQuality().totalVideoFrames > 0;
    }),
    waitForRemoteVideo(sdkPage, 'Room', () => {
      const video = document.querySelector<HTMLVideoElement>('video[data-participant-id]');
      return !!video && video.videoWidth > 0 && video.getVideoPlaybackQuality().totalVideoFrames > 0;
    }),
  ]);
  const [seenByElements, sdkStatus] = await Promise.all([
    elementsPage.evaluate(() => [...document.querySelector('meeting-room')!.room!.participants.values()].map((participant) => participant.name)),
    sdkPage.evaluate(() => (document.querySelector('status-line') as HTMLElement & { text: string }).text),
  ]);
  if (seenByElements.join() !== 'Grace') throw new Error(`<meeting-room> sees "${seenByElements.join()}", not Grace`);
  if (!sdkStatus.startsWith('In ')) throw new Error(`the SDK page says "${sdkStatus}", not that it is in the meeting`);
  console.log("each page decoded the other's video");

  // A meeting from the installed @parley/server/client, joined with @parley/protocol and socket.io-client as the
  // app's src/protocol.ts (the protocol README's example) uses them.
  const clientModule = pathToFileURL(createRequire(join(app, 'package.json')).resolve('@parley/server/client')).href;
  const { createApiClient } = (await import(clientModule)) as typeof import('@parley/server/client');
  const { code: otherCode, hostKey } = await createApiClient({ url: server }).createMeeting();
  const raw = (await import(join(app, 'src/protocol.ts'))) as typeof import('./app/src/protocol.js');
  const socket = raw.connect(server);
  try {
    const joined = await raw.join(socket, otherCode.toUpperCase(), 'Linus', hostKey);
    if (joined.self.name !== 'Linus' || !joined.self.isHost || joined.participants.length !== 0) throw new Error(`joined as ${JSON.stringify(joined.self)}`);
  } finally {
    socket.disconnect();
  }
  console.log('a typed Socket.IO client on @parley/protocol joined a meeting');
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await browser?.close();
  await stopAll();
}
