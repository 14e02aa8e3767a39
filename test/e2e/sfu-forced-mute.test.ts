import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { io as connectClient } from 'socket.io-client';
import type { RunningServer } from '@parley/server';
import type { SfuMediaPath } from '@parley/protocol';
import { startJanus, type TestJanus } from '../../packages/server/test/support/janus-server.js';
import type { TestClient } from '../../packages/server/test/support/helpers.js';
import { launchChromium } from './support/browser.js';
import { startParley } from './support/servers.js';

const JANUS_CLIENT_DIR = join(import.meta.dirname, '../../packages/protocol/dist/janus');

/**
 * A page that loads the Janus client as a browser does (`window.WebSocket`), and publishes the fake camera and
 * microphone to a VideoRoom with a media path from the Parley server.
 */
async function startPage(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://page').pathname;
    if (path === '/') {
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      response.end(`<!doctype html><title>Janus publisher</title>
<script type="module">import * as janus from '/janus/index.js'; window.janus = janus;</script>`);
      return;
    }
    const file = /^\/janus\/([\w-]+\.js)$/.exec(path)?.[1];
    if (!file) return void response.writeHead(404).end();
    readFile(join(JANUS_CLIENT_DIR, file)).then(
      (body) => response.writeHead(200, { 'Content-Type': 'text/javascript' }).end(body),
      () => response.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** In the page: joins the room as `id` and publishes audio and video; Janus's events are kept in `window.events`. */
async function publish(page: Page, path: SfuMediaPath, id: string): Promise<{ audioMid: string }> {
  return page.evaluate(
    async ({ path, id }) => {
      type Events = { moderation?: string; mid?: string }[];
      const { JanusSession } = (window as unknown as { janus: typeof import('@parley/protocol/janus') }).janus;
      const events: Events = [];
      Object.assign(window, { events });
      const session = await JanusSession.connect({ url: path.janusUrl, token: path.token });
      const handle = await session.attach('janus.plugin.videoroom');
      handle.on('event', (data) => events.push(data as Events[number]));
      const up = new Promise<void>((resolve) => handle.on('webrtcup', resolve));
      await handle.request({ request: 'join', ptype: 'publisher', room: path.room, id, token: path.roomToken });
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
      const pc = new RTCPeerConnection();
      for (const track of stream.getTracks()) pc.addTrack(track, stream);
      pc.addEventListener('icecandidate', ({ candidate }) => void handle.trickle(candidate ? candidate.toJSON() : null));
      await pc.setLocalDescription(await pc.createOffer());
      const { jsep } = await handle.request({ request: 'configure', audio: true, video: true }, { type: 'offer', sdp: pc.localDescription!.sdp });
      await pc.setRemoteDescription(jsep!);
      await up;
      const audio = pc.getTransceivers().find((transceiver) => transceiver.sender.track?.kind === 'audio');
      return { audioMid: audio!.mid! };
    },
    { path, id },
  );
}

// A host's mute in SFU mode: Janus stops forwarding the participant's audio at once (VideoRoom `moderate`), until
// they turn their microphone on again themselves.
describe('SFU mode: forced mute', () => {
  let janus: TestJanus;
  let parley: RunningServer;
  let browser: Browser;
  let page: { url: string; close(): Promise<void> };
  const sockets: TestClient[] = [];

  before(async () => {
    janus = await startJanus();
    parley = await startParley({ MEDIA_MODE: 'sfu', JANUS_URL: janus.url, JANUS_TOKEN_SECRET: janus.tokenSecret, JANUS_ADMIN_KEY: janus.adminKey });
    page = await startPage();
    browser = await launchChromium();
  });
  after(async () => {
    for (const socket of sockets) socket.disconnect();
    await browser?.close();
    await page?.close();
    await parley?.close();
    await janus?.stop();
  });

  const join = async (code: string, name: string, hostKey?: string) => {
    const socket: TestClient = connectClient(parley.url, { transports: ['websocket'], reconnection: false, forceNew: true });
    sockets.push(socket);
    const result = await socket.emitWithAck('join-meeting', { code, name, hostKey, audio: true, video: true });
    assert.ok(result.ok && result.data.waiting !== true, JSON.stringify(result));
    return { socket, joined: result.data };
  };

  test("a host's mute moderates the participant's audio stream in Janus; their unmute lifts it", async () => {
    const { code, hostKey } = (await (await fetch(`${parley.url}/api/meetings`, { method: 'POST' })).json()) as { code: string; hostKey: string };
    const host = await join(code, 'Hana', hostKey);
    const guest = await join(code, 'Gus');
    const guestPage = await browser.newPage();
    await guestPage.goto(page.url);
    await guestPage.waitForFunction(() => 'janus' in window);
    const { audioMid } = await publish(guestPage, guest.joined.media as SfuMediaPath, guest.joined.self.id);

    assert.equal((await host.socket.emitWithAck('mute-participant', { participantId: guest.joined.self.id })).ok, true);
    const moderation = (state: string) =>
      guestPage.waitForFunction(
        ([mid, state]) => (window as unknown as { events: { moderation?: string; mid?: string }[] }).events.some((event) => event.moderation === state && event.mid === mid),
        [audioMid, state],
        { timeout: 10_000 },
      );
    await moderation('muted');

    assert.equal((await guest.socket.emitWithAck('media-state', { audio: true, video: true })).ok, true);
    await moderation('unmuted');
    await guestPage.close();
  });
});
