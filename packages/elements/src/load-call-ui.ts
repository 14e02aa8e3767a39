let pending: Promise<unknown> | undefined;

/**
 * Defines `<participant-grid>`, `<participant-tile>` and `<meeting-controls>`, fetching their chunk once. A failed
 * fetch (the server away for a moment) is tried again on the next call.
 */
export function loadCallUi(): Promise<unknown> {
  pending ??= import('./call-ui.js').catch((error: unknown) => {
    pending = undefined;
    throw error;
  });
  return pending;
}
