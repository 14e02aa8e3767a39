import { JanusSession, type JanusHandle, type JanusHandleEvents, type JanusSessionEvents } from '@parley/protocol/janus';

export type { Jsep, PluginData } from '@parley/protocol/janus';

/** What the SFU transport uses of a Janus plugin handle (tests give a fake of this shape). */
export interface JanusHandlePort extends Pick<JanusHandle, 'request' | 'trickle' | 'detach'> {
  on(event: 'event', listener: JanusHandleEvents['event']): unknown;
}

/** What the SFU transport uses of a Janus session. */
export interface JanusSessionPort extends Pick<JanusSession, 'setToken' | 'close'> {
  attach(plugin: string): Promise<JanusHandlePort>;
  on(event: 'closed', listener: JanusSessionEvents['closed']): unknown;
}

/** Opens a Janus session at `url` whose requests carry `token`. */
export type JanusConnect = (url: string, token: string) => Promise<JanusSessionPort>;

/**
 * The real one: `@parley/protocol/janus` over the page's WebSocket. A page waits for Janus's answers as long as Janus
 * waits for its keepalives (its `session_timeout`, 60 s): a busy browser reads them late (six pages on two cores
 * read nothing for 15 s while Janus answered the server at once), and a Janus that truly hangs is the server's to
 * notice: it moves the meeting, and the page follows its `media-path`.
 */
export const connectJanus: JanusConnect = (url, token) => JanusSession.connect({ url, token, timeoutMs: 60_000 });
