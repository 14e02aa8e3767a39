import { ParticipantList } from './participant-list.component.js';
import { define } from '../../parley-element.js';

export { ParticipantList };

define('participant-list', ParticipantList);

declare global {
  interface HTMLElementTagNameMap {
    'participant-list': ParticipantList;
  }
}
