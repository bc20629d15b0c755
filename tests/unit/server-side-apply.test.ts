// The core of server-side apply (server/cluster/server-side-apply.ts) on Kubernetes JSON: fields
// by the schemas' list keys, conflicts in the apiserver's words (k8s.io/apimachinery
// pkg/util/managedfields/internal/conflict.go getConflictMessage and printManager; paths as
// structured-merge-diff's Path.String), forcing, and removal of what an applier stopped applying.
import { describe, expect, it } from 'vitest';
import { applyConfiguration, leavesOf, pathString } from '../../server/cluster/server-side-apply.js';
import type { JsonValue, ManagedFieldsEntry } from '../../server/cluster/types.js';

type JsonObject = { [key: string]: JsonValue };

const deployment = (containers: JsonObject[], replicas = 2): JsonObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
  spec: { replicas, template: { spec: { containers } } },
});

describe('server-side apply, the core', () => {
  it('names fields by list keys: containers by name, ports by port and protocol (TCP by default), other lists whole', () => {
    const leaves = leavesOf({ spec: { containers: [{ name: 'web', image: 'nginx', args: ['-g', 'x'], ports: [{ containerPort: 80 }] }] } });
    expect(leaves.map(pathString)).toEqual([
      '.spec.containers[name="web"].name', '.spec.containers[name="web"].image', '.spec.containers[name="web"].args',
      '.spec.containers[name="web"].ports[containerPort=80,protocol="TCP"].containerPort',
    ]);
  });

  it('conflicts only where a value changes under another manager, in the apiserver\'s words', () => {
    const live = deployment([{ name: 'web', image: 'nginx:1.25', imagePullPolicy: 'IfNotPresent' }], 3);
    const entries: ManagedFieldsEntry[] = [
      { manager: 'kubectl-client-side-apply', operation: 'Update', time: 0, fields: leavesOf({ spec: live.spec! }) },
      { manager: 'hpa', operation: 'Apply', time: 0, fields: [['spec', 'replicas']] },
    ];
    const same = applyConfiguration(live, deployment([{ name: 'web', image: 'nginx:1.25' }], 3), entries, 'me', false, 1);
    expect(same.ok).toBe(true);
    const changed = applyConfiguration(live, deployment([{ name: 'web', image: 'nginx:1.26' }], 5), entries, 'me', false, 1);
    expect(changed).toMatchObject({ ok: false, conflict: { status: 409, reason: 'Conflict' } });
    if (changed.ok || !('conflict' in changed)) return;
    expect(changed.conflict.message).toBe([
      'Apply failed with 3 conflicts: conflicts with "hpa":',
      '- .spec.replicas',
      'conflicts with "kubectl-client-side-apply" using apps/v1:',
      '- .spec.replicas',
      '- .spec.template.spec.containers[name="web"].image',
    ].join('\n'));
    expect(changed.conflict.causes[2]).toEqual({ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: '.spec.template.spec.containers[name="web"].image' });
  });

  it('forced, the others lose the fields; an applier\'s dropped container goes, its co-owned one stays', () => {
    const live = deployment([{ name: 'web', image: 'nginx:1.25' }, { name: 'side', image: 'busybox' }]);
    const first = applyConfiguration(live, deployment([{ name: 'web', image: 'nginx:1.25' }, { name: 'side', image: 'busybox' }]), [], 'me', false, 1);
    if (!first.ok) throw new Error('refused');
    const other: ManagedFieldsEntry = { manager: 'ops', operation: 'Update', time: 2, fields: [['spec', 'replicas']] };
    const forced = applyConfiguration(first.object, deployment([{ name: 'web', image: 'nginx:1.25' }], 9), [...first.entries, other], 'me', true, 3);
    if (!forced.ok) throw new Error('refused');
    expect(forced.object.spec).toEqual({ replicas: 9, template: { spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } } });
    expect(forced.entries.map((e) => e.manager)).toEqual(['me']);
    // Without force the same apply is refused and nothing is decided.
    expect(applyConfiguration(first.object, deployment([{ name: 'web', image: 'nginx:1.25' }], 9), [...first.entries, other], 'me', false, 3).ok).toBe(false);
  });
});
