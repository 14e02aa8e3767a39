import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { RemoteParticipant } from '@parley/sdk';
import { countPresentedFrames, recordPeerConnections, untilPresenting } from './support/presented-frames.js';
import { useRelayCallServers } from './support/relay-call.js';
import { SdkPage } from './support/sdk-page.js';
import { createMeeting } from './support/servers.js';

/**
 * `RemoteParticipant.repairVideo()` renews the peer connection, whichever side asks: the one that offers renews it
 * itself, the other asks it to over the data channel. Afterwards both see each other's video on new tracks, and chat
 * still flows. (test/faults/frozen-video.test.ts shows it healing a picture frozen in the browser.)
 */
/** The SDK's: see `#repairVideo` in packages/sdk/src/room.ts. */
const RENEWAL_GAP_MS = 5000;
/** Generous on 2 shared cores. */
const PRESENTED_AGAIN_MS = 30_000;

/** No TURN: a direct call, with signaling a 100 ms round trip away so that messages cross as they do between real sites. */
const servers = useRelayCallServers({ signalingRttMs: 100, turn: false });

declare global {
  interface Window {
    /** The camera track last seen from each participant. */
    __cameraTracks: Map<string, MediaStreamTrack | undefined>;
  }
}

/**
 * Waits until frames decoded from `remoteId`'s camera advance on `page`, on another track than at the previous call
 * when `renewed` (another track object: a track's id follows the sender's, so it stays).
 */
async function receivingVideo(page: SdkPage, remoteId: string, renewed: boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  let last: number | null = null;
  for (;;) {
    const { decoded, onNewTrack } = await page.page.evaluate(async (id) => {
      const participant = window.__room.participants.get(id)!;
      window.__cameraTracks ??= new Map();
      const track = participant.stream?.getVideoTracks()[0];
      return { decoded: await participant.framesDecoded(), onNewTrack: window.__cameraTracks.get(id) !== track };
    }, remoteId);
    if (decoded !== null && last !== null && decoded > last && (onNewTrack || !renewed)) break;
    last = decoded;
    assert.ok(Date.now() < deadline, `${page.name} decodes no video from ${remoteId}${renewed ? ' on a new track' : ''} ${what}`);
    await delay(500);
  }
  await page.page.evaluate((id) => {
    window.__cameraTracks.set(id, window.__room.participants.get(id)!.stream?.getVideoTracks()[0]);
  }, remoteId);
}

test('repairVideo() renews the connection from either side: new tracks, video and chat flow again', async () => {
  const { code } = await createMeeting(servers.parley.url);
  const ada = await SdkPage.open(servers.browser, servers.embedder.url, 'Ada');
  const bob = await SdkPage.open(servers.browser, servers.embedder.url, 'Bob');
  try {
    // Ada was there first: she offers.
    const adaId = await ada.join(servers.parley.url, code);
    const bobId = await bob.join(servers.parley.url, code);
    await receivingVideo(ada, bobId, false, 'at first');
    await receivingVideo(bob, adaId, false, 'at first');

    for (const [index, [asker, remoteId, role]] of ([
      [ada, bobId, 'the offering side'],
      [bob, adaId, 'the answering side'],
    ] as const).entries()) {
      // Asks within a few seconds of a renewal are taken for the same ask.
      if (index > 0) await delay(RENEWAL_GAP_MS);
      await asker.page.evaluate((id) => window.__room.participants.get(id)!.repairVideo(), remoteId);
      await receivingVideo(ada, bobId, true, `after a repair asked by ${role}`);
      await receivingVideo(bob, adaId, true, `after a repair asked by ${role}`);
      const text = `after a repair asked by ${role}`;
      await ada.page.evaluate((text) => window.__room.sendChatMessage(text), text);
      await bob.page.waitForFunction((text) => window.__room.chatMessages.some((message) => message.text === text), text, {
        timeout: 10_000,
      });
    }
  } finally {
    await Promise.all([ada.close(), bob.close()]);
  }
});

/** Ada offers (she joins first); both pages count the frames their <video> of the other presents. */
async function startCall(): Promise<{ ada: SdkPage; bob: SdkPage; adaId: string; bobId: string }> {
  const { code } = await createMeeting(servers.parley.url);
  const ada = await SdkPage.open(servers.browser, servers.embedder.url, 'Ada');
  const bob = await SdkPage.open(servers.browser, servers.embedder.url, 'Bob');
  for (const page of [ada, bob]) {
    await recordPeerConnections(page);
    await countPresentedFrames(page);
  }
  const adaId = await ada.join(servers.signalingUrl, code, {}, undefined, servers.parley.url);
  const bobId = await bob.join(servers.signalingUrl, code, {}, undefined, servers.parley.url);
  await untilPresenting(ada, bobId, PRESENTED_AGAIN_MS);
  await untilPresenting(bob, adaId, PRESENTED_AGAIN_MS);
  return { ada, bob, adaId, bobId };
}

