// Folds a room's log without simulating its cluster, for reports of rooms that are not in
// memory: the reducer runs as usual, but against a runtime whose "shell" answers each
// command with the output, exit code and prompt its event recorded and whose cluster is
// only a clock. Everything a report shows (participants, terminals, hints, diagnoses,
// scores, notes, time) comes out the same as from a full replay. The events come one at a
// time (LedgerFold), so a fold holds the room, whose terminals keep outputs within their
// budget, and one event: never the whole log.
import type { ClusterState } from '../cluster/types.js';
import type { RoomEvent } from '../protocol/index.js';
import { createRoomState, reduceRoom } from './reducer.js';
import type { ScenarioRuntime } from './runtime.js';
import type { RoomState } from './state.js';

export function foldLedger(runtime: ScenarioRuntime, roomId: string, log: readonly RoomEvent[]): RoomState {
  const fold = new LedgerFold(runtime, roomId);
  for (const event of log) fold.push(event);
  return fold.finish();
}

export class LedgerFold {
  private room: RoomState | undefined;
  /** The event pushed last: it is folded once the next one says when it ended. */
  private pending: RoomEvent | undefined;
  /** simTime of the event after the one being folded (undefined for the last). */
  private following: number | undefined;
  private readonly runtime: ScenarioRuntime;

  constructor(runtime: ScenarioRuntime, private readonly roomId: string) {
    this.runtime = this.ledgerRuntime(runtime);
  }

  push(event: RoomEvent): void {
    if (this.pending) this.fold(this.pending, event.simTime);
    this.pending = event;
  }

  finish(): RoomState {
    if (this.pending) this.fold(this.pending, undefined);
    this.pending = undefined;
    if (!this.room) throw new Error(`room ${this.roomId}: log does not start with room.created`);
    return this.room;
  }

  private fold(event: RoomEvent, following: number | undefined): void {
    if (!this.room) {
      if (event.type !== 'room.created') throw new Error(`room ${this.roomId}: log does not start with room.created`);
      this.room = createRoomState(this.runtime, this.roomId, event);
      return;
    }
    this.following = following;
    reduceRoom(this.room, event, this.runtime);
  }

  private ledgerRuntime(runtime: ScenarioRuntime): ScenarioRuntime {
    const clock = (cluster: ClusterState) => cluster as unknown as { now: number };
    // The reducer runs a line only while folding that line's command event.
    const command = () => (this.pending?.type === 'command' ? this.pending : undefined);
    return {
      ...runtime,
      start: () => ({ now: 0 }) as unknown as ClusterState,
      advance: (cluster, ms) => {
        clock(cluster).now += ms;
      },
      injectFault: () => undefined,
      newSession: () => ({ root: false, vars: {}, history: [], namespace: 'default' }),
      prompt: () => command()?.prompt ?? '$ ',
      runLine: (cluster) => {
        const event = command();
        if (!event) throw new Error('a command replayed that the log does not hold here');
        // A line may let time pass (`sleep`, `watch`): the event logged after it was stamped
        // with the clock the line left, so the ledger's clock is set to that once it "ran".
        if (this.following !== undefined && this.following > clock(cluster).now) clock(cluster).now = this.following;
        return { output: event.output, exitCode: event.exitCode, ...(event.clear ? { clear: true } : {}) };
      },
    };
  }
}
