import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import type { Result } from '@parley/protocol';
import { ConfigError, loadConfig } from './index.js';
import { connect, createMeeting, knock, request, startTestServer, useTestServer, withTestServer } from '../test/support/helpers.js';

const SECRET = 'a-shared-secret-of-at-least-32-characters';
const code = (result: Result<unknown>) => result.ok || result.error.code;

/** Signs a participant token as a site's backend would. `exp` defaults to ten minutes from now. */
function sign(claims: JWTPayload, key: Uint8Array | CryptoKey = new TextEncoder().encode(SECRET), alg = 'HS256', kid?: string) {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg, ...(kid ? { kid } : {}) }).setIssuedAt();
  if (claims.exp === undefined) jwt.setExpirationTime('10m');
  return jwt.sign(key);
}

const now = () => Math.floor(Date.now() / 1000);

describe('participant tokens (HS256 secret)', () => {
  const suite = useTestServer({ AUTH_TOKEN_SECRET: SECRET, AUTH_ISSUER: 'https://site.example', JOIN_FAILURE_LIMIT: '100/600' });
  const good = (meeting: string, extra: JWTPayload = {}) => sign({ iss: 'https://site.example', meeting, ...extra });

  test('missing, garbage, forged, expired, exp-less, wrong-issuer and other-meeting tokens are refused unauthorized', async () => {
    const meeting = await createMeeting(suite.server);
    const other = await createMeeting(suite.server);
    const socket = await suite.client();
    const attempt = async (token: string | undefined) =>
      code(await socket.emitWithAck('join-meeting', { code: meeting.code, name: 'Mallory', audio: true, video: true, ...(token ? { token } : {}) }));
    const cases: [string, string | undefined][] = [
      ['no token', undefined],
      ['garbage', 'not.a.jwt'],
      ['another secret', await sign({ iss: 'https://site.example', meeting: meeting.code }, new TextEncoder().encode('x'.repeat(40)))],
      ['expired', await good(meeting.code, { exp: now() - 60 })],
      ['no exp', await new SignJWT({ iss: 'https://site.example', meeting: meeting.code }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(SECRET))],
      ['wrong issuer', await sign({ iss: 'https://evil.example', meeting: meeting.code })],
      ['another meeting', await good(other.code)],
      ['no meeting claim', await sign({ iss: 'https://site.example' })],
      ['bad role', await good(meeting.code, { role: 'admin' })],
      ['empty name', await good(meeting.code, { name: '   ' })],
      ['unsigned', `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ meeting: meeting.code, exp: now() + 60 })).toString('base64url')}.`],
    ];
    for (const [what, token] of cases) assert.equal(await attempt(token), 'unauthorized', what);
    // The meeting code as typed (upper case, spaces) matches the claim once normalized.
    const joined = await request(socket, { code: meeting.code.toUpperCase().replace(/-/g, ' '), name: 'Ada', token: await good(meeting.code) });
    assert.ok(joined.waiting !== true);
  });

  test('a valid token lets in, its name wins over the requested one, and role host makes a host', async () => {
    const meeting = await createMeeting(suite.server);
    const [hana, gus] = [await suite.client(), await suite.client()];
    const host = await request(hana, { code: meeting.code, name: 'Whatever', token: await good(meeting.code, { name: '  Hana (verified) ', role: 'host', sub: 'user-1' }) });
    assert.ok(host.waiting !== true);
    assert.equal(host.self.name, 'Hana (verified)');
    assert.equal(host.self.isHost, true);
    const guest = await request(gus, { code: meeting.code, name: 'Gus', token: await good(meeting.code, { role: 'participant' }) });
    assert.ok(guest.waiting !== true);
    assert.deepEqual([guest.self.name, guest.self.isHost], ['Gus', false], 'no name claim: the requested name');

    // A host by token skips the lock and the waiting room like a host by key.
    await hana.emitWithAck('update-meeting', { locked: true, waitingRoom: true });
    const locked = await suite.client();
    assert.equal(code(await locked.emitWithAck('join-meeting', { code: meeting.code, name: 'P', audio: true, video: true, token: await good(meeting.code) })), 'meeting-locked');
    const coHost = await request(locked, { code: meeting.code, name: 'C', token: await good(meeting.code, { role: 'host' }) });
    assert.ok(coHost.waiting !== true && coHost.self.isHost);
    await hana.emitWithAck('update-meeting', { locked: false });
    assert.ok(await knock(await suite.client(), meeting.code, 'W', { token: await good(meeting.code) }));
  });

  test('a removed subject stays out whatever its session', async () => {
    const meeting = await createMeeting(suite.server);
    const [hana, gus] = [await suite.client(), await suite.client()];
    const host = await request(hana, { code: meeting.code, name: 'Hana', hostKey: meeting.hostKey, token: await good(meeting.code, { sub: 'user-1' }) });
    assert.ok(host.waiting !== true && host.self.isHost, 'the host key still makes a host');
    const token = await good(meeting.code, { sub: 'user-42' });
    const joined = await request(gus, { code: meeting.code, name: 'Gus', token, sessionId: 'first-tab' });
    assert.ok(joined.waiting !== true);
    assert.deepEqual(await hana.emitWithAck('remove-participant', { participantId: joined.self.id }), { ok: true });
    const again = await connect(suite.server);
    const fresh = await good(meeting.code, { sub: 'user-42' });
    assert.equal(code(await again.emitWithAck('join-meeting', { code: meeting.code, name: 'Gus', audio: true, video: true, token: fresh, sessionId: 'second-tab' })), 'removed');
    await request(again, { code: meeting.code, name: 'Someone else', token: await good(meeting.code, { sub: 'user-43' }), sessionId: 'second-tab' });
    again.disconnect();
  });

  test('refused tokens count as failed joins for the address', () =>
    withTestServer({ AUTH_TOKEN_SECRET: SECRET, JOIN_FAILURE_LIMIT: '3/600' }, async (server) => {
      const meeting = await createMeeting(server);
      const socket = await connect(server);
      for (let attempt = 0; attempt < 3; attempt++) {
        assert.equal(code(await socket.emitWithAck('join-meeting', { code: meeting.code, name: 'M', audio: true, video: true, token: 'forged' })), 'unauthorized');
      }
      const valid = await sign({ meeting: meeting.code });
      assert.equal(code(await socket.emitWithAck('join-meeting', { code: meeting.code, name: 'M', audio: true, video: true, token: valid })), 'rate-limited');
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      assert.match(metrics, /^parley_refusals_total\{event="join-meeting",code="unauthorized"\} 3$/m);
      socket.disconnect();
    }));

  test('logs say why a token was refused, and never hold the token', async () => {
    const lines: string[] = [];
    const server = await startTestServer({ AUTH_TOKEN_SECRET: SECRET, LOG_LEVEL: 'info' }, { logDestination: { write: (line: string) => void lines.push(line) } });
    try {
      const meeting = await createMeeting(server);
      const socket = await connect(server);
      const expired = await sign({ meeting: meeting.code, exp: now() - 60 });
      await socket.emitWithAck('join-meeting', { code: meeting.code, name: 'M', audio: true, video: true, token: expired });
      const valid = await sign({ meeting: meeting.code, sub: 'someone@example.com' });
      await request(socket, { code: meeting.code, name: 'M', token: valid });
      socket.disconnect();
      const log = lines.join('');
      assert.ok(lines.some((line) => line.includes('"reason":"ERR_JWT_EXPIRED"')), log);
      for (const secret of [expired, valid, SECRET, 'someone@example.com']) assert.ok(!log.includes(secret), `the log holds ${secret}`);
    } finally {
      await server.close();
    }
  });
});

