// #region meeting-room
import '@parley/elements';

/** Puts a whole meeting on the page: prejoin skipped (`autojoin`), the grid, the controls, chat. */
export function showMeeting(server: string, code: string, name: string): void {
  const meeting = document.createElement('meeting-room');
  meeting.server = server; // your Parley server, e.g. https://meet.example.com
  meeting.code = code;
  meeting.name = name;
  meeting.autojoin = true;
  meeting.addEventListener('parley-joined', (event) => console.log('joined as', event.detail.participantId));
  meeting.addEventListener('parley-error', (event) => console.error(event.detail.code, event.detail.message));
  document.body.append(meeting);
}
// #endregion meeting-room
