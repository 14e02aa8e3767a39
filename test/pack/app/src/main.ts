// The app test/pack/pack.test.ts builds with Vite from the published tarballs: `?ui=elements` (the default) shows
// <meeting-room>, `?ui=sdk` a page of its own on `Room`. Both take `?server=…&code=…&name=…`.
import { normalizeMeetingCode } from '@parley/sdk';
import { showMeeting } from './meeting';
import { joinWithSdk } from './room';
import './status-line';

const { server = 'http://localhost:3000', code = '', name = 'Guest', ui = 'elements' } = Object.fromEntries(
  new URLSearchParams(location.search),
);
const meetingCode = normalizeMeetingCode(code);
if (meetingCode === null) throw new Error(`"${code}" is no meeting code`);

const status = document.createElement('status-line');
status.text = `Joining ${meetingCode}…`;
document.body.append(status);
if (ui === 'sdk') await joinWithSdk(server, meetingCode, name);
else showMeeting(server, meetingCode, name);
status.text = `In ${meetingCode}`;
