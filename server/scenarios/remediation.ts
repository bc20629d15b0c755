// Which answer-key remediations the session has seen broken. A fix only earns points if its
// predicate was false at some point (after the start-time faults fired, or on a later tick or
// fault): a predicate that already held before anything broke proves nothing. Guards
// (`guard: true`, "don't break it" checks) are the exception: they count without having been
// broken, but only next to a real fix (scoring/score.ts). Pure: the record lives in the state.
import type { ClusterState } from '../cluster/types.js';
import { evaluate } from './predicates.js';
import type { Scenario } from './schema.js';

/**
 * Adds to `state.brokenRemediations` every remediation whose predicate does not hold now; a
 * broken one that holds again is credited to the player who last changed the world.
 */
export function recordBrokenRemediations(state: ClusterState, scenario: Scenario): void {
  const seen = (state.brokenRemediations ??= []);
  for (const r of scenario.answer.remediation) {
    const holds = evaluate(state, r.predicate);
    if (!holds) {
      if (!seen.includes(r.id)) seen.push(r.id);
      if (state.actors) delete state.actors.fixedBy[r.id];
    } else if (seen.includes(r.id) && state.actors?.last !== undefined && state.actors.fixedBy[r.id] === undefined) {
      state.actors.fixedBy[r.id] = state.actors.last;
    }
  }
}

/** Who made the fix, when players were told apart (undefined: nobody recorded, e.g. a script). */
export const fixedBy = (state: ClusterState, remediationId: string): string | undefined => state.actors?.fixedBy[remediationId];

export const wasSeenBroken = (state: ClusterState, remediationId: string): boolean =>
  state.brokenRemediations?.includes(remediationId) ?? false;
