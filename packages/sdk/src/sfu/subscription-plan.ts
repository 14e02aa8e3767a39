import type { VideoWanted } from '../media-transport.js';
import { substreamFor, type Substream } from './substream.js';

/** What a published stream carries for the room: a participant's camera, microphone, or shared screen. */
export type StreamSource = 'camera' | 'microphone' | 'screen';

/** Janus' `description` of the published video that carries a screen (the camera's is `camera`). */
export const SCREEN_DESCRIPTION = 'screen';

/** One stream of a publisher, as a VideoRoom `publishers` list gives it. */
export interface PublishedStream {
  type: string;
  mid: string;
  description?: string;
  disabled?: boolean;
}

/** One m-line of the subscription, as a VideoRoom `attached` or `updated` event lists it. */
export interface SubscribedStream {
  mid: string;
  type: string;
  feed_id?: string;
  feed_mid?: string;
  feed_description?: string;
  active?: boolean;
}

/** A publisher stream to subscribe to or drop, as the VideoRoom's `update` request takes it. */
export interface FeedStream {
  feed: string;
  mid: string;
  substream?: Substream;
}

/** Where one m-line of the subscription comes from. */
export interface SubscribedSource {
  participantId: string;
  source: StreamSource;
}

function sourceOf(type: string, description: string | undefined): StreamSource | null {
  if (type === 'audio') return 'microphone';
  if (type !== 'video') return null;
  return description === SCREEN_DESCRIPTION ? 'screen' : 'camera';
}

/**
 * The bookkeeping of the one multistream subscription: who publishes what, which cameras are shown here and at
 * what size, and what the subscription holds (as Janus last listed it). From those it tells what to add or drop
 * (`changes`), which layer each shown camera should get (`substreamChanges`), and whose media each of the
 * subscription's m-lines (by mid) carries.
 *
 * Every microphone and screen is received; a camera unless it is shown nowhere (`setWanted(id, null)`).
 * Participants are publishers by their participant id (their feed id).
 */
export class SubscriptionPlan {
  /** Publishers by feed id: their streams by mid. */
  readonly #published = new Map<string, Map<string, StreamSource>>();
  /** Cameras said to be shown at a size, or nowhere (`null`); a camera not listed is shown, at full size. */
  readonly #wanted = new Map<string, VideoWanted>();
  /** The subscription's m-lines by mid, as Janus listed them. */
  readonly #subscribed = new Map<string, { feed: string; feedMid: string; source: SubscribedSource }>();
  /** The substream last asked for, by subscription mid. */
  readonly #substreams = new Map<string, Substream>();
  /** The substream Janus says it sends, by subscription mid. */
  readonly #sending = new Map<string, number>();
  /** The substream asked for with a subscription not listed yet, by `${feed} ${feedMid}`. */
  readonly #subscribingAt = new Map<string, Substream>();

  /** A publisher's streams, as they are now (a `publishers` event lists every stream of each publisher it names). */
  setPublisher(feed: string, streams: readonly PublishedStream[]): void {
    const sources = new Map<string, StreamSource>();
    for (const { type, mid, description, disabled } of streams) {
      const source = sourceOf(type, description);
      if (source && !disabled) sources.set(mid, source);
    }
    this.#published.set(feed, sources);
  }

  /** Stopped publishing, or left. Its m-lines stay listed until Janus lists the subscription again. */
  removePublisher(feed: string): void {
    this.#published.delete(feed);
  }

