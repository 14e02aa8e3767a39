import { JanusSession, type JanusHandle, type JanusHandleEvents, type JanusSessionEvents } from '@parley/protocol/janus';

export type { Jsep, PluginData } from '@parley/protocol/janus';

/** What the SFU transport uses of a Janus plugin handle (tests give a fake of this shape). */
export interface JanusHandlePort extends Pick<JanusHandle, 'request' | 'trickle'> {
  on(event: 'event', listener: JanusHandleEvents['event']): unknown;
}

/** What the SFU transport uses of a Janus session. */
export interface JanusSessionPort extends Pick<JanusSession, 'setToken' | 'close'> {
  attach(plugin: string): Promise<JanusHandlePort>;
  on(event: 'closed', listener: JanusSessionEvents['closed']): unknown;
}

/** Opens a Janus session at `url` whose requests carry `token`. */
export type JanusConnect = (url: string, token: string) => Promise<JanusSessionPort>;

/** The real one: `@parley/protocol/janus` over the page's WebSocket. */
export const connectJanus: JanusConnect = (url, token) => JanusSession.connect({ url, token });
