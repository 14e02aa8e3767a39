import WebSocket from 'ws';
import type { ClientToServerEvents, ServerToClientEvents } from '@parley/protocol';

/**
 * A Socket.IO v4 client that speaks the wire format itself over one WebSocket (engine.io v4 text packets:
 * `0` open, `2`/`3` ping/pong, `40` connect, `42[event, payload]` event, `42<id>[…]` event with ack, `43<id>[…]`
 * ack). A load generator has to cost far less per message than the server it loads: on a 2-core machine
 * socket.io-client's parser, emitter and timers in the client processes took the cores the server needed, and the
 * measured relay latency was mostly the clients' run queue. Only what the bench uses: events with or without an
 * ack, no binary, no reconnection.
 */
export class WireClient {
  readonly #socket: WebSocket;
  readonly #listeners = new Map<string, (payload: never) => void>();
  readonly #acks = new Map<number, (answer: unknown) => void>();
  #nextAckId = 0;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
  }

  /** Opens a connection to the Socket.IO server at `url` (`http://host:port`) and resolves once connected. */
  static connect(url: string, timeoutMs = 20_000): Promise<WireClient> {
    const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, { perMessageDeflate: false });
    const client = new WireClient(socket);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.terminate();
        reject(new Error('connect timeout'));
      }, timeoutMs);
      socket.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.on('message', (data) => {
        const packet = String(data);
        if (packet.startsWith('40')) {
          clearTimeout(timer);
          resolve(client);
        }
        client.#receive(packet);
      });
    });
  }

  #receive(packet: string): void {
    switch (packet[0]) {
      case '0': // engine.io open: join the default namespace
        this.#socket.send('40');
        return;
      case '2': // engine.io ping
        this.#socket.send('3');
        return;
      case '4':
        if (packet[1] === '2') this.#onEvent(packet.slice(2));
        else if (packet[1] === '3') this.#onAck(packet.slice(2));
        return;
    }
  }

  #onEvent(body: string): void {
    const [event, payload] = JSON.parse(body) as [string, never];
    this.#listeners.get(event)?.(payload);
  }

  #onAck(body: string): void {
    const bracket = body.indexOf('[');
    const id = Number(body.slice(0, bracket));
    const [answer] = JSON.parse(body.slice(bracket)) as [unknown];
    this.#acks.get(id)?.(answer);
    this.#acks.delete(id);
  }

  /** One listener per event is all the bench needs. */
  on<E extends keyof ServerToClientEvents>(event: E, listener: ServerToClientEvents[E]): void {
    this.#listeners.set(event, listener as (payload: never) => void);
  }

  /** Sends `event` without asking for an acknowledgement (as the SDK sends ICE candidates). */
  emit<E extends keyof ClientToServerEvents>(event: E, payload: Parameters<ClientToServerEvents[E]>[0]): void {
    this.#socket.send(`42${JSON.stringify([event, payload])}`);
  }

  /** Sends `event` and resolves with the server's acknowledgement; rejects after `timeoutMs`. */
  emitWithAck<E extends keyof ClientToServerEvents>(
    event: E,
    payload: Parameters<ClientToServerEvents[E]>[0],
    timeoutMs = 10_000,
  ): Promise<Parameters<NonNullable<Parameters<ClientToServerEvents[E]>[1]>>[0]> {
    const id = this.#nextAckId++;
    this.#socket.send(`42${id}${JSON.stringify([event, payload])}`);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#acks.delete(id);
        reject(new Error(`${event}: no acknowledgement in ${timeoutMs} ms`));
      }, timeoutMs);
      this.#acks.set(id, (answer) => {
        clearTimeout(timer);
        resolve(answer as never);
      });
    });
  }

  get connected(): boolean {
    return this.#socket.readyState === WebSocket.OPEN;
  }

  disconnect(): void {
    this.#socket.close();
  }
}
