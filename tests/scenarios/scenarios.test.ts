// The four seed scenarios end to end: the reference solution of every variant, played
// through the real shell, scores ≥ 90 %; a plausible but wrong run scores ≤ 30 %; harmful
// acts are penalised; what players see holds no answer-key text; the timeline unfolds.
import { describe, expect, it } from 'vitest';
import { apiUnavailable, writeRefused } from '../../server/cluster/api.js';
import { playSteps, runInstance, SOLVABLE_PERCENT } from '../../server/cli/scenarios-command.js';
import { loadScenarioDir } from '../../server/scenarios/load.js';
import { evidenceChoiceId, evidenceLabels, playerView } from '../../server/scenarios/player-view.js';
import { advance, injectFault, startScenario } from '../../server/scenarios/session.js';
import type { Scenario } from '../../server/scenarios/schema.js';
import { instantiate, pinInstance, type LoadedScenario } from '../../server/scenarios/variant.js';
import { scoreSession } from '../../server/scoring/score.js';
import { newSession, runLine } from '../../server/shell/index.js';

const { scenarios } = loadScenarioDir();
const byId = (id: string): LoadedScenario => scenarios.find((s) => s.id === id)!;

/** What a hurried responder does: restarts things and blames the network. */
const WRONG_RUNS: Record<string, { steps: (s: Scenario) => string[]; rootCause: string }> = {
  'etcd-nospace': { rootCause: 'network-partition', steps: () => ['kubectl get pods -A', 'kubectl delete pods --all -n kube-system', 'kubectl get nodes'] },
  'coredns-down': { rootCause: 'network-policy', steps: () => ['kubectl get pods -A', 'kubectl delete pods -n kube-system -l k8s-app=kube-dns', 'kubectl get networkpolicies -A'] },
  'pending-pods': { rootCause: 'image-pull', steps: (s) => [`kubectl get pods -n ${s.faults.find((f) => f.id === 'scale-up')!.actions[0]!.deployment!.namespace}`, 'kubectl delete pods --all'] },
  'snat-client-ip': { rootCause: 'lb-no-proxy-protocol', steps: () => ['kubectl get pods -A', 'kubectl rollout restart deployment -A'] },
  'node-notready': { rootCause: 'cni-broken', steps: () => ['kubectl get pods -A', 'kubectl rollout restart deployment -A', 'kubectl get nodes'] },
  'vpc-cni-ip': { rootCause: 'aws-node-crashing', steps: (s) => ['kubectl get pods -A', `kubectl delete pods --all -n ${s.cluster.deployments[0]!.namespace}`] },
  'node-cni-reboot': { rootCause: 'kube-proxy-down', steps: (s) => ['kubectl get pods -A', `kubectl rollout restart deployment -n ${s.cluster.deployments[0]!.namespace}`] },
};

