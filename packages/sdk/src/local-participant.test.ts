// LocalParticipant's preview API (createPreview): capture, useStream, setEnabled, switchDevice, the fallback from a
// lost device, stopTracks and handOver, on Chromium's fake camera and microphone (see test/chromium.mjs).
import { expect } from '@esm-bundle/chai';
import { browserEnvironment, type Environment } from './environment.js';
import { ErrorCode, ParleyError } from './errors.js';
import { createPreview, LocalParticipant } from './local-participant.js';
import type { JoinOptions, Room } from './room.js';

/** The real devices, but `refuse` may turn a request down with a DOMException of the given name. */
function environment(refuse: (constraints: MediaStreamConstraints) => string | null = () => null): Environment {
  return {
    ...browserEnvironment,
    getUserMedia: async (constraints) => {
      const name = refuse(constraints);
      if (name) throw new DOMException('refused by the test', name);
      return browserEnvironment.getUserMedia(constraints);
    },
  };
}

async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const start = performance.now();
  while (!check()) {
    if (performance.now() - start > timeoutMs) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const count = (preview: LocalParticipant, event: 'stream-changed' | 'media-changed'): (() => number) => {
  let calls = 0;
  preview.on(event, () => (calls += 1));
  return () => calls;
};

/**
 * A microphone other than `inUse`: Chromium fakes three (the unit tests' flags give a single camera). Ids show only
 * to a page granted access.
 */
async function otherMicrophone(inUse: string | undefined): Promise<string> {
  for (const track of (await navigator.mediaDevices.getUserMedia({ audio: true })).getTracks()) track.stop();
  const devices = await navigator.mediaDevices.enumerateDevices();
  const other = devices.find(
    (device) => device.kind === 'audioinput' && device.deviceId !== inUse && !['default', 'communications'].includes(device.deviceId),
  );
  if (!other) throw new Error('Chromium fakes three microphones');
  return other.deviceId;
}

describe('LocalParticipant: the preview API', () => {
  let tracks: MediaStreamTrack[] = [];
  /** A preview started with both devices on; every track it ever held is stopped after the test. */
  async function started(env: Environment = browserEnvironment): Promise<LocalParticipant> {
    const preview = createPreview(env);
    const { stream, error } = await preview.capture(true, true);
    expect(error).to.equal(null);
    preview.useStream(stream);
    preview.on('stream-changed', () => tracks.push(...(preview.stream?.getTracks() ?? [])));
    tracks.push(...stream.getTracks());
    return preview;
  }

  afterEach(() => {
    for (const track of tracks) track.stop();
    tracks = [];
  });

  it('capture() starts both devices without using them; useStream() makes them the preview\'s', async () => {
    const preview = createPreview();
    const { stream, error } = await preview.capture(true, true);
    tracks.push(...stream.getTracks());
    expect(error).to.equal(null);
    expect(stream.getTracks().map((track) => [track.kind, track.readyState])).to.have.deep.members([
      ['audio', 'live'],
      ['video', 'live'],
    ]);
    expect(preview.stream, 'not used until useStream()').to.equal(null);

    const streamChanges = count(preview, 'stream-changed');
    preview.useStream(stream);
    expect(streamChanges()).to.equal(1);
    expect(preview.stream).to.equal(stream);
    expect(preview.videoTrack).to.equal(stream.getVideoTracks()[0]);
    expect(preview.audioTrack).to.equal(stream.getAudioTracks()[0]);
    expect(preview.deviceId('video')).to.equal(stream.getVideoTracks()[0]!.getSettings().deviceId);
  });

  it('capture() leaves out what cannot start, and says why; never rejects', async () => {
    const preview = createPreview(environment((constraints) => (constraints.video ? 'NotFoundError' : null)));
    const withoutCamera = await preview.capture(true, true);
    tracks.push(...withoutCamera.stream.getTracks());
    expect(withoutCamera.stream.getTracks().map((track) => track.kind)).to.deep.equal(['audio']);
    expect(withoutCamera.error).to.be.instanceOf(ParleyError);
    expect(withoutCamera.error!.code).to.equal(ErrorCode.NoDevice);

    const refused = await createPreview(environment(() => 'NotAllowedError')).capture(true, true);
    expect(refused.stream.getTracks()).to.deep.equal([]);
    expect(refused.error!.code).to.equal(ErrorCode.PermissionDenied);

    const nothingAsked = await preview.capture(false, false);
    expect([nothingAsked.stream.getTracks().length, nothingAsked.error]).to.deep.equal([0, null]);
  });

  it('setEnabled() turns a device off and on: track.enabled, audioEnabled/videoEnabled and media-changed', async () => {
    const preview = createPreview();
    const { stream } = await preview.capture(true, true);
    tracks.push(...stream.getTracks());
    preview.useStream(stream);
    expect([preview.audioEnabled, preview.videoEnabled], 'a preview starts with both on').to.deep.equal([true, true]);
    expect(stream.getTracks().map((track) => track.enabled)).to.deep.equal([true, true]);
    const mediaChanges = count(preview, 'media-changed');

    await preview.setEnabled('video', false);
    expect(preview.videoTrack!.enabled).to.equal(false);
    expect(preview.videoTrack!.readyState, 'off is not stopped: the light may stay on, turning back on is instant').to.equal('live');
    expect([preview.audioEnabled, preview.videoEnabled]).to.deep.equal([true, false]);
    await preview.setEnabled('video', true);
    expect(preview.videoTrack!.enabled).to.equal(true);
    await preview.setEnabled('audio', false);
    expect([preview.audioTrack!.enabled, preview.audioEnabled]).to.deep.equal([false, false]);
    expect(mediaChanges()).to.equal(3);
  });

  it('setEnabled(kind, true) starts a device that was never captured', async () => {
    const preview = createPreview();
    const { stream } = await preview.capture(true, false);
    preview.useStream(stream);
    tracks.push(...stream.getTracks());
    expect(preview.videoTrack).to.equal(null);
    await preview.setEnabled('video', true);
    tracks.push(preview.videoTrack!);
    expect([preview.videoTrack!.readyState, preview.videoTrack!.enabled, preview.videoEnabled]).to.deep.equal(['live', true, true]);
    expect(preview.stream!.getTracks()).to.have.length(2);
  });

  it('switchDevice() puts the chosen microphone in the stream, stops the old one, and keeps it off if it was off', async () => {
    const preview = await started();
    await preview.setEnabled('audio', false);
    const other = await otherMicrophone(preview.deviceId('audio'));
    const old = preview.audioTrack!;
    const streamChanges = count(preview, 'stream-changed');

    await preview.switchDevice('audio', other);
    expect(preview.deviceId('audio')).to.equal(other);
    expect(preview.audioTrack).to.not.equal(old);
    expect(preview.stream!.getAudioTracks()).to.have.length(1);
    expect(old.readyState).to.equal('ended');
    expect(preview.audioTrack!.enabled, 'the microphone was off: the new one is too').to.equal(false);
    expect(streamChanges()).to.equal(1);
  });

  it('switchDevice() to a device that will not start rejects with a typed error and keeps the one in use', async () => {
    const preview = await started();
    const before = preview.videoTrack!;
    let error: unknown;
    try {
      await preview.switchDevice('video', 'no-such-camera');
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(ParleyError);
    expect((error as ParleyError).code).to.equal(ErrorCode.NoDevice);
    expect([preview.videoTrack, before.readyState]).to.deep.equal([before, 'live']);
  });

  it('a lost device is replaced by the default one, as on or off as it was', async () => {
    const preview = await started();
    await preview.setEnabled('audio', false);
    const lost = preview.audioTrack!;
    lost.dispatchEvent(new Event('ended'));
    await until(() => preview.audioTrack !== lost, 'the replacement microphone');
    expect([preview.audioTrack!.readyState, preview.audioTrack!.enabled]).to.deep.equal(['live', false]);
    expect(lost.readyState, 'the lost track is let go').to.equal('ended');
    expect(preview.audioEnabled).to.equal(false);
  });

  it('a lost device with no replacement leaves the stream, and its state goes off', async () => {
    let unplugged = false;
    const preview = await started(environment((constraints) => (unplugged && constraints.video ? 'NotFoundError' : null)));
    unplugged = true;
    const streamChanges = count(preview, 'stream-changed');
    const lost = preview.videoTrack!;
    lost.dispatchEvent(new Event('ended'));
    await until(() => preview.videoTrack === null, 'the camera to leave the stream');
    expect(streamChanges()).to.equal(1);
    expect([preview.audioEnabled, preview.videoEnabled]).to.deep.equal([true, false]);
    expect(preview.stream!.getAudioTracks()[0]!.readyState).to.equal('live');
  });

  it('a lost device that reads as busy at first is asked for again, and its failure then tells why', async () => {
    let busy = 0;
    let denied = false;
    const failures: string[] = [];
    const nothing = async (): Promise<void> => undefined;
    const env = environment((constraints) => {
      if (!constraints.video) return null;
      if (busy > 0) return (busy -= 1), 'NotReadableError';
      return denied ? 'NotAllowedError' : null;
    });
    const preview = new LocalParticipant(env, { trackChanged: nothing, mediaStateChanged: nothing, deviceFailed: (error) => failures.push(error.code) });
    preview.setMediaState(true, true);
    const { stream } = await preview.capture(true, true);
    preview.useStream(stream);
    tracks.push(...stream.getTracks());
    preview.on('stream-changed', () => tracks.push(...(preview.stream?.getTracks() ?? [])));
    // Busy once, as while the browser lets the camera go: the second try gets it.
    busy = 1;
    const lost = preview.videoTrack!;
    lost.dispatchEvent(new Event('ended'));
    await until(() => preview.videoTrack !== lost && preview.videoTrack !== null, 'the camera back');
    expect(preview.videoEnabled).to.equal(true);
    expect(failures).to.deep.equal([]);
    // Busy, then refused, as when a permission is revoked: the refusal is what is reported.
    busy = 1;
    denied = true;
    const again = preview.videoTrack!;
    again.dispatchEvent(new Event('ended'));
    await until(() => preview.videoTrack === null, 'the camera to leave the stream');
    expect(preview.videoEnabled).to.equal(false);
    expect(failures).to.deep.equal([ErrorCode.PermissionDenied]);
  });

  it('a device granted while its permission is being revoked is stopped, not used, and reported as denied', async () => {
    let revoking = false;
    const grantedWhileRevoking: MediaStreamTrack[] = [];
    const failures: string[] = [];
    const nothing = async (): Promise<void> => undefined;
    const env: Environment = {
      ...browserEnvironment,
      // As Chromium may do: the request is granted, and the permission reads denied by the time the track arrives.
      getUserMedia: async (constraints) => {
        const stream = await browserEnvironment.getUserMedia(constraints);
        if (revoking) grantedWhileRevoking.push(...stream.getTracks());
        return stream;
      },
      watchPermission: (name) => ({ denied: async () => revoking && name === 'microphone', stop: () => undefined }),
    };
    const preview = new LocalParticipant(env, { trackChanged: nothing, mediaStateChanged: nothing, deviceFailed: (error) => failures.push(error.code) });
    preview.setMediaState(true, true);
    const { stream } = await preview.capture(true, true);
    preview.useStream(stream);
    tracks.push(...stream.getTracks());
    revoking = true;
    preview.audioTrack!.dispatchEvent(new Event('ended'));
    await until(() => preview.audioTrack === null, 'the microphone to leave the stream');
    expect(grantedWhileRevoking.map((track) => [track.kind, track.readyState])).to.deep.equal([['audio', 'ended']]);
    expect([preview.audioEnabled, preview.videoEnabled]).to.deep.equal([false, true]);
    expect(failures).to.deep.equal([ErrorCode.PermissionDenied]);
  });

  it('stopTracks() turns every light off, and a device still starting then is stopped when it arrives', async () => {
    const env = { ...browserEnvironment };
    const preview = await started(env);
    const stream = preview.stream!;
    const other = await otherMicrophone(preview.deviceId('audio'));
    // The next microphone starts only when the test says so, as if a permission prompt stood open meanwhile.
    let answer = (): void => undefined;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    const late: MediaStreamTrack[] = [];
    env.getUserMedia = async (constraints) => {
      await answered;
      const captured = await browserEnvironment.getUserMedia(constraints);
      late.push(...captured.getTracks());
      return captured;
    };
    const switching = preview.switchDevice('audio', other).then(
      () => null,
      (error: unknown) => error,
    );
    const streamChanges = count(preview, 'stream-changed');

    preview.stopTracks();
    expect(stream.getTracks().map((track) => track.readyState)).to.deep.equal(['ended', 'ended']);
    expect([preview.stream, preview.audioEnabled, preview.videoEnabled]).to.deep.equal([null, false, false]);
    expect(streamChanges()).to.equal(1);

    answer();
    const error = await switching;
    tracks.push(...late);
    expect((error as ParleyError).code).to.equal(ErrorCode.InvalidState);
    expect(late.map((track) => track.readyState), 'the microphone that arrived late is off').to.deep.equal(['ended']);
    expect(preview.stream).to.equal(null);
  });

  it('handOver() lets go of the stream without stopping it', async () => {
    const preview = await started();
    const stream = preview.stream!;
    const streamChanges = count(preview, 'stream-changed');
    preview.handOver();
    expect(preview.stream).to.equal(null);
    expect(stream.getTracks().map((track) => track.readyState)).to.deep.equal(['live', 'live']);
    expect(streamChanges(), 'nothing to redraw: the receiver shows it now').to.equal(0);
    // Its tracks are the receiver's: a lost one is no longer replaced into them.
    const lost = stream.getVideoTracks()[0]!;
    lost.dispatchEvent(new Event('ended'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(stream.getVideoTracks()).to.deep.equal([lost]);
  });

  it('the documented workflow: preview, toggle, switch, then join with what the preview holds', async () => {
    const joined: JoinOptions[] = [];
    const room: Pick<Room, 'join'> = { join: async (options) => void joined.push(options) };
    const microphoneChoice = { value: await otherMicrophone('default') };
    const video = document.createElement('video');
    const notice = document.createElement('p');
    const code = 'abcd-efgh-jkmn';
    const name = 'Ada';

    // #region preview
    const preview = createPreview();
    // What cannot start is left out; `error` (permission-denied, no-device, device-busy…) says why.
    const { stream, error } = await preview.capture(true, true);
    if (error) notice.textContent = error.message;
    preview.useStream(stream);
    // A switch, or a lost device replaced by the default one, changes the tracks: show what the stream holds now.
    const show = (): void => {
      video.srcObject = preview.stream;
    };
    preview.on('stream-changed', show);
    show();

    // The page's camera button and microphone list.
    await preview.setEnabled('video', !preview.videoEnabled);
    await preview.switchDevice('audio', microphoneChoice.value);

    // The room sends these tracks: nothing is captured twice. Whether each starts on follows the preview.
    await room.join({ code, name, stream, audio: preview.audioEnabled, video: preview.videoEnabled });
    preview.off('stream-changed', show);
    preview.handOver();
    // #endregion preview

    tracks.push(...stream.getTracks());
    expect(joined).to.deep.equal([{ code, name, stream, audio: true, video: false }]);
    expect(notice.textContent).to.equal('');
    expect(video.srcObject).to.equal(stream);
    expect(stream.getAudioTracks()[0]!.getSettings().deviceId).to.equal(microphoneChoice.value);
    expect(stream.getTracks().map((track) => track.readyState)).to.deep.equal(['live', 'live']);
    expect(preview.stream).to.equal(null);
  });
});
