// Rebuilds a room from the store: its latest snapshot (if one decodes) and the events
// after it, folded with the same reducer as live play; without a usable snapshot, the
// whole log. Storage errors propagate as they are (the database may come back); a log
// that cannot be folded is a BrokenLogError, after which the room is closed for good.
import type { RoomStore } from '../db/room-store.js';
import type { RoomEvent } from '../protocol/index.js';
import { fromStored } from './log.js';
import { reduceRoom, replayRoom } from './reducer.js';
import type { ScenarioRuntime } from './runtime.js';
import { decodeRoom } from './snapshot.js';
import type { RoomState } from './state.js';

export class BrokenLogError extends Error {
  constructor(roomId: string, cause: unknown) {
    super(`room ${roomId}: its log cannot be rebuilt: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'BrokenLogError';
  }
}

export interface Restored {
  state: RoomState;
  /** Sequence of the snapshot it started from (0: replayed from the first event). */
  snapshotSeq: number;
}

export async function restoreRoom(store: RoomStore, runtime: ScenarioRuntime, roomId: string): Promise<Restored> {
  const snapshot = await store.latestSnapshot(roomId);
  const start = snapshot ? decodeRoom(snapshot.data, roomId, snapshot.seq) : undefined;
  if (snapshot && start) {
    const tail = await store.listEvents(roomId, snapshot.seq);
    try {
      return { state: applyAll(start, tail.map(fromStored), runtime), snapshotSeq: snapshot.seq };
    } catch {
      // The snapshot and the tail disagree (a snapshot from another engine version): the whole log decides.
    }
  }
  const records = await store.listEvents(roomId, 0);
  try {
    return { state: replayRoom(runtime, roomId, records.map(fromStored)), snapshotSeq: 0 };
  } catch (error) {
    throw new BrokenLogError(roomId, error);
  }
}

function applyAll(state: RoomState, events: readonly RoomEvent[], runtime: ScenarioRuntime): RoomState {
  for (const event of events) reduceRoom(state, event, runtime);
  return state;
}
