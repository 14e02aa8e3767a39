import { JanusError } from './janus-error.js';
import { JanusHandle, type HandleChannel } from './janus-handle.js';
import { Listeners } from './listeners.js';
import type { JanusMessage } from './messages.js';

/** The part of the standard WebSocket API the client uses: the browser's `WebSocket` and the `ws` package's both fit. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  addEventListener(type: 'open' | 'close' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

/** A WebSocket class: `window.WebSocket` in a browser, `ws`'s `WebSocket` in Node 20. */
export type WebSocketConstructor = new (url: string, protocol: string) => WebSocketLike;

export interface JanusConnectOptions {
  /** Janus's WebSocket API, e.g. `wss://janus.example.com/` (subprotocol `janus-protocol`). */
  url: string;
  /** Janus's token (`token_auth`), sent with every request; replace it with {@link JanusSession.setToken}. */
  token?: string;
  /** The WebSocket class to use; by default the global `WebSocket`. */
  WebSocket?: WebSocketConstructor;
  /** How often to tell Janus the session is alive: under its `session_timeout` (60 s by default). Default 25 s. */
  keepaliveMs?: number;
  /**
   * How long to wait for Janus to answer a request (including its `event` after an `ack`). Default 15 s. A keepalive
   * unanswered for this long ends the session: Janus hangs (its process stopped, or the network dropped without
   * closing the connection).
   */
  timeoutMs?: number;
}

/** What a {@link JanusSession} reports. */
export type JanusSessionEvents = {
  /**
   * The session is over: closed here (no error), or lost: the connection closed, Janus dropped the session (kind
   * `closed`), or Janus stopped answering (kind `timeout`: a keepalive went unanswered).
   */
  closed: (error: JanusError | undefined) => void;
};

interface Pending {
  resolve(message: JanusMessage): void;
  reject(error: JanusError): void;
  /** For a plugin message: Janus's `ack` only says it is working on it, its `event` answers. */
  awaitsEvent: boolean;
  timer: ReturnType<typeof setTimeout>;
}

const OPEN = 1;

/** Runs `callback` after the input already received has been handled: Node's check phase, a task in a browser. */
const afterPendingInput: (callback: () => void) => void =
  (globalThis as { setImmediate?: (callback: () => void) => void }).setImmediate ?? ((callback) => setTimeout(callback, 0));

/** A Janus session over one WebSocket: plugin handles, keepalives, request transactions. */
export class JanusSession extends Listeners<JanusSessionEvents> {
  /** Opens the WebSocket and creates a session; rejects with a {@link JanusError} (`closed`, `timeout`, or Janus's). */
  static async connect(options: JanusConnectOptions): Promise<JanusSession> {
    const WebSocketClass = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!WebSocketClass) throw new JanusError('closed', 0, 'No WebSocket class: pass one in the options');
    const timeoutMs = options.timeoutMs ?? 15_000;
    const socket = new WebSocketClass(options.url, 'janus-protocol');
    await new Promise<void>((resolve, reject) => {
      const fail = (reason: string) => {
        clearTimeout(timer);
        socket.close();
        reject(new JanusError(reason === 'timeout' ? 'timeout' : 'closed', 0, `Cannot reach Janus at ${options.url}: ${reason}`));
      };
      const timer = setTimeout(() => fail('timeout'), timeoutMs);
      socket.addEventListener('open', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.addEventListener('error', () => fail('connection failed'));
      socket.addEventListener('close', () => fail('connection closed'));
    });
    const session = new JanusSession(socket, options.token, timeoutMs);
    try {
      const created = await session.#send({ janus: 'create' });
      session.#id = created.data?.id ?? 0;
    } catch (error) {
      session.#end(undefined);
      throw error;
    }
    session.#keepalive = setInterval(() => session.#sendKeepalive(), options.keepaliveMs ?? 25_000);
    return session;
  }

