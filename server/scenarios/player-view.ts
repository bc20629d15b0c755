// What a player (or spectator) may know about a scenario. Built field by field from an
// allow-list into its own type: nothing of the answer key can ride along by accident.
// The diagnosis form offers the root cause mixed among the partial and wrong causes (same
// shape, shuffled by the seed), the evidence labels (where one looks, never what one finds,
// also shuffled) and the hints' costs (their text comes when a hint is given). Nothing in
// the view may tell the variants apart: the evidence offered is every variant's (the others'
// are places to look that earn nothing here), under ids made from the label, and hints are
// numbered rather than named (`loop-doc` would give the answer away).
import { nextUint32, seedRng } from '../cluster/rng.js';
import type { Scenario } from './schema.js';
import type { LoadedScenario } from './variant.js';

export interface PlayerChoice {
  id: string;
  title: string;
}

export interface PlayerScenarioView {
  id: string;
  title: string;
  difficulty: 'easy' | 'medium' | 'hard';
  timeLimitSec: number;
  tags: string[];
  briefing: string;
  /** Plausible causes for the diagnosis form; which one is right is not said. */
  causes: PlayerChoice[];
  /** How many causes the diagnosis names: 2 in a room with a stacked second fault. */
  causeCount: 1 | 2;
  /** Places to look, to cite as evidence. */
  evidence: { id: string; label: string }[];
  hints: { id: string; cost: number; afterSec?: number }[];
}

/** Fisher–Yates with the cluster's seeded generator: same seed, same order. */
function shuffled<T>(items: T[], seed: number): T[] {
  const rng = seedRng(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = nextUint32(rng) % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** The id the diagnosis form gives the evidence labelled `label` (the same in every variant). */
export function evidenceChoiceId(label: string): string {
  return label.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/**
 * Every variant's evidence labels, first seen first: what the form offers in each of them;
 * in a stacked room every stack's too.
 */
export function evidenceLabels(loaded: LoadedScenario, stacked = false): string[] {
  const stacks = stacked ? loaded.variants[0]!.scenario.stacks : [];
  return [...new Set([...loaded.variants.flatMap((v) => v.scenario.answer.evidence), ...stacks.flatMap((x) => x.answer.evidence)].map((e) => e.label))];
}

/** `labels`: the evidence to offer, by default this variant's own (see evidenceLabels). */
export function playerView(s: Scenario, seed: number, labels = s.answer.evidence.map((e) => e.label)): PlayerScenarioView {
  const a = s.answer;
  // In id order before the shuffle, so the root cause's place depends on the seed alone.
  const causes = [a.rootCause, ...(s.stacked ? [s.stacked.answer.rootCause] : []), ...a.partial, ...a.distractors].map((c) => ({ id: c.id, title: c.title })).sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  const view: PlayerScenarioView = {
    id: s.id,
    title: s.title,
    difficulty: s.difficulty,
    timeLimitSec: s.timeLimitSec,
    tags: [...s.tags],
    briefing: s.briefing,
    causes: shuffled(causes, seed),
    causeCount: s.stacked ? 2 : 1,
    evidence: shuffled(labels.map((label) => ({ id: evidenceChoiceId(label), label })), seed + 1),
    hints: a.hints.map((h, i) => ({ id: `hint-${i + 1}`, cost: h.cost, ...(h.afterSec !== undefined ? { afterSec: h.afterSec } : {}) })),
  };
  return view;
}

const DIFFICULTY_RANK = { easy: 0, medium: 1, hard: 2 } as const;

/** What the lobby shows of a scenario: its player view and the time to budget for it. */
/** `stackable`: a host may stack a second fault onto it. */
export type LobbyEntry = PlayerScenarioView & { estimatedMinutes?: number; stackable: boolean };

export function lobbyEntry(s: Scenario, labels: string[]): LobbyEntry {
  return { ...playerView(s, 0, labels), ...(s.estimatedMinutes !== undefined ? { estimatedMinutes: s.estimatedMinutes } : {}), stackable: s.stacks.length > 0 };
}

/** The lobby's order: easiest first, then the shorter, then by title. */
export function lobbyOrder(a: LobbyEntry, b: LobbyEntry): number {
  return DIFFICULTY_RANK[a.difficulty] - DIFFICULTY_RANK[b.difficulty]
    || (a.estimatedMinutes ?? a.timeLimitSec / 60) - (b.estimatedMinutes ?? b.timeLimitSec / 60)
    || (a.title < b.title ? -1 : a.title > b.title ? 1 : 0);
}
