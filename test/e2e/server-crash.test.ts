import { test } from 'node:test';
import { crashDuringCall, useCrashableServer } from './support/crash-scenario.js';

/**
 * The server process is killed (SIGKILL: no goodbye, no hand-over) in the middle of a three-person call and stays
 * away for 45 s, longer than the 30 s resume window: the call goes on peer to peer, and everyone is back as
 * themselves when a new process starts on the same SQLite file. A file of its own: it takes over a minute.
 */

const crashable = useCrashableServer();

test('SIGKILL mid-call, 45 s away: the call goes on and everyone resumes as themselves', { timeout: 240_000 }, async () => {
  await crashDuringCall(crashable.browser, crashable.server, 45_000, 'server-away');
});