describe.each(scenarios.map((s) => [s.id, s] as const))('%s', (_id, loaded) => {
  it.each(loaded.variants.map((v) => v.id))(`the reference solution of variant %s scores ≥ ${SOLVABLE_PERCENT} %%`, (variant) => {
    const run = runInstance(pinInstance(loaded, variant));
    const missed = run.score.lines.filter((l) => l.points < l.max).map((l) => `${l.label}: ${l.why}`);
    expect(run.score.percent, missed.join('\n')).toBeGreaterThanOrEqual(SOLVABLE_PERCENT);
  });

  it('a plausible but wrong run (restart pods, blame the network) scores ≤ 30 %', () => {
    for (const seed of [0, 1, 2]) {
      const { scenario } = instantiate(loaded, seed);
      // A scenario without its own: restart the app's pods and name the first cause that is not this one.
      const app = scenario.cluster.deployments.find((d) => d.namespace !== 'kube-system')!;
      const wrong = WRONG_RUNS[loaded.id] ?? { rootCause: scenario.answer.distractors[0]!.id, steps: () => ['kubectl get pods -A', `kubectl delete pods --all -n ${app.namespace}`] };
      const { state, commands } = playSteps(scenario, seed, [{ wait: 60 }, ...wrong.steps(scenario)]);
      const score = scoreSession(scenario, {
        diagnosis: { rootCause: wrong.rootCause, text: 'network trouble, restarted the pods', evidence: scenario.answer.evidence.map((e) => e.id) },
        commands, hintsUsed: [], elapsedMs: state.now, cluster: state,
      });
      expect(score.percent).toBeLessThanOrEqual(30);
      expect(score.lines.find((l) => l.category === 'rootCause')!.points).toBe(0);
    }
  });

  it('deleting the app\'s namespace is damage, whatever the scenario; a refused delete of kube-system is none', () => {
    // Some causes leave kubectl refused from the start (an expired certificate): take the first seed where it answers.
    const apiAnswers = (seed: number) => playSteps(instantiate(loaded, seed).scenario, seed, ['kubectl get namespace kube-system']).commands[0]!.exitCode === 0;
    const seed = Array.from({ length: 20 }, (_, i) => i).find(apiAnswers) ?? 0;
    const { scenario } = instantiate(loaded, seed);
    const ns = scenario.cluster.deployments.find((d) => d.namespace !== 'kube-system')!.namespace;
    const { state, commands } = playSteps(scenario, seed, ['kubectl delete namespace kube-system', `kubectl delete namespace ${ns}`, { wait: 60 }]);
    expect(commands[0]!.output).toContain('this namespace may not be deleted');
    const score = scoreSession(scenario, { diagnosis: null, commands, hintsUsed: [], elapsedMs: state.now, cluster: state });
    const harmful = score.lines.filter((l) => l.category === 'harmful');
    expect(harmful).toContainEqual(expect.objectContaining({ id: `namespace:${ns}`, points: -45 }));
    expect(harmful.map((l) => l.id)).not.toContain('namespace:kube-system');
  });

  it('the player view and the briefing hold no answer-key text, for every variant and seed (stacked too)', () => {
    const stackable = loaded.variants[0]!.scenario.stacks.length > 0;
    for (const [seed, stacked] of [0, 1, 2, 3, 4, 5, 6, 7].flatMap((seed) => (stackable ? [[seed, false], [seed, true]] as const : [[seed, false]] as const))) {
      const s = instantiate(loaded, seed, stacked).scenario;
      const view = playerView(s, seed);
      expect(Object.keys(view).sort()).toEqual(['briefing', 'causeCount', 'causes', 'difficulty', 'evidence', 'hints', 'id', 'tags', 'timeLimitSec', 'title']);
      const json = JSON.stringify(view);
      const a = s.answer;
      const secrets = [
        a.rootCause.explanation, ...(s.stacked ? [s.stacked.answer.rootCause.explanation, s.stacked.title] : []), ...a.partial.map((p) => p.why), ...a.prevention,
        ...a.evidence.flatMap((e) => [e.text, ...e.facts.map((f) => JSON.stringify(f))]),
        ...a.remediation.flatMap((r) => [r.text, JSON.stringify(r.predicate)]),
        ...a.harmful.flatMap((h) => [h.text, JSON.stringify(h.predicate)]), ...a.hints.map((h) => h.text),
        ...s.solutions.flatMap((x) => [x.diagnosis.text, ...x.steps.filter((st): st is string => typeof st === 'string' && !s.briefing.includes(st))]),
        ...s.faults.map((f) => f.title),
      ].filter((t) => t.length >= 16); // shorter strings are words any text may hold (e.g. `ssh cp-1`)
      for (const secret of secrets) expect(json, `leaks: ${secret}`).not.toContain(JSON.stringify(secret).slice(1, -1));
      expect(s.briefing).not.toContain(a.rootCause.title);
      if (s.stacked) expect(s.briefing).not.toContain(s.stacked.answer.rootCause.title);
      expect(view.causes.map((c) => c.id)).toContain(a.rootCause.id);
      expect(new Set(view.causes.map((c) => c.id)).size).toBe(view.causes.length);
    }
  });

  it('the player view does not tell the variants apart (same causes, evidence and hints), and its evidence ids score', () => {
    const shape = (variant: string) => {
      const { scenario } = pinInstance(loaded, variant);
      const view = playerView(scenario, 0, evidenceLabels(loaded));
      return { causes: view.causes, evidence: view.evidence, hints: view.hints.map((h) => h.id) };
    };
    const first = shape(loaded.variants[0]!.id);
    for (const v of loaded.variants) expect(shape(v.id), `variant ${v.id}`).toEqual(first);
    for (const v of loaded.variants) {
      const instance = pinInstance(loaded, v.id);
      const run = runInstance(instance);
      const scenario = instance.scenario;
      const solution = scenario.solutions[0]!;
      const asOffered = solution.diagnosis.evidence.map((id) => evidenceChoiceId(scenario.answer.evidence.find((e) => e.id === id)!.label));
      expect(first.evidence.map((e) => e.id)).toEqual(expect.arrayContaining(asOffered));
      const rescored = scoreSession(scenario, { diagnosis: { ...solution.diagnosis, evidence: asOffered }, commands: run.commands, hintsUsed: [], elapsedMs: run.state.now, cluster: run.state });
      expect(rescored.parts).toEqual(run.score.parts);
    }
  });
});

