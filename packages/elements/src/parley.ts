/**
 * The `/parley.js` bundle: every element, plus the SDK for pages that drive a room themselves.
 * `<script type="module" src="https://meet.example.com/parley.js"></script>` is all a page needs.
 *
 * What a meeting shows first is in this module: `<meeting-room>` and its prejoin screen. The in-call elements
 * (`<participant-grid>`, `<participant-tile>`, `<meeting-controls>`) are a chunk beside it that `<meeting-room>`
 * fetches while its prejoin screen shows, and that a page with them in its HTML gets at once. The side panels
 * (`<chat-panel>`, `<participant-list>`, `<device-settings>`) are another: `<meeting-room>` fetches each the first
 * time it opens. The page fetches both once idle, so every element is defined for pages that use them directly too.
 */
import { prefetchCallUi } from './load-call-ui.js';
import { ignore } from './outcomes.js';

export { MeetingRoom } from './components/meeting-room/meeting-room.js';
// <meeting-room> defines it, as its dependency.
export { PrejoinScreen } from './components/prejoin-screen/prejoin-screen.component.js';
export { ParleyElement } from './parley-element.js';
export { availableLanguages, registerTranslation } from './i18n/localize.js';
export { Room, ParleyError, ErrorCode, browserEnvironment, normalizeMeetingCode, createPreview } from '@parley/sdk';

const whenIdle = globalThis.requestIdleCallback ?? ((callback: () => void) => setTimeout(callback, 1));
// A page that lays out a call itself with these elements needs them now, not once idle.
if (document.querySelector('participant-grid, participant-tile, meeting-controls')) prefetchCallUi();
// The server may be away at that moment (the call goes on without it): a panel is fetched again when it opens, the
// call's elements when `<meeting-room>` joins.
whenIdle(() => {
  prefetchCallUi();
  import('./panels.js').catch(ignore);
});
