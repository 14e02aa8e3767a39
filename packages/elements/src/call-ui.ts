/**
 * The in-call elements, as one chunk beside `/parley.js`: what shows first is the prejoin screen, so these are
 * fetched while it shows (see load-call-ui.ts) and are defined before the call renders.
 */
export { MeetingControls } from './components/meeting-controls/meeting-controls.js';
export { ParticipantGrid } from './components/participant-grid/participant-grid.js';
export { ParticipantTile } from './components/participant-tile/participant-tile.js';
export { handEvents } from './components/meeting-room/hand-events.js';
export { recordingEvents } from './components/meeting-room/recording-events.js';

/**
 * The picture-in-picture window's chunk, fetched from here: it shares the controls' styles and icons with this one,
 * which is loaded by then, so they are not split into a third chunk.
 */
export const pictureInPicture = () => import('./components/meeting-room/picture-in-picture.js');
