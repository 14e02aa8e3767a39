import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import type { MeetingPage } from './meeting-page.js';

/** The ICE candidate pair a page's connection to one remote participant uses now, from `getStats`. */
export interface SelectedPair {
  /** Candidate types (`host`, `srflx`, `relay`…) of the selected pair's two ends; undefined before one is selected. */
  local: string | undefined;
  remote: string | undefined;
  connectionState: string;
}

export function selectedPair(page: MeetingPage, remoteId: string): Promise<SelectedPair> {
  return page.page.evaluate(async (id) => {
    const room = document.querySelector('meeting-room')!.room!;
    const report = await room.getStats(id);
    let pairId: string | undefined;
    const pairs = new Map<string, RTCIceCandidatePairStats>();
    const types = new Map<string, string | undefined>();
    report?.forEach((stats) => {
      if (stats.type === 'transport') pairId = stats.selectedCandidatePairId;
      if (stats.type === 'candidate-pair') pairs.set(stats.id, stats);
      if (stats.type === 'local-candidate' || stats.type === 'remote-candidate') types.set(stats.id, stats.candidateType);
    });
    const pair = pairId ? pairs.get(pairId) : undefined;
    return {
      local: pair && types.get(pair.localCandidateId),
      remote: pair && types.get(pair.remoteCandidateId),
      connectionState: room.participants.get(id)?.connectionState ?? 'none',
    };
  }, remoteId);
}

/**
 * Waits until `page`'s tile of `remoteId` presents new video frames (what the person sees, not only what the decoder
 * got), then returns the pair that carries them.
 */
export async function waitForPresentedVideo(page: MeetingPage, remoteId: string, timeoutMs = 30_000): Promise<SelectedPair> {
  const deadline = Date.now() + timeoutMs;
  const first = (await page.receivedFrom(remoteId)).framesPresented;
  for (;;) {
    await delay(250);
    const now = await page.receivedFrom(remoteId);
    if (now.framesPresented > first && now.videoWidth > 0) return selectedPair(page, remoteId);
    if (Date.now() > deadline) {
      assert.fail(`${page.name} presented no new video from ${remoteId} within ${timeoutMs} ms: ${JSON.stringify({ ...now, ...(await selectedPair(page, remoteId)) })}`);
    }
  }
}

/** Both pages see each other's video, over a TURN relay at both ends of the selected pair, on both sides. */
export async function assertRelayedCall(a: MeetingPage, b: MeetingPage): Promise<void> {
  for (const [viewer, sender] of [[a, b], [b, a]] as const) {
    const pair = await waitForPresentedVideo(viewer, sender.participantId);
    assert.deepEqual(pair, { local: 'relay', remote: 'relay', connectionState: 'connected' }, `${viewer.name}'s pair with ${sender.name}`);
  }
}
