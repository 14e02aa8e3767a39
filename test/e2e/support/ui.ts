import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { axeViolations } from './axe.js';

export { screenshot } from './screenshots.js';

export async function assertNoViolations(page: Page, state: string): Promise<void> {
  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], `axe-core violations ${state}:\n${JSON.stringify(violations, null, 2)}`);
}

/** The notices `<meeting-room>` shows on screen, as their text, once at least `count` show. */
export async function visibleNotices(page: Page, count = 1): Promise<string[]> {
  const notices = () =>
    [
      ...(document.querySelector('meeting-room')!.shadowRoot!.querySelector('meeting-notices')?.shadowRoot?.querySelectorAll<HTMLElement>(
        '[part~="notice"]',
      ) ?? []),
    ]
      .filter((notice) => notice.checkVisibility() && notice.getBoundingClientRect().height > 20)
      .map((notice) => notice.innerText.replace(/\s+/g, ' ').trim());
  await page.waitForFunction(`(${notices.toString()})().length >= ${count}`, null, { timeout: 10_000 });
  return page.evaluate(notices);
}

/** The focused element through shadow roots, as `part: text`. */
export function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    let element = document.activeElement;
    while (element?.shadowRoot?.activeElement) element = element.shadowRoot.activeElement;
    return `${element?.getAttribute('part') ?? element?.localName}: ${element?.textContent?.trim()}`;
  });
}

/** Clicks a button in the page's participants panel by its visible text plus the hidden name, if any ("Remove Bob"). */
export function clickPanelButton(page: Page, label: string): Promise<void> {
  return page.evaluate((label) => {
    const list = document.querySelector('meeting-room')!.shadowRoot!.querySelector('participant-list')!.shadowRoot!;
    const button = [...list.querySelectorAll('button')].find((element) => element.textContent!.replace(/\s+/g, ' ').trim() === label);
    if (!button) throw new Error(`no "${label}" button`);
    button.click();
  }, label);
}
