/**
 * For a promise nobody awaits whose failure leaves nothing to do: `.catch(ignore)`, with a comment at the call site
 * saying why (every `/parley.js` byte counts, so the reasons live in comments, not in logged strings).
 */
export const ignore = (): void => {};
