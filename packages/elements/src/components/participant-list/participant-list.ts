import { ParticipantList } from './participant-list.component.js';

export { ParticipantList };

if (!customElements.get('participant-list')) customElements.define('participant-list', ParticipantList);

declare global {
  interface HTMLElementTagNameMap {
    'participant-list': ParticipantList;
  }
}
