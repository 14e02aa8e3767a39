import { ParticipantTile } from './participant-tile.component.js';

export { ParticipantTile };

if (!customElements.get('participant-tile')) customElements.define('participant-tile', ParticipantTile);

declare global {
  interface HTMLElementTagNameMap {
    'participant-tile': ParticipantTile;
  }
}
