import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { useCallHarness } from './support/harness.js';
import { waitForRelayedFrames } from './support/relay-frames.js';
import { SdkPage } from './support/sdk-page.js';
import { createMeeting } from './support/servers.js';
import { freeTcpUdpPort, SAMPLE_TURN_CONFIG, startTurnServer, type TurnServer } from './support/turn-server.js';

const SECRET = 'parley-e2e-turn-secret';
const turnPort = await freeTcpUdpPort();
const turnUrl = `turn:127.0.0.1:${turnPort}?transport=udp`;

let turn: TurnServer;
// coturn checks REST credentials against the shared secret; it knows no user of its own. Started before the harness,
// from the sample configuration docs/self-hosting.md gives operators, with this test's addresses, port and secret.
before(async () => {
  turn = await startTurnServer({ auth: 'secret', secret: SECRET, port: turnPort, configFile: SAMPLE_TURN_CONFIG });
});
after(() => turn?.close());
// No ICE_SERVERS: the only way to the TURN server is the credentials Parley mints on join.
const harness = useCallHarness({ env: { TURN_URLS: turnUrl, TURN_SECRET: SECRET, TURN_TTL_S: '600' } });

test('a relay-only call through coturn (use-auth-secret) with the credentials each join received', async () => {
  const { code } = await createMeeting(harness.parley.url);
  const ada = await SdkPage.open(harness.browser, harness.embedder.url, 'Ada');
  const bob = await SdkPage.open(harness.browser, harness.embedder.url, 'Bob');
  const adaId = await ada.join(harness.parley.url, code, { iceTransportPolicy: 'relay' });
  const bobId = await bob.join(harness.parley.url, code, { iceTransportPolicy: 'relay' });
  await waitForRelayedFrames(ada, bobId, 20_000);
  await waitForRelayedFrames(bob, adaId, 20_000);
  await Promise.all([ada, bob].map((page) => page.page.evaluate(() => window.__room.leave())));
  await Promise.all([ada.close(), bob.close()]);
});

test('coturn refuses a credential minted with another secret: the relay path really rests on the minted ones', async () => {
  const mallory = await SdkPage.open(harness.browser, harness.embedder.url, 'Mallory');
  const gathered = await mallory.page.evaluate(async ({ urls, expiry }) => {
    const username = `${expiry}:mallory`;
    const key = await crypto.subtle.importKey('raw', new TextEncoder().encode('not-the-secret'), { name: 'HMAC', hash: 'SHA-1' }, false, ['sign']);
    const signature = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(username));
    const credential = btoa(String.fromCharCode(...new Uint8Array(signature)));
    const pc = new RTCPeerConnection({ iceServers: [{ urls, username, credential }], iceTransportPolicy: 'relay' });
    pc.createDataChannel('probe');
    const types: string[] = [];
    pc.onicecandidate = (event) => event.candidate && types.push(event.candidate.type ?? '');
    await pc.setLocalDescription();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 8000);
      pc.onicegatheringstatechange = () => {
        if (pc.iceGatheringState === 'complete') {
          clearTimeout(timer);
          resolve();
        }
      };
    });
    pc.close();
    return types;
  }, { urls: [turnUrl], expiry: Math.floor(Date.now() / 1000) + 600 });
  assert.deepEqual(gathered, [], 'no relay candidate with a forged credential');
  await mallory.close();
});
