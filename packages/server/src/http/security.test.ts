import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { after, describe, test } from 'node:test';
import { generate } from 'selfsigned';
import { io as connectClient } from 'socket.io-client';
import { turnRestCredentials } from '../../../../test/e2e/support/turn-server.js';
import { turnCredentials } from '../index.js';
import { createMeeting, join, useTestServer, withTestServer, type TestClient } from '../../test/support/helpers.js';

describe('security headers', () => {
  const suite = useTestServer();

  test('pages run their own inline scripts by a fresh nonce, and nothing else inline', async () => {
    const nonces = new Set<string>();
    for (const path of ['/', '/m/abcd-efgh-jkmn', '/']) {
      const response = await fetch(`${suite.server.url}${path}`);
      const csp = response.headers.get('content-security-policy') ?? '';
      const nonce = /script-src 'self' 'nonce-([^']+)'/.exec(csp)?.[1];
      assert.ok(nonce, csp);
      nonces.add(nonce);
      const html = await response.text();
      const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)([^>]*)>/g)];
      assert.ok(inline.length > 0);
      for (const [, attributes] of inline) assert.match(attributes!, new RegExp(`nonce="${nonce.replace(/[+/]/g, '\\$&')}"`));
      // Noise suppression compiles RNNoise's WebAssembly; nothing else may be evaluated.
      assert.match(csp, /script-src 'self' 'nonce-[^']+' 'wasm-unsafe-eval';/);
      assert.ok(!csp.includes("'unsafe-eval'"), csp);
      for (const directive of ["default-src 'self'", "object-src 'none'", "script-src-attr 'none'", "base-uri 'self'", "form-action 'self'", "connect-src 'self'", 'frame-ancestors *']) {
        assert.ok(csp.includes(directive), `${directive} in ${csp}`);
      }
      assert.ok(!csp.includes('upgrade-insecure-requests'), 'no upgrade over plain HTTP');
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(response.headers.get('x-frame-options'), null, 'frame-ancestors decides');
      assert.equal(response.headers.get('strict-transport-security'), null, 'no HSTS over plain HTTP');
      assert.equal(response.headers.get('cross-origin-resource-policy'), 'same-origin');
    }
    assert.equal(nonces.size, 3, 'a new nonce every time');
  });

  test('/parley.js stays loadable from any origin, cross-origin-isolated pages included', async () => {
    const response = await fetch(`${suite.server.url}/parley.js`, { headers: { Origin: 'https://anywhere.example' } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
    assert.equal(response.headers.get('cross-origin-resource-policy'), 'cross-origin');
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
  });

  test("background blur's MediaPipe files are served to any origin with their types, and nothing else from that folder", async () => {
    const expected = {
      'selfie_segmentation.js': 'text/javascript; charset=utf-8',
      'selfie_segmentation_solution_simd_wasm_bin.wasm': 'application/wasm',
      'selfie_segmentation.tflite': 'application/octet-stream',
    };
    for (const [file, type] of Object.entries(expected)) {
      const response = await fetch(`${suite.server.url}/parley-assets/selfie-segmentation/${file}`, { headers: { Origin: 'https://anywhere.example' } });
      assert.equal(response.status, 200, file);
      assert.equal(response.headers.get('content-type'), type);
      assert.equal(response.headers.get('access-control-allow-origin'), '*');
      assert.equal(response.headers.get('cross-origin-resource-policy'), 'cross-origin');
      assert.ok((await response.arrayBuffer()).byteLength > 0);
    }
    for (const file of ['package.json', 'README.md', '..%2Fpackage.json']) {
      assert.equal((await fetch(`${suite.server.url}/parley-assets/selfie-segmentation/${file}`)).status, 404, file);
    }
  });

  test("the pages' CSP lets them compile WebAssembly (segmentation), not eval", async () => {
    const csp = (await fetch(`${suite.server.url}/`)).headers.get('content-security-policy') ?? '';
    assert.ok(csp.includes("'wasm-unsafe-eval'"), csp);
    assert.ok(!csp.includes("'unsafe-eval'"), csp);
  });

  test('/readyz says ready while storage answers', async () => {
    const response = await fetch(`${suite.server.url}/readyz`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: 'ready' });
  });

  test('with ALLOWED_ORIGINS, only those origins may frame the pages', () =>
    withTestServer({ ALLOWED_ORIGINS: 'https://embedder.example' }, async (server) => {
      const csp = (await fetch(server.url)).headers.get('content-security-policy') ?? '';
      assert.ok(csp.includes("frame-ancestors 'self' https://embedder.example"), csp);
    }));
});

