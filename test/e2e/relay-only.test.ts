import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { useCallHarness } from './support/harness.js';
import { MeetingPage } from './support/meeting-page.js';
import { assertRelayedCall, waitForPresentedVideo } from './support/relay-call.js';
import { screenshot } from './support/screenshots.js';
import { createMeeting } from './support/servers.js';
import { freeTcpUdpPort, startTurnServer, type TurnServer } from './support/turn-server.js';

/**
 * `<meeting-room ice-transport-policy="relay">`: how a site checks that its TURN server really carries calls. coturn on
 * loopback, and the Parley server hands it out in ICE_SERVERS, as a site with a static TURN user would.
 */
const turnPort = await freeTcpUdpPort();
const TURN_USER = { username: 'parley', password: 'relay-only-test-password' };
const iceServer = { urls: [`turn:127.0.0.1:${turnPort}?transport=udp`], username: TURN_USER.username, credential: TURN_USER.password };

let turn: TurnServer;
before(async () => {
  turn = await startTurnServer({ port: turnPort, ...TURN_USER });
});
after(() => turn?.close());
const harness = useCallHarness({ env: { ICE_SERVERS: JSON.stringify([iceServer]) } });

async function openPair(ice: string | undefined): Promise<[MeetingPage, MeetingPage]> {
  const { code } = await createMeeting(harness.parley.url);
  const open = (name: string) =>
    MeetingPage.openUrl(harness.browser, `${harness.embedder.url}/?${new URLSearchParams({ code, name, ...(ice ? { ice } : {}) })}`, name);
  return [await open('Ada'), await open('Bob')];
}

test('with ice-transport-policy="relay" two <meeting-room>s call through TURN: video shows, relay at both ends', async () => {
  const [ada, bob] = await openPair('relay');
  await assertRelayedCall(ada, bob);
  await screenshot(ada.page, 'relay-only-call');
  await Promise.all([ada.close(), bob.close()]);
});

test('without it, the same server and TURN: the call goes direct, so "relay" above is the attribute at work', async () => {
  const [ada, bob] = await openPair(undefined);
  for (const [viewer, sender] of [[ada, bob], [bob, ada]] as const) {
    const pair = await waitForPresentedVideo(viewer, sender.participantId);
    assert.equal(pair.local, 'host', `${viewer.name}'s pair with ${sender.name}: ${JSON.stringify(pair)}`);
  }
  await Promise.all([ada.close(), bob.close()]);
});
