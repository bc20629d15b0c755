// Folds a room's log without simulating its cluster, for reports of rooms that are not in
// memory: the reducer runs as usual, but against a runtime whose "shell" answers each
// command with the output, exit code and prompt its event recorded (commands come back in
// log order, one runLine per command event) and whose cluster is only a clock. Everything
// a report shows (participants, terminals, hints, diagnoses, scores, notes, time) comes
// out the same as from a full replay, at the cost of reading the log.
import type { ClusterState } from '../cluster/types.js';
import type { EventOf, RoomEvent } from '../protocol/index.js';
import { replayRoom } from './reducer.js';
import type { ScenarioRuntime } from './runtime.js';
import type { RoomState } from './state.js';

export function foldLedger(runtime: ScenarioRuntime, roomId: string, log: readonly RoomEvent[]): RoomState {
  return replayRoom(ledgerRuntime(runtime, log), roomId, log);
}

function ledgerRuntime(runtime: ScenarioRuntime, log: readonly RoomEvent[]): ScenarioRuntime {
  const commands = log.filter((e): e is EventOf<'command'> => e.type === 'command');
  // A line may let time pass (`sleep`, `watch`): the event logged after it was stamped with
  // the clock the line left, so the ledger's clock is set to that once the line "ran".
  const clockAfter = new Map<EventOf<'command'>, number>();
  log.forEach((e, i) => {
    const following = log[i + 1];
    if (e.type === 'command' && following) clockAfter.set(e, following.simTime);
  });
  let next = 0;
  const clock = (cluster: ClusterState) => cluster as unknown as { now: number };
  return {
    ...runtime,
    start: () => ({ now: 0 }) as unknown as ClusterState,
    advance: (cluster, ms) => {
      clock(cluster).now += ms;
    },
    injectFault: () => undefined,
    newSession: () => ({ root: false, vars: {}, history: [], namespace: 'default' }),
    prompt: () => commands[next]?.prompt ?? '$ ',
    runLine: (cluster) => {
      const event = commands[next++];
      if (!event) throw new Error('more commands replayed than logged');
      const after = clockAfter.get(event);
      if (after !== undefined && after > clock(cluster).now) clock(cluster).now = after;
      return { output: event.output, exitCode: event.exitCode, ...(event.clear ? { clear: true } : {}) };
    },
  };
}
