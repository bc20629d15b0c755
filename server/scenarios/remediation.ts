// Which answer-key remediations the session has seen broken. A fix only earns points if its
// predicate was false at some point (after the start-time faults fired, or on a later tick or
// fault): a predicate that already held before anything broke proves nothing. Guards
// (`guard: true`, "don't break it" checks) are the exception: they count without having been
// broken, but only next to a real fix (scoring/score.ts). Pure: the record lives in the state.
import type { ClusterState } from '../cluster/types.js';
import { evaluate } from './predicates.js';
import type { Scenario } from './schema.js';

/** Adds to `state.brokenRemediations` every remediation whose predicate does not hold now. */
export function recordBrokenRemediations(state: ClusterState, scenario: Scenario): void {
  const seen = (state.brokenRemediations ??= []);
  for (const r of scenario.answer.remediation) {
    if (!seen.includes(r.id) && !evaluate(state, r.predicate)) seen.push(r.id);
  }
}

export const wasSeenBroken = (state: ClusterState, remediationId: string): boolean =>
  state.brokenRemediations?.includes(remediationId) ?? false;
