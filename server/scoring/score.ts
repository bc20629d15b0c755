// Scoring on diagnosis: a pure function of the scenario (one variant) and what happened in
// a session → a transparent breakdown. Every line says what it scored and why:
//   root cause  correct AND backed by an observed key fact = full; named without having seen
//               what shows it = 0 (a guess); a `partial` cause = less than guessing among the
//               offered causes is worth on average, and only with some evidence observed
//   evidence    each item cited AND observed earns its points; cited but never observed costs
//               them; citing a place that does not bear on this cause costs IRRELEVANT_CITATION
//               (ticking every box loses to ticking the right ones)
//   remediation each check whose outcome holds on the final cluster and was seen false earlier
//               (guards: held throughout, count only next to a real fix); half without a
//               backed diagnosis; in a game day only the player whose command made it
//   time        a bonus for the backed root cause found early
//   hints       minus each hint's cost
//   harmful     the world's damage (damage.ts: data, nodes, namespaces, workloads, Services,
//               control plane, customer requests lost) and the scenario's own harmful states
//   adjustments a host's points, with their written reason
// Observation is what reached the player's terminal (shell/reveals.ts): `commands[].observed`.
import type { Fact, FactInterest } from '../cluster/facts.js';
import type { ClusterState } from '../cluster/types.js';
import { factInterest, matchesFact } from '../scenarios/facts.js';
import { evidenceChoiceId } from '../scenarios/player-view.js';
import { evaluate } from '../scenarios/predicates.js';
import { fixedBy, wasSeenBroken } from '../scenarios/remediation.js';
import type { Evidence, Scenario } from '../scenarios/schema.js';
import { structuralDamage, trafficDamage, type DamageItem } from './damage.js';

export const ROOT_CAUSE_POINTS = 40;
export const TIME_BONUS_POINTS = 10;
/** Full time bonus up to this share of the time limit, then linearly down to 0 at the limit. */
const TIME_BONUS_FULL_SHARE = 0.25;
/** Citing a place to look that does not bear on this cause. */
export const IRRELEVANT_CITATION = 15;

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
  /** The other cause named, in a room with a stacked second fault. */
  secondCause?: string;
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
  /** The player scored, when a room tells players apart: fixes and damage are theirs only if their commands made them. */
  participantId?: string;
  /**
   * The evidence the diagnosis form offered (its choice ids: every variant's places to look).
   * A cited line that is none of them is the player's own words (the form takes one per
   * line): it neither earns nor costs. Absent: every cited line is taken as an offered choice.
   */
  offeredEvidence?: readonly string[];
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

/** The first command whose output showed one of the item's facts. */
export function observedBy(e: Evidence, commands: readonly ScoredCommand[]): ScoredCommand | undefined {
  return commands.find((c) => c.observed?.some((f) => e.facts.some((sel) => matchesFact(sel, f))));
}

/** The evidence items (ids) some of these facts observe: what one line showed. */
export function evidenceObserved(s: Scenario, observed: readonly Fact[]): string[] {
  return s.answer.evidence.filter((e) => observed.some((f) => e.facts.some((sel) => matchesFact(sel, f)))).map((e) => e.id);
}

/** What the session observed: per evidence item, the command that showed it. */
interface Observations {
  seen: Map<string, ScoredCommand>;
}

/**
 * A root cause of the room with its own part of the key: one for an incident, two when a
 * second fault is stacked on it (its evidence and fixes are the stack's, the rest the main one's).
 */
interface Cause {
  rootCause: Scenario['answer']['rootCause'];
  partial: Scenario['answer']['partial'];
  evidence: Evidence[];
  remediationIds: Set<string>;
}

