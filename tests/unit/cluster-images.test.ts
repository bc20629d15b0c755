// What each image runs: the spec's `images` and the built workloads' programs, taken by a
// release (the deployment fault action's image) or a `kubectl set image`; a key of the
// scenario file may hold params (`'ghcr.io/acme/{{app}}:v2': …`).
import { describe, expect, it } from 'vitest';
import { createCluster } from '../../server/cluster/index.js';
import { applyAction } from '../../server/scenarios/faults.js';
import { substitute } from '../../server/scenarios/variant.js';

const spec = {
  nodes: [{ name: 'cp', role: 'control-plane' as const }, { name: 'w1' }],
  images: { 'example/app:2': { crashAfter: '5s', exitCode: 3 } },
  deployments: [{ namespace: 'default', name: 'app', containers: [{ image: 'example/app:1', behavior: { memoryUse: '100Mi' } }] }],
};

describe('image programs', () => {
  it('knows the spec\'s images and the built workloads\' images', () => {
    const state = createCluster(spec, 1);
    expect(state.imagePrograms!['example/app:2']).toEqual({ crashAfterMs: 5000, exitCode: 3 });
    expect(state.imagePrograms!['example/app:1']).toEqual({ memoryUse: 100 * 2 ** 20 });
  });

  it('a release (deployment action with image and limits) runs the new image\'s program in a new template', () => {
    const state = createCluster(spec, 1);
    const before = state.deployments['default/app']!.metadata.generation;
    expect(applyAction(state, { deployment: { namespace: 'default', name: 'app', image: 'example/app:2', limits: { memory: '256Mi' } } })).toEqual({ ok: true });
    const d = state.deployments['default/app']!;
    expect(d.metadata.generation).toBe(before + 1);
    expect(d.spec.template.spec.containers[0]).toMatchObject({ image: 'example/app:2', resources: { limits: { memory: 256 * 2 ** 20 } } });
    expect(d.spec.template.behavior.app).toEqual({ crashAfterMs: 5000, exitCode: 3 });
  });

  it('substitutes params in mapping keys, and refuses a list or mapping there', () => {
    const errors: { path: (string | number)[]; message: string }[] = [];
    expect(substitute({ images: { 'ghcr.io/acme/{{app}}:v{{ver}}': '{{prog}}' } }, { app: 'cart', ver: '2.0', prog: { exitCode: 1 } }, errors)).toEqual({ images: { 'ghcr.io/acme/cart:v2.0': { exitCode: 1 } } });
    expect(errors).toEqual([]);
    substitute({ '{{list}}': 1 }, { list: ['a'] }, errors);
    expect(errors.map((e) => e.message)).toContain('a key takes text only, not a list or mapping param');
  });
});
