import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { startCallHarness, type CallHarness } from './harness.js';
import type { MeetingPage } from './meeting-page.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';
import { SAMPLE_TURN_CONFIG, startTurnServer, type TurnServer } from './turn-server.js';

export interface RelayCallOptions {
  /**
   * Signaling round trip, through a proxy that delays each direction by half of it, so that messages cross as they do
   * between real sites. Default 0: no proxy.
   */
  signalingRttMs?: number;
}

/** The call harness, with coturn in Parley's ICE_SERVERS and signaling `signalingRttMs` away. */
export interface RelayCallServers extends CallHarness {
  /** coturn with docs/turnserver.conf (use-auth-secret): Parley hands out REST credentials for it. */
  readonly turn: TurnServer;
  /**
   * Where pages reach signaling: the delaying proxy, or Parley itself with no `signalingRttMs`. Modules still load
   * from `parley.url`.
   */
  readonly signalingUrl: string;
}

/**
 * The servers of calls that go through TURN (relay-only pages) or whose signaling is slow: coturn, then Parley with
 * coturn in its ICE_SERVERS, the embedder, the browser and, with `signalingRttMs`, a delaying proxy in front of
 * Parley. Started before the file's tests, stopped after them; read the fields inside tests.
 */
export function useRelayCallServers(options?: RelayCallOptions & { turn?: true }): RelayCallServers;
/** The same without coturn, for calls that need only the slow signaling (Parley's ICE_SERVERS stays empty). */
export function useRelayCallServers(options: RelayCallOptions & { turn: false }): CallHarness & Pick<RelayCallServers, 'signalingUrl'>;
export function useRelayCallServers(options: RelayCallOptions & { turn?: boolean } = {}): CallHarness & Partial<RelayCallServers> {
  const signalingRttMs = options.signalingRttMs ?? 0;
  const servers: { harness?: CallHarness & { close(): Promise<void> }; turn?: TurnServer; signalingProxy?: TcpProxy } = {};
  // One hook, in order: Parley needs coturn's address, the proxy Parley's port (a file's top-level hooks run at once).
  before(async () => {
    const env: NodeJS.ProcessEnv = {};
    if (options.turn !== false) {
      // The sample configuration (use-auth-secret): `iceServer` carries REST credentials valid for an hour.
      servers.turn = await startTurnServer({ auth: 'secret', configFile: SAMPLE_TURN_CONFIG });
      env.ICE_SERVERS = JSON.stringify([servers.turn.iceServer]);
    }
    servers.harness = await startCallHarness({ env });
    if (signalingRttMs > 0) {
      const parleyPort = Number(new URL(servers.harness.parley.url).port);
      servers.signalingProxy = await startTcpProxy(parleyPort, { oneWayDelayMs: signalingRttMs / 2 });
    }
  });
  after(async () => {
    await servers.harness?.close();
    await servers.signalingProxy?.close();
    await servers.turn?.close();
  });
  const started = (): CallHarness => {
    if (!servers.harness) throw new Error('useRelayCallServers: read the servers inside tests, once `before` has run');
    return servers.harness;
  };
  return {
    get parley() {
      return started().parley;
    },
    get embedder() {
      return started().embedder;
    },
    get browser() {
      return started().browser;
    },
    get turn() {
      return servers.turn;
    },
    get signalingUrl() {
      return servers.signalingProxy?.url ?? started().parley.url;
    },
  };
}

export interface SelectedPair {
  /** Candidate types (`host`, `srflx`, `relay`…) of the selected pair's two ends; undefined before one is selected. */
  local: string | undefined;
  remote: string | undefined;
  connectionState: string;
}

export function selectedPair(page: MeetingPage, remoteId: string): Promise<SelectedPair> {
  return page.page.evaluate(async (id) => {
    const room = document.querySelector('meeting-room')!.room!;
    const report = await room.getStats(id);
    let pairId: string | undefined;
    const pairs = new Map<string, RTCIceCandidatePairStats>();
    const types = new Map<string, string | undefined>();
    report?.forEach((stats) => {
      if (stats.type === 'transport') pairId = stats.selectedCandidatePairId;
      if (stats.type === 'candidate-pair') pairs.set(stats.id, stats);
      if (stats.type === 'local-candidate' || stats.type === 'remote-candidate') types.set(stats.id, stats.candidateType);
    });
    const pair = pairId ? pairs.get(pairId) : undefined;
    return {
      local: pair && types.get(pair.localCandidateId),
      remote: pair && types.get(pair.remoteCandidateId),
      connectionState: room.participants.get(id)?.connectionState ?? 'none',
    };
  }, remoteId);
}

/**
 * Waits until `page`'s tile of `remoteId` presents new video frames (what the person sees, not only what the decoder
 * got), then returns the pair that carries them.
 */
export async function waitForPresentedVideo(page: MeetingPage, remoteId: string, timeoutMs = 30_000): Promise<SelectedPair> {
  const deadline = Date.now() + timeoutMs;
  const first = (await page.receivedFrom(remoteId)).framesPresented;
  for (;;) {
    await delay(250);
    const now = await page.receivedFrom(remoteId);
    if (now.framesPresented > first && now.videoWidth > 0) return selectedPair(page, remoteId);
    if (Date.now() > deadline) {
      assert.fail(`${page.name} presented no new video from ${remoteId} within ${timeoutMs} ms: ${JSON.stringify({ ...now, ...(await selectedPair(page, remoteId)) })}`);
    }
  }
}

/** Both pages see each other's video, over a TURN relay at both ends of the selected pair, on both sides. */
export async function assertRelayedCall(a: MeetingPage, b: MeetingPage): Promise<void> {
  for (const [viewer, sender] of [[a, b], [b, a]] as const) {
    const pair = await waitForPresentedVideo(viewer, sender.participantId);
    assert.deepEqual(pair, { local: 'relay', remote: 'relay', connectionState: 'connected' }, `${viewer.name}'s pair with ${sender.name}`);
  }
}
