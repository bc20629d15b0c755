// Stacked faults (issue 14, Klustered-style): a host may start a room with a second fault
// stacked onto the incident. Every file that declares `stacks` is played here, stacked on
// each of its causes, through the real shell and scorer:
//   expert      both reference runs, both causes named with their evidence        ≥ 90 %
//   one cause   the main cause found, fixed and named; the second never looked at  ≤ expert − 30
//   both named  the same player, naming the second cause without having seen it   ≤ expert − 30
//   guesser     two listings, both right causes named, every box ticked            ≤ 20 %
//   lookup      both causes named and the right boxes ticked, no command           ≤ 10 %
//   folk        restarts everything, both causes named, no evidence               ≤ 15 %
//   memoriser   one seed's stacked expert session replayed on 8 other seeds       ≤ 30 % on average
// and `scenarios check`'s stack proof (reference ≥ 90 %, no anti-solution fixes either fault).
import { describe, expect, it, vi } from 'vitest';
import { checkStacks, playSteps } from '../../server/cli/scenarios-command.js';
import { loadScenarioDir } from '../../server/scenarios/load.js';
import { evidenceChoiceId, evidenceLabels, playerView } from '../../server/scenarios/player-view.js';
import type { Scenario, SolutionStepValue } from '../../server/scenarios/schema.js';
import { forStack, instantiate, pinInstance, solutionOf, stacksFor, type LoadedScenario } from '../../server/scenarios/variant.js';
import { scoreSession, type Diagnosis, type ScoreBreakdown } from '../../server/scoring/score.js';

vi.setConfig({ testTimeout: 300_000 });

const stackable = loadScenarioDir().scenarios.filter((s) => s.variants[0]!.scenario.stacks.length > 0);

/** The stacked scenario of every variant (and its seed), each with its drawn stack. */
function stackedRooms(loaded: LoadedScenario): { seed: number; scenario: Scenario }[] {
  return loaded.variants.map((v) => {
    const { seed, scenario } = pinInstance(loaded, v.id, {}, stacksFor(v.scenario, v.id)[0]!.id);
    return { seed, scenario };
  });
}

function play(scenario: Scenario, seed: number, steps: SolutionStepValue[], diagnosis: Diagnosis | null): ScoreBreakdown {
  const { state, commands } = playSteps(scenario, seed, steps);
  return scoreSession(scenario, { diagnosis, commands, hintsUsed: [], elapsedMs: state.now, cluster: state });
}

const explain = (score: ScoreBreakdown): string => score.lines.filter((l) => l.points !== 0 || l.max > 0).map((l) => `${l.points}/${l.max} ${l.label}: ${l.why}`).join('\n');

it('five incidents offer a stacked fault (a DNS one under app incidents, an app one under coredns-down)', () => {
  expect(stackable.map((s) => s.id).sort()).toEqual(['coredns-down', 'node-notready', 'pending-pods', 'release-down', 'snat-client-ip']);
});

