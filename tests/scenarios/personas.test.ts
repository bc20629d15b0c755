// Can the score tell skill from luck, memory or damage? Each persona plays every scenario on
// several seeds through the real shell and scorer, as a hiring panel would watch them:
//   expert     the reference solution                                         ≥ 90 %
//   guesser    `get pods -A`, `get events -A`, names the right cause, ticks every box  ≤ 20 %
//   lookup     no command at all, the cause looked up, the right boxes ticked  ≤ 10 %
//   unbacked   the right cause and the right boxes, nothing observed           ≤ 25 %
//   blind      the expert's commands with their output sent to /dev/null       ≤ 25 %
//   folk       restarts and deletes pods, restarts kubelets, no evidence        ≤ 15 %
//   wrecker    the expert, who then deletes every node / the app's deployment  ≤ 40 %
// (The memoriser, who replays another seed's session, is tested with the variants.)
// And on every cause, the personas rank as skill would, each lower one for a reason its lines say:
//   expert > slow but methodical (the same work in 60 % of the time, then checks the fix held)
//   > evidence gathered but the wrong cause named (cites what it saw) > lucky (one listing, the
//   right cause) ≥ the fix replayed from memory at once, the folk remedy, every hint then a guess
import { describe, expect, it, vi } from 'vitest';
import { playSteps, runReference } from '../../server/cli/scenarios-command.js';
import { loadScenarioDir } from '../../server/scenarios/load.js';
import { evidenceChoiceId, evidenceLabels } from '../../server/scenarios/player-view.js';
import type { Scenario, SolutionStepValue } from '../../server/scenarios/schema.js';
import { instantiate, seedForVariant, solutionOf, type LoadedScenario } from '../../server/scenarios/variant.js';
import { evidenceObserved, scoreSession, TIME_BONUS_POINTS, type Diagnosis, type ScoreBreakdown } from '../../server/scoring/score.js';

const { scenarios } = loadScenarioDir();
// A persona plays every variant and a few more seeds; incidents whose fix needs minutes of simulated time take longer than the default 30 s.
vi.setConfig({ testTimeout: 300_000 });

/** Every variant, and a few seeds beyond. */
const seedsOf = (loaded: LoadedScenario): number[] => [...loaded.variants.keys(), loaded.variants.length + 1, 7];

function play(loaded: LoadedScenario, seed: number, steps: SolutionStepValue[], diagnosis: (s: Scenario) => Diagnosis | null, hintsUsed: { hintId: string }[] = []): ScoreBreakdown {
  const { scenario } = instantiate(loaded, seed);
  const { state, commands } = playSteps(scenario, seed, steps);
  return scoreSession(scenario, { diagnosis: diagnosis(scenario), commands, hintsUsed, elapsedMs: state.now, cluster: state, offeredEvidence: evidenceLabels(loaded).map(evidenceChoiceId) });
}

const explain = (score: ScoreBreakdown): string => score.lines.filter((l) => l.points !== 0 || l.max > 0).map((l) => `${l.points}/${l.max} ${l.label}: ${l.why}`).join('\n');

/** The app the incident is about: the first deployment outside kube-system. */
const appOf = (s: Scenario) => s.cluster.deployments.find((d) => d.namespace !== 'kube-system')!;
const rightCause = (s: Scenario): Diagnosis => ({ rootCause: s.answer.rootCause.id, text: 'it is that', evidence: solutionOf(s).diagnosis.evidence });
/** Evidence items (by id) as the diagnosis form offers them. */
const asOffered = (s: Scenario, ids: string[]) => ids.map((id) => evidenceChoiceId(s.answer.evidence.find((e) => e.id === id)!.label));

