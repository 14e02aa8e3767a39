// axe-core for the elements' browser unit tests, with the WCAG 2.x A and AA rules of the e2e tests
// (test/e2e/support/axe.ts, which injects it into pages it drives from Node).
import 'axe-core/axe.min.js';
import type { AxeResults, ElementContext } from 'axe-core';

type Axe = { run(context: ElementContext, options: object): Promise<AxeResults> };

/**
 * Runs axe-core over `context` (the whole document by default), shadow roots included. One line per violation,
 * `rule (impact): help — targets`, so a failing `deep.equal([])` reads as a list.
 */
export async function axeViolations(context: ElementContext = document): Promise<string[]> {
  const { violations } = await (window as unknown as { axe: Axe }).axe.run(context, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  });
  return violations.map(({ id, impact, help, nodes }) => `${id} (${impact}): ${help} — ${nodes.map((node) => JSON.stringify(node.target)).join(' ')}`);
}
