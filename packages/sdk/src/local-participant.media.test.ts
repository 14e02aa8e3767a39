// The fake server replaces the page's WebSocket: it must load before the SDK (see the module).
import '../test/support/fake-signaling-server.js';
import { expect } from '@esm-bundle/chai';
import { refusal } from '../test/support/fake-signaling-server.js';
import { FakeEnvironment } from '../test/support/fake-environment.js';
import { CODE, nextEvent, recordEvents, expectParleyError, rejectionOf, RoomFixture, waitFor } from '../test/support/room-fixture.js';
import { ErrorCode } from './errors.js';
import type { Room } from './room.js';

/**
 * The ids of the tracks the room's connection to the one remote participant sends. Tests compare tracks by id: a
 * failed assertion on MediaStreamTrack objects crashes the test page as web-test-runner serialises them.
 */
function sentTracks(environment: FakeEnvironment): (string | undefined)[] {
  const pc = environment.peerConnections.at(-1);
  if (!pc) throw new Error('no peer connection');
  return pc.getSenders().map((sender) => sender.track?.id);
}

describe('LocalParticipant in a meeting: camera, microphone, screen share, devices', function () {
  this.timeout(20_000);
  const world = RoomFixture.perTest();

  /** Joined, with one remote participant the room has a peer connection to. */
  async function joinedWithPeer(options: { audio?: boolean; video?: boolean } = {}): Promise<Room> {
    const room = await world.joined(options);
    const bea = world.server.addRemoteParticipant(CODE, 'Bea');
    await waitFor(() => world.server.received('offer').some((offer) => offer.to === bea.id), 'an offer to Bea');
    return room;
  }

  describe('microphone and camera', () => {
    it('toggles the microphone: the track goes silent, the room emits `media-changed`, the server is told', async () => {
      const room = await joinedWithPeer();
      const local = room.localParticipant;
      const track = local.audioTrack!;
      const events = recordEvents(room, ['media-changed']);

      expect(await room.toggleMicrophone()).to.equal(false);
      expect([local.audioEnabled, track.enabled, track.readyState]).to.deep.equal([false, false, 'live']);
      expect(events.map(({ args }) => args[0] === local)).to.deep.equal([true]);
      expect(world.server.received('media-state')).to.deep.equal([{ audio: false, video: true, screen: false }]);

      expect(await room.toggleMicrophone()).to.equal(true);
      expect([local.audioEnabled, track.enabled]).to.deep.equal([true, true]);
      // The same track all along: no new capture, nothing renegotiated.
      expect(local.audioTrack?.id).to.equal(track.id);
      expect(world.environment.mediaRequests).to.have.length(1);
      expect(world.server.received('media-state').at(-1)).to.deep.equal({ audio: true, video: true, screen: false });
    });

    it('toggles the camera off and on with the same track, and an explicit state is kept, not toggled', async () => {
      const room = await joinedWithPeer();
      const track = room.localParticipant.videoTrack!;
      expect(await room.toggleCamera(false)).to.equal(false);
      expect(track.enabled).to.equal(false);
      expect(await room.toggleCamera(false)).to.equal(false);
      expect(room.localParticipant.videoEnabled).to.equal(false);
      expect(await room.toggleCamera()).to.equal(true);
      expect([room.localParticipant.videoTrack?.id, track.enabled]).to.deep.equal([track.id, true]);
      expect(world.server.received('media-state').map((state) => state.video)).to.deep.equal([false, false, true]);
    });

    it('starts a camera joined without one, and sends it to the peers', async () => {
      const room = await joinedWithPeer({ video: false });
      expect(room.localParticipant.videoTrack?.id).to.equal(undefined);
      const streamChanged = nextEvent(room, 'stream-changed');

      await room.toggleCamera(true);

      await streamChanged;
      const camera = room.localParticipant.videoTrack!;
      expect(camera.readyState).to.equal('live');
      expect(world.environment.mediaRequests.at(-1)!.video).to.be.an('object');
      expect(world.environment.mediaRequests.at(-1)!.audio).to.equal(false);
      expect(sentTracks(world.environment)).to.include(camera.id);
      expect(world.server.received('media-state')).to.deep.equal([{ audio: true, video: true, screen: false }]);
    });

    it('rejects with the typed error when the camera is refused, and stays off', async () => {
      const room = await joinedWithPeer({ video: false });
      world.environment.refusals.set('video', 'NotReadableError');
      expectParleyError(await rejectionOf(room.toggleCamera(true)), ErrorCode.DeviceBusy);
      expect(room.localParticipant.videoEnabled).to.equal(false);
      expect(room.localParticipant.videoTrack?.id).to.equal(undefined);
      expect(world.server.received('media-state')).to.deep.equal([]);
    });

    it('reaches the other participants: their room sees the change', async () => {
      const ada = await world.joined({ name: 'Ada' });
      const bea = world.room({ environment: new FakeEnvironment() });
      await bea.join({ code: CODE, name: 'Ada' });
      const adaAtBea = bea.participants.get(ada.localParticipant.id)!;
      const changed = nextEvent(bea, 'media-changed');
      await ada.toggleCamera(false);
      expect((await changed)[0] === adaAtBea, 'media-changed names Ada').to.equal(true);
      expect([adaAtBea.audioEnabled, adaAtBea.videoEnabled]).to.deep.equal([true, false]);
    });

    it('rejects with the server’s refusal, or `timeout`, when the media state is not acknowledged', async () => {
      const room = await world.joined({}, { requestTimeoutMs: 500 });
      world.server.answer('media-state', () => refusal('rate-limited'));
      expectParleyError(await rejectionOf(room.toggleMicrophone(false)), ErrorCode.RateLimited);
      world.server.answer('media-state', () => undefined);
      expectParleyError(await rejectionOf(room.toggleCamera(false)), ErrorCode.Timeout);
      expect(room.state).to.equal('joined');
    });
  });

  describe('screen share', () => {
    it('starts: the picker is asked for 15 fps video, the peers get the screen, everyone is told; stops likewise', async () => {
      const room = await joinedWithPeer();
      const local = room.localParticipant;
      const events = recordEvents(room, ['screen-share-changed']);

      expect(await room.toggleScreenShare()).to.equal(true);

      expect(world.environment.displayRequests).to.deep.equal([{ video: { frameRate: { ideal: 15, max: 15 } }, audio: false }]);
      const screen = local.screenStream!.getVideoTracks()[0]!;
      expect([local.screenSharing, screen.readyState, screen.contentHint]).to.deep.equal([true, 'live', 'detail']);
      expect(events.map(({ args }) => args[0] === local)).to.deep.equal([true]);
      expect(world.server.received('media-state')).to.deep.equal([{ audio: true, video: true, screen: true }]);
      await waitFor(() => sentTracks(world.environment).includes(screen.id), 'the screen on the peer connection');

      expect(await room.toggleScreenShare()).to.equal(false);

      expect([local.screenSharing, local.screenStream?.id, screen.readyState]).to.deep.equal([false, undefined, 'ended']);
      expect(events).to.have.length(2);
      expect(world.server.received('media-state').at(-1)).to.deep.equal({ audio: true, video: true, screen: false });
      expect(sentTracks(world.environment)).to.not.include(screen.id);
    });

    it('stops when the browser’s own “Stop sharing” ends the track', async () => {
      const room = await joinedWithPeer();
      await room.startScreenShare();
      const stopped = nextEvent(room, 'screen-share-changed');
      room.localParticipant.screenStream!.getVideoTracks()[0]!.dispatchEvent(new Event('ended'));
      await stopped;
      expect(room.localParticipant.screenSharing).to.equal(false);
      await waitFor(() => world.server.received('media-state').at(-1)?.screen === false, 'the stop announced');
    });

    it('opens one picker for two quick starts, and changes nothing when the picker is refused', async () => {
      const room = await joinedWithPeer();
      await Promise.all([room.startScreenShare(), room.startScreenShare()]);
      expect(world.environment.displayRequests).to.have.length(1);
      await room.stopScreenShare();

      world.environment.screenRefusal = 'NotAllowedError';
      const events = recordEvents(room, ['screen-share-changed']);
      const before = world.server.received('media-state').length;
      expectParleyError(await rejectionOf(room.startScreenShare()), ErrorCode.PermissionDenied);
      expect(room.localParticipant.screenSharing).to.equal(false);
      expect(events).to.deep.equal([]);
      expect(world.server.received('media-state')).to.have.length(before);
    });
  });

  describe('switching devices while joined', () => {
    it('switches the camera: the exact device is captured, sent in place of the old one without renegotiation', async () => {
      const room = await joinedWithPeer();
      const local = room.localParticipant;
      const old = local.videoTrack!;
      expect(local.deviceId('video')).to.equal('camera-1');
      const offers = world.server.received('offer').length;

      await room.switchCamera('camera-2');

      expect(world.environment.mediaRequests.at(-1)!.video).to.deep.include({ deviceId: { exact: 'camera-2' } });
      expect(local.deviceId('video')).to.equal('camera-2');
      expect(old.readyState).to.equal('ended');
      const current = local.videoTrack!;
      expect(local.stream!.getVideoTracks().map((track) => track.id)).to.deep.equal([current.id]);
      expect(sentTracks(world.environment)).to.include(current.id).and.not.include(old.id);
      expect(world.server.received('offer')).to.have.length(offers);
    });

    it('keeps a camera that is off, off, across a switch', async () => {
      const room = await joinedWithPeer();
      await room.toggleCamera(false);
      await room.switchCamera('camera-2');
      expect(room.localParticipant.videoTrack!.enabled).to.equal(false);
      expect(room.localParticipant.videoEnabled).to.equal(false);
    });

    it('switches the microphone, and keeps the old one when the new one fails', async () => {
      const room = await joinedWithPeer();
      await room.switchMicrophone('microphone-2');
      expect(room.localParticipant.deviceId('audio')).to.equal('microphone-2');
      const working = room.localParticipant.audioTrack!;

      world.environment.refusals.set('audio', 'NotFoundError');
      expectParleyError(await rejectionOf(room.switchMicrophone('microphone-1')), ErrorCode.NoDevice);
      expect(room.localParticipant.audioTrack?.id).to.equal(working.id);
      expect(working.readyState).to.equal('live');
    });

    it('falls back to the default camera when the one in use is unplugged', async () => {
      const room = await joinedWithPeer();
      await room.switchCamera('camera-2');
      const unplugged = room.localParticipant.videoTrack!;
      const replaced = nextEvent(room, 'stream-changed');
      unplugged.dispatchEvent(new Event('ended'));
      await replaced;
      expect(room.localParticipant.deviceId('video')).to.equal('camera-1');
      expect(room.localParticipant.videoEnabled).to.equal(true);
      await waitFor(() => sentTracks(world.environment).includes(room.localParticipant.videoTrack?.id), 'the new camera sent');
    });

    it('goes without, reports the typed error and tells everyone, when no camera is left', async () => {
      const room = await joinedWithPeer();
      world.environment.refusals.set('video', 'NotFoundError');
      const failed = nextEvent(room, 'error');
      room.localParticipant.videoTrack!.dispatchEvent(new Event('ended'));
      expectParleyError((await failed)[0], ErrorCode.NoDevice);
      expect(room.localParticipant.videoTrack?.id).to.equal(undefined);
      expect(room.localParticipant.videoEnabled).to.equal(false);
      expect(world.server.received('media-state').at(-1)).to.deep.equal({ audio: true, video: false, screen: false });
    });
  });
});