/** Both <video>s present frames again, both connections are `connected`, and a chat message gets through. */
async function assertCallHealed(ada: SdkPage, bob: SdkPage, adaId: string, bobId: string, what: string): Promise<void> {
  await Promise.all([untilPresenting(ada, bobId, PRESENTED_AGAIN_MS), untilPresenting(bob, adaId, PRESENTED_AGAIN_MS)]);
  assert.equal((await ada.received(bobId)).state, 'connected', `Ada's connection to Bob ${what}`);
  assert.equal((await bob.received(adaId)).state, 'connected', `Bob's connection to Ada ${what}`);
  const text = `chat ${what}`;
  await ada.page.evaluate((text) => window.__room.sendChatMessage(text), text);
  await bob.page.waitForFunction((text) => window.__room.chatMessages.some((message) => message.text === text), text, {
    timeout: 10_000,
  });
}

test('repairVideo() while an ICE restart offer is in flight: the old answer does not reach the new connection', async () => {
  const { ada, bob, adaId, bobId } = await startCall();
  try {
    const warnings: string[] = [];
    for (const page of [ada, bob]) {
      page.page.on('console', (message) => {
        if (message.type() === 'warning' && message.text().includes('[parley]')) warnings.push(`${page.name}: ${message.text()}`);
      });
    }
    // Ada's restart offer is on its way to Bob, who answers it from the connection Ada is about to close.
    await ada.page.evaluate(async (id) => {
      const pc = window.__peerConnections.at(-1)!;
      pc.restartIce();
      while (pc.signalingState !== 'have-local-offer') await new Promise((resolve) => setTimeout(resolve, 1));
      window.__room.participants.get(id)!.repairVideo();
    }, bobId);
    await assertCallHealed(ada, bob, adaId, bobId, 'after repairVideo() during an ICE restart');
    assert.deepEqual(warnings, [], 'messages from the closed connection are dropped quietly');
  } finally {
    await Promise.all([ada.close(), bob.close()]);
  }
});

test('repairVideo() from both sides at once, and twice on one side: one renewal, video and chat flow again', async () => {
  const { ada, bob, adaId, bobId } = await startCall();
  try {
    await Promise.all([
      ada.page.evaluate(async (id) => {
        // Two tiles showing Bob ask a moment apart: the second once Bob may have answered the first renewal's offer,
        // before his answer is back.
        window.__room.participants.get(id)!.repairVideo();
        const renewed = window.__peerConnections.at(-1)!;
        while (renewed.signalingState !== 'have-local-offer') await new Promise((resolve) => setTimeout(resolve, 1));
        await new Promise((resolve) => setTimeout(resolve, 80));
        window.__room.participants.get(id)!.repairVideo();
      }, bobId),
      bob.page.evaluate((id) => window.__room.participants.get(id)!.repairVideo(), adaId),
    ]);
    await assertCallHealed(ada, bob, adaId, bobId, 'after repairs from both sides at once');
  } finally {
    await Promise.all([ada.close(), bob.close()]);
  }
});

test('repairVideo() on the object of a participant who left and came back under the same id does nothing', async () => {
  const { ada, bob, adaId, bobId } = await startCall();
  try {
    // Bob leaves and comes back under the same id, as Ada's room sees it: a new RemoteParticipant, a new connection.
    await ada.page.evaluate((id) => {
      (window as unknown as { __before: unknown }).__before = window.__room.participants.get(id);
    }, bobId);
    const adaSocket = [...servers.parley.io.of('/').sockets.values()].find((socket) => socket.data.participantId === adaId);
    assert.ok(adaSocket, "Ada's socket on the server");
    const bobInfo = { id: bobId, name: 'Bob', isHost: false, audioEnabled: true, videoEnabled: true, screenSharing: false };
    adaSocket.emit('participant-left', { participantId: bobId, reason: 'disconnected' });
    adaSocket.emit('participant-joined', bobInfo);
    await untilPresenting(ada, bobId, PRESENTED_AGAIN_MS);
    await delay(RENEWAL_GAP_MS);

    await ada.page.evaluate(() => (window as unknown as { __before: RemoteParticipant }).__before.repairVideo());
    await assertCallHealed(ada, bob, adaId, bobId, 'after a repair asked through a stale participant');
    const live = await ada.page.evaluate(
      (id) => window.__room.participants.get(id)!.stream?.getVideoTracks()[0]?.readyState ?? 'none',
      bobId,
    );
    assert.equal(live, 'live', "the participant in Ada's room keeps a live video track");
  } finally {
    await Promise.all([ada.close(), bob.close()]);
  }
});
