import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec, mutateObject, tick } from '../../server/cluster/index.js';

function run(seed: number) {
  const s = createCluster(demoClusterSpec, seed);
  tick(s, 30_000);
  mutateObject(s, 'Deployment', 'default/web', (d) => {
    d.spec.replicas = 9;
    d.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt'] = '2024-06-03T09:00:30Z';
    d.metadata.generation++;
  });
  tick(s, 120_000);
  return s;
}

describe('determinism', () => {
  it('same seed and inputs → byte-identical state', () => {
    expect(JSON.stringify(run(5))).toBe(JSON.stringify(run(5)));
  });

  it('a clone continues exactly like the original', () => {
    const a = run(6);
    const b = structuredClone(a);
    tick(a, 30_000);
    tick(b, 30_000);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it('different seeds → different generated names', () => {
    const names = (seed: number) => Object.keys(createCluster(demoClusterSpec, seed).pods).sort().join(',');
    expect(names(1)).not.toBe(names(2));
  });

  it('a rollout restart replaces every pod through a new ReplicaSet', () => {
    const s = run(7);
    const rss = Object.values(s.replicasets).filter((r) => r.metadata.name.startsWith('web-'));
    expect(rss).toHaveLength(2);
    const newest = rss.find((r) => r.metadata.annotations['deployment.kubernetes.io/revision'] === '2')!;
    expect(newest.spec.replicas).toBe(9);
    expect(rss.find((r) => r !== newest)!.spec.replicas).toBe(0);
    const web = Object.values(s.pods).filter((p) => p.metadata.name.startsWith('web-'));
    expect(web).toHaveLength(9);
    expect(web.every((p) => p.metadata.ownerReferences[0]!.uid === newest.metadata.uid && p.status.phase === 'Running')).toBe(true);
    expect(s.deployments['default/web']!.metadata.annotations['deployment.kubernetes.io/revision']).toBe('2');
  });
});
