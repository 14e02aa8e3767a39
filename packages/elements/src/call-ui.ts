/**
 * The in-call elements, as one chunk beside `/parley.js`: what shows first is the prejoin screen, so these are
 * fetched while it shows (see load-call-ui.ts) and are defined before the call renders.
 */
export { MeetingControls } from './components/meeting-controls/meeting-controls.js';
export { ParticipantGrid } from './components/participant-grid/participant-grid.js';
export { ParticipantTile } from './components/participant-tile/participant-tile.js';
export { handEvents } from './components/meeting-room/hand-events.js';
export { recordingEvents } from './components/meeting-room/recording-events.js';