  /** A new Janus session (the meeting moved, or Janus restarted): nothing is published or subscribed there yet. */
  reset(): void {
    for (const map of [this.#published, this.#subscribed, this.#substreams, this.#sending, this.#subscribingAt]) map.clear();
  }

  get publishers(): ReadonlySet<string> {
    return new Set(this.#published.keys());
  }

  setWanted(participantId: string, wanted: VideoWanted): void {
    this.#wanted.set(participantId, wanted);
  }

  /** The subscription as Janus lists it in `attached` or `updated` (m-lines without a feed are unused, or data). */
  setSubscribed(streams: readonly SubscribedStream[]): void {
    const fresh = new Map<string, { feed: string; feedMid: string; source: SubscribedSource }>();
    for (const stream of streams) {
      const { mid, type, feed_id: feed, feed_mid: feedMid, feed_description: description, active } = stream;
      const source = sourceOf(type, description);
      if (!feed || !feedMid || !source || active === false) continue;
      const known = this.#subscribed.get(mid);
      if (known?.feed !== feed || known.feedMid !== feedMid) {
        this.#substreams.delete(mid);
        this.#sending.delete(mid);
      }
      fresh.set(mid, { feed, feedMid, source: { participantId: feed, source } });
      const substream = this.#subscribingAt.get(`${feed} ${feedMid}`);
      if (substream !== undefined) this.#substreams.set(mid, substream);
    }
    this.#subscribingAt.clear();
    this.#subscribed.clear();
    for (const [mid, stream] of fresh) this.#subscribed.set(mid, stream);
    for (const byMid of [this.#substreams, this.#sending]) for (const mid of byMid.keys()) if (!this.#subscribed.has(mid)) byMid.delete(mid);
  }

  /** Janus switched the m-line `mid` to `substream` (its `substream` event). */
  setSending(mid: string, substream: number): void {
    this.#sending.set(mid, substream);
  }

  /** The layers asked for that Janus has not said it sends, by subscription mid. */
  substreamsBehind(): { mid: string; substream: Substream }[] {
    return [...this.#substreams].filter(([mid, substream]) => this.#sending.get(mid) !== substream).map(([mid, substream]) => ({ mid, substream }));
  }

  /** Whose media the subscription's m-line `mid` carries. */
  source(mid: string): SubscribedSource | undefined {
    return this.#subscribed.get(mid)?.source;
  }

  /** The subscription's mids that carry a participant's media. */
  midsOf(participantId: string): string[] {
    return [...this.#subscribed].filter(([, { feed }]) => feed === participantId).map(([mid]) => mid);
  }

  /**
   * What to subscribe to and unsubscribe from for the subscription to hold what is wanted, for the next `update`
   * request: a camera shown at a known size is asked for at its layer. Streams of a publisher that went away are not
   * unsubscribed: Janus drops them by itself (`autoupdate`).
   */
  changes(): { subscribe: FeedStream[]; unsubscribe: FeedStream[] } {
    const held = new Set([...this.#subscribed.values()].map(({ feed, feedMid }) => `${feed} ${feedMid}`));
    const subscribe: FeedStream[] = [];
    for (const [feed, streams] of this.#published) {
      for (const [mid, source] of streams) {
        if (held.has(`${feed} ${mid}`) || !this.#receives(feed, source)) continue;
        const wanted = source === 'camera' ? this.#wanted.get(feed) : undefined;
        if (!wanted) {
          subscribe.push({ feed, mid });
          continue;
        }
        const substream = substreamFor(wanted);
        this.#subscribingAt.set(`${feed} ${mid}`, substream);
        subscribe.push({ feed, mid, substream });
      }
    }
    const unsubscribe: FeedStream[] = [];
    for (const { feed, feedMid, source } of this.#subscribed.values()) {
      const published = this.#published.get(feed);
      if (published && (!published.has(feedMid) || !this.#receives(feed, source.source))) unsubscribe.push({ feed, mid: feedMid });
    }
    return { subscribe, unsubscribe };
  }

  /**
   * The shown cameras whose layer should change, by subscription mid; each is then taken as asked for. A camera
   * subscribed without a size (shown, but not measured yet) stays on Janus' default, the full layer.
   */
  substreamChanges(): { mid: string; substream: Substream }[] {
    const changes: { mid: string; substream: Substream }[] = [];
    for (const [mid, { feed, source }] of this.#subscribed) {
      const wanted = this.#wanted.get(feed);
      if (source.source !== 'camera' || !wanted) continue;
      const substream = substreamFor(wanted);
      if (this.#substreams.get(mid) === substream) continue;
      this.#substreams.set(mid, substream);
      changes.push({ mid, substream });
    }
    return changes;
  }

  #receives(feed: string, source: StreamSource): boolean {
    return source !== 'camera' || this.#wanted.get(feed) !== null;
  }
}
