// metrics.k8s.io as the apiserver aggregates it from metrics-server v0.7 (pkg/api: NodeMetrics,
// PodMetrics; get and list only, no singular names) and kube-aggregator's proxy (503 "service
// unavailable" while the service cannot answer, which client-go words "the server is currently
// unable to handle the request"). The real kubectl's `top` through the API is compared with the
// shell's in tests/differential (kubectl-corpus.ts HAND_LINES).
import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec, tick } from '../../server/cluster/index.js';
import { handleApiRequest } from '../../server/kubeapi/handler.js';
import { newSession, runLine } from '../../server/shell/index.js';

function world() {
  const state = createCluster(demoClusterSpec, 1);
  const session = newSession(state);
  const run = (line: string) => runLine(state, session, line, { advance: (ms) => tick(state, ms) });
  const get = (path: string, query: Record<string, string> = {}) => handleApiRequest(state, { method: 'GET', path, query, accept: 'application/json', contentType: '' });
  return { state, run, get };
}

describe('metrics.k8s.io', () => {
  it('is discovered while its APIService is registered, last among the groups', () => {
    const { run, get } = world();
    const groups = (get('/apis').body as { groups: { name: string }[] }).groups;
    expect(groups.at(-1)!.name).toBe('metrics.k8s.io');
    expect(get('/apis/metrics.k8s.io/v1beta1').body).toEqual({
      kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'metrics.k8s.io/v1beta1',
      resources: [
        { name: 'nodes', singularName: '', namespaced: false, kind: 'NodeMetrics', verbs: ['get', 'list'] },
        { name: 'pods', singularName: '', namespaced: true, kind: 'PodMetrics', verbs: ['get', 'list'] },
      ],
    });
    expect(run('kubectl api-resources --api-group=metrics.k8s.io -o wide').output).toBe(
      'NAME    SHORTNAMES   APIVERSION               NAMESPACED   KIND          VERBS      CATEGORIES\nnodes                metrics.k8s.io/v1beta1   false        NodeMetrics   get,list   \npods                 metrics.k8s.io/v1beta1   true         PodMetrics    get,list   \n',
    );
    expect(run('kubectl api-versions | grep metrics').output).toBe('metrics.k8s.io/v1beta1\n');
  });

  it('serves the usage kubectl top prints, as metrics-server writes it', () => {
    const { run, get } = world();
    const nodes = get('/apis/metrics.k8s.io/v1beta1/nodes').body as { kind: string; items: { metadata: { name: string }; usage: { cpu: string; memory: string }; window: string }[] };
    expect(nodes.kind).toBe('NodeMetricsList');
    const top = run('kubectl top nodes --no-headers').output.split('\n').filter((l) => l !== '').map((l) => l.trim().split(/ +/));
    expect(nodes.items.map((n) => [n.metadata.name, `${Number(n.usage.cpu.replace('n', '')) / 1e6}m`, `${Math.floor(Number(n.usage.memory.replace('Ki', '')) / 1024)}Mi`]))
      .toEqual(top.map((row) => [row[0], row[1], row[3]]));
    expect(nodes.items[0]!.usage.cpu).toMatch(/^\d+000000n$/);
    expect(nodes.items[0]!.window).toBe('20s');
    const pods = get('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods', { labelSelector: 'app=web' }).body as { kind: string; items: { metadata: { name: string; namespace: string }; containers: { name: string }[] }[] };
    expect(pods.kind).toBe('PodMetricsList');
    expect(pods.items.length).toBe(3);
    expect(pods.items.every((p) => p.metadata.namespace === 'default' && p.containers[0]!.name === 'nginx')).toBe(true);
    const one = get(`/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/${pods.items[0]!.metadata.name}`);
    expect((one.body as { kind: string }).kind).toBe('PodMetrics');
    expect(get('/apis/metrics.k8s.io/v1beta1/nodes/nope')).toMatchObject({ status: 404, body: { message: 'nodes.metrics.k8s.io "nope" not found', reason: 'NotFound' } });
    expect(run('kubectl get --raw /apis/metrics.k8s.io/v1beta1/nodes').output).toBe(JSON.stringify(get('/apis/metrics.k8s.io/v1beta1/nodes').body));
    expect(run('kubectl top pod nope').output).toBe('Error from server (NotFound): pods.metrics.k8s.io "nope" not found\n');
  });

  it('answers the aggregator\'s 503 while metrics-server is down; api-resources says which group it could not read', () => {
    const { run, get } = world();
    run('kubectl -n kube-system scale deploy metrics-server --replicas=0');
    run('sleep 35');
    expect(get('/apis/metrics.k8s.io/v1beta1/nodes')).toEqual({ status: 503, body: 'service unavailable\n', contentType: 'text/plain; charset=utf-8' });
    expect(get('/apis/metrics.k8s.io/v1beta1').status).toBe(503);
    expect((get('/apis').body as { groups: { name: string }[] }).groups.some((g) => g.name === 'metrics.k8s.io')).toBe(true);
    const raw = run('kubectl get --raw /apis/metrics.k8s.io/v1beta1/nodes');
    expect(raw.output).toBe('Error from server (ServiceUnavailable): the server is currently unable to handle the request\n');
    expect(raw.exitCode).toBe(1);
    const listed = run('kubectl api-resources');
    expect(listed.exitCode).toBe(1);
    expect(listed.output).toContain('error: unable to retrieve the complete list of server APIs: metrics.k8s.io/v1beta1: the server is currently unable to handle the request\n');
    expect(listed.output).not.toContain('NodeMetrics');
  });

  it('is not there without the add-on', () => {
    const state = createCluster({ ...structuredClone(demoClusterSpec), addons: { metricsServer: false } } as typeof demoClusterSpec, 1);
    const r = handleApiRequest(state, { method: 'GET', path: '/apis/metrics.k8s.io/v1beta1/nodes', query: {}, accept: '', contentType: '' });
    expect(r.status).toBe(404);
    expect(runLine(state, newSession(state), 'kubectl get --raw /apis/metrics.k8s.io/v1beta1/nodes').output).toBe('Error from server (NotFound): the server could not find the requested resource\n');
  });
});
