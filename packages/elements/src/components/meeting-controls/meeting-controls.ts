import { MeetingControls } from './meeting-controls.component.js';
import { define } from '../../parley-element.js';

export { MeetingControls };

define('meeting-controls', MeetingControls);

declare global {
  interface HTMLElementTagNameMap {
    'meeting-controls': MeetingControls;
  }
}
