/** Size limits every inbound message is held to. Shared so clients can check before they send. */
export const LIMITS = {
  /** Longest display name, in characters (after trimming). */
  nameLength: 64,
  /**
   * Largest session description, in bytes of UTF-8: what goes on the wire. Tab, CR and LF are its only control
   * characters, so JSON at most doubles it, and an offer at this limit fits in a message of `messageBytes`.
   */
  sdpBytes: 16 * 1024,
  /** @deprecated The limit is counted in UTF-8 bytes, not characters: use `sdpBytes` (same number). */
  sdpLength: 16 * 1024,
  /**
   * Largest Socket.IO message the server accepts, in bytes: an offer or answer at `sdpBytes` with every byte escaped
   * to two in JSON, plus 1 KiB for the event name, `to` and the acknowledgement id. A larger one closes the connection.
   */
  messageBytes: 2 * 16 * 1024 + 1024,
  /** Longest ICE candidate line, in characters. */
  candidateLength: 1024,
  /** Longest host key, in characters. */
  hostKeyLength: 128,
  /** Longest meeting code as typed, separators and spaces included. */
  codeInputLength: 32,
  /** Longest resume token (a signed token carries the meeting, the participant's id, name and role). */
  resumeTokenLength: 1024,
  /** Longest participant id. */
  participantIdLength: 64,
  /** Longest client session id (sent on join so a removed session can be kept out). */
  sessionIdLength: 64,
  /** Longest application message relayed by the server (`app-message`), in characters: a chat message with its envelope. */
  appMessageLength: 8 * 1024,
  /** Longest participant token (a JWT from the embedding site). */
  tokenLength: 4096,
  /** Reactions (`send-reaction`) one participant may send at once; after these, one per `reactionIntervalMs`. */
  reactionBurst: 5,
  /** How often a participant who used up `reactionBurst` may react again, in milliseconds. */
  reactionIntervalMs: 1000,
} as const;
