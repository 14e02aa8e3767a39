// The fake server replaces the page's WebSocket: it must load before the SDK (see the module).
import '../../test/support/fake-signaling-server.js';
import { expect } from '@esm-bundle/chai';
import type { FakeEnvironment } from '../../test/support/fake-environment.js';
import { CODE, expectParleyError, nextEvent, rejectionOf, RoomFixture, waitFor } from '../../test/support/room-fixture.js';
import { ErrorCode } from '../errors.js';
import type { Room } from '../room.js';
import { FRAME_SIZE, RnnoiseFrames } from './rnnoise-frames.js';

/** Where web-test-runner serves the worklet and the wasm, as the Parley server does (web-test-runner.config.mjs). */
const ASSETS = '/rnnoise/';

/** The ids of the tracks the connection to the one remote participant sends (ids: tracks do not serialise). */
function sentTracks(environment: FakeEnvironment): (string | undefined)[] {
  return environment.peerConnections.at(-1)!.getSenders().map((sender) => sender.track?.id);
}

/** Every AudioContext made from now on, to check the noise suppression's is closed; `restore()` ends the watch. */
function watchAudioContexts(): { made: AudioContext[]; restore(): void } {
  const original = window.AudioContext;
  const made: AudioContext[] = [];
  window.AudioContext = class extends original {
    constructor(options?: AudioContextOptions) {
      super(options);
      made.push(this);
    }
  };
  return { made, restore: () => void (window.AudioContext = original) };
}

/** The mean energy of `samples`, in dB relative to full scale. */
function dbfs(samples: Float32Array): number {
  return 10 * Math.log10(samples.reduce((sum, sample) => sum + sample * sample, 0) / samples.length);
}