describe.each(stackable.map((s) => [s.id, s] as const))('%s stacked', (_id, loaded) => {
  const allBoxes = evidenceLabels(loaded, true).map(evidenceChoiceId);

  it('scenarios check: each stack\'s reference scores ≥ 90 % on every cause, no anti-solution fixes either fault', () => {
    const { lines, problems } = checkStacks(loaded);
    expect(problems.map((p) => p.message)).toEqual([]);
    expect(lines.length).toBe(loaded.variants[0]!.scenario.stacks.length);
  });

  it('a player who finds one cause scores clearly lower than one who finds both, and naming the other unseen earns nothing for it', () => {
    for (const { seed, scenario } of stackedRooms(loaded)) {
      const both = solutionOf(scenario);
      const stack = scenario.stacked!;
      const mainSteps = both.steps.slice(0, both.steps.length - stack.solution.steps.length);
      const mainEvidence = both.diagnosis.evidence.filter((e) => !stack.solution.evidence.includes(e));
      const expert = play(scenario, seed, both.steps, both.diagnosis);
      const oneCause = play(scenario, seed, mainSteps, { rootCause: both.diagnosis.rootCause, text: 'one', evidence: mainEvidence });
      const namedUnseen = play(scenario, seed, mainSteps, { ...both.diagnosis, evidence: mainEvidence });
      expect(expert.percent, explain(expert)).toBeGreaterThanOrEqual(90);
      expect(oneCause.percent, explain(oneCause)).toBeLessThanOrEqual(expert.percent - 30);
      expect(namedUnseen.percent, explain(namedUnseen)).toBeLessThanOrEqual(expert.percent - 30);
      // The root-cause points split per cause: the one found earns its half, the other nothing.
      const roots = oneCause.lines.filter((l) => l.category === 'rootCause');
      expect(roots.map((l) => [l.id, l.points, l.max])).toEqual([[scenario.answer.rootCause.id, 20, 20], [stack.answer.rootCause.id, 0, 20]]);
      expect(namedUnseen.lines.find((l) => l.id === stack.answer.rootCause.id)!.why).toContain('nothing that shows it was observed');
    }
  });

  it('the second cause alone (found, fixed, named) earns its half and the main fixes nothing', () => {
    for (const { seed, scenario } of stackedRooms(loaded)) {
      const stack = scenario.stacked!;
      const score = play(scenario, seed, [{ wait: 20 }, ...stack.solution.steps], { rootCause: stack.solution.rootCause, text: 'dns', evidence: stack.solution.evidence });
      const roots = score.lines.filter((l) => l.category === 'rootCause');
      expect(roots.map((l) => l.points), explain(score)).toEqual([0, 20]);
      // Guards (nothing else broken) hold in a world the player did not break; every other fix is the stack's.
      const guards = new Set<string | undefined>(scenario.answer.remediation.filter((r) => r.guard).map((r) => r.id));
      expect(score.lines.filter((l) => l.category === 'remediation' && l.points > 0 && !guards.has(l.id)).map((l) => l.id)).toEqual(stack.answer.remediation.map((r) => r.id));
      expect(score.percent, explain(score)).toBeLessThan(60);
    }
  });

  it('the guesser (two listings, both right causes, every box) ≤ 20 %; the lookup (no command) ≤ 10 %; the folk remedy ≤ 15 %', () => {
    for (const { seed, scenario } of stackedRooms(loaded)) {
      const both = solutionOf(scenario).diagnosis;
      const guesser = play(scenario, seed, [{ wait: 60 }, 'kubectl get pods -A', 'kubectl get events -A'], { ...both, evidence: allBoxes });
      expect(guesser.percent, explain(guesser)).toBeLessThanOrEqual(20);
      const lookup = play(scenario, seed, [{ wait: 30 }], both);
      expect(lookup.percent, explain(lookup)).toBeLessThanOrEqual(10);
      const app = scenario.cluster.deployments.find((d) => d.namespace !== 'kube-system')!;
      const folk = play(scenario, seed, [
        { wait: 60 }, 'kubectl get pods -A', `kubectl delete pods --all -n ${app.namespace}`, 'kubectl -n kube-system delete pods -l k8s-app=kube-dns',
        `kubectl rollout restart deployment -n ${app.namespace}`, 'kubectl -n kube-system rollout restart deployment coredns', { wait: 120 }, 'kubectl get pods -A',
      ], { ...both, evidence: [] });
      expect(folk.percent, explain(folk)).toBeLessThanOrEqual(15);
    }
  });

  it('the memoriser: one stacked room\'s expert session replayed on other seeds scores ≤ 30 % on average', () => {
    const averages = loaded.variants.map((v) => {
      let source = 0x5eed_0001;
      while (instantiate(loaded, source, true).variantId !== v.id) source++;
      const stored = instantiate(loaded, source, true).scenario;
      const solution = solutionOf(stored);
      const offered = solution.diagnosis.evidence.map((id) => evidenceChoiceId(stored.answer.evidence.find((e) => e.id === id)!.label));
      const scores = Array.from({ length: 8 }, (_, i) => 0x7a00_0000 + i * 7919).map((seed) => {
        const target = instantiate(loaded, seed, true).scenario;
        return play(target, seed, solution.steps, { ...solution.diagnosis, evidence: offered }).percent;
      });
      return scores.reduce((a, b) => a + b, 0) / scores.length;
    });
    const average = averages.reduce((a, b) => a + b, 0) / averages.length;
    expect(average, JSON.stringify(averages)).toBeLessThanOrEqual(30);
  });

  it('the player view offers every stack\'s causes and evidence whatever is drawn, and asks for two causes', () => {
    const seeds = [0, 1, 2, 3, 4, 5, 6, 7];
    const views = seeds.map((seed) => playerView(instantiate(loaded, seed, true).scenario, 0, evidenceLabels(loaded, true)));
    const causeSets = new Set(views.map((v) => v.causes.map((c) => c.id).sort().join()));
    expect(causeSets.size).toBe(1);
    expect(views.every((v) => v.causeCount === 2)).toBe(true);
    const stackCauses = loaded.variants[0]!.scenario.stacks.map((x) => x.answer.rootCause.id);
    for (const id of stackCauses) expect([...causeSets][0]!.split(',')).toContain(id);
    // Without the host's choice, the same seed gives the single incident, as before.
    const single = instantiate(loaded, 3);
    expect(single.stackId).toBeUndefined();
    expect(playerView(single.scenario, 3).causeCount).toBe(1);
    expect(instantiate(loaded, 3, true).scenario.briefing.startsWith(single.scenario.briefing.trimEnd())).toBe(true);
  });

  it('hints cover both faults in three tiers each, and the stack\'s last hint names no fix', () => {
    for (const stack of loaded.variants[0]!.scenario.stacks) {
      expect(stack.answer.hints.length).toBeGreaterThanOrEqual(3);
      const last = stack.answer.hints.at(-1)!.text;
      expect(last).not.toMatch(/kubectl\s+(patch|apply|edit|label|set)\b/i);
      expect(last).not.toContain(stack.answer.rootCause.title);
    }
    const { scenario } = instantiate(loaded, 0, true);
    expect(scenario.answer.hints.map((h) => h.id)).toEqual([...instantiate(loaded, 0).scenario.answer.hints, ...scenario.stacked!.answer.hints].map((h) => h.id));
  });
});

