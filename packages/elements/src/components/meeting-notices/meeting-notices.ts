import { MeetingNotices } from './meeting-notices.component.js';

export { MeetingNotices };
export type { Notice, NoticeAction } from './meeting-notices.component.js';

if (!customElements.get('meeting-notices')) customElements.define('meeting-notices', MeetingNotices);

declare global {
  interface HTMLElementTagNameMap {
    'meeting-notices': MeetingNotices;
  }
}