describe('noise suppression', function () {
  this.timeout(20_000);
  const world = RoomFixture.perTest();
  /** AudioContexts made once joined: the noise suppression's (the fake microphones' own is made before). */
  let contexts: ReturnType<typeof watchAudioContexts> | undefined;
  afterEach(() => {
    contexts?.restore();
    contexts = undefined;
  });
  const suppressionContext = () => contexts!.made[0]!;

  /** Joined, with one remote participant the room has a peer connection to. */
  async function joinedWithPeer(): Promise<Room> {
    const room = await world.joined({}, { noiseSuppressionAssets: ASSETS });
    const bea = world.server.addRemoteParticipant(CODE, 'Bea');
    await waitFor(() => world.server.received('offer').some((offer) => offer.to === bea.id), 'an offer to Bea');
    contexts = watchAudioContexts();
    return room;
  }

  it('sends the microphone through RNNoise in its place; turning it on twice changes nothing', async () => {
    const room = await joinedWithPeer();
    const local = room.localParticipant;
    const microphone = local.audioTrack!;
    expect(local.noiseSuppression).to.equal(false);

    await local.setNoiseSuppression(true);

    const processed = local.audioTrack!;
    expect(local.noiseSuppression).to.equal(true);
    expect(processed.id).to.not.equal(microphone.id);
    expect(local.stream!.getAudioTracks().map((track) => track.id)).to.deep.equal([processed.id]);
    expect(sentTracks(world.environment)).to.include(processed.id).and.not.include(microphone.id);
    // The microphone runs under it, and is still the device in use.
    expect(microphone.readyState).to.equal('live');
    expect(local.deviceId('audio')).to.equal('microphone-1');
    expect(suppressionContext().state).to.equal('running');

    await local.setNoiseSuppression(true);
    expect(local.audioTrack!.id).to.equal(processed.id);
    expect(contexts!.made).to.have.length(1);
  });

  it('turned off, sends the microphone as captured again and closes its AudioContext', async () => {
    const room = await joinedWithPeer();
    const local = room.localParticipant;
    const microphone = local.audioTrack!;
    await local.setNoiseSuppression(true);
    const processed = local.audioTrack!;

    await local.setNoiseSuppression(false);

    expect(local.noiseSuppression).to.equal(false);
    expect(local.audioTrack!.id).to.equal(microphone.id);
    expect(sentTracks(world.environment)).to.include(microphone.id).and.not.include(processed.id);
    expect([microphone.readyState, processed.readyState]).to.deep.equal(['live', 'ended']);
    await waitFor(() => suppressionContext().state === 'closed', 'the AudioContext closed');
  });

  it('mutes what is sent, and a microphone muted under it stays muted once it is off', async () => {
    const room = await joinedWithPeer();
    const local = room.localParticipant;
    const microphone = local.audioTrack!;
    await room.toggleMicrophone(false);
    await local.setNoiseSuppression(true);
    expect([local.audioTrack!.enabled, microphone.enabled]).to.deep.equal([false, true]);

    await room.toggleMicrophone(true);
    expect(local.audioTrack!.enabled).to.equal(true);
    await room.toggleMicrophone(false);
    await local.setNoiseSuppression(false);
    expect([local.audioTrack!.id, local.audioTrack!.enabled, local.audioEnabled]).to.deep.equal([microphone.id, false, false]);
  });

  it('a microphone lost with none to replace it comes back through the filter when turned on again', async () => {
    const room = await joinedWithPeer();
    const local = room.localParticipant;
    await local.setNoiseSuppression(true);
    const processed = local.audioTrack!;
    const microphone = world.environment.liveTracks.find((track) => track.kind === 'audio')!;

    // Permission revoked: the microphone ends and no other can start.
    world.environment.refusals.set('audio', 'NotAllowedError');
    const lost = nextEvent(room, 'stream-changed');
    microphone.dispatchEvent(new Event('ended'));
    await lost;
    await waitFor(() => !local.audioEnabled, 'the microphone announced off');
    expect(local.audioTrack).to.equal(null);

    // Granted again: turning the microphone on captures a new one, under the same processed track.
    world.environment.refusals.delete('audio');
    await room.toggleMicrophone(true);
    expect(local.audioTrack!.id).to.equal(processed.id);
    expect(local.audioTrack!.enabled).to.equal(true);
    expect(local.noiseSuppression).to.equal(true);
    const live = world.environment.liveTracks.filter((track) => track.kind === 'audio');
    expect(live).to.have.length(1);
    expect(live[0]!.id).to.not.equal(microphone.id);
    expect(sentTracks(world.environment)).to.include(processed.id);
  });

  it('runs beside a video effect: each device under its own processed track, muting acts on what is sent', async () => {
    const room = await joinedWithPeer();
    const local = room.localParticipant;
    const [microphone, camera] = [local.audioTrack!, local.videoTrack!];
    const canvas = document.createElement('canvas');
    canvas.getContext('2d');
    const effectOutput = canvas.captureStream().getVideoTracks()[0]!;
    await Promise.all([
      local.setNoiseSuppression(true),
      local.setVideoEffect(async () => ({ track: effectOutput, stop: () => effectOutput.stop() })),
    ]);
    const processed = local.audioTrack!;
    expect(processed.id).to.not.equal(microphone.id);
    expect(local.videoTrack!.id).to.equal(effectOutput.id);
    expect(sentTracks(world.environment)).to.include.members([processed.id, effectOutput.id]);
    expect([local.deviceId('audio'), local.deviceId('video')]).to.deep.equal([microphone.getSettings().deviceId, 'camera-1']);

    await room.toggleMicrophone(false);
    await room.toggleCamera(false);
    // The microphone runs under the processed track, which is off; the camera goes off with the effect's output.
    expect([processed.enabled, microphone.enabled, effectOutput.enabled, camera.enabled]).to.deep.equal([false, true, false, false]);

    await Promise.all([local.setNoiseSuppression(false), local.setVideoEffect(null)]);
    expect([local.audioTrack!.id, local.videoTrack!.id]).to.deep.equal([microphone.id, camera.id]);
    expect([microphone.enabled, camera.enabled]).to.deep.equal([false, false]);
    expect([processed.readyState, effectOutput.readyState]).to.deep.equal(['ended', 'ended']);
  });

  it('keeps processing across a microphone switch and a lost microphone: the old one stops, the sent track stays', async () => {
    const room = await joinedWithPeer();
    const local = room.localParticipant;
    const first = local.audioTrack!;
    await local.setNoiseSuppression(true);
    const processed = local.audioTrack!;

    await room.switchMicrophone('microphone-2');
    expect(local.deviceId('audio')).to.equal('microphone-2');
    expect(first.readyState).to.equal('ended');
    expect(local.audioTrack!.id).to.equal(processed.id);
    expect(sentTracks(world.environment)).to.include(processed.id);

    // The second microphone is unplugged: the default one takes its place, under the same processed track.
    const second = world.environment.liveTracks.find((track) => track.kind === 'audio')!;
    const replaced = nextEvent(room, 'stream-changed');
    second.dispatchEvent(new Event('ended'));
    await replaced;
    expect(local.deviceId('audio')).to.equal('microphone-1');
    expect(local.audioTrack!.id).to.equal(processed.id);
    expect(world.environment.liveTracks.filter((track) => track.kind === 'audio')).to.have.length(1);
  });

  it('where the browser has no AudioWorklet, rejects with `unsupported` and keeps sending the microphone', async () => {
    const room = await joinedWithPeer();
    const local = room.localParticipant;
    const microphone = local.audioTrack!;
    const worklet = Object.getOwnPropertyDescriptor(window, 'AudioWorkletNode')!;
    delete (window as Partial<typeof window>).AudioWorkletNode;
    try {
      expectParleyError(await rejectionOf(local.setNoiseSuppression(true)), ErrorCode.Unsupported);
    } finally {
      Object.defineProperty(window, 'AudioWorkletNode', worklet);
    }
    expect(local.noiseSuppression).to.equal(false);
    expect(local.audioTrack!.id).to.equal(microphone.id);
    expect(sentTracks(world.environment)).to.include(microphone.id);
    expect(contexts!.made).to.have.length(0);

    // A later try, in a browser that can, works.
    await local.setNoiseSuppression(true);
    expect(local.noiseSuppression).to.equal(true);
  });

  it('when its assets cannot be fetched, rejects with `internal`, keeps the microphone and leaves nothing running', async () => {
    const room = await world.joined({}, { noiseSuppressionAssets: '/nowhere/' });
    contexts = watchAudioContexts();
    const microphone = room.localParticipant.audioTrack!;
    expectParleyError(await rejectionOf(room.localParticipant.setNoiseSuppression(true)), ErrorCode.Internal);
    expect(room.localParticipant.audioTrack!.id).to.equal(microphone.id);
    await waitFor(() => suppressionContext().state === 'closed', 'the AudioContext closed');
  });

  it('leaving stops the microphone under it and closes its AudioContext; the next join starts without it', async () => {
    const room = await joinedWithPeer();
    const local = room.localParticipant;
    const microphone = local.audioTrack!;
    await local.setNoiseSuppression(true);
    const processed = local.audioTrack!;

    await room.leave();

    expect([microphone.readyState, processed.readyState]).to.deep.equal(['ended', 'ended']);
    expect(local.noiseSuppression).to.equal(false);
    await waitFor(() => suppressionContext().state === 'closed', 'the AudioContext closed');
    await room.join({ code: CODE, name: 'Ada' });
    expect(local.noiseSuppression).to.equal(false);
    expect(local.audioTrack!.readyState).to.equal('live');
  });

  it('RNNoise itself: takes steady noise down by over 10 dB once it has heard it', async () => {
    const wasm = await WebAssembly.compile(await (await fetch(`${ASSETS}rnnoise.wasm`)).arrayBuffer());
    const rnnoise = new RnnoiseFrames(wasm);
    let seed = 1;
    const noise = () => {
      seed = (seed * 16_807) % 2_147_483_647;
      return (seed / 2_147_483_647 - 0.5) * 0.1;
    };
    const frame = new Float32Array(FRAME_SIZE);
    const input: number[] = [];
    const output: number[] = [];
    // Two seconds: the first one to learn the noise, the second measured.
    for (let index = 0; index < 200; index++) {
      for (let i = 0; i < FRAME_SIZE; i++) frame[i] = noise();
      if (index >= 100) input.push(...frame);
      rnnoise.process(frame);
      if (index >= 100) output.push(...frame);
    }
    rnnoise.destroy();
    expect(dbfs(new Float32Array(input)) - dbfs(new Float32Array(output))).to.be.greaterThan(10);
  });
});
