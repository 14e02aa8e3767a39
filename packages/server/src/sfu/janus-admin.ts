import WebSocket from 'ws';
import { JanusError, JanusSession, type JanusHandle, type PluginData } from '@parley/protocol/janus';
import type { Logger } from '../logger.js';
import { signCoreToken, VIDEOROOM_PLUGIN } from './janus-tokens.js';

/** How long the server's own Janus token lasts; every request renews it. */
const ADMIN_TOKEN_LIFETIME_MS = 60 * 60 * 1000;
/**
 * How often the server's session pings Janus. Every keepalive unanswered within the timeout ends the session, so a
 * Janus that hangs with its connection open is counted lost within the timeout and one second.
 */
const KEEPALIVE_MS = 1_000;
/**
 * Reconnection attempts after a loss, while watching: the first soon, then further apart, up to a second (a restarted
 * Janus's meetings wait for the next attempt; one a second at a dead one costs nothing).
 */
const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 1_000;

export interface JanusAdminOptions {
  url: string;
  tokenSecret: string;
  /** How long Janus may take to answer a request or a keepalive (`JANUS_TIMEOUT_MS`): a join waits on it, so not long. */
  timeoutMs: number;
  logger: Logger;
  /** The connection was lost: Janus may have restarted, and forgotten every room. */
  onLost?: () => void;
  /** The connection is up (again). */
  onUp?: () => void;
}

/**
 * The server's own connection to Janus: one session with one VideoRoom handle, opened on the first request and
 * opened again on the next one after it was lost (Janus restarted, or the network dropped). Once {@link watch}ed, it
 * also connects at once, and again after every loss by itself, so a dead Janus is noticed and a restarted one too.
 * Lost means the connection closed, or Janus left a keepalive unanswered (it hangs with the connection open).
 */
export class JanusAdmin {
  readonly #options: JanusAdminOptions;
  #handle: Promise<JanusHandle> | undefined;
  #session: JanusSession | undefined;
  #closed = false;
  #watching = false;
  #retry: ReturnType<typeof setTimeout> | undefined;

  constructor(options: JanusAdminOptions) {
    this.#options = options;
  }

  /** Sends a VideoRoom request; rejects with a {@link JanusError} (Janus unreachable: kind `closed` or `timeout`). */
  async request(body: { request: string; [field: string]: unknown }): Promise<PluginData> {
    const handle = await this.#connected();
    this.#session?.setToken(this.#token());
    const { data } = await handle.request(body);
    return data;
  }

  /** Runs `use` with a handle of its own (detached after), for requests that make the handle join something. */
  async withHandle<T>(use: (handle: JanusHandle) => Promise<T>): Promise<T> {
    await this.#connected();
    const session = this.#session!;
    session.setToken(this.#token());
    const handle = await session.attach(VIDEOROOM_PLUGIN);
    try {
      return await use(handle);
    } finally {
      await handle.detach().catch(() => {});
    }
  }

  /** Whether the connection is up now (for readiness and logs; a request reconnects anyway). */
  get connected(): boolean {
    return this.#session !== undefined && !this.#session.closed;
  }

  /** Connects now, and again after every loss (0.5, then 1 s between attempts) until closed. */
  watch(): void {
    this.#watching = true;
    this.#reconnect(0);
  }

  /** Connects if not connected; rejects if Janus cannot be reached. */
  async ready(): Promise<void> {
    await this.#connected();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    const session = this.#session;
    this.#session = undefined;
    this.#handle = undefined;
    await session?.close();
  }

  #connected(): Promise<JanusHandle> {
    if (this.#closed) return Promise.reject(new JanusError('closed', 0, 'The Janus connection is closed'));
    this.#handle ??= this.#connect().catch((error: unknown) => {
      this.#handle = undefined;
      throw error;
    });
    return this.#handle;
  }

  async #connect(): Promise<JanusHandle> {
    const { url, logger, timeoutMs } = this.#options;
    const session = await JanusSession.connect({ url, token: this.#token(), WebSocket, timeoutMs, keepaliveMs: KEEPALIVE_MS });
    session.on('closed', (error) => {
      if (this.#session !== session) return;
      this.#session = undefined;
      this.#handle = undefined;
      logger.warn({ janus: url, reason: error?.message }, 'Janus connection lost; reconnecting');
      this.#options.onLost?.();
      if (this.#watching) this.#reconnect(RECONNECT_MIN_MS);
    });
    this.#session = session;
    if (this.#closed) {
      await session.close();
      throw new JanusError('closed', 0, 'The Janus connection is closed');
    }
    try {
      const handle = await session.attach(VIDEOROOM_PLUGIN);
      logger.info({ janus: url }, 'connected to Janus');
      queueMicrotask(() => this.#options.onUp?.());
      return handle;
    } catch (error) {
      this.#session = undefined;
      await session.close();
      throw error;
    }
  }

  /** One attempt after `delayMs`; a failed one schedules the next, further apart. */
  #reconnect(delayMs: number): void {
    clearTimeout(this.#retry);
    this.#retry = setTimeout(() => {
      this.#connected().catch(() => {
        if (!this.#closed && !this.connected) this.#reconnect(Math.min(RECONNECT_MAX_MS, Math.max(RECONNECT_MIN_MS, delayMs * 2)));
      });
    }, delayMs);
    this.#retry.unref?.();
  }

  #token(): string {
    return signCoreToken(this.#options.tokenSecret, Date.now() + ADMIN_TOKEN_LIFETIME_MS, 'parley-server');
  }
}
