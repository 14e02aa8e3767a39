import type { Browser, Page } from 'playwright-core';

/**
 * tsx compiles with esbuild's keepNames, which wraps named inner functions in `__name(fn, "name")`. The
 * functions we ship with page.evaluate carry those calls into the page, so the page needs the helper too.
 */
const KEEP_NAMES_SHIM = 'globalThis.__name = (fn) => fn;';

export interface BenchPage {
  readonly page: Page;
  close(): Promise<void>;
}

/**
 * A page of the embedder site, in its own browser context, with `/parley.js` loaded and nothing joined.
 * It has to be served from loopback for real: Chromium's Local Network Access blocks a page Playwright
 * fulfills itself from importing the loopback server's script. Asked for no meeting code, the embedder's
 * `<meeting-room autojoin>` stops before capturing or connecting; we remove it to leave an empty page.
 */
export async function openEmbedderPage(browser: Browser, embedderUrl: string, label: string): Promise<BenchPage> {
  const context = await browser.newContext();
  await context.addInitScript(KEEP_NAMES_SHIM);
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[${label}] page error:`, error));
  // The SDK reports connection trouble with console.warn: surface it, it would explain an odd number.
  page.on('console', (message) => {
    if (message.type() === 'warning' || message.type() === 'error') console.error(`[${label}] ${message.text()}`);
  });
  await page.goto(`${embedderUrl}/?${new URLSearchParams({ name: label })}`);
  await page.evaluate(async () => {
    await customElements.whenDefined('meeting-room');
    const element = document.querySelector('meeting-room');
    if (element?.room) throw new Error('The embedder page joined a meeting without a code');
    element?.remove();
  });
  return { page, close: () => context.close() };
}
