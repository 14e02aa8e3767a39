import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { RunningServer } from '@parley/server';
import { assertEveryoneReceivesEveryone } from './support/assertions.js';
import { useCallHarness } from './support/harness.js';
import { MeetingPage } from './support/meeting-page.js';
import { denyMedia, fakeCameraLabel, grantMedia, launchChromiumWith } from './support/media-flags.js';
import { createMeeting } from './support/servers.js';

/** Offers the server relayed, to tell a renegotiation from a `replaceTrack`. */
function countOffers(parley: RunningServer): () => number {
  let offers = 0;
  for (const socket of parley.io.of('/').sockets.values()) {
    socket.onAny((event: string) => {
      if (event === 'offer') offers += 1;
    });
  }
  return () => offers;
}

/** Frames `receiver` decoded from `sender`'s shared screen, read from the screen tile's video. */
function screenFramesSeen(receiver: MeetingPage, sender: MeetingPage): Promise<number> {
  return receiver.page.evaluate((id) => {
    const grid = document.querySelector('meeting-room')!.shadowRoot!.querySelector('participant-grid')!;
    const tile = grid.shadowRoot!.querySelector(`participant-tile[source="screen"][data-participant-id="${id}"]`);
    return tile?.shadowRoot?.querySelector('video')?.getVideoPlaybackQuality().totalVideoFrames ?? -1;
  }, sender.participantId);
}

