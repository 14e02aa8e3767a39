import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** One axe-core violation, trimmed to what a failure message needs. */
export interface Violation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/**
 * Runs axe-core (WCAG 2.x A and AA rules) over the whole page, shadow roots included, plus any of its
 * best-practice rules named in `alsoRules` (e.g. `landmark-one-main` for a whole page of our own).
 */
export async function axeViolations(page: Page, alsoRules: string[] = []): Promise<Violation[]> {
  // Evaluated rather than added as an inline script, which the meeting page's CSP (rightly) blocks.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  return page.evaluate(async (alsoRules) => {
    type Result = { violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] };
    const axe = (window as unknown as { axe: { run(context: unknown, options: unknown): Promise<Result> } }).axe;
    const runs = [{ type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, ...(alsoRules.length > 0 ? [{ type: 'rule', values: alsoRules }] : [])];
    const violations: Result['violations'] = [];
    // One run at a time: axe refuses to start while another run is going.
    for (const runOnly of runs) violations.push(...(await axe.run(document, { runOnly })).violations);
    return violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      targets: violation.nodes.map((node) => JSON.stringify(node.target)),
    }));
  }, alsoRules);
}
