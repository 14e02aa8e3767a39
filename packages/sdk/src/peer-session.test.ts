import { expect } from '@esm-bundle/chai';
import type { VideoEncoding } from './adaptation/encoding-policy.js';
import {
  iceUfrags,
  inboundStats,
  Resources,
  seededRandom,
  sleep,
  trackSdkTimers,
  untilDecodingMore,
  waitFor,
  type Pair,
  type Side,
  type SdkTimers,
  type WireMessage,
} from '../test/support/peer-wire.js';

const isOffer = (message: WireMessage): boolean => message.kind === 'description' && message.type === 'offer';

/** The receiver track of the camera video this side gets from the other. */
function remoteCamera(side: Side): MediaStreamTrack {
  const track = side.remote.stream?.getVideoTracks()[0];
  if (!track) throw new Error('no remote camera track');
  return track;
}

function remoteScreen(side: Side): MediaStreamTrack {
  const track = side.remote.screenStream?.getVideoTracks()[0];
  if (!track) throw new Error('no remote screen track');
  return track;
}

function videoSender(side: Side): RTCRtpSender {
  const sender = side.pc.getTransceivers().find((transceiver) => transceiver.receiver.track.kind === 'video')?.sender;
  if (!sender) throw new Error('no video transceiver');
  return sender;
}

/** Every `active` value `sender.setParameters` is called with, from now on. */
function recordActive(sender: RTCRtpSender): boolean[] {
  const sent: boolean[] = [];
  const setParameters = sender.setParameters.bind(sender);
  sender.setParameters = (parameters: RTCRtpSendParameters) => {
    sent.push(...parameters.encodings.map((encoding) => encoding.active !== false));
    return setParameters(parameters);
  };
  return sent;
}

function expectNoErrors(pair: Pair): void {
  expect(pair.a.errors, 'errors reported by a (initiator)').to.deep.equal([]);
  expect(pair.b.errors, 'errors reported by b (polite)').to.deep.equal([]);
}

/** A pair with the fake camera and microphone on both sides, connected and settled. */
async function connectedPair(resources: Resources, link = { delayMs: 2, jitterMs: 5, seed: 3 }): Promise<Pair> {
  const pair = resources.pair({ streamA: await resources.camera(), streamB: await resources.camera(), link });
  await pair.untilSettled();
  await waitFor(() => pair.sides.every((side) => side.remote.stream?.getTracks().length === 2), 'remote tracks');
  return pair;
}

