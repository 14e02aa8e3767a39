/** Where the name submitted last time is remembered. */
export const NAME_STORAGE_KEY = 'parley:name';

/** The name submitted last time on this site, if storage allows. */
export function rememberedName(): string {
  try {
    return localStorage.getItem(NAME_STORAGE_KEY) ?? '';
  } catch {
    return '';
  }
}

/** Keeps `name` for the next visit. */
export function rememberName(name: string): void {
  try {
    localStorage.setItem(NAME_STORAGE_KEY, name);
  } catch {
    // Storage blocked (e.g. a sandboxed iframe): the name is just not remembered.
  }
}
