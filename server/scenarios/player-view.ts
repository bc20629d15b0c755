// What a player (or spectator) may know about a scenario. Built field by field from an
// allow-list into its own type: nothing of the answer key can ride along by accident.
// The diagnosis form offers the root cause mixed among the partial and wrong causes (same
// shape, shuffled by the seed), the evidence labels (where one looks, never what one finds,
// also shuffled) and the hints' ids and costs (their text comes when a hint is given).
import { nextUint32, seedRng } from '../cluster/rng.js';
import type { Scenario } from './schema.js';

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

export function playerView(s: Scenario, seed: number): PlayerScenarioView {
  const a = s.answer;
  const causes = [a.rootCause, ...a.partial, ...a.distractors].map((c) => ({ id: c.id, title: c.title }));
  const view: PlayerScenarioView = {
    id: s.id,
    title: s.title,
    difficulty: s.difficulty,
    timeLimitSec: s.timeLimitSec,
    tags: [...s.tags],
    briefing: s.briefing,
    causes: shuffled(causes, seed),
    evidence: shuffled(a.evidence.map((e) => ({ id: e.id, label: e.label })), seed + 1),
    hints: a.hints.map((h) => (h.afterSec !== undefined ? { id: h.id, cost: h.cost, afterSec: h.afterSec } : { id: h.id, cost: h.cost })),
  };
  return view;
}
