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

export interface CallHarnessOptions {
  env?: NodeJS.ProcessEnv;
  launch?: () => Promise<Browser>;
}

/** Starts the harness now; `close()` stops what started, in reverse order (also after a failed start). */
export async function startCallHarness(options: CallHarnessOptions = {}): Promise<CallHarness & { close(): Promise<void> }> {
  const started: Partial<{ -readonly [Key in keyof CallHarness]: CallHarness[Key] }> = {};
  const close = async () => {
    await started.browser?.close();
    await started.embedder?.close();
    await started.parley?.close();
  };
  try {
    started.parley = await startParley(options.env);
    started.embedder = await startEmbedder(started.parley.url);
    started.browser = await (options.launch ?? launchChromium)();
  } catch (error) {
    await close();
    throw error;
  }
  return { ...(started as CallHarness), close };
}

/**
 * Starts the harness before the file's tests and stops everything after them. Read its fields inside tests (or
 * hooks): they are set once `before` has run. Node 20 runs a file's top-level `before` hooks concurrently, so a hook
 * of the file cannot count on the harness being up: start what must come first in one hook of its own (see
 * `useRelayCallServers`), or use the harness inside a `describe`, whose hooks run in turn.
 */
export function useCallHarness(options: CallHarnessOptions = {}): CallHarness {
  const harness = {} as { parley: RunningServer; embedder: Embedder; browser: Browser; close?: () => Promise<void> };
  before(async () => {
    Object.assign(harness, await startCallHarness(options));
  });
  after(() => harness.close?.());
  return harness;
}
