import { MeetingControls } from './meeting-controls.component.js';

export { MeetingControls };

if (!customElements.get('meeting-controls')) customElements.define('meeting-controls', MeetingControls);

declare global {
  interface HTMLElementTagNameMap {
    'meeting-controls': MeetingControls;
  }
}
