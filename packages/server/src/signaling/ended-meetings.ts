/** How long an ended meeting's code stays refused from memory, covering joins that looked it up just before. */
const ENDED_MEMORY_MS = 60_000;

/**
 * Meetings a host ended in the last minute. A join or resume that found the meeting joinable just before the end
 * was stored is refused by this once it goes on.
 */
export class EndedMeetings {
  readonly #codes = new Set<string>();

  has(code: string): boolean {
    return this.#codes.has(code);
  }

  /** Remembers `code` as ended for a minute. */
  add(code: string): void {
    this.#codes.add(code);
    setTimeout(() => this.#codes.delete(code), ENDED_MEMORY_MS).unref();
  }

  /** Storing the end failed: the meeting goes on. */
  delete(code: string): void {
    this.#codes.delete(code);
  }
}
