import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import type { MeetingPage } from './meeting-page.js';

/** Every page receives every other page's media, and it keeps advancing. */
export async function assertEveryoneReceivesEveryone(pages: MeetingPage[]): Promise<void> {
  const pairs = pages.flatMap((receiver) =>
    pages.filter((sender) => sender !== receiver).map((sender) => ({ receiver, sender })),
  );
  // First frames: connection set-up on a loaded 2-core machine can take a while.
  for (const { receiver, sender } of pairs) {
    const deadline = Date.now() + 30_000;
    let media = await receiver.receivedFrom(sender.participantId);
    while ((media.framesDecoded === 0 || media.framesPresented === 0) && Date.now() < deadline) {
      await delay(200);
      media = await receiver.receivedFrom(sender.participantId);
    }
    assert.ok(media.framesDecoded > 0, `${receiver.name} decoded no video from ${sender.name}`);
    assert.ok(media.framesPresented > 0, `${receiver.name}'s tile for ${sender.name} presented no frame`);
  }
  // Then, for every pair, the counters move: live media, not a frozen first frame.
  const firstSample = await Promise.all(pairs.map(({ receiver, sender }) => receiver.receivedFrom(sender.participantId)));
  await delay(1500);
  const secondSample = await Promise.all(pairs.map(({ receiver, sender }) => receiver.receivedFrom(sender.participantId)));
  pairs.forEach(({ receiver, sender }, index) => {
    const [first, second] = [firstSample[index]!, secondSample[index]!];
    const pair = `${sender.name} → ${receiver.name}`;
    assert.ok(second.framesDecoded > first.framesDecoded, `${pair}: framesDecoded stuck at ${first.framesDecoded}`);
    assert.ok(second.framesPresented > first.framesPresented, `${pair}: the tile's video stopped presenting frames`);
    assert.ok(second.videoWidth > 0, `${pair}: the tile's video has no size`);
    assert.ok(
      second.audioPacketsReceived > first.audioPacketsReceived,
      `${pair}: audio packets stuck at ${first.audioPacketsReceived}`,
    );
  });
}

export async function assertTiles(pages: MeetingPage[]): Promise<void> {
  const everyone = pages.map((page) => page.participantId).sort();
  for (const page of pages) {
    await page.page.waitForFunction(
      (count) => {
        const grid = document.querySelector('meeting-room')!.shadowRoot!.querySelector('participant-grid')!;
        return grid.shadowRoot!.querySelectorAll('participant-tile').length === count;
      },
      pages.length,
      { timeout: 10_000 },
    );
    const tiles = await page.tileIds();
    assert.equal(tiles[0], page.participantId, `${page.name} sees itself first`);
    assert.deepEqual([...tiles].sort(), everyone, `${page.name} has a tile for everyone`);
  }
}
