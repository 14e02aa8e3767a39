import { ParticipantGrid } from './participant-grid.component.js';

export { ParticipantGrid };

if (!customElements.get('participant-grid')) customElements.define('participant-grid', ParticipantGrid);

declare global {
  interface HTMLElementTagNameMap {
    'participant-grid': ParticipantGrid;
  }
}
