// Rebuilds a room from the store: its latest snapshot (if one decodes; the terminal outputs it
// left to the log are read back from their events) and the events after it, folded with the same reducer as live play; without a usable snapshot, the
// whole log. The fold runs in slices (slices.ts), so rebuilding a long log (a room from
// before snapshots, or one whose snapshot is unusable) never stalls the other rooms;
// nobody sees the state until it is complete. Storage errors propagate
// as they are (the database may come back); a log that cannot be folded is a
// BrokenLogError, after which the room is closed for good.
import type { EventRecord, RoomStore } from '../db/room-store.js';
import { fromStored } from './log.js';
import { createRoomState, reduceRoom } from './reducer.js';
import type { ScenarioRuntime } from './runtime.js';
import { inSlices } from './slices.js';
import { decodeRoom, readLoggedOutputs } from './snapshot.js';
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
  if (snapshot && start && (await readLoggedOutputs(start, (seqs) => store.listEventsAt(roomId, seqs)))) {
    const tail = await store.listEvents(roomId, snapshot.seq);
    try {
      return { state: await applyAll(start.state, tail, runtime), snapshotSeq: snapshot.seq };
    } catch {
      // The snapshot and the tail disagree (a snapshot from another engine version): the whole log decides.
    }
  }
  const records = await store.listEvents(roomId, 0);
  try {
    const first = records[0] && fromStored(records[0]);
    if (!first || first.type !== 'room.created') throw new Error('the log does not start with room.created');
    return { state: await applyAll(createRoomState(runtime, roomId, first), records.slice(1), runtime), snapshotSeq: 0 };
  } catch (error) {
    throw new BrokenLogError(roomId, error);
  }
}

async function applyAll(state: RoomState, records: readonly EventRecord[], runtime: ScenarioRuntime): Promise<RoomState> {
  await inSlices(records, (record) => reduceRoom(state, fromStored(record), runtime));
  return state;
}