describe('PeerSession (two real RTCPeerConnections over an in-memory signaling wire)', function () {
  this.timeout(10_000);
  let resources: Resources;
  let timers: SdkTimers | null = null;

  before(async () => {
    // Chromium hides host addresses behind mDNS names until the page has been granted media.
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    stream.getTracks().forEach((track) => track.stop());
  });

  beforeEach(() => {
    resources = new Resources();
  });

  afterEach(() => {
    timers?.restore();
    timers = null;
    resources.release();
  });

  it('connects an initiator and a polite peer with one offer and one answer, audio and video both ways', async () => {
    const pair = resources.pair({
      streamA: await resources.camera(),
      streamB: await resources.camera(),
      link: { delayMs: 5, jitterMs: 15, seed: 11 },
    });
    await waitFor(
      () => pair.sides.every((side) => side.remote.connectionState === 'connected'),
      "both remotes' connectionState 'connected'",
    );
    await pair.untilSettled();
    // Room for a stray renegotiation (a data channel or direction change the first offer missed) to show up.
    await sleep(300);
    expect(pair.settled()).to.equal(true);

    expect(pair.a.out.count('delivered', 'offer'), 'offers a → b').to.equal(1);
    expect(pair.a.out.count('delivered', 'answer'), 'answers a → b').to.equal(0);
    expect(pair.b.out.count('delivered', 'offer'), 'offers b → a').to.equal(0);
    expect(pair.b.out.count('delivered', 'answer'), 'answers b → a').to.equal(1);
    expect(pair.a.out.count('delivered', 'candidate') + pair.b.out.count('delivered', 'candidate')).to.be.above(0);

    for (const side of pair.sides) {
      expect(side.remote.connectionState).to.equal('connected');
      expect(side.remote.stream?.getAudioTracks()).to.have.length(1);
      expect(side.remote.stream?.getVideoTracks()).to.have.length(1);
      expect(side.remote.screenStream).to.equal(null);
      await untilDecodingMore(side.pc, remoteCamera(side), 'camera frames decoded');
    }
    expectNoErrors(pair);
  });

  it('settles simultaneous screen shares (glare) by politeness, 10 times over', async function () {
    this.timeout(40_000);
    const random = seededRandom(2024);
    for (let round = 0; round < 10; round += 1) {
      // Each round releases its own connections and tracks, so ten rounds cost no more CPU than one.
      const outer = resources;
      resources = new Resources();
      try {
        await glareRound(round, random);
      } finally {
        resources.release();
        resources = outer;
      }
    }
  });

  async function glareRound(round: number, random: () => number): Promise<void> {
    const label = `round ${round}`;
    // Delays and jitter vary by round: the answers and the polite side's second offer land at different moments.
    const pair = await connectedPair(resources, { delayMs: 10 + Math.round(random() * 40), jitterMs: 10, seed: round });
    const offersBefore = pair.sides.map((side) => side.out.count('sent', 'offer'));

    // Both start sharing at once; the wire holds both offers until each side has sent its own, so they cross.
    for (const side of pair.sides) side.out.hold();
    const screens = pair.sides.map(() => resources.canvasStream(160, 96));
    await Promise.all(
      pair.sides.map((side, index) => side.session.setScreenTrack(screens[index]!.getVideoTracks()[0]!, screens[index]!)),
    );
    await waitFor(
      () => pair.sides.every((side, index) => side.out.count('sent', 'offer') > offersBefore[index]!),
      `${label}: both sides offering`,
    );
    expect(pair.sides.map((side) => side.pc.signalingState)).to.deep.equal(['have-local-offer', 'have-local-offer']);
    // Which offer lands first varies by round; then the wire flows with the round's delay and jitter.
    const order = round % 2 === 0 ? pair.sides : [...pair.sides].reverse();
    for (const side of order) side.out.release();

    await pair.untilSettled(`${label}: both stable after the glare`);
    for (const side of pair.sides) {
      side.remote.setScreenSharing(true);
      await waitFor(() => side.remote.screenStream !== null, `${label}: remote screen stream`);
      expect(side.remote.stream?.getVideoTracks(), `${label}: camera stream untouched`).to.have.length(1);
      await untilDecodingMore(side.pc, remoteScreen(side), `${label}: screen frames decoded`, 3);
    }
    expectNoErrors(pair);

    // Stop and start again with fresh tracks: a replaceTrack on the now-negotiated transceiver, no new offer.
    const offersAfter = pair.sides.map((side) => side.out.count('sent', 'offer'));
    await Promise.all(pair.sides.map((side) => side.session.setScreenTrack(null, null)));
    const again = pair.sides.map(() => resources.canvasStream(128, 64, '#a37'));
    await Promise.all(
      pair.sides.map((side, index) => side.session.setScreenTrack(again[index]!.getVideoTracks()[0]!, again[index]!)),
    );
    for (const side of pair.sides) {
      await waitFor(
        async () => (await inboundStats(side.pc, remoteScreen(side)))?.frameWidth === 128,
        `${label}: restarted screen arriving at 128 px`,
      );
    }
    expect(pair.sides.map((side) => side.out.count('sent', 'offer'))).to.deep.equal(offersAfter);
    expect(pair.settled(), `${label}: still stable`).to.equal(true);
    expectNoErrors(pair);
  }

  it('sends a screen shared by the polite side before the first offer once it has answered', async () => {
    const pair = resources.pair({ streamA: await resources.camera(), streamB: await resources.camera() });
    const screen = resources.canvasStream(160, 96);
    await pair.b.session.setScreenTrack(screen.getVideoTracks()[0]!, screen);
    expect(pair.b.out.sent, 'the polite side must not offer first').to.deep.equal([]);
    await pair.untilSettled();
    pair.a.remote.setScreenSharing(true);
    await waitFor(() => pair.a.remote.screenStream !== null, 'screen at a');
    await untilDecodingMore(pair.a.pc, remoteScreen(pair.a), 'screen frames at a', 3);
    expect(pair.a.out.count('sent', 'offer')).to.equal(1);
    expect(pair.b.out.count('sent', 'offer')).to.equal(1);
    expectNoErrors(pair);
  });

  it('sends an offer again when it is lost (negotiation watchdog)', async () => {
    timers = trackSdkTimers(10);
    const pair = await connectedPair(resources);
    const ufragsBefore = iceUfrags(pair.a.pc.localDescription);
    pair.a.out.dropNext(isOffer);
    const screen = resources.canvasStream(160, 96);
    await pair.a.session.setScreenTrack(screen.getVideoTracks()[0]!, screen);
    await waitFor(() => pair.a.out.dropped.length === 1, 'the renegotiation offer to be dropped');
    expect(pair.a.pc.signalingState).to.equal('have-local-offer');
    expect(timers.requested, 'the watchdog waits 8 s').to.include(8000);

    await waitFor(() => pair.a.out.count('sent', 'offer') === 3, 'a second renegotiation offer', 5000);
    await pair.untilSettled('stable after the renegotiation');
    pair.b.remote.setScreenSharing(true);
    await waitFor(() => pair.b.remote.screenStream !== null, 'screen at b');
    await untilDecodingMore(pair.b.pc, remoteScreen(pair.b), 'screen frames at b', 3);
    // The first retry is the same offer: the transport was fine, only the message went missing.
    expect(iceUfrags(pair.a.pc.localDescription)[0]).to.equal(ufragsBefore[0]);
    await untilDecodingMore(pair.b.pc, remoteCamera(pair.b), 'camera frames at b');
    expectNoErrors(pair);
  });

  it('recovers when the offer sent again is lost too (negotiation watchdog)', async () => {
    timers = trackSdkTimers(10);
    const pair = await connectedPair(resources);
    pair.a.out.dropNext(isOffer);
    const screen = resources.canvasStream(160, 96);
    await pair.a.session.setScreenTrack(screen.getVideoTracks()[0]!, screen);
    await waitFor(() => pair.a.out.dropped.length === 1, 'the renegotiation offer to be dropped');
    pair.a.out.dropNext(isOffer);
    await waitFor(() => pair.a.out.dropped.length === 2, 'the offer sent again to be dropped', 5000);
    await waitFor(() => pair.a.out.count('sent', 'offer') === 4, 'a fresh offer', 5000);
    await pair.untilSettled('stable after starting over');
    pair.b.remote.setScreenSharing(true);
    await waitFor(() => pair.b.remote.screenStream !== null, 'screen at b');
    await untilDecodingMore(pair.b.pc, remoteScreen(pair.b), 'screen frames at b', 3);
    expectNoErrors(pair);
  });

  it('renegotiates when the answer to a renegotiation is lost (negotiation watchdog)', async () => {
    timers = trackSdkTimers(10);
    const pair = await connectedPair(resources);
    pair.b.out.dropNext((message) => message.kind === 'description' && message.type === 'answer');
    const screen = resources.canvasStream(160, 96);
    await pair.a.session.setScreenTrack(screen.getVideoTracks()[0]!, screen);
    await waitFor(() => pair.b.out.dropped.length === 1, 'the answer to be dropped');
    // b has applied the offer (and its new m-line); a sends the same offer again, and b answers it again.
    await waitFor(() => pair.a.out.count('sent', 'offer') === 3, 'a second renegotiation offer', 5000);
    await pair.untilSettled('stable after the renegotiation');
    pair.b.remote.setScreenSharing(true);
    await waitFor(() => pair.b.remote.screenStream !== null, 'screen at b');
    await untilDecodingMore(pair.b.pc, remoteScreen(pair.b), 'screen frames at b', 3);
    expectNoErrors(pair);
  });

  it('settles an ICE restart started by both sides at once (both saw the path fail)', async () => {
    const pair = await connectedPair(resources, { delayMs: 20, jitterMs: 20, seed: 9 });
    const before = pair.sides.map((side) => iceUfrags(side.pc.localDescription)[0]);
    for (const side of pair.sides) side.session.restartIce();
    const renewed = () =>
      pair.sides.every((side, index) => iceUfrags(side.pc.localDescription)[0] !== before[index]) &&
      iceUfrags(pair.a.pc.remoteDescription)[0] === iceUfrags(pair.b.pc.localDescription)[0] &&
      iceUfrags(pair.b.pc.remoteDescription)[0] === iceUfrags(pair.a.pc.localDescription)[0];
    await waitFor(() => pair.settled() && renewed(), 'both credentials renewed and agreed, both stable');
    await sleep(300);
    expect(pair.settled() && renewed(), 'still settled').to.equal(true);
    for (const side of pair.sides) await untilDecodingMore(side.pc, remoteCamera(side), 'camera frames after');
    expectNoErrors(pair);
  });

  it('restarts ICE from the impolite side only when both sides lose the path at once: no restart offers cross', async function () {
    this.timeout(20_000);
    const pair = await connectedPair(resources);
    const before = pair.sides.map((side) => iceUfrags(side.pc.localDescription)[0]);
    // Nothing arrives on either side any more, as when the TURN server both relay through dies.
    for (const side of pair.sides) pair.environment.stalled.add(side.pc);
    await waitFor(() => iceUfrags(pair.a.pc.localDescription)[0] !== before[0], 'an ICE restart offer from a', 6000);
    await waitFor(() => pair.b.out.count('sent', 'restart-request') > 0, 'b asking for a restart', 4000);
    pair.environment.stalled.clear();
    await pair.untilSettled('stable after the restart');
    // Long enough for a stray restart offer from b to show up.
    await sleep(2500);
    expect(pair.b.out.count('sent', 'offer'), 'offers from b (polite)').to.equal(0);
    expect(iceUfrags(pair.b.pc.localDescription)[0], "b's credentials renewed by answering").to.not.equal(before[1]);
    for (const side of pair.sides) await untilDecodingMore(side.pc, remoteCamera(side), 'camera frames after the restart');
    // The path check's keep-alives are empty messages, never handed on as data.
    const aChannel = pair.environment.channels.get(pair.a.pc)![0]!;
    expect(pair.environment.channelSends.get(aChannel), 'keep-alives sent by a').to.include('');
    expect(pair.b.received, 'messages handed on at b').to.deep.equal([]);
    expectNoErrors(pair);
  });

  it('restarts ICE from the impolite side when the polite side alone loses the path and asks for it', async function () {
    this.timeout(20_000);
    const pair = await connectedPair(resources);
    const before = iceUfrags(pair.a.pc.localDescription)[0];
    pair.environment.stalled.add(pair.b.pc);
    await waitFor(() => pair.b.out.count('delivered', 'restart-request') > 0, "b's restart request delivered", 6000);
    await waitFor(() => iceUfrags(pair.a.pc.localDescription)[0] !== before, 'an ICE restart offer from a', 2000);
    pair.environment.stalled.clear();
    await pair.untilSettled('stable after the restart');
    await sleep(2500);
    expect(pair.b.out.count('sent', 'offer'), 'offers from b (polite)').to.equal(0);
    for (const side of pair.sides) await untilDecodingMore(side.pc, remoteCamera(side), 'camera frames after the restart');
    expectNoErrors(pair);
  });

  it('after the polite side alone lost the path, the impolite side that restarted on request makes the keyframe', async function () {
    this.timeout(20_000);
    const pair = await connectedPair(resources);
    const sent = recordActive(videoSender(pair.a));
    pair.environment.stalled.add(pair.b.pc);
    await waitFor(() => pair.b.out.count('delivered', 'restart-request') > 0, "b's restart request delivered", 6000);
    pair.environment.stalled.clear();
    await pair.untilSettled('stable after the restart');
    await waitFor(() => sent.includes(false), "a pausing its camera's encoding for a keyframe", 4000);
    await waitFor(() => videoSender(pair.a).getParameters().encodings.every((encoding) => encoding.active), 'a sending again');
    await untilDecodingMore(pair.b.pc, remoteCamera(pair.b), 'camera frames at b after the restart');
    expectNoErrors(pair);
  });

  it('ignores a restart request reaching the polite side: only the impolite side restarts', async () => {
    const pair = await connectedPair(resources);
    const before = iceUfrags(pair.b.pc.localDescription)[0];
    pair.b.session.handleIceRestartRequest();
    await sleep(1500);
    expect(pair.b.out.count('sent', 'offer'), 'offers from b (polite)').to.equal(0);
    expect(iceUfrags(pair.b.pc.localDescription)[0], "b's credentials").to.equal(before);
    expectNoErrors(pair);
  });

  it('keeps restarts of a dead path within the server event limit for a mesh of 6 (5 pairs per socket)', async function () {
    this.timeout(30_000);
    const pair = await connectedPair(resources);
    for (const side of pair.sides) pair.environment.stalled.add(side.pc);
    const start = performance.now();
    await sleep(12_000);
    pair.environment.stalled.clear();
    /** The most messages of a kind one side sent in any 10 s since the path died. */
    const worst = (side: Side, kind: 'offer' | 'restart-request') => {
      const times = side.out.sent.flatMap((message, index) =>
        (kind === 'offer' ? isOffer(message) : message.kind === kind) && side.out.sentAt[index]! >= start ? [side.out.sentAt[index]!] : [],
      );
      return Math.max(0, ...times.map((from) => times.filter((time) => time >= from && time < from + 10_000).length));
    };
    const restarts = worst(pair.a, 'offer');
    const requests = worst(pair.b, 'restart-request');
    expect(restarts, 'restarts in 10 s').to.be.within(2, 4);
    expect(requests, 'restart requests in 10 s').to.be.within(1, 4);
    expect(pair.b.out.count('sent', 'offer'), 'offers from b (polite)').to.equal(0);
    // Per socket and pair: each restart's offer or answer with up to 8 candidates (policy `all`), plus the requests.
    const perSocket = 5 * (restarts * (1 + 8) + requests);
    expect(perSocket, 'signaling events per socket in 10 s (server limit 300)').to.be.at.most(200);
    await pair.untilSettled('stable once the path is back');
    expectNoErrors(pair);
  });

  it('an encoding change racing the keyframe pause leaves the camera sending', async function () {
    this.timeout(20_000);
    const pair = await connectedPair(resources);
    const sender = videoSender(pair.a);
    const setParameters = sender.setParameters.bind(sender);
    let raced = false;
    let delayNext = false;
    sender.setParameters = async (parameters: RTCRtpSendParameters) => {
      if (delayNext) {
        delayNext = false;
        await sleep(300);
      }
      await setParameters(parameters);
      // Right as the pause lands, the room changes the limits (someone joined), and the next update is slow.
      if (!raced && parameters.encodings.some((encoding) => encoding.active === false)) {
        raced = delayNext = true;
        pair.a.session.setVideoEncoding({ maxBitrate: 600_000, scaleResolutionDownBy: 2, maxFramerate: 30 });
      }
    };
    const before = iceUfrags(pair.a.pc.localDescription)[0];
    // a alone loses the path, restarts, and on its return pauses and resumes its camera for a keyframe.
    pair.environment.stalled.add(pair.a.pc);
    await waitFor(() => iceUfrags(pair.a.pc.localDescription)[0] !== before, 'an ICE restart offer from a', 6000);
    pair.environment.stalled.clear();
    await pair.untilSettled('stable after the restart');
    await waitFor(() => raced, 'the keyframe pause', 5000);
    await sleep(1500);
    expect(sender.getParameters().encodings.map((encoding) => encoding.active), 'camera encoding active').to.deep.equal([true]);
    expect(sender.getParameters().encodings[0]?.scaleResolutionDownBy, 'the new limits applied').to.equal(2);
    await untilDecodingMore(pair.b.pc, remoteCamera(pair.b), 'camera frames at b after the keyframe');
    expectNoErrors(pair);
  });

  it('a polite side whose renegotiation stays unanswered asks for the restart instead of restarting', async () => {
    timers = trackSdkTimers(10);
    const pair = await connectedPair(resources);
    const before = iceUfrags(pair.a.pc.localDescription)[0];
    pair.b.out.dropNext(isOffer);
    const screen = resources.canvasStream(160, 96);
    await pair.b.session.setScreenTrack(screen.getVideoTracks()[0]!, screen);
    await waitFor(() => pair.b.out.dropped.length === 1, "b's renegotiation offer to be dropped");
    pair.b.out.dropNext(isOffer);
    await waitFor(() => pair.b.out.dropped.length === 2, 'the offer sent again to be dropped', 5000);
    await waitFor(() => pair.b.out.count('sent', 'restart-request') === 1, 'b asking a for the restart', 5000);
    await waitFor(() => iceUfrags(pair.a.pc.localDescription)[0] !== before, 'an ICE restart from a', 5000);
    await pair.untilSettled('stable after starting over');
    pair.a.remote.setScreenSharing(true);
    await waitFor(() => pair.a.remote.screenStream !== null, 'screen at a');
    await untilDecodingMore(pair.a.pc, remoteScreen(pair.a), 'screen frames at a', 3);
    expectNoErrors(pair);
  });

  it('pauses the negotiation watchdog while signaling is down', async () => {
    timers = trackSdkTimers(10);
    const pair = await connectedPair(resources);
    pair.setSignalingUp(false);
    const screen = resources.canvasStream(160, 96);
    await pair.a.session.setScreenTrack(screen.getVideoTracks()[0]!, screen);
    await waitFor(() => pair.a.out.held === 1, 'the offer held');
    // Several watchdog periods (800 ms at 10× speed) with the offer stuck.
    await sleep(2000);
    expect(pair.a.pc.signalingState, 'no rollback during the outage').to.equal('have-local-offer');
    expect(pair.a.out.count('sent', 'offer')).to.equal(2);
    pair.setSignalingUp(true);
    await pair.untilSettled();
    await sleep(1200);
    expect(pair.a.out.count('sent', 'offer'), 'the held offer was answered: no retry').to.equal(2);
    pair.b.remote.setScreenSharing(true);
    await waitFor(() => pair.b.remote.screenStream !== null, 'screen at b');
    await untilDecodingMore(pair.b.pc, remoteScreen(pair.b), 'screen frames at b', 3);
    expectNoErrors(pair);
  });

  it('completes an ICE restart started during a signaling outage once signaling is back', async () => {
    const pair = await connectedPair(resources);
    const before = { a: iceUfrags(pair.a.pc.localDescription)[0], b: iceUfrags(pair.b.pc.localDescription)[0] };
    pair.setSignalingUp(false);
    pair.a.session.restartIce();
    await waitFor(() => pair.a.out.held >= 1, 'the restart offer held');
    await sleep(1000);
    expect(pair.b.pc.remoteDescription && iceUfrags(pair.b.pc.remoteDescription)[0]).to.equal(before.a);
    expect(pair.a.pc.signalingState).to.equal('have-local-offer');
    pair.setSignalingUp(true);

    await pair.untilSettled('stable after the restart');
    const after = { a: iceUfrags(pair.a.pc.localDescription)[0], b: iceUfrags(pair.b.pc.localDescription)[0] };
    expect(after.a, "a's credentials renewed").to.not.equal(before.a);
    expect(after.b, "b's credentials renewed").to.not.equal(before.b);
    expect(iceUfrags(pair.b.pc.remoteDescription)[0]).to.equal(after.a);
    expect(iceUfrags(pair.a.pc.remoteDescription)[0]).to.equal(after.b);
    for (const side of pair.sides) {
      await untilDecodingMore(side.pc, remoteCamera(side), 'camera frames after the restart');
      expect(side.remote.connectionState).to.equal('connected');
    }
    expectNoErrors(pair);
  });

  it('queues data sent before the channel opens and delivers it in order; no-op after close', async () => {
    const pair = resources.pair({ link: { delayMs: 3, jitterMs: 20, seed: 5 } });
    const messages = (from: string, count: number, start = 0) =>
      Array.from({ length: count }, (_, index) => `${from}:${start + index}`);
    for (const message of messages('a', 20)) pair.a.session.sendData(message);
    for (const message of messages('b', 20)) pair.b.session.sendData(message);
    await waitFor(() => pair.a.received.length >= 20 && pair.b.received.length >= 20, 'all 20 messages both ways');
    expect(pair.b.received).to.deep.equal(messages('a', 20));
    expect(pair.a.received).to.deep.equal(messages('b', 20));

    // Once open, straight through, still in order.
    for (const message of messages('a', 5, 20)) pair.a.session.sendData(message);
    await waitFor(() => pair.b.received.length === 25, '5 more messages');
    expect(pair.b.received).to.deep.equal(messages('a', 25));

    const [channel] = pair.environment.channels.get(pair.a.pc)!;
    const sends = pair.environment.channelSends.get(channel!)!;
    const sentBefore = sends.length;
    pair.a.session.close();
    expect(() => pair.a.session.sendData('after close')).to.not.throw();
    await sleep(200);
    expect(sends.length, 'nothing handed to the closed channel').to.equal(sentBefore);
    expect(pair.b.received).to.not.include('after close');
    expectNoErrors(pair);
  });

  it('drops messages queued before the channel opened when closed', async () => {
    const pair = resources.pair();
    pair.b.session.sendData('never');
    pair.b.session.close();
    await sleep(300);
    expect(pair.a.received).to.deep.equal([]);
    for (const channel of pair.environment.channels.get(pair.b.pc) ?? []) {
      expect(pair.environment.channelSends.get(channel)).to.deep.equal([]);
    }
  });

  it('replaceTrack switches the sent video without renegotiating, and the remote keeps decoding', async () => {
    const pair = await connectedPair(resources);
    const receivedTrack = remoteCamera(pair.b);
    await waitFor(async () => (await inboundStats(pair.b.pc, receivedTrack))?.frameWidth === 320, 'camera at 320 px');
    const logLength = pair.log.length;
    const signalingChanges: string[] = [];
    for (const side of pair.sides) {
      side.pc.addEventListener('signalingstatechange', () => signalingChanges.push(side.pc.signalingState));
    }

    const replacement = resources.canvasStream(176, 144, '#37a').getVideoTracks()[0]!;
    await pair.a.session.replaceTrack('video', replacement);
    expect(videoSender(pair.a).track).to.equal(replacement);
    await waitFor(
      async () => (await inboundStats(pair.b.pc, receivedTrack))?.frameWidth === 176,
      'the replacement (176 px) arriving at b',
    );
    await untilDecodingMore(pair.b.pc, receivedTrack, 'frames of the replacement');
    await sleep(200);
    expect(pair.log.slice(logLength).filter((event) => event.message.kind === 'description')).to.deep.equal([]);
    expect(signalingChanges).to.deep.equal([]);
    expect(pair.b.remote.stream?.getVideoTracks()).to.deep.equal([receivedTrack]);
    expectNoErrors(pair);
  });

  it('applies setVideoEncoding to the video sender, also when set before the first negotiation', async () => {
    const early: VideoEncoding = { maxBitrate: 250_000, scaleResolutionDownBy: 2, maxFramerate: 12 };
    const later: VideoEncoding = { maxBitrate: 120_000, scaleResolutionDownBy: 4, maxFramerate: 10 };
    const matches = (side: Side, encoding: VideoEncoding) => {
      const [first] = videoSender(side).getParameters().encodings;
      return (
        first?.maxBitrate === encoding.maxBitrate &&
        first.scaleResolutionDownBy === encoding.scaleResolutionDownBy &&
        first.maxFramerate === encoding.maxFramerate
      );
    };
    const pair = resources.pair({ streamA: await resources.camera(), streamB: await resources.camera() });
    // Before any offer: the polite side has no transceiver yet, the initiator's is not negotiated.
    for (const side of pair.sides) side.session.setVideoEncoding(early);
    await pair.untilSettled();
    for (const side of pair.sides) {
      await waitFor(() => matches(side, early), `${side.remote.id}'s sender limited as set before negotiating`, 2000);
      const parameters = videoSender(side).getParameters() as RTCRtpSendParameters & { degradationPreference?: string };
      if (parameters.degradationPreference !== undefined) expect(parameters.degradationPreference).to.equal('balanced');
    }
    // Takes effect in the encoder: half of 320 px.
    await waitFor(
      async () => (await inboundStats(pair.b.pc, remoteCamera(pair.b)))?.frameWidth === 160,
      'b receiving 160 px',
    );

    for (const side of pair.sides) side.session.setVideoEncoding(later);
    for (const side of pair.sides) await waitFor(() => matches(side, later), 'the later limits', 2000);
    // A renegotiation (screen share) keeps them.
    const screen = resources.canvasStream(160, 96);
    await pair.a.session.setScreenTrack(screen.getVideoTracks()[0]!, screen);
    await waitFor(() => pair.a.out.count('sent', 'offer') === 2, 'the screen offer');
    await pair.untilSettled();
    await sleep(100);
    for (const side of pair.sides) expect(matches(side, later), 'limits kept after renegotiating').to.equal(true);
    expectNoErrors(pair);
  });

  it('fast start: sends frames of at most 320×240 for the first second of the connection, then the limits set', async () => {
    const full: VideoEncoding = { maxBitrate: 1_000_000, scaleResolutionDownBy: 1, maxFramerate: 30 };
    const vga = async () => {
      const stream = await resources.camera();
      await stream.getVideoTracks()[0]!.applyConstraints({ width: 640, height: 480 });
      return stream;
    };
    const pair = resources.pair({ streamA: await vga(), streamB: await vga() });
    for (const side of pair.sides) side.session.setVideoEncoding(full);
    await pair.untilSettled();
    const scales = () => pair.sides.map((side) => videoSender(side).getParameters().encodings[0]?.scaleResolutionDownBy);
    await waitFor(() => scales().every((scale) => scale === 2), 'both senders at 320×240', 2000);
    await waitFor(async () => (await inboundStats(pair.b.pc, remoteCamera(pair.b)))?.frameWidth === 320, 'b receiving 320 px');
    await waitFor(() => scales().every((scale) => scale === 1), 'both senders back to the limits set', 3000);
    await waitFor(async () => (await inboundStats(pair.b.pc, remoteCamera(pair.b)))?.frameWidth === 640, 'b receiving 640 px');
    // A camera already that small, or a limit already lower, is left as it is.
    const quarter: VideoEncoding = { maxBitrate: 150_000, scaleResolutionDownBy: 4, maxFramerate: 15 };
    const small = resources.pair({ streamA: await resources.camera(), streamB: await vga() });
    small.a.session.setVideoEncoding(full);
    small.b.session.setVideoEncoding(quarter);
    await small.untilSettled();
    await waitFor(() => videoSender(small.a).getParameters().encodings[0]?.scaleResolutionDownBy === 1, '320×240 sent whole', 2000);
    await waitFor(() => videoSender(small.b).getParameters().encodings[0]?.scaleResolutionDownBy === 4, 'quarter kept', 2000);
    expectNoErrors(pair);
    expectNoErrors(small);
  });

  it('close() closes the connection and channel, marks the remote closed and leaves no timer behind', async () => {
    timers = trackSdkTimers();
    const pair = await connectedPair(resources);
    // A renegotiation in flight, so its watchdog is pending when we close.
    pair.a.out.hold();
    const screen = resources.canvasStream(160, 96);
    await pair.a.session.setScreenTrack(screen.getVideoTracks()[0]!, screen);
    await waitFor(() => pair.a.pc.signalingState === 'have-local-offer', 'a renegotiating');
    expect(timers.pending.size, 'the watchdog is pending (the tracker works)').to.be.above(0);

    const closedEvents: string[] = [];
    for (const side of pair.sides) side.remote.on('connection-state-changed', (state) => closedEvents.push(state));
    for (const side of pair.sides) side.session.close();
    for (const side of pair.sides) {
      expect(side.pc.connectionState).to.equal('closed');
      expect(side.pc.signalingState).to.equal('closed');
      expect(side.remote.connectionState).to.equal('closed');
      expect(pair.environment.channels.get(side.pc)).to.have.length(1);
    }
    // Chromium closes the channels of a closed connection a task later (the spec says at once).
    await waitFor(
      () => pair.sides.every((side) => pair.environment.channels.get(side.pc)![0]!.readyState === 'closed'),
      'both data channels closed',
      1000,
    );
    expect(closedEvents).to.deep.equal(['closed', 'closed']);
    expect([...timers.pending.values()], 'pending timers after close').to.deep.equal([]);

    // Nothing done to a closed session throws, reports or sets a timer.
    pair.a.out.release();
    for (const side of pair.sides) {
      side.session.handleDescription('offer', side.pc.localDescription?.sdp ?? '');
      side.session.handleCandidate({ candidate: '', sdpMid: '0' });
      side.session.setSignalingUp(false);
      side.session.setSignalingUp(true);
      side.session.restartIce();
      side.session.setVideoEncoding({ maxBitrate: 100_000, scaleResolutionDownBy: 1, maxFramerate: 15 });
      await side.session.setScreenTrack(null, null);
      await side.session.replaceTrack('video', null);
      side.session.close();
    }
    await sleep(100);
    expect([...timers.pending.values()], 'pending timers after using a closed session').to.deep.equal([]);
    expectNoErrors(pair);
  });
});
