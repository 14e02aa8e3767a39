import { html, nothing, type PropertyDeclarations } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { Participant, RoomEventMap } from '@parley/sdk';
import { EmitterController } from '../../controllers/emitter-controller.js';
import { VideoWantedController, type VideoSize } from '../../controllers/video-wanted-controller.js';
import { dispatchParleyEvent, errorDetail } from '../../events.js';
import { icon } from '../../call-icons.js';
import { ParleyElement } from '../../parley-element.js';
import type { RoomLike, RoomPart } from '../../room-like.js';
import { tokens } from '../../styles/tokens.js';
import { ParticipantTile } from '../participant-tile/participant-tile.component.js';
import { gridShape } from './layout.js';
import { participantGridStyles } from './participant-grid.styles.js';

type Tile = { participant: Participant; source: 'camera' | 'screen' };

/**
 * Everyone in a room as 16:9 tiles, you first, as large as the element allows and centred: 1 full size,
 * 2 side by side, 3–4 as 2×2, 5–9 as 3×3; past 9, pages of 3×3 with previous/next buttons, you on every page.
 * A narrower container (a phone) gets fewer columns and smaller pages, so tiles stay readable. When the room's
 * active speaker is on another page, they move onto the visible one in place of whoever there spoke least recently;
 * their tile gets the `active-speaker` ring. Tiles off the page are not rendered at all.
 *
 * Presentation layout: a pinned participant, or else a shared screen, takes the stage and everyone else moves to a
 * scrolling strip beside (or, when narrow, below) it. A pin wins over a shared screen, which then waits in the strip.
 * Your own shared screen is never shown back to you (the screen inside itself, over and over): "You are presenting"
 * with a Stop button stands in its place. Usable on its own with any SDK `Room`.
 *
 * The grid tells the room at what size it shows each remote camera (`room.setVideoWanted`): `null` for those on
 * another page, scrolled out of the strip, or while the page is hidden, so their video is not sent (see
 * `VideoWantedController`).
 *
 * @fires parley-pin-toggle - From a tile's pin button; the grid pins (or unpins) that participant, then lets it bubble.
 * @fires parley-error - Stopping your screen share failed.
 *
 * @csspart grid - The grid container, with `data-layout` (`1x1`, `2x1`, `2x2`, `3x3`, … or `presentation`) and
 *   `data-page` / `data-pages` (1-based).
 * @csspart tile - Each `<participant-tile>`.
 * @csspart stage - In presentation layout: where the pinned participant or the shared screen shows.
 * @csspart strip - In presentation layout: the row or column of everyone else.
 * @csspart presenting - While you share your screen: "You are presenting", where your screen's tile would be.
 * @csspart stop-presenting - The Stop presenting button in it.
 * @csspart pager - Past one page: the bar with the page buttons and indicator.
 * @csspart previous-page - The previous-page button (`aria-disabled` on the first page).
 * @csspart next-page - The next-page button (`aria-disabled` on the last page).
 * @csspart page - The page indicator, "2 / 3".
 *
 * @cssprop --parley-gap - Space between and around tiles.
 * @cssprop --parley-surface - Background of the pager.
 *
 * @tag participant-grid
 */
export class ParticipantGrid extends ParleyElement {
  /** Defined with this element: it renders them (see `ParleyElement.dependencies`). */
  static override dependencies = { 'participant-tile': ParticipantTile };
  /** Shadow styles: the shared design tokens, then this element's own. Theme with `--parley-*` properties and `::part()`. */
  static override styles = [tokens, participantGridStyles];

  static override properties: PropertyDeclarations = {
    room: { attribute: false },
    pinned: { reflect: true },
    shownElsewhere: { attribute: false },
  };

  /** The room whose participants to show (a stand-in without `raisedHands` shows no hand badges). */
  room:
    | (RoomPart<'localParticipant' | 'participants' | 'activeSpeaker' | 'audioOutputDeviceId' | 'stopScreenShare' | 'setVideoWanted'> &
        Partial<Pick<RoomLike, 'raisedHands'>>)
    | null = null;

  /**
   * Id of the participant on the stage, or `null` (or empty) for none. Set by the tiles' pin buttons, or by the
   * site; cleared when that participant leaves.
   */
  pinned: string | null = null;

  /**
   * Remote cameras shown outside the page, by participant id, at their size in CSS pixels: `<meeting-room>`'s
   * picture-in-picture window. The room keeps sending them at least that big, even while the page is hidden.
   */
  shownElsewhere: ReadonlyMap<string, VideoSize> = new Map();

