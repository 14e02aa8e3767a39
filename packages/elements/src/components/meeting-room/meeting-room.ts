import { MeetingRoom } from './meeting-room.component.js';
import { define } from '../../parley-element.js';

export { MeetingRoom };

define('meeting-room', MeetingRoom);

declare global {
  interface HTMLElementTagNameMap {
    'meeting-room': MeetingRoom;
  }
}
