/**
 * What becomes of a promise nobody awaits, named at the call site with a comment saying why: `ignore` where a
 * failure leaves nothing to do, `warn('…')` where a developer should hear of it but the user need not.
 */
export const ignore = (): void => {};

export const warn =
  (what: string) =>
  (error: unknown): void =>
    console.warn('[parley]', what, error);
