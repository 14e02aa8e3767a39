import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { Browser } from 'playwright-core';
import { startJanus, type TestJanus } from '../../packages/server/test/support/janus-server.js';
import { useCallHarness, type CallHarness } from './support/harness.js';
import { launchChromiumWith } from './support/media-flags.js';
import { MeetingPage } from './support/meeting-page.js';
import { SdkPage } from './support/sdk-page.js';
import { createMeeting } from './support/servers.js';
import { NOISY_SPEECH_SEGMENT_S, writeNoisySpeechWav } from './support/speech-wav.js';

declare global {
  interface Window {
    /** The loudness (dBFS) of the received microphone, every 20 ms since `__levels` was last emptied. */
    __levels: number[];
    /** `parley-noise-suppression-changed` events' `enabled`, in order. */
    __noiseChanges: boolean[];
  }
}

/** Each measurement hears four turns: two of speech over the noise, two of the noise alone. */
const MEASURE_MS = 4 * NOISY_SPEECH_SEGMENT_S * 1000;
/** RNNoise's switch reaches the receiver and it has heard the noise. */
const SETTLE_MS = 2000;

/** Starts measuring, on `listener`'s page, the loudness of what it receives of `speakerId`'s microphone. */
async function listen(listener: SdkPage, speakerId: string): Promise<void> {
  await listener.page.waitForFunction(
    (id) => (window.__room.participants.get(id)?.stream?.getAudioTracks().length ?? 0) > 0,
    speakerId,
    { timeout: 15_000 },
  );
  await listener.page.evaluate(async (id) => {
    const stream = window.__room.participants.get(id)!.stream!;
    // Chromium feeds a remote track to Web Audio only while a media element plays it.
    const element = new Audio();
    element.srcObject = stream;
    element.muted = true;
    await element.play();
    const context = new AudioContext();
    const analyser = context.createAnalyser();
    analyser.fftSize = 1024;
    context.createMediaStreamSource(stream).connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    window.__levels = [];
    setInterval(() => {
      analyser.getFloatTimeDomainData(samples);
      const energy = samples.reduce((sum, sample) => sum + sample * sample, 0) / samples.length;
      window.__levels.push(10 * Math.log10(energy + 1e-12));
    }, 20);
  }, speakerId);
}

/**
 * What `listener` hears over the next turns: the noise floor (the quietest 20 %, inside the noise-only turns) and
 * the speech (the loudest 10 %), in dBFS.
 */
async function measure(listener: SdkPage): Promise<{ noise: number; speech: number }> {
  await listener.page.evaluate(() => void (window.__levels = []));
  await delay(MEASURE_MS);
  const levels = (await listener.page.evaluate(() => window.__levels)).sort((a, b) => a - b);
  const at = (share: number) => levels[Math.floor(levels.length * share)]!;
  return { noise: at(0.2), speech: at(0.9) };
}

/** Launches Chromium with a fake microphone that speaks over a fan's noise, then lets the noise go on alone. */
function launchWithNoisyMicrophone(): Promise<Browser> {
  const wav = join(tmpdir(), `parley-noisy-speech-${process.pid}.wav`);
  writeNoisySpeechWav(wav);
  return launchChromiumWith({ extraArgs: [`--use-file-for-fake-audio-capture=${wav}`] });
}

/**
 * Two SDK pages in a meeting: what Bob hears of Ada with her noise suppression off, on and off again. Asserts at least
 * 10 dB less noise between speech with it on, the speech kept, and the noise back once it is off.
 */
