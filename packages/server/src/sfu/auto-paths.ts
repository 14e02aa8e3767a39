/** Auto mode: a meeting of this many or more goes through the SFU; fewer talk peer to peer. */
export const SFU_FROM = 3;
/**
 * A meeting on the SFU goes back to the mesh only once it has been under {@link SFU_FROM} for this long: a reload
 * (leave, join again a moment later) does not move everyone twice.
 */
export const BACK_TO_MESH_AFTER_MS = 5000;

/**
 * `MEDIA_MODE=auto`: which meetings are on the SFU, by head count. Two people talk peer to peer; a third moves the
 * meeting to the SFU; back at two, it returns to the mesh after {@link BACK_TO_MESH_AFTER_MS}. Signaling opens the
 * Janus room and tells participants (`media-path`); this only keeps the decision. The room stays open while the
 * meeting is on the mesh again (the next third joins at once), and goes with the meeting like any SFU room.
 */
export class AutoPaths {
  readonly #onSfu = new Set<string>();
  readonly #backToMesh = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #delayMs: number;

  constructor(delayMs = BACK_TO_MESH_AFTER_MS) {
    this.#delayMs = delayMs;
  }

  /** Whether the meeting's media goes through the SFU now. */
  onSfu(code: string): boolean {
    return this.#onSfu.has(code);
  }

  /** Whether a meeting of `count` people must move to the SFU (it is on the mesh now). */
  needsSfu(code: string, count: number): boolean {
    return count >= SFU_FROM && !this.#onSfu.has(code);
  }

  /** The meeting's room is open: its media goes through the SFU from now on. */
  moveToSfu(code: string): void {
    this.#onSfu.add(code);
  }

  /**
   * The meeting has `count` people now. On the SFU with fewer than {@link SFU_FROM}: in a while, if `stillFew()`
   * then, it is back on the mesh and `moved()` is called. With enough people again, the move back is called off.
   */
  counted(code: string, count: number, stillFew: () => boolean, moved: () => void): void {
    const pending = this.#backToMesh.get(code);
    if (count >= SFU_FROM || !this.#onSfu.has(code)) {
      clearTimeout(pending);
      this.#backToMesh.delete(code);
      return;
    }
    if (pending) return;
    const timer = setTimeout(() => {
      this.#backToMesh.delete(code);
      if (!stillFew()) return;
      this.#onSfu.delete(code);
      moved();
    }, this.#delayMs);
    timer.unref?.();
    this.#backToMesh.set(code, timer);
  }

  /** Shutdown: no move back is pending any more. */
  close(): void {
    for (const timer of this.#backToMesh.values()) clearTimeout(timer);
    this.#backToMesh.clear();
  }
}
