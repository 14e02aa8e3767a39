import { MeetingRoom } from './meeting-room.component.js';

export { MeetingRoom };

if (!customElements.get('meeting-room')) customElements.define('meeting-room', MeetingRoom);

declare global {
  interface HTMLElementTagNameMap {
    'meeting-room': MeetingRoom;
  }
}
