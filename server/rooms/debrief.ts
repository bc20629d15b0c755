// The solo debrief: what a player learns once their room has ended — the real cause and how
// it shows, each evidence item found or missed (with the scorer's why), the reference path
// and every score line. It carries answer-key text, so it exists only after the end.
import { z } from 'zod';
import { ScoreLineView, type Debrief } from '../protocol/index.js';
import type { ScenarioRuntime } from './runtime.js';
import type { RoomState } from './state.js';

/** The scorer's breakdown lines as stored (`id`: the answer-key item a line is about). */
const BreakdownLines = z.object({ lines: z.array(ScoreLineView.extend({ id: z.string().optional() })) });

/** The lines of a stored breakdown; none when it has no readable lines. */
export function breakdownLines(breakdown: Record<string, unknown>): (ScoreLineView & { id?: string | undefined })[] {
  const parsed = BreakdownLines.safeParse(breakdown);
  return parsed.success ? parsed.data.lines : [];
}

export function buildDebrief(room: RoomState, runtime: ScenarioRuntime, participantId: string): Debrief | undefined {
  if (room.mode !== 'solo' || room.status !== 'ended' || room.participants[participantId]?.role !== 'player') return undefined;
  const score = room.scores[participantId];
  if (!score) return undefined;
  const lines = breakdownLines(score.breakdown);
  const key = runtime.keyInWords;
  return {
    cause: { title: key.cause.title, explanation: key.cause.explanation },
    evidence: key.evidence.map((e) => {
      const line = lines.find((l) => l.category === 'evidence' && l.id === e.id);
      return { label: e.label, finding: e.text, found: (line?.points ?? 0) > 0, why: line?.why ?? 'not scored' };
    }),
    reference: key.reference.map((step) => ({ ...step })),
    prevention: [...key.prevention],
    score: {
      total: room.released[participantId]?.total ?? score.total,
      max: score.max,
      lines: lines.map((l) => ({ category: l.category, label: l.label, points: l.points, max: l.max, why: l.why })),
    },
  };
}
