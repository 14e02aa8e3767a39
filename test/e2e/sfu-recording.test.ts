// Local recording (issue 16, item 6) in SFU mode: the recorder takes the tracks the page receives from Janus, so the
// file is the same as in a mesh meeting (recording.test.ts): a 1280×720 WebM with everyone's sound.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser } from 'playwright-core';
import { launchChromium } from './support/browser.js';
import { MeetingPage } from './support/meeting-page.js';
import { createMeeting } from './support/servers.js';
import { startSfuServer, type SfuServer } from './support/sfu-server.js';
import { hasEbmlMagic, readWebm } from './support/webm.js';

let sfu: SfuServer;
let browser: Browser;
before(async () => {
  sfu = await startSfuServer();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await sfu?.stop();
});

test('through Janus: the host records, the guest sees it, and the file is a 1280×720 WebM with sound', async () => {
  const meeting = await createMeeting(sfu.parley.url);
  const ada = await MeetingPage.open(browser, sfu.embedder.url, meeting, 'Ada');
  const bob = await MeetingPage.open(browser, sfu.embedder.url, { code: meeting.code }, 'Bob');
  await ada.waitForVideoFrom(bob.participantId);
  // Their media goes through Janus: both publish into the meeting's room there.
  const room = await sfu.roomOf(meeting.code);
  assert.ok(room, 'the meeting has a Janus room');
  assert.deepEqual((await sfu.publishers(room.room)).sort(), [ada.participantId, bob.participantId].sort());

  await ada.evaluateRoom((room) => room.startRecording());
  const startedAt = Date.now();
  await bob.page.locator('meeting-room >> [part~="recording"]').waitFor({ state: 'visible', timeout: 10_000 });
  await sleep(Math.max(0, 3000 - (Date.now() - startedAt)));
  const recorded = await ada.page.evaluate(async () => {
    const { blob } = (await document.querySelector('meeting-room')!.stopRecording())!;
    const video = document.createElement('video');
    video.src = URL.createObjectURL(blob);
    await new Promise((resolve) => video.addEventListener('loadedmetadata', resolve, { once: true }));
    const bytes = new Uint8Array(await blob.arrayBuffer());
    const audio = await new AudioContext().decodeAudioData(bytes.slice().buffer);
    const samples = audio.getChannelData(0);
    const rms = Math.sqrt(samples.reduce((sum, sample) => sum + sample * sample, 0) / samples.length);
    let binary = '';
    for (const byte of bytes) binary += String.fromCharCode(byte);
    return { width: video.videoWidth, height: video.videoHeight, rms, base64: btoa(binary) };
  });
  await bob.page.locator('meeting-room >> [part~="recording"]').waitFor({ state: 'detached', timeout: 10_000 });
  const file = new Uint8Array(Buffer.from(recorded.base64, 'base64'));
  assert.ok(hasEbmlMagic(file));
  const webm = readWebm(file);
  assert.deepEqual(webm.tracks.map(({ type }) => type).sort(), ['audio', 'video']);
  assert.ok(webm.lastFrameMs > 2000, JSON.stringify(webm));
  assert.deepEqual([recorded.width, recorded.height], [1280, 720]);
  assert.ok(recorded.rms > 0.01, `the mixed audio is not silent: ${recorded.rms}`);
  for (const page of [ada, bob]) await page.close();
});
