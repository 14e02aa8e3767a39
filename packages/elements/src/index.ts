/** Importing this module defines every Parley element. */
export { MeetingRoom } from './components/meeting-room/meeting-room.js';
export { ParticipantGrid } from './components/participant-grid/participant-grid.js';
export { ParticipantTile } from './components/participant-tile/participant-tile.js';
export { MeetingControls } from './components/meeting-controls/meeting-controls.js';
export { ChatPanel } from './components/chat-panel/chat-panel.js';
export { ParticipantList } from './components/participant-list/participant-list.js';
export { DeviceSettings } from './components/device-settings/device-settings.js';
export { PrejoinScreen } from './components/prejoin-screen/prejoin-screen.js';
export { MeetingNotices, type Notice, type NoticeAction } from './components/meeting-notices/meeting-notices.js';
export { ConfirmDialog, confirmAction, type Confirmation } from './components/confirm-dialog/confirm-dialog.js';
export { ParleyElement } from './parley-element.js';
export type { RoomLike, RoomPart } from './room-like.js';
export { gridShape, type GridShape } from './components/participant-grid/layout.js';
export { EmitterController } from './controllers/emitter-controller.js';
export type { PanelName, ParleyEventDetailMap, ParleyEventName } from './events.js';
export { en } from './i18n/en.js';
export { availableLanguages, registerTranslation, type Catalog, type StringOverrides } from './i18n/localize.js';
