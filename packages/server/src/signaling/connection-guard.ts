import type { IncomingMessage } from 'node:http';
import { isIPv6 } from 'node:net';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { ParleySocket } from './types.js';

export interface ConnectionGuardOptions {
  /** Most connections one address may hold open on this node. */
  maxPerAddress: number;
  /** A connection speaking for nobody is closed after this long; 0 never. */
  idleTimeoutMs: number;
  /** The client's address, through trusted proxies. */
  clientIp: (request: IncomingMessage) => string;
  metrics: Metrics;
  logger: Logger;
}

/** What the guard needs of an Engine.IO connection (the transport under a Socket.IO socket). */
export interface EngineConnection {
  readonly request: IncomingMessage;
  once(event: 'close', listener: () => void): unknown;
  close(): void;
}

/** The sweep for idle connections runs this often at most, and at least this often. */
const MIN_SWEEP_MS = 250;
const MAX_SWEEP_MS = 15_000;

/**
 * Whose connections count together: an IPv4 address (also written IPv4-mapped, `::ffff:a.b.c.d`) on its own, an
 * IPv6 address by its /64, the block one subscriber or host is normally given whole.
 */
export function addressKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.toLowerCase().split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...headGroups, ...Array(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups] : headGroups;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/**
 * Keeps one address from holding a node's connections (and its file descriptors): past `maxPerAddress` open
 * connections, a new one is refused at its handshake, and connections that speak for no participant — never
 * joined, or left — are closed after `idleTimeoutMs`. Both are counted in `/metrics`.
 */
export class ConnectionGuard {
  readonly #options: ConnectionGuardOptions;
  /** Open connections per address key; keys at zero are deleted. */
  readonly #open = new Map<string, number>();
  /** Addresses refused since they last went below the cap: logged once each time they reach it. */
  readonly #atCap = new Set<string>();
  #sweep: ReturnType<typeof setInterval> | undefined;

  constructor(options: ConnectionGuardOptions) {
    this.#options = options;
  }

  /** For `allowRequest`: whether a new connection from this request's address is let through the handshake. */
  allows(request: IncomingMessage): boolean {
    const key = addressKey(this.#options.clientIp(request));
    if ((this.#open.get(key) ?? 0) < this.#options.maxPerAddress) return true;
    this.#refuse(key);
    return false;
  }

  /**
   * Counts an opened connection until it closes. Handshakes that passed {@link allows} at the same moment may
   * overshoot the cap: those are closed at once, so it holds for open connections whatever the timing.
   */
  track(connection: EngineConnection): void {
    const key = addressKey(this.#options.clientIp(connection.request));
    const open = (this.#open.get(key) ?? 0) + 1;
    if (open > this.#options.maxPerAddress) {
      this.#refuse(key);
      connection.close();
      return;
    }
    this.#open.set(key, open);
    connection.once('close', () => {
      const left = (this.#open.get(key) ?? 1) - 1;
      if (left > 0) this.#open.set(key, left);
      else this.#open.delete(key);
      if (left < this.#options.maxPerAddress) this.#atCap.delete(key);
    });
  }

  #refuse(key: string): void {
    this.#options.metrics.connectionRefusals.inc();
    if (this.#atCap.has(key)) return;
    this.#atCap.add(key);
    this.#options.logger.warn(
      { ip: key, max: this.#options.maxPerAddress },
      'connections refused: this address holds MAX_CONNECTIONS_PER_ADDRESS (a reverse proxy? set TRUST_PROXY)',
    );
  }

  /**
   * Closes, at intervals, the sockets that have spoken for nobody for the idle timeout (`data.idleSince`, set by the
   * signaling whenever a socket stops speaking for someone). Clients that still want the connection open it again.
   */
  startIdleSweep(sockets: () => Iterable<ParleySocket>): void {
    const timeoutMs = this.#options.idleTimeoutMs;
    if (timeoutMs === 0) return;
    const everyMs = Math.min(MAX_SWEEP_MS, Math.max(MIN_SWEEP_MS, Math.floor(timeoutMs / 4)));
    this.#sweep = setInterval(() => {
      const cutoff = Date.now() - timeoutMs;
      for (const socket of sockets()) {
        const { meetingCode, waiting, idleSince } = socket.data;
        if (meetingCode !== undefined || waiting !== undefined || idleSince === undefined || idleSince > cutoff) continue;
        this.#options.metrics.idleDisconnects.inc();
        socket.disconnect(true);
      }
    }, everyMs);
    this.#sweep.unref();
  }

  close(): void {
    clearInterval(this.#sweep);
  }
}
