// Scoring on diagnosis: a pure function of the scenario (one variant) and what happened in
// a session → a transparent breakdown. Every line says what it scored and why:
//   root cause  correct = full, a `partial` cause = half, anything else = 0
//   evidence    each item cited in the diagnosis AND seen in this session's own command
//               outputs; cited but never observed scores 0 (and says so); echoed text
//               is not an observation (observation.ts)
//   remediation each accepted fix whose predicate holds on the final cluster and was seen
//               false earlier (guards: held throughout, count only next to a real fix)
//   time        a bonus for a correct root cause found early
//   hints       minus each hint's cost
//   harmful     minus the penalty of each harmful action done (typed, or its damage present)
//   adjustments a host's points, with their written reason
import type { ClusterState } from '../cluster/types.js';
import { evaluate } from '../scenarios/predicates.js';
import { wasSeenBroken } from '../scenarios/remediation.js';
import { evidenceChoiceId } from '../scenarios/player-view.js';
import { runsMatching } from './observation.js';
import type { Fact, FactInterest } from '../cluster/facts.js';
import { factInterest, matchesFact } from '../scenarios/facts.js';
import type { Evidence, Scenario } from '../scenarios/schema.js';

export const ROOT_CAUSE_POINTS = 40;
export const TIME_BONUS_POINTS = 10;
/** Full time bonus up to this share of the time limit, then linearly down to 0 at the limit. */
const TIME_BONUS_FULL_SHARE = 0.25;

export interface ScoredCommand {
  line: string;
  output: string;
  /** Facts of the world the output showed (shell/reveals.ts); absent = none. */
  observed?: Fact[];
  exitCode?: number;
  /** Simulated ms when it ran. */
  simTime?: number;
}

export interface Diagnosis {
  rootCause: string;
  text: string;
  evidence: string[];
}

export interface ScoringInput {
  diagnosis: Diagnosis | null;
  /** Commands this participant ran, in order, with what they printed. */
  commands: ScoredCommand[];
  hintsUsed: { hintId: string; cost?: number }[];
  /** Simulated ms from the start to the diagnosis (or the end). */
  elapsedMs: number;
  cluster: ClusterState;
  /** A host's adjustments, each with its written reason. */
  adjustments?: { points: number; reason: string }[];
}

export type ScoreCategory = 'rootCause' | 'evidence' | 'remediation' | 'time' | 'hints' | 'harmful' | 'adjustment';

export interface ScoreLine {
  category: ScoreCategory;
  /** The answer-key item this line is about (evidence id, remediation id…), if any. */
  id?: string;
  label: string;
  points: number;
  /** Best possible for this line (0 for penalties and adjustments). */
  max: number;
  why: string;
}

export interface ScoreBreakdown {
  lines: ScoreLine[];
  total: number;
  max: number;
  /** total / max, clamped to 0–100, one decimal. */
  percent: number;
  /** Points per category, for the compact view players get. */
  parts: { key: ScoreCategory; points: number; max: number }[];
}

function regex(source: string): RegExp {
  return new RegExp(source, 'm');
}

function rootCauseLine(s: Scenario, d: Diagnosis | null): ScoreLine {
  const a = s.answer;
  const base = { category: 'rootCause' as const, label: 'Root cause', max: ROOT_CAUSE_POINTS };
  if (!d) return { ...base, points: 0, why: 'no diagnosis was submitted' };
  if (d.rootCause === a.rootCause.id) return { ...base, points: ROOT_CAUSE_POINTS, why: `correct: ${a.rootCause.title}` };
  const partial = a.partial.find((p) => p.id === d.rootCause);
  if (partial) return { ...base, points: ROOT_CAUSE_POINTS / 2, why: `partly right: "${partial.title}" — ${partial.why} (the root cause is: ${a.rootCause.title})` };
  const chosen = a.distractors.find((c) => c.id === d.rootCause);
  return { ...base, points: 0, why: `wrong: ${chosen ? `"${chosen.title}"` : `"${d.rootCause}"`} is not the cause (the root cause is: ${a.rootCause.title})` };
}

/** The first command whose output showed one of the item's facts. */
export function observedBy(e: Evidence, commands: readonly ScoredCommand[]): ScoredCommand | undefined {
  return commands.find((c) => c.observed?.some((f) => e.facts.some((sel) => matchesFact(sel, f))));
}

function evidenceLines(s: Scenario, input: ScoringInput): ScoreLine[] {
  const cited = new Set(input.diagnosis?.evidence ?? []);
  return s.answer.evidence.map((e) => {
    const base = { category: 'evidence' as const, id: e.id, label: `Evidence: ${e.label}`, max: e.points };
    const seenBy = observedBy(e, input.commands);
    // Cited by its id (the answer key's) or as the form offers it (evidenceChoiceId).
    if (!cited.has(e.id) && !cited.has(evidenceChoiceId(e.label))) {
      return { ...base, points: 0, why: seenBy ? `observed (\`${seenBy.line}\`) but not cited in the diagnosis` : 'not cited and not observed' };
    }
    if (!seenBy) return { ...base, points: 0, why: 'cited but never observed in this session\'s command output' };
    return { ...base, points: e.points, why: `cited and observed with \`${seenBy.line}\`: ${e.text}` };
  });
}