function causesOf(s: Scenario): Cause[] {
  const a = s.answer;
  const b = s.stacked?.answer;
  const second = new Set(b?.evidence.map((e) => e.id));
  const secondFixes = new Set(b?.remediation.map((r) => r.id));
  const main: Cause = {
    rootCause: a.rootCause,
    partial: a.partial,
    evidence: a.evidence.filter((e) => !second.has(e.id)),
    remediationIds: new Set(a.remediation.filter((r) => !secondFixes.has(r.id)).map((r) => r.id)),
  };
  return b ? [main, { rootCause: b.rootCause, partial: [], evidence: a.evidence.filter((e) => second.has(e.id)), remediationIds: secondFixes }] : [main];
}

const nameKey = (name: string) => name.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();

/**
 * The causes a diagnosis names, as many as the room has (a guess of more earns nothing). A
 * cause is named by its id or, typed out ("Something else" on the form, or an API client), by
 * its title in any case or width: the same answer however it was written. Anything else is
 * kept as written (and matches no cause).
 */
function namedCauses(s: Scenario, d: Diagnosis, count: number): string[] {
  const offered = [s.answer.rootCause, ...(s.stacked ? [s.stacked.answer.rootCause] : []), ...s.answer.partial, ...s.answer.distractors];
  const byName = new Map(offered.flatMap((c) => [[nameKey(c.id), c.id], [nameKey(c.title), c.id]] as const));
  return [d.rootCause, ...(d.secondCause === undefined ? [] : [d.secondCause])].slice(0, count).map((n) => byName.get(nameKey(n)) ?? n);
}

/**
 * Scoring work is bounded whatever was typed: at most this many fact-to-selector comparisons
 * per session (plain string compares; a real session needs a few thousand).
 */
export const MAX_FACT_CHECKS = 1_000_000;

function observations(s: Scenario, commands: readonly ScoredCommand[]): Observations {
  const seen = new Map<string, ScoredCommand>();
  let budget = MAX_FACT_CHECKS;
  let open = s.answer.evidence;
  // One pass over the commands in order: each item's first observation, and stop once all are seen.
  for (const c of commands) {
    if (open.length === 0 || budget <= 0) break;
    for (const f of c.observed ?? []) {
      budget -= open.length;
      const found = open.filter((e) => e.facts.some((sel) => matchesFact(sel, f)));
      for (const e of found) seen.set(e.id, c);
      if (found.length > 0) open = open.filter((e) => !seen.has(e.id));
    }
  }
  return { seen };
}

/** Less than a guess among the offered causes is worth on average. */
export function partialPoints(s: Scenario): number {
  const offered = 1 + s.answer.partial.length + s.answer.distractors.length;
  return Math.max(0, Math.ceil(ROOT_CAUSE_POINTS / offered) - 1);
}

/**
 * One line per root cause of the room, each worth its share of ROOT_CAUSE_POINTS (all of them
 * for an incident alone): named AND backed by one of its own key items observed. A single
 * cause's line reads as it always did (no id, "Root cause").
 */
function rootCauseLines(s: Scenario, d: Diagnosis | null, obs: Observations, causes: Cause[]): ScoreLine[] {
  const share = ROOT_CAUSE_POINTS / causes.length;
  const named = d ? namedCauses(s, d, causes.length) : [];
  return causes.map((cause, i): ScoreLine => {
    const rc = cause.rootCause;
    const base = { category: 'rootCause' as const, label: causes.length === 1 ? 'Root cause' : `Root cause ${i + 1} of ${causes.length}`, max: share, ...(causes.length === 1 ? {} : { id: rc.id }) };
    if (!d) return { ...base, points: 0, why: 'no diagnosis was submitted' };
    if (named.includes(rc.id)) {
      const key = cause.evidence.find((e) => e.key && obs.seen.has(e.id));
      if (!key) return { ...base, points: 0, why: `the right cause (${rc.title}), but nothing that shows it was observed: a cause named without evidence is a guess` };
      return { ...base, points: share, why: `correct: ${rc.title} — backed by what you saw of "${key.label}" (\`${obs.seen.get(key.id)!.line}\`)` };
    }
    const partial = cause.partial.find((p) => named.includes(p.id));
    if (partial) {
      if (obs.seen.size === 0) return { ...base, points: 0, why: `"${partial.title}" is only partly right and nothing was observed to back it (the root cause is: ${rc.title})` };
      return { ...base, points: partialPoints(s) / causes.length, why: `partly right: "${partial.title}" — ${partial.why} (the root cause is: ${rc.title})` };
    }
    const wrong = named.filter((id) => !causes.some((c) => c.rootCause.id === id || c.partial.some((p) => p.id === id)));
    // A name none of the offered causes has is the player's own words: never matched to score.
    const titles = wrong.map((id) => { const t = s.answer.distractors.find((c) => c.id === id)?.title; return t ? `"${t}"` : `"${id}" (none of the offered causes)`; });
    const what = causes.length === 1 ? 'the cause' : 'a cause here';
    return { ...base, points: 0, why: wrong.length > 0 ? `wrong: ${titles.join(', ')} ${wrong.length > 1 ? 'are not causes here' : `is not ${what}`} (the root cause is: ${rc.title})` : `not named (the root cause is: ${rc.title})` };
  });
}

