/**
 * The side panels and the visible notices, as one module: `/parley.js` loads it once the page is idle (see
 * parley.ts), so the first panel or notice shows without waiting for its chunk.
 */
export { ChatPanel } from './components/chat-panel/chat-panel.js';
export { DeviceSettings } from './components/device-settings/device-settings.js';
export { MeetingNotices } from './components/meeting-notices/meeting-notices.js';
export { ParticipantList } from './components/participant-list/participant-list.js';