describe.each(scenarios.map((s) => [s.id, s] as const))('%s', (_id, loaded) => {
  const allBoxes = evidenceLabels(loaded).map(evidenceChoiceId);

  it('the personas rank as skill would, and each lower one\'s lines say why', () => {
    for (const variant of loaded.variants) {
      const seed = seedForVariant(loaded, variant.id);
      const { scenario } = instantiate(loaded, seed);
      const solution = solutionOf(scenario);
      const right: Diagnosis = { ...solution.diagnosis, evidence: asOffered(scenario, solution.diagnosis.evidence) };
      // The reference's lines that only read (its waits kept: the incident unfolds as it did), and those that changed the world.
      const { changed } = playSteps(scenario, seed, solution.steps);
      let line = 0;
      const wrote = solution.steps.map((step) => typeof step === 'string' && changed[line++]!);
      const reads = solution.steps.filter((_, i) => !wrote[i]);
      const writes = solution.steps.filter((_, i) => wrote[i]) as string[];
      const seenByReads = evidenceObserved(scenario, playSteps(scenario, seed, reads).commands.flatMap((c) => c.observed ?? []));
      const app = appOf(scenario);
      const p = {
        expert: play(loaded, seed, solution.steps, () => right),
        slow: play(loaded, seed, [{ wait: Math.round(scenario.timeLimitSec * 0.6) }, ...solution.steps, { wait: 300 }], () => right),
        wrong: play(loaded, seed, reads, () => ({ rootCause: scenario.answer.distractors[0]!.id, text: 'it is that', evidence: asOffered(scenario, seenByReads) })),
        lucky: play(loaded, seed, [{ wait: 30 }, 'kubectl get pods -A'], () => ({ rootCause: right.rootCause, text: 'a hunch', evidence: [] })),
        memorised: play(loaded, seed, writes, () => right),
        folk: play(loaded, seed, [{ wait: 30 }, `kubectl delete pods --all -n ${app.namespace}`, `kubectl rollout restart deployment -n ${app.namespace}`, { wait: 120 }], () => ({ rootCause: right.rootCause, text: 'restarted it', evidence: [] })),
        hints: play(loaded, seed, [{ wait: 30 }, 'kubectl get pods -A'], () => right, scenario.answer.hints.map((h) => ({ hintId: h.id }))),
      };
      const table = `${variant.id}: ${Object.entries(p).map(([k, v]) => `${k} ${v.total}`).join(', ')}\n${Object.entries(p).map(([k, v]) => `${k}:\n${explain(v)}`).join('\n')}`;
      const root = (b: ScoreBreakdown) => b.lines.find((l) => l.category === 'rootCause')!;
      expect(p.expert.total, table).toBeGreaterThan(p.slow.total);
      expect(p.slow.percent, table).toBeGreaterThanOrEqual(75);
      expect(p.slow.lines.find((l) => l.category === 'time')!.points, table).toBeLessThan(TIME_BONUS_POINTS); // the only difference: time
      expect(p.slow.total, table).toBeGreaterThan(p.wrong.total);
      expect(root(p.wrong).why, table).toMatch(/^wrong: /);
      expect(p.wrong.lines.filter((l) => l.category === 'evidence').some((l) => l.points > 0), table).toBe(true); // what it saw still earns
      expect(p.wrong.total, table).toBeGreaterThan(p.lucky.total);
      expect(root(p.lucky).why, table).toMatch(/a cause named without evidence is a guess$/);
      for (const low of ['memorised', 'folk', 'hints'] as const) expect(p[low].total, `${low}\n${table}`).toBeLessThanOrEqual(p.lucky.total);
      expect(root(p.memorised).points, table).toBe(0);
      expect(p.memorised.lines.some((l) => l.category === 'evidence' && l.points < 0 && l.why.startsWith('cited but never shown')), table).toBe(true);
      expect(p.hints.lines.filter((l) => l.category === 'hints').length, table).toBe(scenario.answer.hints.length);
    }
  });

  it('the expert who types at once, before the incident has unfolded, is not charged for the requests the incident lost', () => {
    // Requests were counted lost from the first command: typing before the outage began made
    // the incident's own failures the player's damage (lb-pending's expert lost 19 points).
    for (const variant of loaded.variants) {
      const seed = seedForVariant(loaded, variant.id);
      const { scenario } = instantiate(loaded, seed);
      const solution = solutionOf(scenario);
      const score = play(loaded, seed, ['kubectl get pods -A', ...solution.steps], () => solution.diagnosis);
      expect(score.lines.filter((l) => l.category === 'harmful'), `${variant.id}\n${explain(score)}`).toEqual([]);
    }
  });

  it('the expert scores ≥ 90 %', () => {
    for (const seed of seedsOf(loaded)) {
      const run = runReference(loaded, seed);
      expect(run.score.percent, `seed ${seed}\n${explain(run.score)}`).toBeGreaterThanOrEqual(90);
    }
  });

  it('the guesser (two listings, the right cause, every box ticked) scores ≤ 20 %', () => {
    for (const seed of seedsOf(loaded)) {
      const score = play(loaded, seed, [{ wait: 60 }, 'kubectl get pods -A', 'kubectl get events -A'], (s) => ({ rootCause: s.answer.rootCause.id, text: 'guess', evidence: allBoxes }));
      expect(score.percent, `seed ${seed}\n${explain(score)}`).toBeLessThanOrEqual(20);
    }
  });

  it('looking the cause up without a command scores ≤ 10 %', () => {
    for (const seed of seedsOf(loaded)) {
      const score = play(loaded, seed, [{ wait: 30 }], rightCause);
      expect(score.percent, `seed ${seed}\n${explain(score)}`).toBeLessThanOrEqual(10);
    }
  });

  it('the right cause with nothing observed scores ≤ 25 %', () => {
    for (const seed of seedsOf(loaded)) {
      const score = play(loaded, seed, [{ wait: 60 }, 'kubectl get nodes', 'kubectl version'], rightCause);
      expect(score.percent, `seed ${seed}\n${explain(score)}`).toBeLessThanOrEqual(25);
      expect(score.lines.find((l) => l.category === 'rootCause')!.points).toBe(0);
    }
  });

  it('the expert\'s every command, its output never looked at, with the right diagnosis, scores ≤ 25 %', () => {
    for (const seed of seedsOf(loaded)) {
      const { scenario } = instantiate(loaded, seed);
      const solution = solutionOf(scenario);
      const blind = solution.steps.map((step) => (typeof step === 'string' ? `${step} > /dev/null 2>&1` : step));
      const score = play(loaded, seed, blind, () => solution.diagnosis);
      expect(score.percent, `seed ${seed}\n${explain(score)}`).toBeLessThanOrEqual(25);
      // It did fix the incident: the fixes earn half, without a backed diagnosis.
      expect(score.lines.filter((l) => l.category === 'remediation').some((l) => l.points > 0), `seed ${seed}\n${explain(score)}`).toBe(true);
    }
  });

  it('the folk remedy (delete pods, restart everything, no evidence) scores ≤ 15 %', () => {
    for (const seed of seedsOf(loaded)) {
      const { scenario } = instantiate(loaded, seed);
      const app = appOf(scenario);
      const kubelets = scenario.cluster.nodes.flatMap((n) => [`ssh ${n.name}`, 'sudo systemctl restart kubelet', 'exit']);
      const steps: SolutionStepValue[] = [
        { wait: 60 }, 'kubectl get pods -A', `kubectl delete pods --all -n ${app.namespace}`, 'kubectl -n kube-system delete pods -l k8s-app=kube-dns',
        `kubectl rollout restart deployment -n ${app.namespace}`, ...kubelets, { wait: 120 }, 'kubectl get pods -A',
      ];
      const score = play(loaded, seed, steps, (s) => ({ rootCause: s.answer.rootCause.id, text: 'restarted everything', evidence: [] }));
      expect(score.percent, `seed ${seed}\n${explain(score)}`).toBeLessThanOrEqual(15);
    }
  });

  it('the expert who then deletes every node, or the app (its deployment, Service or namespace, or scales it to zero), scores ≤ 40 %', () => {
    for (const seed of seedsOf(loaded)) {
      const { scenario } = instantiate(loaded, seed);
      const app = appOf(scenario);
      const solution = solutionOf(scenario);
      const wrecks = [
        'kubectl delete nodes --all', `kubectl delete deployment ${app.name} -n ${app.namespace}`, `kubectl delete namespace ${app.namespace}`,
        `kubectl delete service ${app.name} -n ${app.namespace}`, `kubectl scale deployment ${app.name} -n ${app.namespace} --replicas=0`,
      ];
      for (const wreck of wrecks) {
        const score = play(loaded, seed, [...solution.steps, wreck, { wait: 120 }], () => solution.diagnosis);
        expect(score.percent, `seed ${seed}, ${wreck}\n${explain(score)}`).toBeLessThanOrEqual(40);
      }
    }
  }, 180_000); // five wrecks after the whole reference run, on every seed
});