describe('media: devices, screen share, permissions', () => {
  // Three fake cameras: Chromium's second fake camera delivers Y16 (depth) frames, which no encoder takes.
  const harness = useCallHarness({ launch: () => launchChromiumWith({ cameras: 3 }) });
  let ada: MeetingPage;
  let bob: MeetingPage;
  let meeting: { code: string; hostKey: string };

  before(async () => {
    meeting = await createMeeting(harness.parley.url);
    ada = await MeetingPage.open(harness.browser, harness.embedder.url, meeting, 'Ada');
    bob = await MeetingPage.open(harness.browser, harness.embedder.url, meeting, 'Bob');
    await assertEveryoneReceivesEveryone([ada, bob]);
  });

  test('switching camera and microphone mid-call needs no renegotiation and the picture keeps flowing', async () => {
    const offers = countOffers(harness.parley);
    const devices = await ada.page.evaluate(async () => {
      const list = await document.querySelector('meeting-room')!.room!.listDevices();
      return {
        cameras: list.cameras.map((device) => ({ id: device.deviceId, label: device.label })),
        microphones: list.microphones.map((device) => ({ id: device.deviceId, label: device.label })),
      };
    });
    assert.deepEqual(
      devices.cameras.map((camera) => camera.label),
      [fakeCameraLabel(0), fakeCameraLabel(1), fakeCameraLabel(2)],
    );
    const other = devices.cameras[2]!;
    const otherMicrophone = devices.microphones.find((microphone) => microphone.id !== 'default')!;
    const used = await ada.page.evaluate(
      async ({ camera, microphone }) => {
        const room = document.querySelector('meeting-room')!.room!;
        await room.switchCamera(camera);
        await room.switchMicrophone(microphone);
        const local = room.localParticipant;
        return {
          camera: local.videoTrack?.label,
          cameraId: local.deviceId('video'),
          microphoneId: local.deviceId('audio'),
          tracks: local.stream?.getTracks().length,
        };
      },
      { camera: other.id, microphone: otherMicrophone.id },
    );
    assert.deepEqual(used, {
      camera: fakeCameraLabel(2),
      cameraId: other.id,
      microphoneId: otherMicrophone.id,
      tracks: 2,
    });
    await assertEveryoneReceivesEveryone([ada, bob]);
    assert.equal(offers(), 0, 'a device switch is a replaceTrack, not a renegotiation');
  });

  test('a shared screen reaches everyone as its own stream, late joiners included, until the browser stops it', async () => {
    await ada.evaluateRoom((element) => element.toggleScreenShare());
    await bob.page.waitForFunction(
      (id) => document.querySelector('meeting-room')!.room!.participants.get(id)?.screenStream !== null,
      ada.participantId,
      { timeout: 10_000 },
    );
    const carol = await MeetingPage.open(harness.browser, harness.embedder.url, meeting, 'Carol');
    try {
      for (const receiver of [bob, carol]) {
        await receiver.page.waitForFunction(
          (id) => {
            const grid = document.querySelector('meeting-room')!.shadowRoot!.querySelector('participant-grid')!;
            const tile = grid.shadowRoot!.querySelector(`participant-tile[source="screen"][data-participant-id="${id}"]`);
            return (tile?.shadowRoot?.querySelector('video')?.getVideoPlaybackQuality().totalVideoFrames ?? 0) > 0;
          },
          ada.participantId,
          { timeout: 20_000 },
        );
        const first = await screenFramesSeen(receiver, ada);
        await receiver.page.waitForTimeout(1500);
        assert.ok((await screenFramesSeen(receiver, ada)) > first, `${receiver.name} sees the screen move`);
        const labels = await receiver.page.evaluate((id) => {
          const participant = document.querySelector('meeting-room')!.room!.participants.get(id)!;
          return {
            camera: participant.stream?.getVideoTracks().length,
            screen: participant.screenStream?.getVideoTracks().length,
            sharing: participant.screenSharing,
          };
        }, ada.participantId);
        assert.deepEqual(labels, { camera: 1, screen: 1, sharing: true }, `${receiver.name}: camera and screen apart`);
        assert.equal(await receiver.gridLayout(), 'presentation', `${receiver.name}: the screen takes the stage`);
      }

      // The browser's own "Stop sharing" ends the track: the SDK notices and tells everyone.
      await ada.page.evaluate(() => {
        const track = document.querySelector('meeting-room')!.room!.localParticipant.screenStream!.getVideoTracks()[0]!;
        track.stop();
        track.dispatchEvent(new Event('ended'));
      });
      for (const receiver of [bob, carol]) {
        await receiver.page.waitForFunction(
          (id) => {
            const grid = document.querySelector('meeting-room')!.shadowRoot!.querySelector('participant-grid')!;
            const room = document.querySelector('meeting-room')!.room!;
            return (
              room.participants.get(id)?.screenStream === null &&
              !grid.shadowRoot!.querySelector(`participant-tile[source="screen"][data-participant-id="${id}"]`)
            );
          },
          ada.participantId,
          { timeout: 5000 },
        );
      }
      assert.equal(await ada.page.evaluate(() => document.querySelector('meeting-room')!.room!.localParticipant.screenSharing), false);
      assert.equal(await bob.gridLayout(), '2x2', 'back to the grid of three');
    } finally {
      await carol.page.evaluate(() => document.querySelector('meeting-room')!.leave());
      await carol.close();
    }
  });

  test('a stream captured before joining (a prejoin preview) is sent as is, and stopped on leave', async () => {
    const gina = await MeetingPage.open(harness.browser, harness.embedder.url, meeting, 'Gina');
    try {
      await gina.evaluateRoom((element) => element.leave());
      const outcome = await gina.page.evaluate(
        async ({ server, code }) => {
          const { Room } = (await import(`${server}/parley.js`)) as typeof import('@parley/sdk');
          const preview = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
          const room = new Room({ server });
          (window as unknown as { __preview: typeof room }).__preview = room;
          await room.join({ code, name: 'Gina', stream: preview, audio: false });
          const local = room.localParticipant;
          return {
            sameTracks: local.videoTrack === preview.getVideoTracks()[0] && local.audioTrack === preview.getAudioTracks()[0],
            audio: local.audioEnabled,
            video: local.videoEnabled,
            id: local.id,
          };
        },
        { server: harness.parley.url, code: meeting.code },
      );
      assert.deepEqual({ ...outcome, id: undefined }, { sameTracks: true, audio: false, video: true, id: undefined });
      await ada.waitForTile(outcome.id, "tile.hasAttribute('audio-muted') && !tile.hasAttribute('camera-off')", 10_000);
      await gina.page.evaluate(() => (window as unknown as { __preview: { leave(): Promise<void> } }).__preview.leave());
      assert.equal((await gina.liveMediaObjects()).liveTracks, 0);
    } finally {
      await gina.close();
    }
  });

  test('leaving while the camera or the screen picker is still starting leaves nothing on', async () => {
    const frank = await MeetingPage.open(harness.browser, harness.embedder.url, meeting, 'Frank');
    try {
      const outcome = await frank.page.evaluate(
        async ({ server, code }) => {
          await document.querySelector('meeting-room')!.leave();
          const { Room } = (await import(`${server}/parley.js`)) as typeof import('@parley/sdk');
          // Leave at once: the camera is still starting when the room is left.
          const early = new Room({ server });
          const joining = early.join({ code, name: 'Frank' }).then(
            () => 'joined',
            (error: { code?: string }) => error.code,
          );
          await early.leave();
          // Start sharing twice, then leave while the (fake) picker answers.
          const sharing = new Room({ server });
          await sharing.join({ code, name: 'Frank' });
          const shares = [sharing.startScreenShare(), sharing.startScreenShare()].map((share) =>
            share.then(
              () => 'shared',
              (error: { code?: string }) => error.code,
            ),
          );
          await sharing.leave();
          return { joining: await joining, shares: await Promise.all(shares) };
        },
        { server: harness.parley.url, code: meeting.code },
      );
      assert.equal(outcome.joining, 'invalid-state');
      await frank.page.waitForTimeout(500);
      assert.deepEqual(await frank.liveMediaObjects(), { liveTracks: 0, openPeerConnections: 0, liveReceiverTracks: 0 });
    } finally {
      await frank.close();
    }
  });

  test('revoking permission mid-call turns camera and microphone off for everyone, with typed errors', async () => {
    // Without the fake prompt, permissions are real: granted per site, and revocable.
    const strictBrowser = await launchChromiumWith({ prompts: 'per-context' });
    try {
      const erin = await MeetingPage.open(strictBrowser, harness.embedder.url, meeting, 'Erin', (context) =>
        grantMedia(context, harness.embedder.url),
      );
      await erin.page.evaluate(() => {
        const element = document.querySelector('meeting-room')!;
        (window as unknown as { __errors: string[] }).__errors = [];
        element.addEventListener('parley-error', (event) =>
          (window as unknown as { __errors: string[] }).__errors.push(event.detail.code),
        );
      });
      await assertEveryoneReceivesEveryone([ada, erin]);
      // The SDK's own watch of the permission, which lets go of a device granted while it was being revoked.
      const watchMicrophone = (): Promise<void> =>
        erin.page.evaluate(async (server) => {
          const { browserEnvironment } = (await import(`${server}/parley.js`)) as typeof import('@parley/sdk');
          (window as unknown as { __watch: unknown }).__watch = browserEnvironment.watchPermission('microphone');
        }, harness.parley.url);
      const watchedDenial = (): Promise<boolean> =>
        erin.page.evaluate(() => (window as unknown as { __watch: import('@parley/sdk').PermissionWatch }).__watch.denied());
      await watchMicrophone();
      // Block both, as a user does in the site settings. Blocking only the camera also ends the microphone's track
      // in this Chromium, but the microphone may still be granted when the SDK asks again: then it rightly keeps it.
      await denyMedia(erin.page, harness.embedder.url);
      // The SDK first tries the default devices again (refused), then tells everyone.
      await ada
        .waitForTile(erin.participantId, "tile.hasAttribute('camera-off') && tile.hasAttribute('audio-muted')", 10_000)
        .catch(async (error: Error) => {
          // Say what Erin's page had come to: which devices it still held, what it announced, what it was told.
          const seen = await erin.page.evaluate(async () => ({
            errors: (window as unknown as { __errors: string[] }).__errors,
            video: document.querySelector('meeting-room')!.room!.localParticipant.videoEnabled,
            audio: document.querySelector('meeting-room')!.room!.localParticipant.audioEnabled,
            tracks: window.__recorded.tracks.map((track) => `${track.kind}:${track.readyState}`),
            camera: (await navigator.permissions.query({ name: 'camera' as PermissionName })).state,
            microphone: (await navigator.permissions.query({ name: 'microphone' as PermissionName })).state,
          }));
          throw new Error(`${error.message}\nErin's page then: ${JSON.stringify(seen)}`, { cause: error });
        });
      // Erin hears of each failure once the server took the news that the device is off: a round trip after the
      // others may have seen it.
      await erin.page.waitForFunction(() => (window as unknown as { __errors: string[] }).__errors.length >= 2, null, { timeout: 10_000 }).catch(() => undefined);
      const state = await erin.page.evaluate(() => ({
        errors: (window as unknown as { __errors: string[] }).__errors,
        video: document.querySelector('meeting-room')!.room!.localParticipant.videoEnabled,
        audio: document.querySelector('meeting-room')!.room!.localParticipant.audioEnabled,
        liveTracks: window.__recorded.tracks.filter((track) => track.readyState === 'live').length,
      }));
      assert.deepEqual(state, { errors: ['permission-denied', 'permission-denied'], video: false, audio: false, liveTracks: 0 });
      assert.equal(await watchedDenial(), true, 'the watch saw the microphone denied');

      await grantMedia(erin.context, harness.embedder.url);
      await watchMicrophone();
      assert.equal(await watchedDenial(), false, 'a watch begun once granted again reads no denial');
      assert.equal(await erin.evaluateRoom((element) => element.toggleCamera(true)), true);
      assert.equal(await erin.evaluateRoom((element) => element.toggleMicrophone(true)), true);
      await ada.waitForTile(erin.participantId, "!tile.hasAttribute('camera-off') && !tile.hasAttribute('audio-muted')", 10_000);
      await assertEveryoneReceivesEveryone([ada, erin]);
      await erin.evaluateRoom((element) => element.leave());
    } finally {
      await strictBrowser.close();
    }
  });

  test('denied camera and microphone: you still join, watch and listen, and can turn them on once granted', async () => {
    const strictBrowser = await launchChromiumWith({ prompts: 'per-context' });
    try {
      const dan = await MeetingPage.open(strictBrowser, harness.embedder.url, meeting, 'Dan');
      const joined = await dan.page.evaluate(() => {
        const room = document.querySelector('meeting-room')!.room!;
        return {
          state: room.state,
          audio: room.localParticipant.audioEnabled,
          video: room.localParticipant.videoEnabled,
          tracks: room.localParticipant.stream?.getTracks().length ?? 0,
        };
      });
      assert.deepEqual(joined, { state: 'joined', audio: false, video: false, tracks: 0 });
      await ada.waitForTile(dan.participantId, "tile.hasAttribute('camera-off') && tile.hasAttribute('audio-muted')", 5000);

      // Dan receives everyone, though he sends nothing.
      for (const sender of [ada, bob]) await dan.waitForVideoFrom(sender.participantId);

      // Permission granted later: the camera comes up on the existing connections.
      await grantMedia(dan.context, harness.embedder.url);
      assert.equal(await dan.evaluateRoom((element) => element.toggleCamera(true)), true);
      await ada.waitForTile(dan.participantId, "!tile.hasAttribute('camera-off')", 5000);
      await ada.waitForVideoFrom(dan.participantId);
      await dan.evaluateRoom((element) => element.leave());
    } finally {
      await strictBrowser.close();
    }
  });
});
