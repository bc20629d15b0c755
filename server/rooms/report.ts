// The post-incident report of a room: built from the room state and its log, both of which
// are the host's view (the HTTP route checks the host token).
import { diagnosisOf, type RoomEvent, type RoomReport } from '../protocol/index.js';
import { hintsOf } from './decide.js';
import type { ScenarioRuntime } from './runtime.js';
import { adjustedTotal, type RoomState } from './state.js';

/**
 * `log`: the room's events, their outputs kept as the terminals keep them (RetainedEvents):
 * a report of the whole log's outputs was as large as the log (52 MB after 200 lines of
 * 256 KiB). Nothing here is scored from outputs; the commands show what the terminals kept.
 */
export function buildReport(room: RoomState, runtime: ScenarioRuntime, log: readonly RoomEvent[]): RoomReport {
  return {
    roomId: room.id,
    code: room.code,
    mode: room.mode,
    scenarioId: room.scenarioId,
    title: runtime.title,
    seed: room.seed,
    status: room.status,
    timeLimitMs: room.limitMs,
    elapsedMs: room.elapsedMs,
    participants: Object.values(room.participants).map((p) => {
      const score = room.scores[p.id];
      const diagnosis = room.diagnoses[p.id];
      return {
        id: p.id,
        name: p.name,
        role: p.role,
        left: p.left,
        commands: (room.terminals[p.id]?.entries ?? []).map((e) => ({ seq: e.seq, simTime: e.simTime, prompt: e.prompt, line: e.line, output: e.output, exitCode: e.exitCode, ...(e.clear ? { clear: true } : {}) })),
        hintsUsed: p.role === 'player' ? hintsOf(room, p.id).map((h) => ({ hintId: h.hintId, cost: h.cost })) : [],
        diagnosis: diagnosis ? diagnosisOf(diagnosis) : null,
        score: score
          ? {
              total: score.total,
              max: score.max,
              adjustedTotal: adjustedTotal(room, p.id) ?? score.total,
              breakdown: score.breakdown,
              adjustments: room.adjustments.filter((a) => a.participantId === p.id).map((a) => ({ points: a.points, reason: a.reason })),
              released: room.released[p.id] !== undefined,
            }
          : null,
      };
    }),
    notes: room.notes.map((n) => ({
      // A replay comment is timed at the moment it is about.
      simTime: n.at !== undefined ? (log.find((e) => e.seq === n.at)?.simTime ?? n.simTime) : n.simTime,
      text: n.text,
      by: room.participants[n.by]?.name ?? n.by,
      ...(n.at !== undefined ? { at: n.at } : {}),
    })),
    timeline: log.filter((e) => e.type !== 'tick'),
  };
}
