import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * How a blocked proxy turns away new connections:
 * - `'reset'`: accept, then destroy at once with a TCP RST (the client sees ECONNRESET). The port stays ours.
 * - `'refuse'`: stop listening, so the kernel refuses (ECONNREFUSED); `unblock()` listens again on the same port.
 * Both make a Socket.IO websocket client (Node or Chromium) report `connect_error` and retry.
 */
export type BlockMode = 'reset' | 'refuse';

export interface TcpProxy {
  /** The proxy's own port on 127.0.0.1. */
  readonly port: number;
  /** `http://127.0.0.1:<port>`: hand this to clients instead of the target's URL. */
  readonly url: string;
  /** Connections (client side) open right now. */
  readonly connectionCount: number;
  /** Whether `block()` is in force. */
  readonly blocked: boolean;
  /**
   * Destroys every open connection at once, both sides, like a network blip (`'reset'`, default: a TCP RST) or a
   * peer closing (`'close'`: a FIN). New connections still go through. Use `'close'` when the clients are in this
   * same Node.js process: after resetting sockets whose other end it also holds, Node.js 20 can spin at 100% CPU
   * in its exit-time handle cleanup, so the test file never ends (seen with the Redis clients of in-process nodes).
   */
  cut(mode?: 'reset' | 'close'): void;
  /** Turns away every new connection (see `BlockMode`) until `unblock()`. Does not touch open connections: pair with `cut()`. */
  block(mode?: BlockMode): Promise<void>;
  unblock(): Promise<void>;
  /** Sends new connections to `127.0.0.1:targetPort` from now on, as a load balancer choosing another server would. */
  retarget(targetPort: number): void;
  /** Cuts every connection and stops listening. */
  close(): Promise<void>;
}

export interface TcpProxyOptions {
  /** Holds every chunk this long in each direction before passing it on (a round trip gains twice this). Default 0. */
  oneWayDelayMs?: number;
}

/** Writes what `from` reads to `to`, each chunk `delayMs` later (in order: every chunk waits the same). */
function forward(from: Socket, to: Socket, delayMs: number): void {
  if (delayMs <= 0) {
    from.pipe(to);
    return;
  }
  from.on('data', (chunk) => setTimeout(() => to.writable && to.write(chunk), delayMs));
  from.on('end', () => setTimeout(() => to.end(), delayMs));
}

/**
 * A TCP forwarder on a free 127.0.0.1 port to `127.0.0.1:targetPort`. Put it between browsers and a server to break
 * their sockets while the server keeps running, or to give signaling a real round trip (`oneWayDelayMs`).
 */
export async function startTcpProxy(initialTargetPort: number, options: TcpProxyOptions = {}): Promise<TcpProxy> {
  let targetPort = initialTargetPort;
  const delayMs = options.oneWayDelayMs ?? 0;
  const pairs = new Set<{ client: Socket; upstream: Socket }>();
  let blockMode: BlockMode | null = null;
  let closed = false;

  const onConnection = (client: Socket) => {
    if (blockMode !== null) {
      client.on('error', () => {});
      client.resetAndDestroy();
      return;
    }
    const upstream = connect({ host: '127.0.0.1', port: targetPort, noDelay: true });
    const pair = { client, upstream };
    pairs.add(pair);
    const teardown = () => {
      if (!pairs.delete(pair)) return;
      client.destroy();
      upstream.destroy();
    };
    client.on('error', teardown).on('close', teardown);
    upstream.on('error', teardown).on('close', teardown);
    forward(client, upstream, delayMs);
    forward(upstream, client, delayMs);
  };

  // One listening server per listening period: 'refuse' closes it, `unblock()` opens a fresh one on the same port.
  let listener: Server | null = null;
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const server = createServer({ noDelay: true }, onConnection);
      server.once('error', reject);
      server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
        server.off('error', reject);
        listener = server;
        resolve((server.address() as AddressInfo).port);
      });
    });
  /** Closes the listening socket now; resolves once every connection it accepted has ended too. */
  const stopListening = () => {
    const server = listener;
    listener = null;
    return new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  };

  const port = await listen(0);

  const cut = (mode: 'reset' | 'close' = 'reset') => {
    for (const pair of [...pairs]) {
      pairs.delete(pair);
      if (mode === 'close') {
        pair.client.destroy();
        pair.upstream.destroy();
        continue;
      }
      pair.client.resetAndDestroy();
      // A connecting socket would only reset once connected: drop it now instead.
      if (pair.upstream.connecting) pair.upstream.destroy();
      else pair.upstream.resetAndDestroy();
    }
  };
  const unblock = async () => {
    if (closed) throw new Error('The proxy is closed');
    const wasRefusing = blockMode === 'refuse';
    blockMode = null;
    if (wasRefusing) await listen(port);
  };
  const block = async (mode: BlockMode = 'reset') => {
    if (closed) throw new Error('The proxy is closed');
    if (blockMode !== null) await unblock();
    blockMode = mode;
    // The listening socket closes at once; its open connections stay until `cut()`, so don't wait for them.
    if (mode === 'refuse') void stopListening();
  };

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    get connectionCount() {
      return pairs.size;
    },
    get blocked() {
      return blockMode !== null;
    },
    cut,
    block,
    unblock,
    retarget(port: number) {
      targetPort = port;
    },
    async close() {
      closed = true;
      cut();
      await stopListening();
    },
  };
}