describe('timelines', () => {
  it('etcd-nospace: writes fail within a minute, kubectl loses the apiserver after 3 minutes, the fix brings it back', () => {
    const { scenario, seed } = pinInstance(byId('etcd-nospace'), 'history', { nodes: 1 });
    const state = startScenario(scenario, seed);
    const session = newSession(state);
    expect(runLine(state, session, 'kubectl get nodes').exitCode).toBe(0);
    expect(writeRefused(state)).toBeNull();
    advance(state, scenario, 60_000);
    expect(writeRefused(state)?.message).toBe('etcdserver: mvcc: database space exceeded');
    expect(runLine(state, session, 'kubectl get nodes').exitCode).toBe(0); // reads still work
    advance(state, scenario, 130_000);
    const refused = runLine(state, session, 'kubectl get nodes');
    expect(refused.output).toMatch(/^The connection to the server 10\.0\.2\.10:6443 was refused - did you specify the right host or port\?/);
    expect(state.firedFaults?.map((f) => f.id)).toEqual(['backups', 'write-churn', 'backup-0900', 'apiserver-dies']);
    // Restarting the kubelet alone does not help: the apiserver dies again while etcd is full.
    runLine(state, session, 'ssh master-01');
    runLine(state, session, 'sudo systemctl restart kubelet');
    advance(state, scenario, 30_000);
    expect(apiUnavailable(state)).not.toBeNull();
  });

  it('pending-pods: the scale-up leaves pods Pending with the scheduler\'s reason', () => {
    const { scenario, seed } = pinInstance(byId('pending-pods'), 'taint', { names: 1 });
    const state = startScenario(scenario, seed);
    advance(state, scenario, 20_000);
    const out = runLine(state, newSession(state), 'kubectl get pods -n shop').output;
    expect(out.match(/\s0\/1\s+Pending\s/g)?.length).toBe(3);
    expect(runLine(state, newSession(state), 'kubectl describe pods -n shop').output).toContain('untolerated taint {maintenance: kernel-upgrade}');
  });

  it('coredns-down (loop): CoreDNS goes into CrashLoopBackOff and logs the loop', () => {
    const { scenario, seed } = pinInstance(byId('coredns-down'), 'loop');
    const state = startScenario(scenario, seed);
    const session = newSession(state);
    expect(runLine(state, session, 'kubectl get pods -n kube-system -l k8s-app=kube-dns').output).not.toContain('CrashLoopBackOff');
    advance(state, scenario, 90_000);
    expect(runLine(state, session, 'kubectl get pods -n kube-system -l k8s-app=kube-dns').output).toMatch(/coredns-\S+\s+0\/1\s+CrashLoopBackOff/);
  });

  it('optional faults fire only when a host injects them', () => {
    const { scenario, seed } = pinInstance(byId('snat-client-ip'), 'policy-cluster');
    const state = startScenario(scenario, seed);
    advance(state, scenario, 30_000);
    expect(state.deployments['edge/gateway']!.spec.replicas).toBe(2);
    expect(injectFault(state, scenario, 'one-replica')).toMatchObject({ ok: true });
    expect(state.deployments['edge/gateway']!.spec.replicas).toBe(1);
    expect(injectFault(state, scenario, 'nope')).toEqual({ ok: false, message: 'no fault "nope" in scenario snat-client-ip' });
  });
});