  /** Remote participants' ids in tile order: join order, with active speakers swapped onto the visible page. */
  #order: string[] = [];
  /** When each participant last became the active speaker. */
  #spoke = new Map<string, number>();
  #speaker: string | undefined;
  #page = 0;
  /** The grid's shape and the visible page's slice of `#order`, as `willUpdate` last worked them out. */
  #shape = { columns: 1, rows: 1, pages: 1, start: 0, end: 0 };
  #box = [0, 0];
  #resize = new ResizeObserver(([entry]) => {
    const { width, height } = entry!.contentRect;
    this.#box = [width, height];
    this.requestUpdate();
  });

  constructor() {
    super();
    // Only membership, the spotlight and the queue of hands re-render the grid; each tile follows its own participant.
    new EmitterController<RoomEventMap>(this, () => this.room, [
      'participant-joined',
      'participant-left',
      'joined',
      'screen-share-changed',
      'audio-output-changed',
      'active-speaker-changed',
      'hands-changed',
    ]);
    new EmitterController<RoomEventMap>(this, () => this.room, ['participant-left'], (participant?: Participant) => {
      if (participant?.id === this.pinned) this.pinned = null;
    });
    new VideoWantedController(this, () => this.room, () => {
      const tiles = this.renderRoot.querySelectorAll<ParticipantTile>('participant-tile[source=camera]');
      return new Map([...tiles].filter(({ participant }) => participant && !participant.isLocal).map((tile) => [tile.participant!.id, tile]));
    }, () => this.shownElsewhere);
    this.addEventListener('parley-pin-toggle', ({ detail }) => {
      const id = detail.participantId ?? this.pinned;
      this.pinned = detail.participantId;
      // The tile moved between grid, stage and strip: keep the keyboard on its pin button.
      void this.updateComplete.then(() =>
        this.renderRoot
          .querySelector(`[source=camera][data-participant-id="${id}"]`)
          ?.shadowRoot?.querySelector<HTMLElement>('.pin')
          ?.focus(),
      );
    });
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#resize.observe(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#resize.disconnect();
  }

  /** Brings the tile order, the page and the spotlight up to date with the room, before each render. */
  protected override willUpdate(): void {
    const room = this.room;
    const order = (this.#order = room
      ? [...new Set([...this.#order.filter((id) => room.participants.has(id)), ...room.participants.keys()])]
      : []);
    const { columns, rows, size } = gridShape(order.length + 1, ...this.#box);
    // You are on every page; the others fill the rest of it.
    const per = size - 1;
    const pages = Math.max(1, Math.ceil(order.length / per));
    const page = (this.#page = Math.min(this.#page, pages - 1));
    const start = page * per;
    const end = start + per;
    this.#shape = { columns, rows, pages, start, end };
    const speaker = room?.activeSpeaker;
    if (speaker?.id === this.#speaker) return;
    this.#speaker = speaker?.id;
    if (speaker) this.#spoke.set(speaker.id, performance.now());
    // A new active speaker off the visible page takes the place of whoever on it spoke least recently.
    const index = order.indexOf(speaker?.id ?? '');
    if (index >= 0 && (index < start || index >= end)) {
      const recency = (at: number) => this.#spoke.get(order[at]!) ?? 0;
      let quietest = Math.min(end, order.length) - 1;
      for (let at = quietest; at >= start; at--) if (recency(at) < recency(quietest)) quietest = at;
      [order[index], order[quietest]] = [order[quietest]!, order[index]!];
    }
  }

  protected override render() {
    const room = this.room;
    const text = this.text;
    const order = this.#order;
    const page = this.#page;
    const { columns, rows, pages, start, end } = this.#shape;
    const speaker = room?.activeSpeaker;
    const people = room ? [room.localParticipant, ...order.map((id) => room.participants.get(id)!)] : [];
    const screens = people
      .filter((participant) => participant.screenSharing)
      .map((participant) => ({ participant, source: 'screen' as const }));
    const pinned = people.find((participant) => participant.id && participant.id === this.pinned);
    const camera = (participant: Participant): Tile => ({ participant, source: 'camera' });
    const sinkId = room?.audioOutputDeviceId ?? '';
    const hands = room?.raisedHands ?? [];
    const tiles = (list: Tile[]) =>
      repeat(
        list,
        (tile) => `${tile.source}:${tile.participant.id}`,
        ({ participant, source }) =>
          source === 'screen' && participant.isLocal
            ? html`<div part="presenting" class="presenting" role="listitem">
                ${icon('screenShare')}
                <p>${text.youArePresenting}</p>
                <button part="stop-presenting" @click=${this.#stopPresenting}>${text.stopPresenting}</button>
              </div>`
            : html`<participant-tile
                part="tile"
                role="listitem"
                source=${source}
                .participant=${participant}
                .sinkId=${sinkId}
                .pinned=${participant === pinned}
                .activeSpeaker=${source === 'camera' && participant === speaker}
                .hand=${hands.indexOf(participant.id) + 1}
              ></participant-tile>`,
      );
    if (pinned || screens.length > 0) {
      const strip = [...(pinned ? screens : []), ...people.filter((participant) => participant !== pinned).map(camera)];
      return html`<div part="grid" class="presentation" data-layout="presentation">
        <div part="stage" class="stage" role="list" aria-label=${pinned ? text.pinned : text.screen}>
          ${tiles(pinned ? [camera(pinned)] : screens)}
        </div>
        <div part="strip" class="strip" role="list" aria-label=${text.participants}>${tiles(strip)}</div>
      </div>`;
    }
    const paged = pages > 1;
    return html`
      <div
        part="grid"
        class="grid"
        role="list"
        aria-label=${text.participants}
        data-layout="${columns}x${rows}"
        data-page=${page + 1}
        data-pages=${pages}
        style="--columns: ${columns}; --rows: ${rows}; --bar: ${paged ? 48 : 0}px"
      >
        ${tiles(people.filter((_, at) => at === 0 || (at > start && at <= end)).map(camera))}
      </div>
      ${paged
        ? html`<div part="pager" class="pager">
            <button part="previous-page" aria-label=${text.previousPage} aria-disabled=${page === 0} @click=${() => this.#turn(-1)}>
              ‹
            </button>
            <span part="page" role="status" aria-label=${text.pageOf(page + 1, pages)}>${page + 1} / ${pages}</span>
            <button part="next-page" aria-label=${text.nextPage} aria-disabled=${page === pages - 1} @click=${() => this.#turn(1)}>
              ›
            </button>
          </div>`
        : nothing}
    `;
  }

  #stopPresenting = (): void => {
    this.room?.stopScreenShare().catch((error: unknown) => dispatchParleyEvent(this, 'parley-error', errorDetail(error)));
  };

  #turn(step: number): void {
    this.#page = Math.max(0, this.#page + step);
    this.requestUpdate();
  }
}
