/**
 * Meeting codes are 12 symbols of Crockford's base32 (60 bits), shown as `xxxx-xxxx-xxxx`.
 * The alphabet has no I, L, O or U, so nothing reads as something else; input is case-insensitive
 * and the look-alikes people type anyway (i, l → 1; o → 0) are mapped back.
 */
export const MEETING_CODE_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
export const MEETING_CODE_LENGTH = 12;

/** Returns the canonical `xxxx-xxxx-xxxx` form of what someone typed, or `null` if it cannot be a code. */
export function normalizeMeetingCode(input: string): string | null {
  const symbols = input
    .toLowerCase()
    .replace(/[\s-]/g, '')
    .replace(/[il]/g, '1')
    .replace(/o/g, '0');
  if (symbols.length !== MEETING_CODE_LENGTH) return null;
  for (const symbol of symbols) {
    if (!MEETING_CODE_ALPHABET.includes(symbol)) return null;
  }
  return `${symbols.slice(0, 4)}-${symbols.slice(4, 8)}-${symbols.slice(8)}`;
}
