import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, RequestArgs, RequestData, RequestEvent, Result, ServerToClientEvents } from '@parley/protocol';
import { ParleyError } from './errors.js';

export type SignalSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** What the server sends, and the connection's own `connect` and `disconnect` (with Socket.IO's reason). */
export type SignalEventMap = ServerToClientEvents & { connect: () => void; disconnect: (reason: string) => void };

// A request's arguments are `never` for the events whose ack is optional: those go through `post`.
export type { RequestArgs, RequestData, RequestEvent };

/**
 * The signaling connection: a typed Socket.IO client whose requests resolve with data or reject with a
 * ParleyError. It reconnects by itself after a drop (with backoff); requests made with `send` wait until the room
 * says the session is usable again, so nothing reaches the server before the participant is back in the meeting.
 * It alone touches the socket: the room and the transport subscribe through {@link on}.
 */
export class SignalClient {
  readonly #socket: SignalSocket;
  readonly #server: string;
  readonly #requestTimeoutMs: number;
  /** Rejects a pending `connect()` when the client is disconnected before it connects. */
  #abortConnect: ((error: ParleyError) => void) | null = null;
  /** The attempt under way, which a second `connect()` joins. */
  #connecting: Promise<void> | null = null;
  #ready = false;
  /** Set by `disconnect()`: what requests still pending then fail with. */
  #closed: ParleyError | null = null;
  #waiting: { resolve: () => void; reject: (error: ParleyError) => void }[] = [];

  constructor(server: string, requestTimeoutMs: number) {
    this.#server = server;
    this.#requestTimeoutMs = requestTimeoutMs;
    this.#socket = io(server, {
      // WebSocket only: no long-polling handshake on the join path, and no sticky sessions needed behind a balancer.
      transports: ['websocket'],
      autoConnect: false,
      reconnectionDelay: 250,
      // Back within 2 s of a restarted server answering, whatever the outage lasted.
      reconnectionDelayMax: 2000,
      randomizationFactor: 0.5,
      timeout: requestTimeoutMs,
    });
  }

  /** Whether the socket is connected now. */
  get connected(): boolean {
    return this.#socket.connected;
  }

  /** Whether the last reconnection restored the server-side session (Socket.IO connection state recovery). */
  get recovered(): boolean {
    return this.#socket.recovered;
  }

  /**
   * Listens to a server event, or to `connect`/`disconnect`, until `disconnect()`; returns a function that stops
   * listening sooner.
   */
  on<E extends keyof SignalEventMap>(event: E, listener: SignalEventMap[E]): () => void {
    // Socket.IO's overloads cannot follow a generic event name; the map above keeps callers typed.
    const socket = this.#socket.on(event as 'connect', listener as () => void);
    return () => socket.off(event as 'connect', listener as () => void);
  }

  /**
   * Connects, or joins the attempt under way; resolves at once when connected. A failure rejects with
   * `server-unreachable`. After one, Socket.IO keeps retrying on its own schedule: the next call starts an attempt
   * at once instead (the caller decides when to try again).
   */
  connect(): Promise<void> {
    if (this.#socket.connected) return Promise.resolve();
    if (this.#connecting) return this.#connecting;
    const socket = this.#socket;
    if (socket.active) socket.disconnect();
    const attempt = new Promise<void>((resolve, reject) => {
      const onConnect = () => {
        socket.off('connect_error', onError);
        this.#abortConnect = null;
        resolve();
      };
      const onError = (error: Error) => {
        socket.off('connect', onConnect);
        this.#abortConnect = null;
        reject(ParleyError.serverUnreachable(this.#server, error));
      };
      this.#abortConnect = reject;
      socket.once('connect', onConnect);
      socket.once('connect_error', onError);
      socket.connect();
    });
    this.#connecting = attempt;
    const settled = () => {
      if (this.#connecting === attempt) this.#connecting = null;
    };
    attempt.then(settled, settled);
    return attempt;
  }

  /** Sends a request now, whatever the session's state. */
  async request<E extends RequestEvent>(event: E, ...args: RequestArgs<E>): Promise<RequestData<E>> {
    let result: Result<RequestData<E>>;
    try {
      // The typed `emitWithAck` cannot follow a generic event name; the maps above keep callers typed.
      const timed = this.#socket.timeout(this.#requestTimeoutMs) as unknown as {
        emitWithAck(event: E, ...args: unknown[]): Promise<Result<RequestData<E>>>;
      };
      result = await timed.emitWithAck(event, ...args);
    } catch {
      // Socket.IO fails pending acks as the socket closes: a request cut short by `disconnect()` did not time out.
      throw this.#closed ?? ParleyError.timeout(event);
    }
    if (!result.ok) throw ParleyError.fromProtocol(result.error);
    return result.data;
  }

  /** Sends a request once the session is ready (joined, or resumed after a drop). */
  async send<E extends RequestEvent>(event: E, ...args: RequestArgs<E>): Promise<RequestData<E>> {
    await this.#whenReady();
    return this.request(event, ...args);
  }

  /**
   * Sends an event that asks for no answer (see `ice-candidate` and `ice-restart-request` in the protocol) once the session is ready, as
   * `send` does; a refusal is not reported.
   */
  async post<E extends 'ice-candidate' | 'ice-restart-request'>(event: E, message: Parameters<ClientToServerEvents[E]>[0]): Promise<void> {
    await this.#whenReady();
    // Each event's message type goes with it; emit's overloads cannot see that through the union.
    this.#socket.emit(event as 'ice-restart-request', message as never);
  }

  #whenReady(): Promise<void> | void {
    if (!this.#ready) return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  /** Whether `send` may go out now. */
  setReady(ready: boolean): void {
    this.#ready = ready;
    if (!ready) return;
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const { resolve } of waiting) resolve();
  }

  /** Closes the connection for good: no reconnection, and waiting sends reject. */
  disconnect(): void {
    const closed = ParleyError.invalidState('The signaling connection was closed');
    this.#closed = closed;
    this.#abortConnect?.(closed);
    this.#abortConnect = null;
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const { reject } of waiting) reject(closed);
    this.#ready = false;
    // Closed first: listeners hear `io client disconnect` (a wait in the waiting room ends with it), then go.
    this.#socket.disconnect();
    this.#socket.removeAllListeners();
  }
}
