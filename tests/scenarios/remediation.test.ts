// Fix points are earned, not found: a remediation counts only if its predicate was false at
// some point of the session; a guard ("don't break it") counts only next to a real fix.
import { describe, expect, it } from 'vitest';
import { runInstance } from '../../server/cli/scenarios-command.js';
import { loadScenarioDir } from '../../server/scenarios/load.js';
import { advance, startScenario } from '../../server/scenarios/session.js';
import { pinInstance } from '../../server/scenarios/variant.js';
import { scoreSession } from '../../server/scoring/score.js';

const { scenarios } = loadScenarioDir();
const byId = (id: string) => scenarios.find((s) => s.id === id)!;

const idleSubmit = (id: string, variant: string, idleMs: number) => {
  const { scenario, seed } = pinInstance(byId(id), variant);
  const cluster = startScenario(scenario, seed);
  advance(cluster, scenario, idleMs);
  const diagnosis = { rootCause: scenario.answer.rootCause.id, text: '', evidence: [] };
  return scoreSession(scenario, { diagnosis, commands: [], hintsUsed: [], elapsedMs: idleMs, cluster });
};

describe('remediation points', () => {
  it.each(scenarios.flatMap((s) => s.variants.map((v) => [s.id, v.id] as const)))(
    '%s/%s: submitting the right root cause without doing anything earns no fix points',
    (id, variant) => {
      for (const idleMs of [0, 30_000]) {
        const score = idleSubmit(id, variant, idleMs);
        const fixes = score.lines.filter((l) => l.category === 'remediation');
        expect(fixes.filter((l) => l.points !== 0), JSON.stringify(fixes)).toEqual([]);
        expect(score.parts.find((p) => p.key === 'remediation')!.points).toBe(0);
      }
    },
  );

  it('says why a predicate that already held earns nothing', () => {
    const score = idleSubmit('etcd-nospace', 'history', 0);
    expect(score.lines.find((l) => l.id === 'alarm-disarmed')).toMatchObject({ points: 0, why: 'already true before anything broke: nothing was fixed' });
    const coredns = idleSubmit('coredns-down', 'upstream', 0); // the upstream variant: CoreDNS stays available throughout
    expect(coredns.lines.find((l) => l.id === 'coredns-available')).toMatchObject({ points: 0, why: 'still true at the end, but a guard counts only next to a real fix' });
    const snat = idleSubmit('snat-client-ip', 'policy-cluster', 0);
    expect(snat.lines.find((l) => l.id === 'still-serving')).toMatchObject({ points: 0 });
  });

  it('the reference fixes earn their points, guards included', () => {
    const coredns = runInstance(pinInstance(byId('coredns-down'), 'upstream')).score;
    expect(coredns.lines.find((l) => l.id === 'upstream-fixed')).toMatchObject({ points: 10, why: 'holds on the cluster at the end' });
    expect(coredns.lines.find((l) => l.id === 'coredns-available')).toMatchObject({ points: 15, why: 'still true at the end, next to a real fix' });
    const etcd = runInstance(pinInstance(byId('etcd-nospace'), 'history')).score;
    expect(etcd.lines.find((l) => l.id === 'alarm-disarmed')!.points).toBe(15);
  });
});
