/** The side panels, as one module: `/parley.js` loads it once the page is idle (see parley.ts). */
export { ChatPanel } from './components/chat-panel/chat-panel.js';
export { DeviceSettings } from './components/device-settings/device-settings.js';
export { ParticipantList } from './components/participant-list/participant-list.js';
