import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { TypedEmitter, EventMap } from '@parley/sdk';

type Host = ReactiveControllerHost & HTMLElement;
/** What the controller needs of an emitter: a way to listen and to stop. */
export type Emitter<Events extends EventMap> = Pick<TypedEmitter<Events>, 'on' | 'off'>;

/**
 * Binds an SDK object (a `Room` or a `Participant`) to an element: the element re-renders when any of the named
 * events fires. Follows the object when the element's property is reassigned, and lets go of it when the element
 * leaves the DOM, so no listener outlives its element.
 */
export class EmitterController<Events extends EventMap> implements ReactiveController {
  readonly #host: Host;
  readonly #target: () => Emitter<Events> | null | undefined;
  readonly #events: (keyof Events)[];
  readonly #onEvent: () => void;
  #subscribed: Emitter<Events> | null = null;

  constructor(
    host: Host,
    target: () => Emitter<Events> | null | undefined,
    events: (keyof Events)[],
    onEvent: () => void = () => host.requestUpdate(),
  ) {
    this.#host = host;
    this.#target = target;
    this.#events = events;
    this.#onEvent = onEvent;
    host.addController(this);
  }

  hostConnected(): void {
    this.#follow();
  }

  hostUpdate(): void {
    this.#follow();
  }

  hostDisconnected(): void {
    this.#unsubscribe();
  }

  #follow(): void {
    const target = this.#host.isConnected ? (this.#target() ?? null) : null;
    if (target === this.#subscribed) return;
    this.#unsubscribe();
    if (!target) return;
    for (const event of this.#events) target.on(event, this.#onEvent as Events[keyof Events]);
    this.#subscribed = target;
  }

  #unsubscribe(): void {
    if (!this.#subscribed) return;
    for (const event of this.#events) this.#subscribed.off(event, this.#onEvent as Events[keyof Events]);
    this.#subscribed = null;
  }
}
