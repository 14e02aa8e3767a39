/**
 * The `/parley.js` bundle: every element, plus the SDK for pages that drive a room themselves.
 * `<script type="module" src="https://meet.example.com/parley.js"></script>` is all a page needs.
 *
 * What a meeting shows first is in this module. The side panels (`<chat-panel>`, `<participant-list>`,
 * `<device-settings>`) are a chunk beside it: `<meeting-room>` fetches each the first time it opens, and the page
 * fetches them all once idle, so they are defined for pages that use them directly too.
 */
export { MeetingRoom } from './components/meeting-room/meeting-room.js';
export { ParticipantGrid } from './components/participant-grid/participant-grid.js';
export { ParticipantTile } from './components/participant-tile/participant-tile.js';
export { MeetingControls } from './components/meeting-controls/meeting-controls.js';
export { PrejoinScreen } from './components/prejoin-screen/prejoin-screen.js';
export { ParleyElement } from './parley-element.js';
export { availableLanguages, registerTranslation } from './i18n/localize.js';
export { Room, ParleyError, ErrorCode, browserEnvironment, normalizeMeetingCode, createPreview } from '@parley/sdk';

import { ignore } from './outcomes.js';

const whenIdle = globalThis.requestIdleCallback ?? ((callback: () => void) => setTimeout(callback, 1));
// The server may be away at that moment (the call goes on without it): a panel is fetched again when it opens.
whenIdle(() => void import('./panels.js').catch(ignore));
