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
    runLine: () => {
      const event = commands[next++];
      if (!event) throw new Error('more commands replayed than logged');
      return { output: event.output, exitCode: event.exitCode, ...(event.clear ? { clear: true } : {}) };
    },
  };
}
