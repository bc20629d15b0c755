import { describe, expect, it } from 'vitest';
import { createCluster, deleteObject, demoClusterSpec, mutateObject, tick } from '../../server/cluster/index.js';
import type { ClusterState } from '../../server/cluster/types.js';

const webRS = (s: ClusterState) => Object.values(s.replicasets).filter((r) => r.metadata.name.startsWith('web-'));
const revisionOf = (s: ClusterState, name: string) => s.replicasets[`default/${name}`]!.metadata.annotations['deployment.kubernetes.io/revision'];

describe('deployments', () => {
  it('an image change rolls out through a new ReplicaSet; undo brings the old one back as a new revision', () => {
    const s = createCluster(demoClusterSpec, 3);
    const [first] = webRS(s);
    mutateObject(s, 'Deployment', 'default/web', (d) => {
      d.spec.template.spec.containers[0]!.image = 'nginx:1.26.0';
      d.metadata.generation++;
    });
    tick(s, 30_000);
    const second = webRS(s).find((r) => r !== first)!;
    expect(second.spec.replicas).toBe(3);
    expect(first!.spec.replicas).toBe(0);
    expect(revisionOf(s, second.metadata.name)).toBe('2');
    const msgs = s.events.filter((e) => e.reason === 'ScalingReplicaSet').map((e) => e.message);
    expect(msgs[0]).toBe(`Scaled up replica set ${second.metadata.name} to 1`);
    expect(msgs).toContain(`Scaled down replica set ${first!.metadata.name} to 0 from 1`);
    expect(s.deployments['default/web']!.status).toMatchObject({ replicas: 3, updatedReplicas: 3, availableReplicas: 3 });

    // kubectl rollout undo: the template goes back to the first ReplicaSet's
    mutateObject(s, 'Deployment', 'default/web', (d) => {
      d.spec.template.spec.containers[0]!.image = 'nginx:1.25.3';
      d.metadata.generation++;
    });
    tick(s, 30_000);
    expect(webRS(s)).toHaveLength(2);
    expect(first!.spec.replicas).toBe(3);
    expect(revisionOf(s, first!.metadata.name)).toBe('3');
    expect(s.deployments['default/web']!.metadata.annotations['deployment.kubernetes.io/revision']).toBe('3');
  });

  it('a rollout that cannot progress times out after progressDeadlineSeconds', () => {
    const s = createCluster(demoClusterSpec, 3);
    mutateObject(s, 'Deployment', 'default/api', (d) => {
      d.spec.template.spec.containers[0]!.image = 'ghcr.io/acme/orders-api:9.9.9';
      d.spec.template.behavior.api = { ...d.spec.template.behavior.api, imagePullError: 'not found' };
      d.metadata.generation++;
    });
    tick(s, 700_000);
    const progressing = s.deployments['default/api']!.status.conditions.find((c) => c.type === 'Progressing')!;
    expect(progressing).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded' });
    expect(progressing.message).toMatch(/^ReplicaSet "api-[a-z0-9]+" has timed out progressing\.$/);
  });

  it('deleting a deployment garbage-collects its ReplicaSets and pods', () => {
    const s = createCluster(demoClusterSpec, 3);
    expect(deleteObject(s, 'Deployment', 'default/web').ok).toBe(true);
    tick(s, 10_000);
    expect(webRS(s)).toHaveLength(0);
    expect(Object.keys(s.pods).filter((k) => k.startsWith('default/web-'))).toHaveLength(0);
    expect(s.endpoints['default/web']!.subsets).toEqual([]);
  });
});
