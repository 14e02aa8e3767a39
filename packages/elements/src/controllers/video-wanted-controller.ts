import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { VideoWanted } from '@parley/sdk';
import type { RoomPart } from '../room-like.js';

type Host = ReactiveControllerHost & HTMLElement;

/** At most one call per participant this often: a resize drag or a page flip reaches the room as a few calls. */
const GAP_MS = 500;
/**
 * How long a video stays wanted once out of sight: a glance at the next page or another tab, or a strip scrolled
 * past, costs no pause and resume (and no frozen picture on return). Coming into sight is told at once.
 */
const HIDE_MS = 2000;
/** A shown size is told again once its width or height changed by this factor: a layer choice, not a pixel count. */
const STEP = 1.2;

/** A size a camera is shown at, in CSS pixels. */
export type VideoSize = { width: number; height: number };

/** One observed tile: whose camera it shows and, once measured, its size and whether any of it is in the viewport. */
interface Seen {
  id: string;
  width?: number;
  height?: number;
  visible?: boolean;
}

/**
 * What the room was last told of one participant (`undefined`: nothing yet, so wanted as every video is at first),
 * when, and since when the video has been out of sight.
 */
interface Told {
  wanted: VideoWanted | undefined;
  at: number;
  hiddenSince?: number;
}

/**
 * Tells the room at what size (CSS pixels) each remote participant's camera is shown (`room.setVideoWanted`), so a
 * media path sends no video nobody sees and the right size of the rest: `null` for a participant without a tile,
 * or whose tile is off the viewport (a strip scrolled past), collapsed to nothing, or in a hidden page. Sizes come
 * from a ResizeObserver on each tile; a tile with the camera off keeps its size, so the picture is back at once
 * when it turns on. Calls are coalesced (see `GAP_MS`, `HIDE_MS`, `STEP`). Leaving the DOM stops the observing and
 * tells the room nothing: the element may be back (moved), and what replaces it says what it shows.
 */
export class VideoWantedController implements ReactiveController {
  readonly #host: Host;
  readonly #room: () => RoomPart<'participants' | 'setVideoWanted'> | null;
  /** The host's elements showing remote cameras, by participant id; read after each of the host's updates. */
  readonly #tiles: () => Map<string, Element>;
  readonly #elsewhere: () => ReadonlyMap<string, VideoSize>;
  readonly #seen = new Map<Element, Seen>();
  readonly #told = new Map<string, Told>();
  #toldRoom: unknown = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #due = Infinity;
  readonly #resize = new ResizeObserver((entries) => {
    for (const { target, contentRect } of entries) Object.assign(this.#seen.get(target) ?? {}, { width: contentRect.width, height: contentRect.height });
    this.#schedule(0);
  });
  readonly #viewport = new IntersectionObserver((entries) => {
    for (const { target, isIntersecting } of entries) Object.assign(this.#seen.get(target) ?? {}, { visible: isIntersecting });
    this.#schedule(0);
  });

  /**
   * `elsewhere`: cameras shown outside the page (a picture-in-picture window), at their size: wanted at least that
   * big, even while the page is hidden.
   */
  constructor(
    host: Host,
    room: () => RoomPart<'participants' | 'setVideoWanted'> | null,
    tiles: () => Map<string, Element>,
    elsewhere: () => ReadonlyMap<string, VideoSize> = () => new Map(),
  ) {
    this.#host = host;
    this.#room = room;
    this.#tiles = tiles;
    this.#elsewhere = elsewhere;
    host.addController(this);
  }

  hostConnected(): void {
    document.addEventListener('visibilitychange', this.#changed);
    this.hostUpdated();
  }

  /** Observes the tiles rendered now, and only those. */
  hostUpdated(): void {
    const tiles = this.#tiles();
    for (const [tile, { id }] of this.#seen) {
      if (tiles.get(id) === tile) continue;
      this.#seen.delete(tile);
      this.#resize.unobserve(tile);
      this.#viewport.unobserve(tile);
    }
    for (const [id, tile] of tiles) {
      if (this.#seen.has(tile)) continue;
      this.#seen.set(tile, { id });
      this.#resize.observe(tile);
      this.#viewport.observe(tile);
    }
    this.#schedule(0);
  }

  hostDisconnected(): void {
    document.removeEventListener('visibilitychange', this.#changed);
    this.#resize.disconnect();
    this.#viewport.disconnect();
    this.#seen.clear();
    clearTimeout(this.#timer);
    this.#due = Infinity;
  }

  #changed = (): void => this.#schedule(0);

  #schedule(delay: number): void {
    const due = performance.now() + delay;
    if (!this.#host.isConnected || due >= this.#due) return;
    clearTimeout(this.#timer);
    this.#due = due;
    this.#timer = setTimeout(this.#flush, delay);
  }

  /** Tells the room what changed meaningfully, for each participant whose turn it is; comes back for the others. */
  #flush = (): void => {
    this.#due = Infinity;
    const room = this.#room();
    // Another room starts as every room does: every video wanted.
    if (room !== this.#toldRoom) this.#told.clear();
    this.#toldRoom = room;
    if (!room?.setVideoWanted) return;
    const shown = new Map([...this.#seen.values()].map((seen) => [seen.id, seen]));
    const now = performance.now();
    // Those who left are forgotten, by the room too: nothing more to tell about them.
    for (const id of this.#told.keys()) if (!room.participants.has(id)) this.#told.delete(id);
    const elsewhere = this.#elsewhere();
    for (const id of room.participants.keys()) {
      const wanted = largest(wantedSize(shown.get(id)), elsewhere.get(id));
      if (wanted === undefined) continue;
      let told = this.#told.get(id);
      if (!told) this.#told.set(id, (told = { wanted: undefined, at: -GAP_MS }));
      if (wanted) told.hiddenSince = undefined;
      if (told.wanted !== undefined && !differs(told.wanted, wanted)) continue;
      // Out of sight only after a grace, a newcomer's first moments too: a tile laid out late is not a pause.
      let due = told.at + GAP_MS;
      if (!wanted) due = Math.max(due, (told.hiddenSince ??= now) + HIDE_MS);
      if (due > now) this.#schedule(due - now);
      else {
        this.#told.set(id, { wanted, at: now });
        room.setVideoWanted(id, wanted);
      }
    }
  };
}

/** The size a tile shows a camera at, `null` when it shows none, `undefined` while the tile is not measured yet. */
function wantedSize(seen: Seen | undefined): VideoWanted | undefined {
  if (!seen || document.hidden) return null;
  if (seen.visible === undefined || seen.width === undefined) return undefined;
  const width = Math.round(seen.width);
  const height = Math.round(seen.height!);
  return seen.visible && width > 0 && height > 0 ? { width, height } : null;
}

/** The bigger of the grid's size and the one shown elsewhere; a size shown elsewhere needs no measuring in the grid. */
function largest(grid: VideoWanted | undefined, elsewhere: VideoSize | undefined): VideoWanted | undefined {
  if (!elsewhere) return grid;
  if (!grid) return elsewhere;
  return { width: Math.max(grid.width, elsewhere.width), height: Math.max(grid.height, elsewhere.height) };
}

/** Whether the room should hear of the change: shown or not, or a size a step away. */
function differs(before: VideoWanted, after: VideoWanted): boolean {
  if (!before || !after) return before !== after;
  const ratio = Math.max(before.width / after.width, after.width / before.width, before.height / after.height, after.height / before.height);
  return ratio >= STEP;
}
