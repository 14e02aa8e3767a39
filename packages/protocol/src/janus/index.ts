/**
 * A small typed client for Janus's WebSocket API (subprotocol `janus-protocol`), shared by the browser SDK
 * (`window.WebSocket`) and the server (the `ws` package): sessions with keepalives, plugin handles, requests
 * answered synchronously or by an event after Janus's `ack`, trickled candidates, typed errors.
 */
export { JanusError, type JanusErrorKind } from './janus-error.js';
export { JanusHandle, type JanusHandleEvents } from './janus-handle.js';
export {
  JanusSession,
  type JanusConnectOptions,
  type JanusSessionEvents,
  type WebSocketConstructor,
  type WebSocketLike,
} from './janus-session.js';
export type { JanusCandidate, Jsep, PluginAnswer, PluginData } from './messages.js';
