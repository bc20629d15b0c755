// `kubectl get -o json` of a List is put together from each object's kept text and value
// (output.ts, listing.ts keptBuilt), and `| jq` takes the value instead of parsing it again
// (CommandResult.json): both must print exactly what building and parsing afresh prints.
import { describe, expect, it } from 'vitest';
import { createCluster, keyOf, mutateObject, tick } from '../../server/cluster/index.js';
import type { ClusterSpecInput } from '../../server/cluster/index.js';
import { deleteObject } from '../../server/cluster/api.js';
import { LineBudget } from '../../server/shell/budget.js';
import { newSession, runLine } from '../../server/shell/index.js';
import { outputDocument, toJson } from '../../server/shell/kubectl/output.js';
import { listingChars, sortedObjects } from '../../server/shell/kubectl/listing.js';
import { resourceTypeByKind } from '../../server/shell/kubectl/resources.js';

/** `nodes` nodes and about `pods` pods in deployments of `size` (20 as bench/sim.ts builds them). */
function spec(nodes: number, pods: number, size: number): ClusterSpecInput {
  const appPods = pods - (6 + 2 * nodes);
  const count = Math.ceil(appPods / size);
  const deployments = Array.from({ length: count }, (_, i) => ({
    namespace: i % 2 ? 'shop' : 'default', name: `app-${i}`, replicas: i === count - 1 ? appPods - size * (count - 1) : size,
    containers: [{ image: `ghcr.io/acme/app-${i % 7}:1.${i % 5}.0`, ports: [8080], requests: { cpu: '20m', memory: '32Mi' } }],
  }));
  return {
    name: 'kept-json',
    nodes: Array.from({ length: nodes }, (_, i) => ({
      name: i === 0 ? 'cp-1' : `node-${i}`, role: i === 0 ? ('control-plane' as const) : ('worker' as const),
      ip: `10.0.${i}.10`, cpu: '16', memory: '64Gi', podCIDR: `10.100.${i}.0/24`,
    })),
    namespaces: ['shop'],
    deployments,
    limits: { quota: { pods, deployments: count, replicasets: count }, maxObjects: 4 * pods },
  };
}

function cluster(nodes: number, pods: number, size = 20) {
  const state = createCluster(spec(nodes, pods, size), 1);
  tick(state, 10_000);
  return { state, session: newSession(state) };
}

/** The List as kubectl built it before anything was kept: every manifest, stringified at once. */
function afresh(state: ReturnType<typeof cluster>['state'], namespace?: string): string {
  const type = resourceTypeByKind('Pod')!;
  const pods = sortedObjects(state, type).filter((p) => namespace === undefined || p.metadata.namespace === namespace);
  return toJson(outputDocument(state, pods.map((obj) => ({ type, obj })), false));
}

