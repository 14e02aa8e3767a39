import { ParticipantTile } from './participant-tile.component.js';
import { define } from '../../parley-element.js';

export { ParticipantTile };

define('participant-tile', ParticipantTile);

declare global {
  interface HTMLElementTagNameMap {
    'participant-tile': ParticipantTile;
  }
}