describe('the stack format', () => {
  const loaded = loadScenarioDir().scenarios.find((s) => s.id === 'pending-pods')!;
  const { scenario, variantId } = pinInstance(loaded, 'cpu');

  it('merges both faults, both keys and one reference run that names both causes', () => {
    const stack = stacksFor(scenario, variantId)[0]!;
    const stacked = forStack(scenario, stack);
    expect(stacked.faults.map((f) => f.id)).toEqual([...scenario.faults.map((f) => f.id), ...stack.faults.map((f) => f.id)]);
    expect(stacked.answer.remediation.length).toBe(scenario.answer.remediation.length + stack.answer.remediation.length);
    expect(solutionOf(stacked).diagnosis).toMatchObject({ rootCause: 'insufficient-cpu', secondCause: stack.answer.rootCause.id });
    // A single-fault scenario's diagnosis naming a second cause is scored on its first only.
    const single = scoreSession(scenario, { diagnosis: { rootCause: 'image-pull', secondCause: 'insufficient-cpu', text: '', evidence: [] }, commands: [], hintsUsed: [], elapsedMs: 0, cluster: playSteps(scenario, 1, [{ wait: 1 }]).state });
    expect(single.lines.filter((l) => l.category === 'rootCause')).toEqual([expect.objectContaining({ label: 'Root cause', points: 0, max: 40 })]);
  });
});
