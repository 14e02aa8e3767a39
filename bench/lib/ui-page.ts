/**
 * The page side of `bench/ui-cost.ts`, bundled by esbuild into one module: a `<participant-grid>` driven by the
 * elements' test `FakeRoom` (real SDK participant objects, no server), every tile with a video track from a canvas,
 * and counters of each element's `updated()` calls and of the main thread's long tasks.
 */
import '@parley/elements';
import type { ParticipantLeftReason, RemoteParticipant } from '@parley/sdk';
import { FakeRoom } from '../../packages/elements/test/support/fake-room.js';

/** One event's cost, as `window.__ui.measure` reports it. */
export interface EventCost {
  /** `updated()` calls per element, keyed `tag#participant` (`participant-grid` for the grid). */
  updates: Record<string, number>;
  /** Main-thread long tasks (> 50 ms) that started between the event and its second frame. */
  longTasks: number[];
  /** From the event to every element's `updateComplete`. */
  settleMs: number;
  /** From the event to the second animation frame after it: the change is on screen. */
  paintMs: number;
  /** Longest time between two animation frames in that span. */
  longestFrameMs: number;
}

export interface UiBench {
  /** Adds a remote participant with a camera track. */
  join(id: string): Promise<EventCost>;
  leave(id: string): Promise<EventCost>;
  toggleMute(id: string): Promise<EventCost>;
  tiles(): number;
}

declare global {
  interface Window {
    __ui: UiBench;
  }
}

const room = new FakeRoom();
const grid = document.createElement('participant-grid');
grid.style.cssText = 'display:block;width:1280px;height:720px';
grid.room = room;
document.body.style.margin = '0';
document.body.append(grid);

// A camera-like video track for each participant: a canvas that keeps drawing, so tiles show moving video.
const canvas = Object.assign(document.createElement('canvas'), { width: 320, height: 180 });
const context = canvas.getContext('2d')!;
let hue = 0;
setInterval(() => {
  hue = (hue + 7) % 360;
  context.fillStyle = `hsl(${hue} 60% 50%)`;
  context.fillRect(0, 0, canvas.width, canvas.height);
}, 50);
const camera = canvas.captureStream(20).getVideoTracks()[0]!;

// Every `updated()` of every Parley element, by instance.
const updates = new Map<Element, number>();
for (const tag of ['participant-grid', 'participant-tile']) {
  const prototype = customElements.get(tag)!.prototype as { updated: (...args: unknown[]) => void };
  const original = prototype.updated;
  Object.defineProperty(prototype, 'updated', {
    configurable: true,
    value(this: HTMLElement, ...args: unknown[]) {
      updates.set(this, (updates.get(this) ?? 0) + 1);
      return original.apply(this, args);
    },
  });
}

const longTasks: PerformanceEntry[] = [];
new PerformanceObserver((list) => longTasks.push(...list.getEntries())).observe({ type: 'longtask', buffered: true });

const frame = () => new Promise<number>((resolve) => requestAnimationFrame(resolve));
const tileElements = () => [...(grid.shadowRoot?.querySelectorAll('participant-tile') ?? [])];
const label = (element: Element) =>
  element === grid ? 'participant-grid' : `participant-tile#${(element as HTMLElement).dataset.participantId ?? '?'}`;

/** Does `change`, waits for it to be rendered and painted, and reports what it cost. */
async function measure(change: () => void): Promise<EventCost> {
  // Start on a frame boundary, with nothing pending.
  await frame();
  updates.clear();
  const frames: number[] = [];
  let watching = true;
  const watch = (now: number) => {
    frames.push(now);
    if (watching) requestAnimationFrame(watch);
  };
  requestAnimationFrame(watch);
  const started = performance.now();
  change();
  await grid.updateComplete;
  await Promise.all(tileElements().map((tile) => tile.updateComplete));
  const settleMs = performance.now() - started;
  await frame();
  await frame();
  const paintMs = performance.now() - started;
  watching = false;
  // Long task entries are delivered after the task: give the observer its turn.
  await new Promise((resolve) => setTimeout(resolve, 0));
  const gaps = frames.slice(1).map((time, index) => time - frames[index]!);
  return {
    updates: Object.fromEntries([...updates].map(([element, count]) => [label(element), count])),
    longTasks: longTasks.filter((task) => task.startTime >= started - 1).map((task) => task.duration),
    settleMs,
    paintMs,
    longestFrameMs: Math.max(0, ...gaps),
  };
}

window.__ui = {
  join: (id) =>
    measure(() => {
      const participant: RemoteParticipant = room.join(id, `Person ${id}`);
      participant.addTrack(camera.clone());
    }),
  leave: (id) =>
    measure(() => {
      const participant = room.participants.get(id)!;
      room.participants.delete(id);
      room.emit('participant-left', participant, 'left' as ParticipantLeftReason);
    }),
  toggleMute: (id) =>
    measure(() => {
      const participant = room.participants.get(id)!;
      participant.setMediaState(!participant.audioEnabled, participant.videoEnabled);
      room.emit('media-changed', participant);
    }),
  tiles: () => tileElements().length,
};
