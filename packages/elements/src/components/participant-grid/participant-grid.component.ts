import { html, LitElement } from 'lit';
import { property } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { Participant, Room, RoomEventMap } from '@parley/sdk';
import { EmitterController } from '../../controllers/emitter-controller.js';
import { strings } from '../../strings.js';
import { tokens } from '../../styles/tokens.js';
import '../participant-tile/participant-tile.js';
import { gridShape } from './layout.js';
import { participantGridStyles } from './participant-grid.styles.js';

type Tile = { participant: Participant; source: 'camera' | 'screen' };

/**
 * Everyone in a room as tiles, you first, laid out as the design asks: 1 full size, 2 side by side,
 * 3–4 as 2×2, 5–9 as 3×3. While someone shares their screen, the screen takes the stage and people move to a strip.
 * Usable on its own with any SDK `Room`.
 *
 * @csspart grid - The grid container.
 * @csspart tile - Each `<participant-tile>`.
 * @csspart stage - While someone shares their screen: where the screen shows.
 * @csspart strip - While someone shares their screen: the row or column of people beside it.
 *
 * @cssprop --parley-gap - Space between and around tiles.
 *
 * @tag participant-grid
 */
export class ParticipantGrid extends LitElement {
  static override styles = [tokens, participantGridStyles];

  /** The room whose participants to show. */
  @property({ attribute: false }) room: Room | null = null;

  constructor() {
    super();
    // Only membership changes re-render the grid; each tile follows its own participant.
    new EmitterController<RoomEventMap>(this, () => this.room, [
      'participant-joined',
      'participant-left',
      'joined',
      'screen-share-changed',
      'audio-output-changed',
    ]);
  }

  protected override render() {
    const room = this.room;
    const participants = room ? [room.localParticipant, ...room.participants.values()] : [];
    const cameras = participants.map((participant) => ({ participant, source: 'camera' as const }));
    const screens = participants
      .filter((participant) => participant.screenSharing)
      .map((participant) => ({ participant, source: 'screen' as const }));
    const sinkId = room?.audioOutputDeviceId ?? '';
    const tiles = (list: Tile[]) =>
      repeat(
        list,
        (tile) => `${tile.source}:${tile.participant.id}`,
        ({ participant, source }) =>
          html`<participant-tile
            part="tile"
            role="listitem"
            source=${source}
            .participant=${participant}
            .sinkId=${sinkId}
          ></participant-tile>`,
      );
    if (screens.length > 0) {
      // Presentation: the shared screen takes the stage, people watch from a strip beside (or below) it.
      return html`<div part="grid" class="presentation" data-layout="presentation">
        <div part="stage" class="stage" role="list" aria-label=${strings.screen}>${tiles(screens)}</div>
        <div part="strip" class="strip" role="list" aria-label=${strings.participants}>${tiles(cameras)}</div>
      </div>`;
    }
    const { columns, rows } = gridShape(cameras.length);
    return html`
      <div
        part="grid"
        class="grid"
        role="list"
        aria-label=${strings.participants}
        data-layout="${columns}x${rows}"
        style="--columns: ${columns}; --rows: ${rows}"
      >
        ${tiles(cameras)}
      </div>
    `;
  }

}
