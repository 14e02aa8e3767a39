import { ignore } from './outcomes.js';

let pending: Promise<typeof import('./call-ui.js')> | undefined;

/**
 * Defines `<participant-grid>`, `<participant-tile>` and `<meeting-controls>`, fetching their chunk once. A failed
 * fetch (the server away for a moment) is tried again on the next call.
 */
export function loadCallUi(): Promise<typeof import('./call-ui.js')> {
  pending ??= import('./call-ui.js').catch((error: unknown) => {
    pending = undefined;
    throw error;
  });
  return pending;
}

/**
 * Starts fetching them ahead of need. A failure is not reported here: the next `loadCallUi()` (a join) fetches them
 * again and reports it if it fails too.
 */
export function prefetchCallUi(): void {
  loadCallUi().catch(ignore);
}
