import { expect } from '@esm-bundle/chai';
import { browserEnvironment } from './environment.js';
import { LocalParticipant } from './local-participant.js';
import { RemoteParticipant } from './remote-participant.js';
import { snapshotParticipant } from './snapshot.js';

const remoteInfo = {
  id: 'p2',
  name: 'Grace',
  isHost: true,
  audioEnabled: true,
  videoEnabled: false,
  screenSharing: false,
};

describe('snapshotParticipant', () => {
  it('freezes a remote participant with its connection state and quality', () => {
    const remote = new RemoteParticipant(remoteInfo);
    remote.setConnectionState('connected');
    remote.setConnectionQuality(4);
    const snapshot = snapshotParticipant(remote);
    expect(snapshot).to.deep.equal({
      ...remoteInfo,
      isLocal: false,
      isSpeaking: false,
      handRaised: false,
      stream: null,
      screenStream: null,
      connectionState: 'connected',
      connectionQuality: 4,
    });
    expect(Object.isFrozen(snapshot)).to.equal(true);
  });

  it('is a copy: later changes to the participant do not show in an earlier snapshot', () => {
    const remote = new RemoteParticipant(remoteInfo);
    const before = snapshotParticipant(remote);
    remote.setMediaState(false, true);
    remote.setSpeaking(true);
    remote.setConnectionState('failed');
    expect(before.audioEnabled).to.equal(true);
    expect(before.isSpeaking).to.equal(false);
    expect(before.connectionState).to.equal('new');
    const after = snapshotParticipant(remote);
    expect([after.audioEnabled, after.videoEnabled, after.isSpeaking, after.connectionState]).to.deep.equal([
      false,
      true,
      true,
      'failed',
    ]);
  });

  it('shows a remote screen only while the participant says it is sharing', () => {
    const remote = new RemoteParticipant(remoteInfo);
    const track = document.createElement('canvas').captureStream().getVideoTracks()[0]!;
    remote.setScreenTrack(track);
    expect(snapshotParticipant(remote).screenStream).to.equal(null);
    remote.setScreenSharing(true);
    const sharing = snapshotParticipant(remote);
    expect(sharing.screenSharing).to.equal(true);
    expect(sharing.screenStream?.getVideoTracks()).to.deep.equal([track]);
    track.stop();
  });

  it('leaves connection fields out for the local participant', () => {
    const local = new LocalParticipant(browserEnvironment, {
      trackChanged: async () => {},
      mediaStateChanged: async () => {},
      deviceFailed: () => {},
    });
    const snapshot = snapshotParticipant(local);
    expect(snapshot.isLocal).to.equal(true);
    expect(snapshot).to.not.have.property('connectionState');
    expect(snapshot).to.not.have.property('connectionQuality');
    expect(Object.isFrozen(snapshot)).to.equal(true);
  });
});
