// Opening a panel from the controls moves focus into it, by keyboard or by click, also when switching from another
// panel; Escape gives focus back to the panel's toggle.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { useCallHarness } from './support/harness.js';
import { MeetingPage } from './support/meeting-page.js';
import { createMeeting } from './support/servers.js';

const harness = useCallHarness();

/** The focused element inside the meeting: `tag[part]` of the deepest active element, and the open panel's title. */
function focused(page: Page): Promise<{ focus: string; panel: string | null }> {
  return page.evaluate(() => {
    let element = document.activeElement;
    while (element?.shadowRoot?.activeElement) element = element.shadowRoot.activeElement;
    const part = element?.getAttribute('part');
    const room = document.querySelector('meeting-room')!.shadowRoot!;
    return {
      focus: `${element?.localName}${part ? `[${part}]` : ''}`,
      panel: room.querySelector('#panel-title')?.textContent ?? null,
    };
  });
}

test('opening a panel moves focus into it, by keyboard or by click, and Escape brings it back to the toggle', async () => {
  const meeting = await createMeeting(harness.parley.url);
  const ada = await MeetingPage.open(harness.browser, harness.embedder.url, meeting, 'Ada');
  const page = ada.page;
  const toggle = (part: string) => `meeting-room meeting-controls [part~="${part}"]`;

  await page.focus(toggle('chat'));
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('meeting-room')!.shadowRoot!.activeElement?.getAttribute('part') === 'panel');
  assert.deepEqual(await focused(page), { focus: 'aside[panel]', panel: 'In-call messages' });
  // The panel's own controls follow it in the tab order.
  await page.keyboard.press('Tab');
  assert.equal((await focused(page)).focus, 'button');

  // Switching straight to another panel by click moves focus into that one.
  await page.click(toggle('participants'));
  await page.waitForFunction(() => document.querySelector('meeting-room')!.shadowRoot!.querySelector('#panel-title')?.textContent === 'Participants');
  await page.waitForFunction(() => document.querySelector('meeting-room')!.shadowRoot!.activeElement?.getAttribute('part') === 'panel');
  assert.deepEqual(await focused(page), { focus: 'aside[panel]', panel: 'Participants' });

  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.querySelector('meeting-room')!.shadowRoot!.querySelector('[part~="panel"]'));
  assert.deepEqual(await focused(page), { focus: 'button[participants]', panel: null });
  await ada.close();
});
