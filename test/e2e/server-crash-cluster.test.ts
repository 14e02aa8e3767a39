import { test } from 'node:test';
import { crashDuringCall, startCrashableCluster, useCrashableServer } from './support/crash-scenario.js';

/**
 * Two nodes sharing one Redis behind nginx, both killed with SIGKILL mid-call, as the single process is in
 * server-crash*.test.ts: away for 45 s (longer than their 20 s resume window) and for 3 s. The call goes on peer to
 * peer, and everyone is back as themselves once the nodes restart.
 */

const crashable = useCrashableServer(() => startCrashableCluster(2));

/** Both nodes die at once and come back on the same Redis after `outageMs`. */
function crashBothNodes(outageMs: number): Promise<void> {
  return crashDuringCall(crashable.browser, crashable.server, outageMs);
}

test('both nodes killed mid-call, 45 s away: the call goes on and everyone resumes as themselves', { timeout: 240_000 }, () =>
  crashBothNodes(45_000),
);

test('both nodes killed mid-call, back 3 s later: everyone resumes as themselves, at once', { timeout: 180_000 }, () =>
  crashBothNodes(3000),
);