describe('participant tokens (JWKS)', () => {
  let jwks: Server;
  let jwksUrl = '';
  let up = true;
  let siteKey: CryptoKey;
  let strangerKey: CryptoKey;

  before(async () => {
    const site = await generateKeyPair('ES256');
    siteKey = site.privateKey;
    strangerKey = (await generateKeyPair('ES256')).privateKey;
    const publicJwk = { ...(await exportJWK(site.publicKey)), kid: 'site-1', alg: 'ES256', use: 'sig' };
    jwks = createServer((_request, response) => {
      if (!up) {
        response.writeHead(503).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [publicJwk] }));
    });
    jwks.listen(0, '127.0.0.1');
    await once(jwks, 'listening');
    jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  after(() => new Promise<void>((resolve) => jwks.close(() => resolve())));

  test('tokens signed with a key of the set are accepted, others refused; an unreachable set is internal, not the client’s fault', async () => {
    up = false;
    await withTestServer({ AUTH_JWKS_URL: jwksUrl, AUTH_AUDIENCE: 'parley', JOIN_FAILURE_LIMIT: '4/600' }, async (server) => {
      const meeting = await createMeeting(server);
      const socket = await connect(server);
      const valid = await sign({ meeting: meeting.code, aud: 'parley', role: 'host', name: 'Hana' }, siteKey, 'ES256', 'site-1');
      for (let attempt = 0; attempt < 3; attempt++) {
        assert.equal(code(await socket.emitWithAck('join-meeting', { code: meeting.code, name: 'H', audio: true, video: true, token: valid })), 'internal');
      }
      up = true;
      assert.equal(
        code(await socket.emitWithAck('join-meeting', { code: meeting.code, name: 'H', audio: true, video: true, token: await sign({ meeting: meeting.code, aud: 'parley' }, strangerKey, 'ES256', 'site-1') })),
        'unauthorized',
        'a key not in the set',
      );
      assert.equal(
        code(await socket.emitWithAck('join-meeting', { code: meeting.code, name: 'H', audio: true, video: true, token: await sign({ meeting: meeting.code, aud: 'other' }, siteKey, 'ES256', 'site-1') })),
        'unauthorized',
        'another audience',
      );
      assert.equal(
        code(await socket.emitWithAck('join-meeting', { code: meeting.code, name: 'H', audio: true, video: true, token: await sign({ meeting: meeting.code, aud: 'parley' }) })),
        'unauthorized',
        'HS256 is not accepted from a key set',
      );
      // Three failures so far (the outage did not count, or the last refusal would have been rate-limited).
      const joined = await request(socket, { code: meeting.code, name: 'H', token: valid });
      assert.ok(joined.waiting !== true);
      assert.deepEqual([joined.self.name, joined.self.isHost], ['Hana', true]);
      socket.disconnect();
    });
  });
});