function evidenceLines(s: Scenario, input: ScoringInput, obs: Observations): ScoreLine[] {
  const citedLines = input.diagnosis?.evidence ?? [];
  // A label typed out ("The nodes' taints") cites its box as its id does.
  const cited = new Set([...citedLines, ...citedLines.map(evidenceChoiceId)]);
  const offered = input.offeredEvidence && new Set(input.offeredEvidence);
  const known = new Set<string>();
  const lines = s.answer.evidence.map((e): ScoreLine => {
    const base = { category: 'evidence' as const, id: e.id, label: `Evidence: ${e.label}`, max: e.points };
    const choice = evidenceChoiceId(e.label);
    known.add(e.id).add(choice);
    const seenBy = obs.seen.get(e.id);
    // Cited by its id (the answer key's) or as the form offers it (evidenceChoiceId).
    if (!cited.has(e.id) && !cited.has(choice)) {
      return { ...base, points: 0, why: seenBy ? `observed (\`${seenBy.line}\`) but not cited in the diagnosis` : 'not cited and not observed' };
    }
    if (!seenBy) return { ...base, points: -e.points, why: 'cited but never shown on your terminal: a claim without evidence costs its points' };
    return { ...base, points: e.points, why: `cited and observed with \`${seenBy.line}\`: ${e.text}` };
  });
  const unknown = new Set(citedLines.filter((c) => !known.has(c) && !known.has(evidenceChoiceId(c))).map(evidenceChoiceId));
  for (const id of unknown) {
    if (offered && !offered.has(id)) continue; // the player's own words: the form asks for them, and text is never matched to score
    lines.push({ category: 'evidence', id, label: `Evidence cited: ${id}`, points: -IRRELEVANT_CITATION, max: 0, why: 'this place does not bear on the cause: citing it costs points' });
  }
  return lines;
}

/**
 * A fix counts when its predicate holds at the end AND was seen false earlier in the session
 * (`cluster.brokenRemediations`): what held before anything broke was not fixed by anyone.
 * A guard ("don't break it") needs no breakage but counts only next to a real fix. Without a
 * backed root cause a fix earns half (it may be luck); in a game day, only its maker earns it.
 */
function remediationLines(s: Scenario, input: ScoringInput, backed: (remediationId: string) => boolean): ScoreLine[] {
  const cluster = input.cluster;
  const mine = (id: string) => input.participantId === undefined || fixedBy(cluster, id) === undefined || fixedBy(cluster, id) === input.participantId;
  const verdicts = s.answer.remediation.map((r) => ({ r, met: evaluate(cluster, r.predicate), broken: wasSeenBroken(cluster, r.id) }));
  const realFix = verdicts.some((v) => !v.r.guard && v.met && v.broken && mine(v.r.id));
  return verdicts.map(({ r, met, broken }) => {
    const line = (points: number, why: string): ScoreLine => ({ category: 'remediation', id: r.id, label: `Fix: ${r.text}`, points, max: r.points, why });
    const earned = (why: string) => (backed(r.id) ? line(r.points, why) : line(r.points / 2, `${why}, but without a diagnosis backed by evidence: half`));
    if (!met) return line(0, 'not true on the cluster at the end');
    if (r.guard) return realFix ? earned('still true at the end, next to a real fix') : line(0, 'still true at the end, but a guard counts only next to a real fix');
    if (!broken) return line(0, 'already true before anything broke: nothing was fixed');
    if (!mine(r.id)) return line(0, 'holds at the end, but another player\'s commands made it');
    return earned('holds on the cluster at the end');
  });
}

