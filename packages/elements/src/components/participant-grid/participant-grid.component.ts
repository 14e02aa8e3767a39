import { html, LitElement } from 'lit';
import { property } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { Room, RoomEventMap } from '@parley/sdk';
import { EmitterController } from '../../controllers/emitter-controller.js';
import { strings } from '../../strings.js';
import { tokens } from '../../styles/tokens.js';
import '../participant-tile/participant-tile.js';
import { gridShape } from './layout.js';
import { participantGridStyles } from './participant-grid.styles.js';

/**
 * Everyone in a room as tiles, you first, laid out as the design asks: 1 full size, 2 side by side,
 * 3–4 as 2×2, 5–9 as 3×3. Usable on its own with any SDK `Room`.
 *
 * @csspart grid - The grid container.
 * @csspart tile - Each `<participant-tile>`.
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
    // A shared screen is a tile of its own, until the presentation layout arrives.
    const tiles = participants.flatMap((participant) => [
      { participant, source: 'camera' as const },
      ...(participant.screenSharing ? [{ participant, source: 'screen' as const }] : []),
    ]);
    const { columns, rows } = gridShape(tiles.length);
    const sinkId = room?.audioOutputDeviceId ?? '';
    return html`
      <div
        part="grid"
        class="grid"
        role="list"
        aria-label=${strings.participants}
        data-layout="${columns}x${rows}"
        style="--columns: ${columns}; --rows: ${rows}"
      >
        ${repeat(
          tiles,
          (tile) => `${tile.source}:${tile.participant.id}`,
          ({ participant, source }) =>
            html`<participant-tile
              part="tile"
              role="listitem"
              source=${source}
              .participant=${participant}
              .sinkId=${sinkId}
            ></participant-tile>`,
        )}
      </div>
    `;
  }
}
