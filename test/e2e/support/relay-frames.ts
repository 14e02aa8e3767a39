import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import type { SdkPage } from './sdk-page.js';

/** Polls until `receiver` decodes new frames from `senderId` over a TURN relay, or fails after `timeoutMs`. */
export async function waitForRelayedFrames(receiver: SdkPage, senderId: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = (await receiver.received(senderId)).framesDecoded;
  for (;;) {
    await delay(500);
    const now = await receiver.received(senderId);
    if (now.framesDecoded > last && now.localCandidateType === 'relay') return;
    last = now.framesDecoded;
    if (Date.now() > deadline) assert.fail(`${receiver.name} got no relayed frames within ${timeoutMs} ms: ${JSON.stringify(now)}`);
  }
}