/**
 * A fix counts when its predicate holds at the end AND was seen false earlier in the session
 * (`cluster.brokenRemediations`): what held before anything broke was not fixed by anyone.
 * A guard ("don't break it") needs no breakage but counts only next to a real fix.
 */
function remediationLines(s: Scenario, cluster: ClusterState): ScoreLine[] {
  const verdicts = s.answer.remediation.map((r) => ({ r, met: evaluate(cluster, r.predicate), broken: wasSeenBroken(cluster, r.id) }));
  const realFix = verdicts.some((v) => !v.r.guard && v.met && v.broken);
  return verdicts.map(({ r, met, broken }) => {
    const line = (points: number, why: string): ScoreLine => ({ category: 'remediation', id: r.id, label: `Fix: ${r.text}`, points, max: r.points, why });
    if (!met) return line(0, 'not true on the cluster at the end');
    if (r.guard) return realFix ? line(r.points, 'still true at the end, next to a real fix') : line(0, 'still true at the end, but a guard counts only next to a real fix');
    return broken ? line(r.points, 'holds on the cluster at the end') : line(0, 'already true before anything broke: nothing was fixed');
  });
}

function timeLine(s: Scenario, input: ScoringInput, rootCauseCorrect: boolean): ScoreLine {
  const base = { category: 'time' as const, label: 'Time', max: TIME_BONUS_POINTS };
  const limitMs = s.timeLimitSec * 1000;
  const used = `${Math.round(input.elapsedMs / 1000)} s of ${s.timeLimitSec} s`;
  if (!rootCauseCorrect) return { ...base, points: 0, why: `no bonus without the correct root cause (${used})` };
  const share = input.elapsedMs / limitMs;
  const points = share <= TIME_BONUS_FULL_SHARE ? TIME_BONUS_POINTS : share >= 1 ? 0 : TIME_BONUS_POINTS * (1 - (share - TIME_BONUS_FULL_SHARE) / (1 - TIME_BONUS_FULL_SHARE));
  return { ...base, points: Math.round(points * 10) / 10, why: `correct diagnosis after ${used}` };
}

function hintLines(s: Scenario, input: ScoringInput): ScoreLine[] {
  const seen = new Set<string>();
  const out: ScoreLine[] = [];
  for (const used of input.hintsUsed) {
    if (seen.has(used.hintId)) continue;
    seen.add(used.hintId);
    const cost = used.cost ?? s.answer.hints.find((h) => h.id === used.hintId)?.cost ?? 0;
    out.push({ category: 'hints', id: used.hintId, label: `Hint ${used.hintId}`, points: -cost, max: 0, why: `hint taken (costs ${cost})` });
  }
  return out;
}

function harmfulLines(s: Scenario, input: ScoringInput): ScoreLine[] {
  const out: ScoreLine[] = [];
  for (const h of s.answer.harmful) {
    // Typed means run: `echo 'kubectl delete ns kube-system'` or a comment deletes nothing.
    const typed = h.command ? input.commands.find((c) => runsMatching(c.line, regex(h.command!))) : undefined;
    const damage = h.predicate ? evaluate(input.cluster, h.predicate) : false;
    if (!typed && !damage) continue;
    const why = typed ? `ran \`${typed.line}\`` : 'the cluster shows the damage at the end';
    out.push({ category: 'harmful', id: h.id, label: `Harmful: ${h.text}`, points: -h.penalty, max: 0, why });
  }
  return out;
}

/** The facts a session of this scenario (variant) should tag: those its evidence names. */
export function evidenceInterest(s: Scenario): FactInterest {
  return factInterest(s.answer.evidence.flatMap((e) => e.facts));
}

const sum = (lines: ScoreLine[], key: 'points' | 'max') => lines.reduce((n, l) => n + l[key], 0);

export function scoreSession(s: Scenario, input: ScoringInput): ScoreBreakdown {
  const root = rootCauseLine(s, input.diagnosis);
  const lines: ScoreLine[] = [
    root,
    ...evidenceLines(s, input),
    ...remediationLines(s, input.cluster),
    timeLine(s, input, root.points === ROOT_CAUSE_POINTS),
    ...hintLines(s, input),
    ...harmfulLines(s, input),
    ...(input.adjustments ?? []).map((a): ScoreLine => ({ category: 'adjustment', label: 'Host adjustment', points: a.points, max: 0, why: a.reason })),
  ];
  const total = Math.round(sum(lines, 'points') * 10) / 10;
  const max = sum(lines, 'max');
  const categories: ScoreCategory[] = ['rootCause', 'evidence', 'remediation', 'time', 'hints', 'harmful', 'adjustment'];
  const parts = categories
    .map((key) => {
      const of = lines.filter((l) => l.category === key);
      return { key, points: Math.round(sum(of, 'points') * 10) / 10, max: sum(of, 'max') };
    })
    .filter((p) => p.max > 0 || p.points !== 0);
  const percent = max > 0 ? Math.round(Math.min(100, Math.max(0, (total / max) * 100)) * 10) / 10 : 0;
  return { lines, total, max, percent, parts };
}
