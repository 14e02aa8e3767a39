import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from './support/browser.js';
import { crashDuringCall } from './support/crash-scenario.js';
import { startCluster, type Cluster } from './support/processes.js';

/**
 * Two nodes sharing one Redis behind nginx, both killed with SIGKILL mid-call, as the single process is in
 * server-crash*.test.ts: away for 45 s (longer than their 20 s resume window) and for 3 s. The call goes on peer to
 * peer, and everyone is back as themselves once the nodes restart.
 */

let cluster: Cluster;
let browser: Browser;

before(async () => {
  cluster = await startCluster(2);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await cluster?.stop();
});

/** Both nodes die at once and come back on the same Redis after `outageMs`. */
function crashBothNodes(outageMs: number): Promise<void> {
  return crashDuringCall(browser, {
    front: cluster.front,
    embedderUrl: cluster.embedder.url,
    kill: async () => {
      await Promise.all(cluster.nodes.map((node) => node.kill()));
    },
    restart: async () => {
      await Promise.all(cluster.nodes.map((_, index) => cluster.restart(index)));
    },
  }, outageMs);
}

test('both nodes killed mid-call, 45 s away: the call goes on and everyone resumes as themselves', { timeout: 240_000 }, () =>
  crashBothNodes(45_000),
);

test('both nodes killed mid-call, back 3 s later: everyone resumes as themselves, at once', { timeout: 180_000 }, () =>
  crashBothNodes(3000),
);