function timeLine(s: Scenario, input: ScoringInput, backed: boolean): ScoreLine {
  const base = { category: 'time' as const, label: 'Time', max: TIME_BONUS_POINTS };
  const limitMs = s.timeLimitSec * 1000;
  const used = `${Math.round(input.elapsedMs / 1000)} s of ${s.timeLimitSec} s`;
  if (!backed) return { ...base, points: 0, why: `no bonus without the root cause backed by evidence (${used})` };
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

/** The world's damage and the scenario's harmful states, charged to this player if their commands did it. */
function harmfulLines(s: Scenario, input: ScoringInput): ScoreLine[] {
  const actors = input.cluster.actors;
  // Did this player change the world? A room records every player's changes (nobody's yet: no
  // record); scored without a player, any change recorded, or without a record at all, counts.
  const acted = actors ? (input.participantId === undefined ? Object.keys(actors.changes).length > 0 : (actors.changes[input.participantId] ?? 0) > 0) : input.participantId === undefined;
  const charged = (key: string): boolean => {
    const by = actors?.damageBy[key];
    return by === undefined ? acted : input.participantId === undefined || by === input.participantId;
  };
  const line = (item: DamageItem): ScoreLine => ({ category: 'harmful', id: item.key, label: `Damage: ${item.label}`, points: -item.penalty, max: 0, why: item.why });
  const out = structuralDamage(input.cluster, s).filter((d) => charged(d.key)).map(line);
  // Requests count as lost from the player's first change to the world: until then the incident
  // alone failed them (it may unfold after a quick first command). Unrecorded: the first command.
  const firstChanges = Object.values(actors?.firstChangeAt ?? {});
  const firstChange = input.participantId !== undefined ? actors?.firstChangeAt?.[input.participantId] : firstChanges.length > 0 ? Math.min(...firstChanges) : undefined;
  const started = firstChange ?? input.commands.find((c) => c.simTime !== undefined)?.simTime;
  if (started !== undefined && acted) out.push(...trafficDamage(input.cluster, started).map(line));
  for (const h of s.answer.harmful) {
    if (acted && evaluate(input.cluster, h.predicate)) out.push({ category: 'harmful', id: h.id, label: `Harmful: ${h.text}`, points: -h.penalty, max: 0, why: 'the cluster shows the damage at the end' });
  }
  return out;
}

/** The facts a session of this scenario (variant) should tag: those its evidence names. */
export function evidenceInterest(s: Scenario): FactInterest {
  return factInterest(s.answer.evidence.flatMap((e) => e.facts));
}

const sum = (lines: ScoreLine[], key: 'points' | 'max') => lines.reduce((n, l) => n + l[key], 0);

export function scoreSession(s: Scenario, input: ScoringInput): ScoreBreakdown {
  const obs = observations(s, input.commands);
  const causes = causesOf(s);
  const roots = rootCauseLines(s, input.diagnosis, obs, causes);
  // A fix earns in full next to its own cause backed; the time bonus needs every cause backed.
  const backedCause = causes.map((_, i) => roots[i]!.points === roots[i]!.max);
  const backedFix = (id: string) => backedCause[causes.findIndex((c) => c.remediationIds.has(id))] === true;
  const lines: ScoreLine[] = [
    ...roots,
    ...evidenceLines(s, input, obs),
    ...remediationLines(s, input, backedFix),
    timeLine(s, input, backedCause.every(Boolean)),
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