// Two deployments of 8 (default and shop): the listing stays under the line's output cap (256 KiB, about 8 KB a pod).
describe('kubectl get -o json, kept per object', () => {
  it('prints the same bytes as building every manifest afresh, before and after writes', () => {
    const { state, session } = cluster(2, 26, 8);
    expect(runLine(state, session, 'kubectl get pods -A -o json').output).toBe(afresh(state));
    expect(runLine(state, session, 'kubectl get pods -n shop -o json').output).toBe(afresh(state, 'shop'));
    const victim = sortedObjects(state, resourceTypeByKind('Pod')!).find((p) => p.metadata.namespace === 'default')!;
    mutateObject(state, 'Pod', keyOf(victim), (p) => void (p.metadata.labels.touched = 'yes'));
    const after = runLine(state, session, 'kubectl get pods -A -o json').output;
    expect(after).toContain('"touched": "yes"');
    expect(after).toBe(afresh(state));
    deleteObject(state, 'Pod', keyOf(victim), { force: true });
    tick(state, 5000); // the ReplicaSet makes a new one
    expect(runLine(state, session, 'kubectl get pods -A -o json').output).toBe(afresh(state));
    expect(runLine(state, session, 'kubectl get pods -l app=nothing -o json').output).toBe(afresh(state, 'none'));
  });

  it('hands jq the value: same output, line numbers and errors as parsing the text', () => {
    const { state, session } = cluster(2, 26, 8);
    const lines = [
      "jq -c '.items[] | {n: .metadata.name, p: .status.phase}'",
      "jq -r '.items[] | [.metadata.namespace, .metadata.name, .spec.nodeName] | @tsv'",
      'jq -s "length, (.[0].items | length)"',
      'jq ".items[0] | error(\\"boom\\")"',
      'jq ".items[0].metadata.name = \\"changed\\" | .items[0].metadata.name"',
      "jq 'del(.items[0].metadata) | .items[0] | keys'",
      'jq -e ".nothing"',
      'jq .kind -',
    ];
    runLine(state, session, 'kubectl get pods -A -o json > pods.json');
    for (const jq of lines) {
      const direct = runLine(state, session, `kubectl get pods -A -o json | ${jq}`);
      const parsed = runLine(state, session, `${jq} < pods.json`);
      expect(direct, jq).toEqual(parsed);
    }
    // The kept value was not changed by the assignments above.
    expect(runLine(state, session, 'kubectl get pods -A -o json').output).toBe(afresh(state));
    expect(runLine(state, session, 'kubectl get pods -A -o json | jq ".items[0] | error(\\"boom\\")"').output).toMatch(/^jq: error \(at <stdin>:\d+\): boom\n$/);
  });

  // As bench/sim.ts runs it: the pods' JSON alone is 2.36 M characters (admission fields, token volume).
  it('runs the 10-stage bench pipeline over 300 pods within one line\'s budget', () => {
    const { state, session } = cluster(10, 300);
    const pipeline = "kubectl get pods -A -o json | jq -r '.items[] | [.metadata.namespace, .metadata.name, .status.phase, .spec.nodeName] | @tsv' | grep -v kube-system | awk '{print $4, $1}' | sort | uniq -c | sort -rn | sed 's/^ *//' | head -20 | column -t";
    const budget = new LineBudget();
    const result = runLine(state, session, pipeline, { budget });
    expect(result.exitCode).toBe(0);
    expect(result.output.split('\n')[0]).toMatch(/^\d+\s+node-\d+\s+(default|shop)$/);
    expect(budget.steps).toBeLessThan(budget.limit);
  });

  // listingChars' per-object figures are kept like the JSON (keptBuilder): what is kept must be
  // what a state that keeps nothing (a clone) counts, follow writes, and stop at the limit.
  it('estimates a listing as a state that keeps nothing does, after writes, in any order, up to its limit', () => {
    const { state, session } = cluster(2, 26, 8);
    const type = resourceTypeByKind('Pod')!;
    const items = (s: typeof state) => sortedObjects(s, type).map((obj) => ({ type, obj }));
    const fresh = () => { const clone = structuredClone(state); return listingChars(clone, items(clone), Infinity); };
    runLine(state, session, 'kubectl get pods -A -o json | wc -c'); // kept from here on
    const before = listingChars(state, items(state), Infinity);
    expect(before).toBe(fresh());
    const victim = items(state).find(({ obj }) => obj.metadata.namespace === 'default')!.obj;
    mutateObject(state, 'Pod', keyOf(victim), (p) => void (p.metadata.annotations.grown = 'x'.repeat(5000)));
    const after = listingChars(state, items(state), Infinity);
    expect(after).toBeGreaterThanOrEqual(before + 5000);
    expect(after).toBe(fresh());
    expect(listingChars(state, items(state).reverse(), Infinity)).toBe(after);
    const first = listingChars(state, items(state).slice(0, 1), Infinity);
    expect(listingChars(state, items(state), 0)).toBe(first);
    expect(listingChars(state, items(state), first)).toBe(first + listingChars(state, items(state).slice(1, 2), Infinity));
  });
});
