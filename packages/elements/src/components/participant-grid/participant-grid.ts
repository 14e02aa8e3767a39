import { ParticipantGrid } from './participant-grid.component.js';
import { define } from '../../parley-element.js';

export { ParticipantGrid };

define('participant-grid', ParticipantGrid);

declare global {
  interface HTMLElementTagNameMap {
    'participant-grid': ParticipantGrid;
  }
}
