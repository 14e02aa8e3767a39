/** Listener signatures by event name. */
export type EventMap = { [event: string]: (...args: never[]) => void };

/** The few lines of event emitting the Janus client needs (it goes into the browser chunk, so no library). */
export class Listeners<Events extends EventMap> {
  readonly #byEvent = new Map<keyof Events, Set<Events[keyof Events]>>();

  on<E extends keyof Events>(event: E, listener: Events[E]): this {
    const set = this.#byEvent.get(event) ?? new Set();
    this.#byEvent.set(event, set.add(listener));
    return this;
  }

  off<E extends keyof Events>(event: E, listener: Events[E]): this {
    this.#byEvent.get(event)?.delete(listener);
    return this;
  }

  /** Calls every listener of `event`; one that throws is reported asynchronously and stops no other. */
  protected emit<E extends keyof Events>(event: E, ...args: Parameters<Events[E]>): void {
    for (const listener of [...(this.#byEvent.get(event) ?? [])]) {
      try {
        (listener as (...args: Parameters<Events[E]>) => void)(...args);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
