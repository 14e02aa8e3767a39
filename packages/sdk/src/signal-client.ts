import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, Result, ServerToClientEvents } from '@parley/protocol';
import { ParleyError } from './errors.js';

export type SignalSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Events whose listener ends with an ack: requests that answer with a `Result`. */
type RequestEvent = keyof ClientToServerEvents;
type RequestArgs<E extends RequestEvent> =
  Parameters<ClientToServerEvents[E]> extends [...infer Args, (result: Result<infer _>) => void] ? Args : never;
type RequestData<E extends RequestEvent> =
  Parameters<ClientToServerEvents[E]> extends [...unknown[], (result: Result<infer T>) => void] ? T : never;

/** The signaling connection: a typed Socket.IO client whose requests resolve with data or reject with a ParleyError. */
export class SignalClient {
  readonly socket: SignalSocket;
  readonly #server: string;
  readonly #requestTimeoutMs: number;
  /** Rejects a pending `connect()` when the client is disconnected before it connects. */
  #abortConnect: ((error: ParleyError) => void) | null = null;

  constructor(server: string, requestTimeoutMs: number) {
    this.#server = server;
    this.#requestTimeoutMs = requestTimeoutMs;
    this.socket = io(server, {
      // WebSocket only: no long-polling handshake on the join path, and no sticky sessions needed behind a balancer.
      transports: ['websocket'],
      autoConnect: false,
      // A new socket would be a new participant to the server; resuming a meeting is the room's job.
      reconnection: false,
      timeout: requestTimeoutMs,
    });
  }

  connect(): Promise<void> {
    const socket = this.socket;
    return new Promise((resolve, reject) => {
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
  }

  async request<E extends RequestEvent>(event: E, ...args: RequestArgs<E>): Promise<RequestData<E>> {
    let result: Result<RequestData<E>>;
    try {
      // The typed `emitWithAck` cannot follow a generic event name; the maps above keep callers typed.
      const timed = this.socket.timeout(this.#requestTimeoutMs) as unknown as {
        emitWithAck(event: E, ...args: unknown[]): Promise<Result<RequestData<E>>>;
      };
      result = await timed.emitWithAck(event, ...args);
    } catch {
      throw ParleyError.timeout(event);
    }
    if (!result.ok) throw ParleyError.fromProtocol(result.error);
    return result.data;
  }

  disconnect(): void {
    this.#abortConnect?.(ParleyError.invalidState('Disconnected before the connection was made'));
    this.#abortConnect = null;
    this.socket.removeAllListeners();
    this.socket.disconnect();
  }
}