describe('participant token configuration', () => {
  for (const [env, message] of [
    [{ AUTH_TOKEN_SECRET: 'short' }, /at least 32 characters/],
    [{ AUTH_TOKEN_SECRET: SECRET, AUTH_JWKS_URL: 'https://site.example/jwks.json' }, /set one of them/],
    [{ AUTH_ISSUER: 'https://site.example' }, /need AUTH_TOKEN_SECRET or AUTH_JWKS_URL/],
    [{ AUTH_JWKS_URL: 'http://site.example/jwks.json' }, /https: URL/],
    [{ AUTH_JWKS_URL: 'not a url' }, /https: URL/],
  ] as const) {
    test(`refused: ${JSON.stringify(env)}`, () => {
      assert.throws(() => loadConfig(env), (error: unknown) => error instanceof ConfigError && message.test(error.message));
    });
  }

  test('accepted: a secret, or a JWKS URL (http on loopback only), with issuer and audience', () => {
    assert.equal(loadConfig({}).participantTokens, undefined);
    const secret = loadConfig({ AUTH_TOKEN_SECRET: SECRET, AUTH_AUDIENCE: 'parley' }).participantTokens;
    assert.deepEqual(secret, { secret: new TextEncoder().encode(SECRET), issuer: undefined, audience: 'parley' });
    const remote = loadConfig({ AUTH_JWKS_URL: 'http://127.0.0.1:9/jwks', AUTH_ISSUER: 'https://site.example' }).participantTokens;
    assert.equal(remote?.jwksUrl?.href, 'http://127.0.0.1:9/jwks');
    assert.equal(remote?.issuer, 'https://site.example');
  });
});
