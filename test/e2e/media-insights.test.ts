import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import { assertEveryoneReceivesEveryone } from './support/assertions.js';
import { useCallHarness } from './support/harness.js';
import { MeetingPage } from './support/meeting-page.js';
import { launchChromiumWith } from './support/media-flags.js';
import { writeSpeechLikeWav } from './support/speech-wav.js';
import { createMeeting } from './support/servers.js';

/** The encoder limits each of the page's video senders runs with. */
function videoEncodings(page: MeetingPage): Promise<{ maxBitrate?: number; scale?: number; fps?: number }[]> {
  return page.page.evaluate(() =>
    window.__recorded.peerConnections
      .filter((pc) => pc.connectionState !== 'closed')
      .map((pc) => pc.getTransceivers().find((transceiver) => transceiver.receiver.track.kind === 'video')!.sender)
      .map((sender) => {
        const [encoding] = sender.getParameters().encodings;
        return { maxBitrate: encoding?.maxBitrate, scale: encoding?.scaleResolutionDownBy, fps: encoding?.maxFramerate };
      }),
  );
}

/** Waits until the page's senders run with `expected`: the SDK's fast start sends each new connection's first second smaller. */
async function untilVideoEncodings(page: MeetingPage, expected: unknown[], what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  let actual = await videoEncodings(page);
  while (!isDeepStrictEqual(actual, expected) && Date.now() < deadline) {
    await delay(100);
    actual = await videoEncodings(page);
  }
  assert.deepEqual(actual, expected, what);
}

describe('what the SDK learns from the media', () => {
  const harness = useCallHarness({
    launch: () => {
      // Every fake microphone "speaks" (syllables of a voiced buzz), so levels look like a real conversation.
      const speech = join(tmpdir(), `parley-speech-${process.pid}.wav`);
      writeSpeechLikeWav(speech);
      return launchChromiumWith({ extraArgs: [`--use-file-for-fake-audio-capture=${speech}`] });
    },
  });
  const pages: MeetingPage[] = [];

  before(async () => {
    const meeting = await createMeeting(harness.parley.url);
    for (const name of ['Ada', 'Bob']) pages.push(await MeetingPage.open(harness.browser, harness.embedder.url, meeting, name));
    await assertEveryoneReceivesEveryone(pages);
  });

  test('video encodings shrink as the mesh grows and grow back as it shrinks', async () => {
    const full = { maxBitrate: 1_500_000, scale: 1, fps: 30 };
    const half = { maxBitrate: 600_000, scale: 2, fps: 30 };
    for (const page of pages) {
      await page.page.waitForFunction(() => window.__recorded.peerConnections.length > 0);
      await untilVideoEncodings(page, [full], `${page.name} in a room of 2`);
    }
    const meetingCode = await pages[0]!.page.evaluate(() => document.querySelector('meeting-room')!.room!.meetingCode!);
    const carol = await MeetingPage.open(harness.browser, harness.embedder.url, { code: meetingCode }, 'Carol');
    await assertEveryoneReceivesEveryone([...pages, carol]);
    for (const page of [...pages, carol]) {
      await untilVideoEncodings(page, [half, half], `${page.name} in a room of 3`);
    }
    await carol.evaluateRoom((element) => element.leave());
    for (const page of pages) {
      await page.page.waitForFunction(() => document.querySelector('meeting-room')!.room!.participants.size === 1);
      await untilVideoEncodings(page, [full], `${page.name} back in a room of 2`);
    }
    await carol.close();
  });

  test('every connection gets a quality score, and loopback scores as excellent', async () => {
    for (const page of pages) {
      await page.page.waitForFunction(
        () => [...document.querySelector('meeting-room')!.room!.participants.values()].every((p) => p.connectionQuality >= 4),
        null,
        { timeout: 15_000, polling: 250 },
      );
    }
  });

  test('the only unmuted participant becomes the active speaker, and speaking is reported', async () => {
    const [ada, bob] = pages as [MeetingPage, MeetingPage];
    // Both microphones "speak": whoever has the spotlight, the one who keeps talking keeps or takes it.
    await ada.evaluateRoom((element) => element.toggleMicrophone(false));
    await ada.page.waitForFunction(
      (id) => {
        const room = document.querySelector('meeting-room')!.room!;
        return (
          room.activeSpeaker?.id === id &&
          room.participants.get(id)?.isSpeaking === true &&
          !room.localParticipant.isSpeaking
        );
      },
      bob.participantId,
      { timeout: 20_000, polling: 200 },
    );
    const snapshot = await ada.page.evaluate(() => document.querySelector('meeting-room')!.room!.getSnapshot());
    assert.equal(snapshot.activeSpeakerId, bob.participantId);
    assert.equal(snapshot.participants.find((p) => p.id === bob.participantId)?.isSpeaking, true);

    // Bob mutes, Ada talks: the spotlight moves to her, on Bob's side too.
    await bob.evaluateRoom((element) => element.toggleMicrophone(false));
    await ada.evaluateRoom((element) => element.toggleMicrophone(true));
    await bob.page.waitForFunction(
      (id) => document.querySelector('meeting-room')!.room!.activeSpeaker?.id === id,
      ada.participantId,
      { timeout: 20_000, polling: 200 },
    );
  });
});
