// SFU mode keeps the mesh's features: three SDK pages meet through a real Janus (a Parley server process with
// MEDIA_MODE=sfu on a SQLite file, so that it can be killed and started again) and switch devices, turn the camera
// and microphone off and on, speak in turn, repair a video, and live through a crash of the Parley server. Every
// check reads what the browsers decode (getStats, pixels), never a mock.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { Browser } from 'playwright-core';
import { fakeCameraLabel, FAKE_MICROPHONE_LABELS, launchChromiumWith } from './support/media-flags.js';
import { recordPeerConnections } from './support/presented-frames.js';
import { SdkPage } from './support/sdk-page.js';
import { createMeeting } from './support/servers.js';
import { startSfuServer, type SfuServer } from './support/sfu-server.js';
import { writeSpeechLikeWav } from './support/speech-wav.js';

/** Frames `page` decoded from `remoteId`'s camera (their screen left out). */
function cameraFrames(page: SdkPage, remoteId: string): Promise<number> {
  return page.page.evaluate(async (id) => (await window.__room.participants.get(id)?.framesDecoded()) ?? 0, remoteId);
}

/** Waits until `page` decodes `frames` more frames of `remoteId`'s camera than now. */
async function cameraAdvances(page: SdkPage, remoteId: string, what: string, frames = 10, timeoutMs = 20_000): Promise<void> {
  const start = await cameraFrames(page, remoteId);
  await waitUntil(async () => (await cameraFrames(page, remoteId)) >= start + frames, timeoutMs, what, async () => `${start} → ${await cameraFrames(page, remoteId)}`);
}

/** Audio packets `page` received from `remoteId`, and the energy they carried. */
function audioFrom(page: SdkPage, remoteId: string): Promise<{ packets: number; energy: number }> {
  return page.page.evaluate(async (id) => {
    const audio = { packets: 0, energy: 0 };
    (await window.__room.getStats(id))?.forEach((stats) => {
      if (stats.type !== 'inbound-rtp' || stats.kind !== 'audio') return;
      audio.packets += stats.packetsReceived ?? 0;
      audio.energy += stats.totalAudioEnergy ?? 0;
    });
    return audio;
  }, remoteId);
}

/** Mean brightness (0–255) of the picture of `remoteId`'s camera as `page` plays it now; 0 when none plays. */
function brightness(page: SdkPage, remoteId: string): Promise<number> {
  return page.page.evaluate(async (id) => {
    const video = document.createElement('video');
    video.muted = true;
    video.srcObject = window.__room.participants.get(id)?.stream ?? null;
    // No frame within 5 s counts as black: the test's wait goes on rather than hang here.
    const shown = await Promise.race([
      video.play().then(() => new Promise((resolve) => video.requestVideoFrameCallback(() => resolve(true)))),
      new Promise((resolve) => setTimeout(() => resolve(false), 5000)),
    ]);
    if (!shown) return 0;
    const canvas = document.createElement('canvas');
    canvas.width = 64;
    canvas.height = 48;
    const context = canvas.getContext('2d', { willReadFrequently: true })!;
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    video.srcObject = null;
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    let sum = 0;
    for (let i = 0; i < data.length; i += 4) sum += (data[i]! + data[i + 1]! + data[i + 2]!) / 3;
    return sum / (data.length / 4);
  }, remoteId);
}

/** Energy of the microphone the page sends. */
function sentAudio(page: SdkPage): Promise<unknown> {
  return page.page.evaluate(async () => {
    const out: unknown[] = [];
    (await window.__peerConnections[0]!.getStats()).forEach((stats) => {
      if ((stats.type === 'media-source' || stats.type === 'outbound-rtp') && stats.kind === 'audio') out.push(stats);
    });
    return out;
  });
}

/** Keyframe requests (PLI and FIR) that reached the page's published camera, all layers together. */
function keyframesAskedOfCamera(page: SdkPage): Promise<number> {
  return page.page.evaluate(async () => {
    let asked = 0;
    (await window.__peerConnections[0]!.getStats()).forEach((stats) => {
      if (stats.type === 'outbound-rtp' && stats.kind === 'video' && stats.rid) asked += (stats.pliCount ?? 0) + (stats.firCount ?? 0);
    });
    return asked;
  });
}

