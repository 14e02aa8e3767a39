import { after, before } from 'node:test';
import type { Browser } from 'playwright-core';
import type { RunningServer } from '@parley/server';
import { launchChromium } from './browser.js';
import { startEmbedder, startParley, type Embedder } from './servers.js';

/** What most end-to-end files need: the Parley server, a page on another origin embedding it, and a browser. */
export interface CallHarness {
  readonly parley: RunningServer;
  readonly embedder: Embedder;
  readonly browser: Browser;
}

/**
 * Starts the harness before the file's tests and stops everything after them. Read its fields inside tests (or
 * hooks): they are set once `before` has run.
 */
export function useCallHarness(
  options: { env?: NodeJS.ProcessEnv; launch?: () => Promise<Browser> } = {},
): CallHarness {
  const harness = {} as { parley: RunningServer; embedder: Embedder; browser: Browser };
  before(async () => {
    harness.parley = await startParley(options.env);
    harness.embedder = await startEmbedder(harness.parley.url);
    harness.browser = await (options.launch ?? launchChromium)();
  });
  after(async () => {
    await harness.browser?.close();
    await harness.embedder?.close();
    await harness.parley?.close();
  });
  return harness;
}
