/** A session description, as Janus carries it beside a plugin message. */
export interface Jsep {
  type: 'offer' | 'answer';
  sdp: string;
  /** Janus sets it on an offer for a subscriber whose streams changed. */
  update?: boolean;
  /** Janus's end-to-end encryption flag (the VideoRoom's `e2ee`). */
  e2ee?: boolean;
}

/** An ICE candidate to trickle to Janus (what `RTCIceCandidate.toJSON()` gives), or `{ completed: true }` at the end. */
export type JanusCandidate =
  | { candidate?: string; sdpMid?: string | null; sdpMLineIndex?: number | null; usernameFragment?: string | null }
  | { completed: true };

/** A plugin's answer: the data it sent (`plugindata.data`) and, with some, a session description. */
export interface PluginAnswer<Data = PluginData> {
  data: Data;
  jsep?: Jsep;
}

/** What a plugin sends: an object with the plugin's own fields (the VideoRoom's always has `videoroom`). */
export type PluginData = { [field: string]: unknown };

/** Any message from Janus, as far as the client reads it. */
export interface JanusMessage {
  janus: string;
  transaction?: string;
  session_id?: number;
  sender?: number;
  data?: { id?: number };
  error?: { code: number; reason: string };
  plugindata?: { plugin: string; data: PluginData };
  jsep?: Jsep;
  [field: string]: unknown;
}
