// The fake server replaces the page's WebSocket: it must load before the SDK (see the module).
import '../test/support/fake-signaling-server.js';
import { expect } from '@esm-bundle/chai';
import { FakeEnvironment } from '../test/support/fake-environment.js';
import { CODE, expectParleyError, rejectionOf, RoomFixture, waitFor } from '../test/support/room-fixture.js';
import { ErrorCode, ParleyError } from './errors.js';
import type { VideoEffect } from './local-participant.js';
import type { Room } from './room.js';

/** One start of a fake effect: the camera it processed (by id), its output track, and whether it was stopped. */
interface Started {
  camera: string;
  cameraTrack: MediaStreamTrack;
  output: MediaStreamTrack;
  stopped: boolean;
}

/** An effect whose output is a canvas's track; each start is logged in `starts`. `delayMs`: how long a start takes. */
function fakeEffect(starts: Started[], delayMs = 0): VideoEffect {
  return async (camera) => {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    const canvas = document.createElement('canvas');
    canvas.getContext('2d');
    const output = canvas.captureStream().getVideoTracks()[0]!;
    const started: Started = { camera: camera.id, cameraTrack: camera, output, stopped: false };
    starts.push(started);
    return {
      track: output,
      stop: () => {
        started.stopped = true;
        output.stop();
      },
    };
  };
}

/** Track ids the room's one peer connection sends (ids: chai cannot print tracks in this runner). */
function sentTracks(environment: FakeEnvironment): (string | undefined)[] {
  return environment.peerConnections.at(-1)!.getSenders().map((sender) => sender.track?.id);
}

describe('LocalParticipant.setVideoEffect: a processed camera in place of the raw one', function () {
  this.timeout(20_000);
  const world = RoomFixture.perTest();

  async function joinedWithPeer(): Promise<Room> {
    const room = await world.joined();
    const bea = world.server.addRemoteParticipant(CODE, 'Bea');
    await waitFor(() => world.server.received('offer').some((offer) => offer.to === bea.id), 'an offer to Bea');
    return room;
  }

  it('sends and shows the processed track; removing the effect sends the raw camera again and stops the pipeline', async () => {
    const room = await joinedWithPeer();
    const local = room.localParticipant;
    const camera = local.videoTrack!;
    const starts: Started[] = [];

    await local.setVideoEffect(fakeEffect(starts));
    expect(starts.map((start) => start.camera)).to.deep.equal([camera.id]);
    expect(local.videoTrack!.id).to.equal(starts[0]!.output.id);
    expect(sentTracks(world.environment)).to.include(starts[0]!.output.id).and.not.include(camera.id);
    // The device is still the camera's, not the processed track's.
    expect(local.deviceId('video')).to.equal('camera-1');

    await local.setVideoEffect(null);
    expect(local.videoTrack!.id).to.equal(camera.id);
    expect(sentTracks(world.environment)).to.include(camera.id);
    expect([starts[0]!.stopped, camera.readyState]).to.deep.equal([true, 'live']);
  });

  it('switching effects quickly ends on the last one asked for, with every other output stopped', async () => {
    const room = await joinedWithPeer();
    const local = room.localParticipant;
    const slow: Started[] = [];
    const fast: Started[] = [];
    await Promise.all([local.setVideoEffect(fakeEffect(slow, 200)), local.setVideoEffect(null), local.setVideoEffect(fakeEffect(fast))]);
    expect(local.videoTrack!.id).to.equal(fast[0]!.output.id);
    expect(sentTracks(world.environment)).to.include(fast[0]!.output.id);
    expect(slow.map((start) => start.stopped)).to.deep.equal([true]);
    expect(fast.map((start) => start.stopped)).to.deep.equal([false]);
  });

  it('an effect that cannot start rejects with its typed error; the raw camera goes on and later cameras stay raw', async () => {
    const room = await joinedWithPeer();
    const local = room.localParticipant;
    const camera = local.videoTrack!;
    const failing: VideoEffect = () => Promise.reject(ParleyError.backgroundUnavailable('The background image x.png did not load'));
    expectParleyError(await rejectionOf(local.setVideoEffect(failing)), ErrorCode.BackgroundUnavailable);
    expect([local.videoTrack!.id, camera.readyState]).to.deep.equal([camera.id, 'live']);
    expect(sentTracks(world.environment)).to.include(camera.id);

    await room.switchCamera('camera-2');
    expect(local.videoTrack!.getSettings().deviceId).to.equal('camera-2');
  });

  it('keeps the effect across the camera turned off and on and a camera switch; leaving stops camera and pipeline', async () => {
    const room = await joinedWithPeer();
    const local = room.localParticipant;
    const first = local.videoTrack!;
    const starts: Started[] = [];
    await local.setVideoEffect(fakeEffect(starts));

    await room.toggleCamera(false);
    expect(local.videoTrack!.enabled).to.equal(false);
    await room.toggleCamera(true);
    expect([local.videoTrack!.id, local.videoTrack!.enabled]).to.deep.equal([starts[0]!.output.id, true]);

    await room.switchCamera('camera-2');
    expect(starts).to.have.length(2);
    expect(starts[1]!.camera).to.not.equal(first.id);
    expect([starts[0]!.stopped, first.readyState]).to.deep.equal([true, 'ended']);
    expect(local.deviceId('video')).to.equal('camera-2');
    expect(sentTracks(world.environment)).to.include(starts[1]!.output.id);
    const second = starts[1]!;

    await room.leave();
    expect([second.stopped, second.cameraTrack.readyState]).to.deep.equal([true, 'ended']);
  });

  it('applies an effect set before joining to the camera the join captures, before anything is sent', async () => {
    const room = world.room();
    const starts: Started[] = [];
    await room.localParticipant.setVideoEffect(fakeEffect(starts));
    await room.join({ code: CODE, name: 'Ada' });
    expect(starts).to.have.length(1);
    expect(room.localParticipant.videoTrack!.id).to.equal(starts[0]!.output.id);
  });
});