  #id = 0;
  #token: string | undefined;
  #closed = false;
  #keepalive: ReturnType<typeof setInterval> | undefined;
  #nextTransaction = 0;
  readonly #pending = new Map<string, Pending>();
  readonly #handles = new Map<number, JanusHandle>();
  readonly #channel: HandleChannel = {
    send: (message, handleId) => this.#send({ ...message, handle_id: handleId }),
    forget: (handleId) => this.#handles.delete(handleId),
  };

  private constructor(
    private readonly socket: WebSocketLike,
    token: string | undefined,
    private readonly timeoutMs: number,
  ) {
    super();
    this.#token = token;
    socket.addEventListener('message', (event) => this.#receive(event.data));
    socket.addEventListener('close', () => this.#end(new JanusError('closed', 0, 'The connection to Janus closed')));
  }

  /** Janus's id for the session. */
  get id(): number {
    return this.#id;
  }

  /** Whether the session is over (see the `closed` event). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Uses `token` for every request from now on (the previous one is about to expire). */
  setToken(token: string): void {
    this.#token = token;
  }

  /** Attaches a handle to `plugin` (e.g. `janus.plugin.videoroom`). */
  async attach(plugin: string, opaqueId?: string): Promise<JanusHandle> {
    const attached = await this.#send({ janus: 'attach', plugin, ...(opaqueId ? { opaque_id: opaqueId } : {}) });
    const handle = new JanusHandle(attached.data?.id ?? 0, plugin, this.#channel);
    this.#handles.set(handle.id, handle);
    return handle;
  }

  /** Destroys the session on Janus (its handles leave their rooms) and closes the connection. */
  async close(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.#send({ janus: 'destroy' });
    } catch {
      // Gone already, or unreachable: either way Janus drops it when its session_timeout passes.
    }
    this.#end(undefined);
  }

  #send(message: { janus: string; [field: string]: unknown }): Promise<JanusMessage> {
    if (this.#closed || this.socket.readyState !== OPEN) {
      return Promise.reject(new JanusError('closed', 0, 'The Janus session is closed'));
    }
    const transaction = `t${++this.#nextTransaction}`;
    const wire = { ...message, transaction, ...(this.#id ? { session_id: this.#id } : {}), ...(this.#token ? { token: this.#token } : {}) };
    return new Promise((resolve, reject) => {
      // A process too busy to read its sockets runs its expired timers before the answers waiting to be read: give
      // up only once those are read, or a starved server takes a slow loop for a hung Janus.
      const timer = setTimeout(() => afterPendingInput(() => {
        if (!this.#pending.delete(transaction)) return;
        reject(new JanusError('timeout', 0, `Janus did not answer "${message.janus}" in ${this.timeoutMs} ms`));
      }), this.timeoutMs);
      this.#pending.set(transaction, { resolve, reject, awaitsEvent: message.janus === 'message', timer });
      this.socket.send(JSON.stringify(wire));
    });
  }

  #receive(data: unknown): void {
    let message: JanusMessage;
    try {
      message = JSON.parse(String(data)) as JanusMessage;
    } catch {
      return;
    }
    const pending = message.transaction === undefined ? undefined : this.#pending.get(message.transaction);
    if (pending && !(message.janus === 'ack' && pending.awaitsEvent)) {
      this.#pending.delete(message.transaction!);
      clearTimeout(pending.timer);
      if (message.janus === 'error') {
        pending.reject(new JanusError('janus', message.error?.code ?? 0, message.error?.reason ?? 'Janus error'));
      } else {
        pending.resolve(message);
      }
      return;
    }
    if (message.janus === 'timeout') {
      this.#end(new JanusError('closed', 0, 'Janus dropped the session (no keepalive within its session_timeout)'));
      return;
    }
    if (message.sender !== undefined) this.#handles.get(message.sender)?.receive(message);
  }

  async #sendKeepalive(): Promise<void> {
    try {
      await this.#send({ janus: 'keepalive' });
    } catch (error) {
      // Janus no longer knows the session (it restarted, or dropped it), or no longer answers with the connection
      // left open (it hangs): either way it is over. A closed connection ends it anyway.
      if (!(error instanceof JanusError) || error.kind === 'closed') return;
      this.#end(error.kind === 'timeout' ? new JanusError('timeout', 0, `Janus stopped answering: no answer to a keepalive in ${this.timeoutMs} ms`) : error);
    }
  }

  #end(error: JanusError | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#keepalive);
    const ended = error ?? new JanusError('closed', 0, 'The Janus session is closed');
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(ended);
    }
    this.#pending.clear();
    for (const handle of [...this.#handles.values()]) handle.gone();
    this.socket.close();
    this.emit('closed', error);
  }
}
