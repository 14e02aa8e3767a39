import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { io as connectClient } from 'socket.io-client';
import { MEETING_CODE_ALPHABET, normalizeMeetingCode } from '@parley/protocol';
import { generateMeetingCode, type RunningServer } from '../index.js';
import { createMeeting, startTestServer } from '../../test/support/helpers.js';

const CODE_SHAPE = new RegExp(`^[${MEETING_CODE_ALPHABET}]{4}-[${MEETING_CODE_ALPHABET}]{4}-[${MEETING_CODE_ALPHABET}]{4}$`);

describe('HTTP API and pages', () => {
  let server: RunningServer;
  before(async () => {
    server = await startTestServer({ ALLOWED_ORIGINS: 'https://embedder.example' });
  });
  after(() => server.close());

  test('POST /api/meetings creates a meeting with a code, a host key and an expiry', async () => {
    const before = Date.now();
    const response = await fetch(`${server.url}/api/meetings`, { method: 'POST' });
    assert.equal(response.status, 201);
    const body = (await response.json()) as Record<string, string>;
    assert.deepEqual(Object.keys(body).sort(), ['code', 'expiresAt', 'hostKey']);
    assert.match(body.code!, CODE_SHAPE);
    assert.ok(body.hostKey!.length >= 32, 'host key has at least 192 bits');
    assert.ok(Date.parse(body.expiresAt!) > before, 'expiresAt is an ISO date in the future');
    assert.equal(new Date(body.expiresAt!).toISOString(), body.expiresAt);
  });

  test('the API answers CORS only for allowed origins', async () => {
    const allowed = await fetch(`${server.url}/api/meetings`, {
      method: 'POST',
      headers: { Origin: 'https://embedder.example' },
    });
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://embedder.example');
    const other = await fetch(`${server.url}/api/meetings`, { method: 'POST', headers: { Origin: 'https://evil.example' } });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
  });

  test('sockets from pages on other origins are refused; allowed origins and non-browser clients connect', async () => {
    const attempt = (origin?: string) =>
      new Promise<string>((resolve) => {
        const socket = connectClient(server.url, {
          transports: ['websocket'],
          reconnection: false,
          forceNew: true,
          extraHeaders: origin ? { Origin: origin } : {},
        });
        socket.once('connect', () => {
          socket.disconnect();
          resolve('connected');
        });
        socket.once('connect_error', () => {
          socket.disconnect();
          resolve('refused');
        });
      });
    assert.equal(await attempt('https://evil.example'), 'refused');
    assert.equal(await attempt('https://embedder.example'), 'connected');
    assert.equal(await attempt(), 'connected');
  });

  test('/parley.js is an ES module any origin may load', async () => {
    const response = await fetch(`${server.url}/parley.js`, { headers: { Origin: 'https://anywhere.example' } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
    assert.match(response.headers.get('content-type') ?? '', /^text\/javascript/);
    const source = await response.text();
    // `<meeting-room>` is defined through the elements' `define(tag, element)` helper, which calls customElements.define.
    assert.match(source, /customElements\.define\(/);
    assert.match(source, /\w+\(\s*"meeting-room"\s*,\s*\w+\s*\)/);
  });

  test("noise suppression's worklet and wasm are served from /rnnoise/, to any origin, cached for a week", async () => {
    const wasm = await fetch(`${server.url}/rnnoise/rnnoise.wasm`, { headers: { Origin: 'https://anywhere.example' } });
    assert.equal(wasm.status, 200);
    assert.equal(wasm.headers.get('content-type'), 'application/wasm');
    assert.equal(wasm.headers.get('access-control-allow-origin'), '*');
    assert.equal(wasm.headers.get('cross-origin-resource-policy'), 'cross-origin');
    assert.equal(wasm.headers.get('cache-control'), 'public, max-age=604800');
    assert.ok(wasm.headers.get('etag'), 'revalidated after a week');
    // A module browsers compile: the exports the worklet uses are there.
    const exported = WebAssembly.Module.exports(await WebAssembly.compile(await wasm.arrayBuffer())).map(({ name }) => name);
    assert.deepEqual(exported, ['c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k']);

    const worklet = await fetch(`${server.url}/rnnoise/rnnoise-worklet.js`, { headers: { Origin: 'https://anywhere.example' } });
    assert.equal(worklet.status, 200);
    assert.match(worklet.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.equal(worklet.headers.get('access-control-allow-origin'), '*');
    assert.equal(worklet.headers.get('cache-control'), 'public, max-age=604800');
    assert.match(await worklet.text(), /registerProcessor\("parley-rnnoise"/);
  });

  test('the landing page offers a new meeting and joining by code', async () => {
    const html = await (await fetch(server.url)).text();
    assert.match(html, /id="new-meeting"/);
    assert.match(html, /<form id="join"/);
  });

  test('the meeting page holds <meeting-room> for a canonical code and redirects typed variants', async () => {
    const { code } = await createMeeting(server);
    const page = await fetch(`${server.url}/m/${code}`);
    assert.equal(page.status, 200);
    // Its end screens lead back to the start page.
    assert.match(await page.text(), new RegExp(`<meeting-room code="${code}" exit-url="/">`));

    const typed = code.toUpperCase().replaceAll('-', ' ').replaceAll('1', 'l').replaceAll('0', 'O');
    const redirect = await fetch(`${server.url}/m?code=${encodeURIComponent(typed)}`, { redirect: 'manual' });
    assert.equal(redirect.status, 303);
    assert.equal(redirect.headers.get('location'), `/m/${code}`);

    const notACode = await fetch(`${server.url}/m/hello`);
    assert.equal(notACode.status, 404);
  });

  test("the pages' language: ?lang= first (kept through redirects), then Accept-Language, then English", async () => {
    const { code } = await createMeeting(server);
    const langOf = async (path: string, acceptLanguage?: string) => {
      const response = await fetch(`${server.url}${path}`, { headers: acceptLanguage ? { 'Accept-Language': acceptLanguage } : {} });
      assert.match(response.headers.get('vary') ?? '', /Accept-Language/, 'caches keep each language apart');
      return /<html lang="([a-z]+)">/.exec(await response.text())?.[1];
    };
    assert.equal(await langOf('/', 'es-MX,es;q=0.9,en;q=0.5'), 'es');
    assert.equal(await langOf('/', 'ja, fr;q=0.3'), 'fr');
    assert.equal(await langOf('/', 'ja'), 'en');
    assert.equal(await langOf('/'), 'en');
    assert.equal(await langOf('/?lang=de-AT', 'fr'), 'de');
    assert.equal(await langOf('/?lang=xx', 'fr'), 'fr');
    assert.equal(await langOf(`/m/${code}?lang=es`, 'de'), 'es');
    assert.equal(await langOf('/m/hello', 'de'), 'de', 'the not-found page too');

    const typed = await fetch(`${server.url}/m?code=${code.toUpperCase()}&lang=fr`, { redirect: 'manual' });
    assert.equal(typed.headers.get('location'), `/m/${code}?lang=fr`);
    const variant = await fetch(`${server.url}/m/${code.toUpperCase()}?lang=fr`, { redirect: 'manual' });
    assert.equal(variant.status, 301);
    assert.equal(variant.headers.get('location'), `/m/${code}?lang=fr`);
  });

  test('/healthz and /metrics answer', async () => {
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /^parley_meetings_created_total \d+$/m);
    assert.match(metrics, /^parley_participants 0$/m);
    assert.match(metrics, /nodejs_eventloop_lag_seconds/);
  });
});

describe('meeting codes', () => {
  test('are 12 symbols of the 32-symbol alphabet: 60 bits, no look-alikes', () => {
    assert.equal(MEETING_CODE_ALPHABET.length, 32);
    assert.doesNotMatch(MEETING_CODE_ALPHABET, /[ilou]/);
    const codes = new Set(Array.from({ length: 2000 }, generateMeetingCode));
    assert.equal(codes.size, 2000);
    for (const code of codes) assert.match(code, CODE_SHAPE);
    // Every symbol shows up: the generator covers the whole alphabet.
    const used = new Set([...codes].join('').replaceAll('-', ''));
    assert.equal(used.size, 32);
  });

  test('are read case-insensitively, with separators optional and look-alikes mapped', () => {
    assert.equal(normalizeMeetingCode('ABCD-EFGH-JKMN'), 'abcd-efgh-jkmn');
    assert.equal(normalizeMeetingCode(' abcd efgh jkmn '), 'abcd-efgh-jkmn');
    assert.equal(normalizeMeetingCode('abcdefghjkmn'), 'abcd-efgh-jkmn');
    assert.equal(normalizeMeetingCode('Il0O-0000-0000'), '1100-0000-0000');
    assert.equal(normalizeMeetingCode('abcd-efgh-jkm'), null);
    assert.equal(normalizeMeetingCode('abcd-efgh-jkmu'), null);
    assert.equal(normalizeMeetingCode('abcd-efgh-jkm!'), null);
  });
});
