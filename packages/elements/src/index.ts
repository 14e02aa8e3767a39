/** Importing this module defines every Parley element. */
export { MeetingRoom } from './components/meeting-room/meeting-room.js';
export { ParticipantGrid } from './components/participant-grid/participant-grid.js';
export { ParticipantTile } from './components/participant-tile/participant-tile.js';
export { MeetingControls } from './components/meeting-controls/meeting-controls.js';
export { ChatPanel } from './components/chat-panel/chat-panel.js';
export { gridShape } from './components/participant-grid/layout.js';
export { EmitterController } from './controllers/emitter-controller.js';
export type { ParleyEventDetailMap, ParleyEventName } from './events.js';
export { strings } from './strings.js';
