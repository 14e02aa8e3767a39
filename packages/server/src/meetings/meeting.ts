/** A meeting as stored: what survives while nobody is connected. Presence lives elsewhere. */
export interface Meeting {
  /** Canonical `xxxx-xxxx-xxxx` code. */
  code: string;
  /** SHA-256 of the host key, hex; the key itself is never stored. */
  hostKeyHash: string;
  createdAt: Date;
  /** After this instant the code can never be joined again. */
  expiresAt: Date;
}

/** Where meetings are kept. Async so that database-backed stores fit behind it. */
export interface MeetingStore {
  create(meeting: Meeting): Promise<void>;
  /** The meeting with this canonical code, or `undefined`. Expired meetings are still returned; callers check. */
  get(code: string): Promise<Meeting | undefined>;
  /** Removes expired meetings; returns how many. */
  deleteExpired(now: Date): Promise<number>;
}