describe('TLS', () => {
  const dir = mkdtempSync(joinPath(tmpdir(), 'parley-tls-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('TLS_CERT + TLS_KEY serve HTTPS and WSS (a self-signed certificate made here)', async () => {
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
      keyType: 'ec',
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] }],
    });
    const certPath = joinPath(dir, 'cert.pem');
    const keyPath = joinPath(dir, 'key.pem');
    writeFileSync(certPath, pems.cert);
    writeFileSync(keyPath, pems.private);

    await withTestServer({ TLS_CERT: certPath, TLS_KEY: keyPath }, async (server) => {
      assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      const fetchTls = (path: string, method = 'GET') =>
        new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
          const request = httpsRequest(`${server.url}${path}`, { method, ca: pems.cert }, (response) => {
            let body = '';
            response.on('data', (chunk) => (body += chunk));
            response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body }));
          });
          request.on('error', reject);
          request.end();
        });
      const page = await fetchTls('/');
      assert.equal(page.status, 200);
      assert.match(String(page.headers['strict-transport-security']), /max-age=\d+/);
      assert.match(String(page.headers['content-security-policy']), /upgrade-insecure-requests/);
      const created = await fetchTls('/api/meetings', 'POST');
      assert.equal(created.status, 201);
      const { code } = JSON.parse(created.body) as { code: string };

      // WSS, verified against the certificate (no rejectUnauthorized: false anywhere).
      const socket: TestClient = connectClient(server.url, { transports: ['websocket'], reconnection: false, forceNew: true, ca: pems.cert });
      await once(socket as never, 'connect');
      assert.equal((await join(socket, code, 'Ada')).meeting.code, code);
      socket.disconnect();

      // Plain HTTP on the same port gets nowhere.
      const plain = await new Promise<string>((resolve) => {
        const request = httpGet(server.url.replace('https:', 'http:') + '/healthz', (response) => resolve(`answered ${response.statusCode}`));
        request.on('error', (error) => resolve(`refused: ${error.message}`));
      });
      assert.match(plain, /refused/);
    });
  });
});

describe('TURN REST credentials', () => {
  test('username <expiry>:<user>, credential base64(HMAC-SHA1(secret, username))', () => {
    assert.deepEqual(turnCredentials('north', 'alice', 3600, 1_700_000_000_000), {
      username: '1700003600:alice',
      credential: 'wjwSXO2ch1B6VaLTLMy2Avn5O9o=', // openssl dgst -sha1 -hmac north -binary | base64
    });
    // The same as the test harness's minting, which coturn's use-auth-secret accepts in the e2e tests.
    const now = Date.now();
    assert.deepEqual(turnCredentials('s3cret', 'p-1', 600, now), turnRestCredentials('s3cret', 'p-1', 600, now));
  });

  const suite = useTestServer({
    ICE_SERVERS: '[{"urls":"stun:stun.example:3478"}]',
    TURN_URLS: 'turn:turn.example:3478?transport=udp,turns:turn.example:5349',
    TURN_SECRET: 'shared-with-coturn',
    TURN_TTL_S: '900',
  });

  test('every join and resume ack carries fresh credentials of the participant’s own, valid for TURN_TTL_S', async () => {
    const meeting = await createMeeting(suite.server);
    const ada = await suite.client();
    const before = Math.floor(Date.now() / 1000);
    const joined = await join(ada, meeting.code, 'Ada');
    const [stun, turn] = joined.iceServers;
    assert.deepEqual(stun, { urls: 'stun:stun.example:3478' });
    assert.deepEqual(turn!.urls, ['turn:turn.example:3478?transport=udp', 'turns:turn.example:5349']);
    const [expiry, user] = turn!.username!.split(':');
    assert.equal(user, joined.self.id);
    assert.ok(Number(expiry) >= before + 900 && Number(expiry) <= before + 902, `expiry ${expiry}`);
    assert.equal(turn!.credential, createHmac('sha1', 'shared-with-coturn').update(turn!.username!).digest('base64'));

    ada.io.engine.close();
    const again = await suite.client();
    const resumed = await again.emitWithAck('resume-meeting', { resumeToken: joined.resumeToken });
    assert.ok(resumed.ok);
    assert.equal(resumed.data.iceServers[1]!.username!.split(':')[1], joined.self.id);
  });
});