async function assertNoiseTakenOut(harness: CallHarness, t: TestContext): Promise<void> {
  const { code } = await createMeeting(harness.parley.url);
  const ada = await SdkPage.open(harness.browser, harness.embedder.url, 'Ada');
  const bob = await SdkPage.open(harness.browser, harness.embedder.url, 'Bob');
  try {
    const adaId = await ada.join(harness.parley.url, code);
    await bob.join(harness.parley.url, code);
    await listen(bob, adaId);
    await delay(SETTLE_MS);
    const before = await measure(bob);

    // From the Parley server (`/rnnoise/`) by default, the page being on another origin.
    await ada.page.evaluate(() => window.__room.localParticipant.setNoiseSuppression(true));
    await delay(SETTLE_MS);
    const suppressed = await measure(bob);

    await ada.page.evaluate(() => window.__room.localParticipant.setNoiseSuppression(false));
    await delay(SETTLE_MS);
    const after = await measure(bob);

    const heard = JSON.stringify({ before, suppressed, after });
    t.diagnostic(`received dBFS (noise floor, speech): ${heard}`);
    // The noise was there to take out: over 15 dB under the speech, far above silence.
    assert.ok(before.noise > -80 && before.speech - before.noise > 15, heard);
    assert.ok(before.noise - suppressed.noise >= 10, `noise down by at least 10 dB: ${heard}`);
    assert.ok(before.speech - suppressed.speech <= 6, `speech kept (at most 6 dB less): ${heard}`);
    assert.ok(after.noise - suppressed.noise >= 10, `the noise back once it is off: ${heard}`);
  } finally {
    await Promise.all([ada.close(), bob.close()]);
  }
}

describe('noise suppression', () => {
  const harness = useCallHarness({ launch: launchWithNoisyMicrophone });

  test('takes the noise between speech down by over 10 dB at the receiver, keeps the speech, and turns off', (t) =>
    assertNoiseTakenOut(harness, t),
  );

  test('<meeting-room> turns it on as it joins; the settings switch shows it and turns it off, for the next meeting too', async () => {
    const meeting = await createMeeting(harness.parley.url);
    const ada = await MeetingPage.open(harness.browser, harness.embedder.url, meeting, 'Ada');
    try {
      const { page } = ada;
      await page.waitForFunction(() => document.querySelector('meeting-room')!.noiseSuppression, null, { timeout: 10_000 });
      await page.evaluate(() => {
        window.__noiseChanges = [];
        document.querySelector('meeting-room')!.addEventListener('parley-noise-suppression-changed', (event) => {
          window.__noiseChanges.push(event.detail.enabled);
        });
        const controls = document.querySelector('meeting-room')!.shadowRoot!.querySelector('meeting-controls')!;
        controls.shadowRoot!.querySelector<HTMLButtonElement>('[part~="settings"]')!.click();
      });
      const toggle = page.locator('meeting-room >> device-settings >> [part~="noise-suppression"]');
      await toggle.waitFor();
      assert.equal(await toggle.isChecked(), true);
      assert.equal(await page.locator('meeting-room >> device-settings >> label.switch').innerText(), 'Noise suppression');

      await toggle.click();
      await page.waitForFunction(() => !document.querySelector('meeting-room')!.noiseSuppression);
      assert.equal(await toggle.isChecked(), false);
      assert.deepEqual(await page.evaluate(() => window.__noiseChanges), [false]);

      // The next meeting in this browser starts without it, until it is turned on again (here by the host page).
      await ada.evaluateRoom((element) => element.leave());
      await ada.evaluateRoom((element) => element.join());
      await delay(SETTLE_MS);
      assert.equal(await ada.evaluateRoom((element) => element.noiseSuppression), false);
      assert.equal(await ada.evaluateRoom((element) => element.setNoiseSuppression(true)), true);
      assert.deepEqual(await page.evaluate(() => window.__noiseChanges), [false, true]);
    } finally {
      await ada.close();
    }
  });
});

describe('noise suppression in SFU mode', () => {
  let janus: TestJanus;
  const env: NodeJS.ProcessEnv = {};
  before(async () => {
    janus = await startJanus();
    Object.assign(env, { MEDIA_MODE: 'sfu', JANUS_URL: janus.url, JANUS_TOKEN_SECRET: janus.tokenSecret, JANUS_ADMIN_KEY: janus.adminKey });
  });
  // After Janus: a describe's hooks run in turn.
  const harness = useCallHarness({ env, launch: launchWithNoisyMicrophone });
  after(() => janus?.stop());

  test('the processed microphone is what Janus forwards: the same reduction at the receiver', (t) => assertNoiseTakenOut(harness, t));
});
