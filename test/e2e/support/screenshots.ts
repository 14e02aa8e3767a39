import { mkdir } from 'node:fs/promises';
import type { Page } from 'playwright-core';

/** Where screenshots go: `SCREENSHOT_DIR=docs/images` refreshes the docs' images. */
export const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR ?? 'test-results';

/** Saves what `page` shows as `<SCREENSHOT_DIR>/<name>.png`. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOT_DIR}/${name}.png` });
}
