// Rooms that start together reach their snapshot cadence together (a game day's teams, a
// load of 200 rooms): serialising every due room in the same turns stalled all rooms for
// most of a second. The pacer serialises one room at a time and after each pauses long
// enough that snapshots take at most `share` of the event loop, so a burst of due rooms
// drains over the following second instead of at once. A snapshot is a cache of the log:
// taking it a little later only lengthens the tail a rebuild replays.

/**
 * Serialises a room between two of its inputs; resolves to the ms that took (0: nothing done).
 * `current()` is false once the pacer stopped waiting for it (its room was busy too long): a
 * take that gets to run only then must not serialise now, unpaced, but queue again.
 */
export type SnapshotTake = (current: () => boolean) => Promise<number>;

export class SnapshotPacer {
  private readonly due: SnapshotTake[] = [];
  private busy = false;

  /**
   * @param share most of the event loop's time snapshots may take (0–1)
   * @param waitMs longest one room may hold the others (it waits for its current input,
   *   which may wait for an unreachable store); the pacer then moves on without it
   */
  constructor(private readonly share = 0.2, private readonly waitMs = 50) {}

  enqueue(take: SnapshotTake): void {
    this.due.push(take);
    if (!this.busy) this.next();
  }

  /** Rooms waiting for their turn (for tests and metrics). */
  get waiting(): number {
    return this.due.length;
  }

  private next(): void {
    const take = this.due.shift();
    if (!take) {
      this.busy = false;
      return;
    }
    this.busy = true;
    let released = false;
    const release = (spentMs: number): void => {
      if (released) return;
      released = true;
      clearTimeout(timer);
      const pauseMs = (spentMs * (1 - this.share)) / this.share;
      if (pauseMs < 1) setImmediate(() => this.next());
      else setTimeout(() => this.next(), pauseMs).unref();
    };
    const timer = setTimeout(() => release(0), this.waitMs);
    timer.unref();
    take(() => !released).then(release, () => release(0));
  }
}

/**
 * A room's share (½ up to 1) of the snapshot cadence for a runner's first snapshot: fixed by
 * the room and the seq the runner started from (FNV-1a), so runs are repeatable, and different
 * for rooms that would otherwise be due together.
 */
export function snapshotSpread(roomId: string, snapshotSeq: number): number {
  let hash = 0x811c9dc5;
  const key = `${roomId}:${snapshotSeq}`;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return 0.5 + (hash >>> 0) / 2 ** 33;
}

/** One per process: the rooms of a process share its event loop. */
export const processSnapshotPacer = new SnapshotPacer();
