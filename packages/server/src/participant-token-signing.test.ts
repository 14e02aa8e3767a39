// The token signing docs/protocol.md §18 shows (participant-token-signing.ts) must produce tokens the server takes.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { exportJWK, exportPKCS8, generateKeyPair } from 'jose';
import { connect, createMeeting, withTestServer } from '../test/support/helpers.js';
import { parleyToken, parleyTokenSignedWithKey, type TokenRequest } from '../test/support/participant-token-signing.js';

const SECRET = 'a-shared-secret-of-at-least-32-characters';
const ada = (meetingCode: string): TokenRequest => ({ meetingCode, user: { id: 42, displayName: 'Ada Lovelace' }, isHost: true });

/** Joins with `token` under a typed name the token's must replace; returns who the server says we are. */
async function joinWith(server: Parameters<typeof connect>[0], meetingCode: string, token: string) {
  const socket = await connect(server);
  try {
    const joined = await socket.emitWithAck('join-meeting', { code: meetingCode, name: 'typed name', audio: false, video: false, token });
    assert.ok(joined.ok, JSON.stringify(joined));
    assert.ok(joined.data.waiting !== true);
    return joined.data.self;
  } finally {
    socket.disconnect();
  }
}

test('a token signed with the shared secret (issuer and audience set) makes its user host under their name', async () => {
  await withTestServer({ AUTH_TOKEN_SECRET: SECRET, AUTH_ISSUER: 'https://app.example.com', AUTH_AUDIENCE: 'parley' }, async (server) => {
    const { code } = await createMeeting(server);
    const self = await joinWith(server, code, await parleyToken(SECRET, ada(code)));
    assert.deepEqual([self.name, self.isHost], ['Ada Lovelace', true]);
  });
});

test('a token signed with a private key whose public key the JWKS serves under its kid is accepted', async () => {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'parley-2026-01', alg: 'ES256', use: 'sig' }] });
  const keySet = createServer((_request, response) => response.writeHead(200, { 'Content-Type': 'application/json' }).end(jwks));
  keySet.listen(0, '127.0.0.1');
  await once(keySet, 'listening');
  try {
    const jwksUrl = `http://127.0.0.1:${(keySet.address() as AddressInfo).port}/jwks.json`;
    await withTestServer({ AUTH_JWKS_URL: jwksUrl }, async (server) => {
      const { code } = await createMeeting(server);
      const self = await joinWith(server, code, await parleyTokenSignedWithKey(await exportPKCS8(privateKey), ada(code)));
      assert.deepEqual([self.name, self.isHost], ['Ada Lovelace', true]);
    });
  } finally {
    await new Promise<void>((resolve) => keySet.close(() => resolve()));
  }
});
