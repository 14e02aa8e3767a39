import { MeetingNotices } from './meeting-notices.component.js';
import { define } from '../../parley-element.js';

export { MeetingNotices };
export type { Notice, NoticeAction } from './meeting-notices.component.js';

define('meeting-notices', MeetingNotices);

declare global {
  interface HTMLElementTagNameMap {
    'meeting-notices': MeetingNotices;
  }
}