describe('SFU mode: devices, camera and microphone, speaking, repair and a server crash through Janus', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-sfu-features-'));
  let sfu: SfuServer;
  let browser: Browser;
  let code: string;
  let room: string;
  const pages: SdkPage[] = [];
  const ids: string[] = [];
  /** Each page with the others, by id. */
  const everyone = () => pages.map((page, index) => ({ page, id: ids[index]!, others: ids.filter((_, other) => other !== index) }));

  before(async () => {
    // Every fake microphone "speaks" (syllables of a voiced buzz): the default beep is near silence after noise
    // suppression. Three fake cameras: the second gives depth frames no encoder takes, so a switch goes to the third.
    const speech = join(dir, 'speech.wav');
    writeSpeechLikeWav(speech);
    browser = await launchChromiumWith({ cameras: 3, extraArgs: [`--use-file-for-fake-audio-capture=${speech}`] });
    sfu = await startSfuServer({ DATABASE_PATH: join(dir, 'parley.db'), RESUME_WINDOW_MS: '20000' });
    ({ code } = await createMeeting(sfu.parley.url));
  });

  after(async () => {
    for (const page of pages) await page.close();
    await browser?.close();
    await sfu?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('three pages decode each other through Janus', async () => {
    for (const name of ['Ada', 'Bob', 'Cem']) {
      const page = await SdkPage.open(browser, sfu.embedder.url, name);
      pages.push(page);
      // In SFU mode: [publisher, subscriber].
      await recordPeerConnections(page);
      ids.push(await page.join(sfu.parley.url, code));
      // Plays what everyone sends, as a meeting's page does: Chromium measures the level of received audio only
      // while something plays it.
      await page.page.evaluate(() => {
        const players = new Map<string, HTMLAudioElement>();
        setInterval(() => {
          for (const [id, participant] of window.__room.participants) {
            const player = players.get(id) ?? document.body.appendChild(document.createElement('audio'));
            players.set(id, player);
            player.autoplay = true;
            if (player.srcObject !== participant.stream) player.srcObject = participant.stream;
          }
        }, 250);
      });
    }
    for (const { page, others } of everyone()) {
      for (const other of others) await cameraAdvances(page, other, `${page.name} decodes ${other}`, 5, 30_000);
    }
    room = (await sfu.roomOf(code))!.room;
    assert.deepEqual((await sfu.publishers(room)).sort(), [...ids].sort());
  });

  test('a camera and a microphone switched mid-call reach the others on the same subscription', async () => {
    const [ada, bob, cem] = pages as [SdkPage, SdkPage, SdkPage];
    const adaId = ids[0]!;
    const tracksBefore = await bob.page.evaluate((id) => window.__room.participants.get(id)!.stream!.getTracks().map((track) => track.id), adaId);
    const sent = await ada.page.evaluate(
      async ({ camera, microphone }) => {
        const devices = await window.__room.listDevices();
        await window.__room.switchCamera(devices.cameras.find((device) => device.label === camera)!.deviceId);
        await window.__room.switchMicrophone(devices.microphones.find((device) => device.label === microphone)!.deviceId);
        // What the connection to Janus sends now.
        return window.__peerConnections[0]!.getSenders().map((sender) => sender.track?.label ?? null);
      },
      { camera: fakeCameraLabel(2), microphone: FAKE_MICROPHONE_LABELS[1] },
    );
    assert.deepEqual(sent, [FAKE_MICROPHONE_LABELS[1], fakeCameraLabel(2)], 'Ada publishes the new devices');
    for (const page of [bob, cem]) {
      await cameraAdvances(page, adaId, `${page.name} decodes Ada’s new camera`, 20);
      const audio = await audioFrom(page, adaId);
      await waitUntil(async () => {
        const now = await audioFrom(page, adaId);
        return now.packets > audio.packets + 20 && now.energy > audio.energy;
      }, 10_000, `${page.name} hears Ada’s new microphone`, async () => JSON.stringify({ audio, now: await audioFrom(page, adaId), source: await sentAudio(ada) }));
    }
    // A track swap at Janus' end: the same streams arrive, nothing was subscribed again.
    const tracksAfter = await bob.page.evaluate((id) => window.__room.participants.get(id)!.stream!.getTracks().map((track) => track.id), adaId);
    assert.deepEqual(tracksAfter, tracksBefore);
    assert.deepEqual((await sfu.publishers(room)).sort(), [...ids].sort(), 'nobody published twice');
  });

  test('a camera turned off shows as off to the others, and its picture comes back when turned on', async () => {
    const [, bob, cem] = pages as [SdkPage, SdkPage, SdkPage];
    const adaId = ids[0]!;
    const ada = pages[0]!;
    for (const page of [bob, cem]) assert.ok((await brightness(page, adaId)) > 30, `${page.name} sees Ada’s picture`);
    await ada.page.evaluate(() => window.__room.toggleCamera(false));
    for (const page of [bob, cem]) {
      await waitUntil(() => page.page.evaluate((id) => window.__room.participants.get(id)?.videoEnabled === false, adaId), 10_000, `${page.name} sees Ada’s camera off`);
    }
    // What still arrives is black: the camera's picture is not sent.
    await waitUntil(async () => (await brightness(bob, adaId)) < 5, 10_000, 'Ada’s picture dark at Bob');
    await ada.page.evaluate(() => window.__room.toggleCamera(true));
    for (const page of [bob, cem]) {
      await waitUntil(() => page.page.evaluate((id) => window.__room.participants.get(id)?.videoEnabled === true, adaId), 10_000, `${page.name} sees Ada’s camera on`);
      await cameraAdvances(page, adaId, `${page.name} decodes Ada’s camera again`, 20);
      await waitUntil(async () => (await brightness(page, adaId)) > 30, 10_000, `${page.name} sees Ada’s picture again`);
    }
  });

  test('the one who talks is marked speaking and takes the spotlight; a muted microphone sends silence', async () => {
    const [ada, bob, cem] = pages as [SdkPage, SdkPage, SdkPage];
    const [adaId, bobId] = ids as [string, string];
    const speaker = (page: SdkPage, id: string, what: string) =>
      waitUntil(
        () =>
          page.page.evaluate(
            (id) => window.__room.activeSpeaker?.id === id && window.__room.participants.get(id)?.isSpeaking === true && !window.__room.localParticipant.isSpeaking,
            id,
          ),
        20_000,
        what,
      );
    // Only Ada's microphone is on.
    await Promise.all([bob, cem].map((page) => page.page.evaluate(() => window.__room.toggleMicrophone(false))));
    for (const page of [bob, cem]) await speaker(page, adaId, `${page.name}: Ada speaks`);
    await waitUntil(() => ada.page.evaluate(() => window.__room.localParticipant.isSpeaking), 10_000, 'Ada sees herself speaking');
    for (const page of [ada, cem]) {
      await waitUntil(() => page.page.evaluate((id) => window.__room.participants.get(id)?.audioEnabled === false, bobId), 10_000, `${page.name} sees Bob muted`);
    }
    // What was said before the mute may still be in Ada's jitter buffer.
    await delay(1000);
    const silent = await audioFrom(ada, bobId);
    await delay(1500);
    const later = await audioFrom(ada, bobId);
    assert.ok(later.energy - silent.energy < 1e-4, `Bob’s muted microphone carries no sound (${later.energy - silent.energy})`);
    // Ada mutes, Bob talks: the spotlight moves to him.
    await ada.page.evaluate(() => window.__room.toggleMicrophone(false));
    await bob.page.evaluate(() => window.__room.toggleMicrophone(true));
    for (const page of [ada, cem]) await speaker(page, bobId, `${page.name}: Bob speaks`);
    assert.equal(await cem.page.evaluate((id) => window.__room.participants.get(id)?.isSpeaking, adaId), false, 'Ada no longer speaks at Cem');
    await Promise.all([ada, cem].map((page) => page.page.evaluate(() => window.__room.toggleMicrophone(true))));
  });

  test('repairVideo() asks Janus to send the video again: a keyframe is asked of the camera, and it keeps playing', async () => {
    const [ada, bob] = pages as [SdkPage, SdkPage];
    const adaId = ids[0]!;
    // Janus asks for a keyframe at most once a second per stream: wait out the requests of the tests before.
    await delay(1500);
    const asked = await keyframesAskedOfCamera(ada);
    await bob.page.evaluate((id) => window.__room.participants.get(id)!.repairVideo(), adaId);
    await waitUntil(async () => (await keyframesAskedOfCamera(ada)) > asked, 10_000, 'a keyframe asked of Ada’s camera');
    await cameraAdvances(bob, adaId, 'Bob still decodes Ada');
  });

  test('one who joins with camera and microphone off and turns them on later reaches everyone', async () => {
    const [ada, bob] = pages as [SdkPage, SdkPage];
    const dee = await SdkPage.open(browser, sfu.embedder.url, 'Dee');
    try {
      const deeId = await dee.page.evaluate(async ({ server, code }) => {
        const { Room } = (await import(`${server}/parley.js`)) as typeof import('@parley/sdk');
        window.__room = new Room({ server });
        await window.__room.join({ code, name: 'Dee', audio: false, video: false });
        return window.__room.localParticipant.id;
      }, { server: sfu.parley.url, code });
      await cameraAdvances(dee, ids[0]!, 'Dee decodes Ada');
      await waitUntil(() => ada.page.evaluate((id) => window.__room.participants.get(id)?.videoEnabled === false, deeId), 10_000, 'Ada sees Dee with her camera off');
      await dee.page.evaluate(() => Promise.all([window.__room.toggleCamera(true), window.__room.toggleMicrophone(true)]));
      for (const page of [ada, bob]) {
        await waitUntil(() => page.page.evaluate((id) => window.__room.participants.get(id)?.videoEnabled === true, deeId), 10_000, `${page.name} sees Dee’s camera on`);
        await cameraAdvances(page, deeId, `${page.name} decodes Dee’s camera`, 20);
        await waitUntil(async () => (await brightness(page, deeId)) > 30, 10_000, `${page.name} sees Dee’s picture`);
        await waitUntil(async () => (await audioFrom(page, deeId)).energy > 0, 10_000, `${page.name} hears Dee`);
      }
      await dee.page.evaluate(() => window.__room.leave());
      await waitUntil(() => ada.page.evaluate((id) => !window.__room.participants.has(id), deeId), 10_000, 'Dee gone at Ada');
      assert.deepEqual((await sfu.publishers(room)).sort(), [...ids].sort(), 'Dee’s feed gone from the room');
    } finally {
      await dee.close();
    }
  });

  test('the Parley server SIGKILLed mid-call: media goes on through Janus, and everyone resumes as themselves', async () => {
    const [ada, bob, cem] = pages as [SdkPage, SdkPage, SdkPage];
    for (const page of pages) await page.recordLifecycleEvents();
    await sfu.parley.kill('SIGKILL');
    for (const { page } of everyone()) await page.waitForLifecycleEvent('reconnecting');
    // Janus does not need the signaling server: every camera still arrives.
    for (const { page, others } of everyone()) {
      for (const other of others) await cameraAdvances(page, other, `${page.name} decodes ${other} while the server is down`);
    }
    await sfu.restartParley();
    for (const { page, id, others } of everyone()) {
      await page.waitForLifecycleEvent('reconnected', 30_000);
      const state = await page.page.evaluate(() => ({
        events: window.__lifecycle,
        self: window.__room.localParticipant.id,
        others: [...window.__room.participants.keys()].sort(),
        peerConnections: window.__peerConnections.map((pc) => pc.connectionState),
      }));
      assert.deepEqual(
        state,
        { events: ['reconnecting', 'reconnected'], self: id, others: [...others].sort(), peerConnections: ['connected', 'connected'] },
        `${page.name}: same identity, same meeting, the same two connections to Janus`,
      );
    }
    // Nobody published again: the room holds each of them once, and still the same room.
    assert.equal((await sfu.roomOf(code))?.room, room);
    assert.deepEqual((await sfu.publishers(room)).sort(), [...ids].sort());
    // Signaling works again: a camera turned off shows at the others; media still flows.
    await cem.page.evaluate(() => window.__room.toggleCamera(false));
    await waitUntil(() => ada.page.evaluate((id) => window.__room.participants.get(id)?.videoEnabled === false, ids[2]!), 10_000, 'Ada sees Cem’s camera off');
    await cem.page.evaluate(() => window.__room.toggleCamera(true));
    for (const { page, others } of everyone()) {
      for (const other of others) await cameraAdvances(page, other, `${page.name} decodes ${other} after the restart`);
    }
    assert.ok((await audioFrom(bob, ids[0]!)).packets > 0);
  });

  test('one who leaves while the server is down leaves Janus at once, and the others’ rooms once it is back', async () => {
    const [ada, bob, cem] = pages as [SdkPage, SdkPage, SdkPage];
    const [adaId, bobId, cemId] = ids as [string, string, string];
    await sfu.parley.kill('SIGKILL');
    await cem.page.evaluate(() => window.__room.leave());
    // Janus tells the others: Cem's media stops, Ada's and Bob's go on.
    await waitUntil(async () => (await sfu.publishers(room)).length === 2, 10_000, 'Cem’s feed gone from Janus');
    await waitUntil(() => ada.page.evaluate((id) => window.__room.participants.get(id)?.stream === null, cemId), 10_000, 'Cem’s stream ended at Ada');
    await cameraAdvances(ada, bobId, 'Ada decodes Bob while the server is down');
    await sfu.restartParley();
    for (const [page, other] of [[ada, bobId], [bob, adaId]] as const) {
      await waitUntil(
        () => page.page.evaluate((other) => window.__room.state === 'joined' && [...window.__room.participants.keys()].join() === other, other),
        40_000,
        `${page.name} back, with Cem gone`,
        () => page.page.evaluate(() => `${window.__room.state} ${[...window.__room.participants.keys()].join()}`),
      );
    }
    assert.deepEqual((await sfu.publishers(room)).sort(), [adaId, bobId].sort());
    await cameraAdvances(ada, bobId, 'Ada decodes Bob');
    await cameraAdvances(bob, adaId, 'Bob decodes Ada');
  });
});

async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number, what: string, explain?: () => Promise<string>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}${explain ? ` (${await explain()})` : ''}`);
    await delay(250);
  }
}
