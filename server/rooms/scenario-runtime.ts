// Binds the real modules to the room layer's ScenarioRuntime: a scenario variant chosen by
// the room's seed, the cluster engine and its timeline, the shell, and the scorer.
import type { ClusterState } from '../cluster/types.js';
import {
  advance, evidenceLabels, injectableFaults, injectFault, instantiate, loadScenarioDir, lobbyEntry, lobbyOrder, playerView, startScenario,
  formatProblem, type LoadedScenario, type ValidatedScenario, type ValidatedScenarios,
} from '../scenarios/index.js';
import { noteChangeBy, sameWorld, worldFingerprint } from '../cluster/actors.js';
import { attributeDamage, evidenceInterest, evidenceObserved, scoreSession } from '../scoring/index.js';
import { complete, continueStream, interruptStream, newSession, prompt, runLine } from '../shell/index.js';
import { observeWatch, serveSeatRequest } from '../kubeapi/seat.js';
import { clusterOverview } from './overview.js';
import type { ScenarioCatalog, ScenarioRuntime } from './runtime.js';

/** `stacked`: a host stacked a second fault onto the incident (a scenario without stacks has none). */
export function scenarioRuntime(loaded: LoadedScenario, seed: number, stacked = false): ScenarioRuntime {
  const { scenario } = instantiate(loaded, seed, stacked);
  const interest = evidenceInterest(scenario);
  const second = scenario.stacked?.answer.rootCause;
  const view = playerView(scenario, seed, evidenceLabels(loaded, stacked));
  const offeredEvidence = view.evidence.map((e) => e.id);
  return {
    scenarioId: loaded.id,
    seed,
    title: scenario.title,
    timeLimitMs: scenario.timeLimitSec * 1000,
    stacked: second !== undefined,
    playerView: { ...view },
    answerKey: { ...scenario.answer, ...(scenario.stacked ? { stacked: scenario.stacked } : {}), solutions: scenario.solutions },
    keyInWords: {
      cause: { title: scenario.answer.rootCause.title, explanation: scenario.answer.rootCause.explanation },
      ...(second ? { secondCause: { title: second.title, explanation: second.explanation } } : {}),
      evidence: scenario.answer.evidence.map((e) => ({ id: e.id, label: e.label, text: e.text, key: e.key, points: e.points })),
      fixes: scenario.answer.remediation.map((r) => ({ id: r.id, text: r.text, guard: r.guard, points: r.points })),
      harmful: scenario.answer.harmful.map((x) => ({ text: x.text, penalty: x.penalty })),
      // The variant's own reference run (instantiate keeps the solutions that apply to it, first first).
      reference: (scenario.solutions[0]?.steps ?? []).map((step) => (typeof step === 'string' ? { line: step } : { waitSec: step.wait })),
      prevention: [...scenario.answer.prevention],
    },
    hints: scenario.answer.hints.map((h) => ({ id: h.id, text: h.text, cost: h.cost, ...(h.afterSec !== undefined ? { afterMs: h.afterSec * 1000 } : {}) })),
    faults: injectableFaults(scenario).map((f) => ({ id: f.id, description: f.title })),
    start: () => startScenario(scenario, seed),
    advance: (cluster: ClusterState, ms: number) => void advance(cluster, scenario, ms),
    // decide() only lets known optional faults through; a fault's refused writes are part of the story.
    injectFault: (cluster, faultId) => void injectFault(cluster, scenario, faultId),
    newSession: (cluster) => newSession(cluster),
    runLine: (cluster, session, line, actor, interactive) => {
      const credit = creditor(cluster, scenario, actor);
      // `sleep` advances the room's clock through the scenario (faults fire), in live play and
      // replay alike; what time changes is nobody's doing, what the line did before it is.
      const options = {
        interest,
        ...(interactive ? { interactive } : {}),
        advance: (ms: number) => {
          credit.now();
          advance(cluster, scenario, ms);
          credit.from();
        },
      };
      const result = runLine(cluster, session, line, options);
      credit.now();
      return result;
    },
    // `watch kubectl delete …` changes the world at each frame: credited like a typed line.
    continueStream: (cluster, session, actor) => {
      const credit = creditor(cluster, scenario, actor);
      const step = continueStream(cluster, session, { interest });
      credit.now();
      return step;
    },
    apiRequest: (cluster, request, target, access, actor) => {
      const credit = creditor(cluster, scenario, actor);
      const answer = serveSeatRequest(cluster, request, target, access, interest);
      credit.now();
      return answer;
    },
    watchObserved: (cluster, target, events) => observeWatch(cluster, target, events, interest),
    interrupt: (session) => interruptStream(session),
    complete: (cluster, session, line, cursor) => complete(cluster, session, line, cursor),
    prompt: (cluster, session) => prompt(cluster, session),
    overview: clusterOverview,
    evidenceIn: (observed) => evidenceObserved(scenario, observed),
    score: (input) => {
      const breakdown = scoreSession(scenario, {
        diagnosis: input.diagnosis,
        commands: input.commands,
        hintsUsed: input.hintsUsed,
        elapsedMs: input.elapsedMs,
        cluster: input.cluster,
        participantId: input.participantId,
        offeredEvidence,
      });
      return { total: breakdown.total, max: breakdown.max, parts: breakdown.parts, breakdown: { ...breakdown } };
    },
  };
}

/**
 * The scenarios in `dir` (default: the repository's scenarios/ folder) as a catalog, and what
 * loading each file gave (validated in full, now or before: `validated`), by hash.
 */
export function loadScenarioCatalog(dir?: string, validated?: ValidatedScenarios): { catalog: ScenarioCatalog; problems: string[]; validated: Map<string, ValidatedScenario> } {
  const { scenarios, problems, validated: next } = loadScenarioDir(dir, validated);
  const byId = new Map(scenarios.map((s) => [s.id, s]));
  const lobby = scenarios.map((s) => lobbyEntry(instantiate(s, 0).scenario, evidenceLabels(s))).sort(lobbyOrder);
  const catalog: ScenarioCatalog = {
    list: () => lobby.map((entry) => ({ ...entry })),
    has: (id) => byId.has(id),
    runtime: (id, seed, stacked) => {
      const loaded = byId.get(id);
      return loaded ? scenarioRuntime(loaded, seed, stacked) : undefined;
    },
  };
  return { catalog, problems: problems.map(formatProblem), validated: next };
}

/**
 * The world records who changed it: fixes and damage are credited to the player (`actor`).
 * `now()` credits what changed since the last mark; `from()` marks the present (after time
 * passed, which is nobody's doing).
 */
function creditor(cluster: ClusterState, scenario: ReturnType<typeof instantiate>['scenario'], actor: string | undefined): { now(): void; from(): void } {
  let before = actor === undefined ? [] : worldFingerprint(cluster);
  return {
    now: () => {
      if (actor === undefined || sameWorld(worldFingerprint(cluster), before)) return;
      noteChangeBy(cluster, actor);
      attributeDamage(cluster, scenario, actor);
    },
    from: () => {
      if (actor !== undefined) before = worldFingerprint(cluster);
    },
  };
}
