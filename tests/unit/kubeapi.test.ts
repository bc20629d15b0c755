// The REST API over a cluster (server/kubeapi/handler.ts) and its HTTP edge
// (server/http/kube-api.ts): discovery from the one table of resource types, Status errors as
// the apiserver writes them (k8s.io/apimachinery pkg/api/errors/errors.go), lists in pages,
// server-side Tables from the shell's printers, writes through the shell's write path, and
// hostile requests refused with a Status.
import { describe, expect, it } from 'vitest';
import { kindServed, storedKindInfo } from '../../server/cluster/stored-kinds.js';
import { createCluster, demoClusterSpec } from '../../server/cluster/index.js';
import type { ClusterState } from '../../server/cluster/types.js';
import { buildKubeApi, clusterBackend, MAX_BODY_BYTES } from '../../server/http/kube-api.js';
import { handleApiRequest, startWatch, type ApiRequest } from '../../server/kubeapi/handler.js';
import { BOOKMARK_STEPS, watchStep } from '../../server/kubeapi/watch.js';
import { newSession, runLine } from '../../server/shell/index.js';
import { DISCOVERY_ONLY, RESOURCE_TYPES } from '../../server/shell/kubectl/resources.js';
import { isPreferred } from '../../server/shell/kubectl/discovery.js';
import { METRICS_TYPES } from '../../server/shell/kubectl/metrics-api.js';

const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

function request(state: ClusterState, method: ApiRequest['method'], path: string, extra: Partial<ApiRequest> = {}) {
  const [p, q = ''] = path.split('?');
  const res = handleApiRequest(state, { method, path: p!, query: Object.fromEntries(new URLSearchParams(q)), accept: 'application/json', contentType: 'application/json', ...extra });
  return res as { status: number; body: any };
}

const fresh = (): ClusterState => createCluster(demoClusterSpec, 1);

describe('discovery', () => {
  it('lists every resource type once, at its group version, like api-resources', () => {
    const state = fresh();
    const groups = request(state, 'GET', '/apis').body.groups as { name: string; preferredVersion: { groupVersion: string } }[];
    const served = ['v1', ...groups.map((g) => g.preferredVersion.groupVersion)];
    const listed = served.flatMap((gv) => {
      const list = request(state, 'GET', gv === 'v1' ? '/api/v1' : `/apis/${gv}`).body;
      return (list.resources as { name: string }[]).map((r) => `${r.name}.${gv}`);
    });
    // Subresources ride along: the scale client finds deployments/scale (kind Scale, autoscaling/v1) here.
    expect(listed.filter((r) => r.includes('/scale.'))).toEqual(['deployments/scale.apps/v1', 'replicasets/scale.apps/v1', 'statefulsets/scale.apps/v1']);
    // And pods' eviction and binding (drain finds eviction here), and the status subresources.
    expect(listed.filter((r) => /^pods\/(eviction|binding)\./.test(r))).toEqual(['pods/binding.v1', 'pods/eviction.v1']);
    expect(listed).toContain('deployments/status.apps/v1');
    listed.splice(0, listed.length, ...listed.filter((r) => !r.split('.')[0]!.includes('/')));
    // Custom kinds (MetalLB's) are served only once their CRD is installed, as api-resources lists them.
    const servedTypes = RESOURCE_TYPES.filter((t) => {
      const info = storedKindInfo(t.kind);
      return !info || kindServed(state.stored, info);
    });
    // Plus the resources listed only in discovery, at their preferred versions, so no group version is listed empty.
    // And metrics-server's two, from its own discovery document (aggregated).
    const listedOnly = [...DISCOVERY_ONLY.filter(isPreferred), ...METRICS_TYPES];
    expect(listed.sort()).toEqual([...servedTypes, ...listedOnly].map((t) => `${t.plural}.${t.apiVersion}`).sort());
    for (const gv of groups.flatMap((g) => (g as unknown as { versions: { groupVersion: string }[] }).versions.map((v) => v.groupVersion))) {
      expect(request(state, 'GET', `/apis/${gv}`).body.resources.length, gv).toBeGreaterThan(0);
    }
    // autoscaling/v2 is what the apiserver prefers (and where HorizontalPodAutoscaler is served).
    expect(groups.find((g) => g.name === 'autoscaling')!.preferredVersion.groupVersion).toBe('autoscaling/v2');
  });

  it('answers /version while etcd is down, and nothing else', () => {
    const state = fresh();
    state.etcd.healthy = false;
    expect(JSON.parse(request(state, 'GET', '/version').body).gitVersion).toBe('v1.29.4');
    expect(request(state, 'GET', '/api/v1/namespaces/default/pods').body).toMatchObject({ code: 500, message: 'etcdserver: request timed out' });
    expect(request(state, 'GET', '/api/v1/namespaces/default/pods').body.reason).toBeUndefined();
  });
});

describe('reads', () => {
  it('answers a missing object with the apiserver NotFound Status', () => {
    const state = fresh();
    expect(request(state, 'GET', '/api/v1/namespaces/default/pods/nope')).toEqual({
      status: 404,
      body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'pods "nope" not found', reason: 'NotFound', details: { name: 'nope', kind: 'pods' }, code: 404 },
    });
    expect(request(state, 'GET', '/apis/apps/v1/namespaces/default/deployments/nope').body).toMatchObject({ message: 'deployments.apps "nope" not found', details: { name: 'nope', group: 'apps', kind: 'deployments' } });
    expect(request(state, 'GET', '/api/v1/namespaces/default/nothings').body).toMatchObject({ code: 404, message: 'the server could not find the requested resource' });
  });

  it('pages across namespaces whose names prefix each other (shop, shop-staging) without losing objects', () => {
    const state = fresh();
    for (const ns of ['shop', 'shop-staging']) {
      request(state, 'POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } });
      for (const name of ['a1', 'b1']) request(state, 'POST', `/api/v1/namespaces/${ns}/configmaps`, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } } });
    }
    const key = (o: any) => `${o.metadata.namespace}/${o.metadata.name}`;
    const all = request(state, 'GET', '/api/v1/configmaps').body.items.map(key);
    const paged: string[] = [];
    let token = '';
    for (let i = 0; i < 100; i++) {
      const page = request(state, 'GET', `/api/v1/configmaps?limit=1${token ? `&continue=${token}` : ''}`).body;
      paged.push(...page.items.map(key));
      token = page.metadata.continue ?? '';
      if (!token) break;
    }
    expect(all).toContain('shop-staging/b1');
    expect(paged).toEqual(all);
  });

  it('pages a list with limit and continue, in listing order', () => {
    const state = fresh();
    const all = request(state, 'GET', '/api/v1/pods').body.items.map((p: any) => p.metadata.name);
    const pages: string[] = [];
    let token = '';
    for (let i = 0; i < 20; i++) {
      const page = request(state, 'GET', `/api/v1/pods?limit=5${token ? `&continue=${token}` : ''}`).body;
      pages.push(...page.items.map((p: any) => p.metadata.name));
      token = page.metadata.continue ?? '';
      if (!token) break;
    }
    expect(pages).toEqual(all);
    expect(request(state, 'GET', '/api/v1/pods?limit=5&continue=garbage').status).toBe(400);
  });

  it('filters by label and field selectors, refusing unknown field labels', () => {
    const state = fresh();
    const names = (q: string): string[] => request(state, 'GET', `/api/v1/pods?${q}`).body.items.map((p: any) => p.metadata.name);
    expect(names('labelSelector=app%3Dweb').every((n) => n.startsWith('web-'))).toBe(true);
    expect(names('fieldSelector=spec.nodeName%3Dworker-1').length).toBeGreaterThan(0);
    expect(request(state, 'GET', '/api/v1/pods?fieldSelector=spec.foo%3Dx').body).toMatchObject({ code: 400, reason: 'BadRequest', message: 'field label not supported: spec.foo' });
  });

  it('prints a Table with the shell printer\'s columns, wide ones at priority 1', () => {
    const state = fresh();
    const table = request(state, 'GET', '/api/v1/namespaces/default/pods', { accept: TABLE }).body;
    expect(table.kind).toBe('Table');
    expect(table.columnDefinitions.map((c: any) => [c.name, c.priority])).toEqual([
      ['NAME', 0], ['READY', 0], ['STATUS', 0], ['RESTARTS', 0], ['AGE', 0], ['IP', 1], ['NODE', 1], ['NOMINATED NODE', 1], ['READINESS GATES', 1],
    ]);
    expect(table.rows[0].object.kind).toBe('PartialObjectMetadata');
    // The same cells the shell prints.
    const shell = runLine(state, newSession(state), 'kubectl get pods -o wide --no-headers').output.split('\n')[0]!.split(/\s{2,}/);
    expect(table.rows[0].cells).toEqual(shell);
  });
});

describe('writes', () => {
  const configMap = (name: string, data: Record<string, string> = { a: '1' }) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });

  it('creates, refuses a second create, patches and deletes through the shell\'s write path', () => {
    const state = fresh();
    expect(request(state, 'POST', '/api/v1/namespaces/default/configmaps', { body: configMap('x') }).status).toBe(201);
    expect(runLine(state, newSession(state), 'kubectl get cm x -o jsonpath={.data.a}').output).toBe('1');
    expect(request(state, 'POST', '/api/v1/namespaces/default/configmaps', { body: configMap('x') }).body).toMatchObject({
      code: 409, reason: 'AlreadyExists', message: 'configmaps "x" already exists', details: { name: 'x', kind: 'configmaps' },
    });
    const patched = request(state, 'PATCH', '/api/v1/namespaces/default/configmaps/x', { contentType: 'application/merge-patch+json', body: { data: { b: '2' } } });
    expect(patched.body.data).toEqual({ a: '1', b: '2' });
    // kubectl delete --dry-run=server sends its DeleteOptions with dryRun [All] (apimachinery meta/v1 DeleteOptions): nothing is deleted.
    const dry = request(state, 'DELETE', '/api/v1/namespaces/default/configmaps/x', { body: { kind: 'DeleteOptions', apiVersion: 'v1', dryRun: ['All'], propagationPolicy: 'Background' } });
    expect(dry.status).toBe(200);
    expect(request(state, 'GET', '/api/v1/namespaces/default/configmaps/x').status).toBe(200);
    expect(request(state, 'DELETE', '/api/v1/namespaces/default/configmaps/x').status).toBe(200);
    expect(request(state, 'GET', '/api/v1/namespaces/default/configmaps/x').status).toBe(404);
  });

  // The apiserver gives a dry-run create a uid and no resourceVersion; ours must not move the
  // seeded generator, or a cluster that dry-ran would give later objects other uids than its twin.
  it('answers a dry-run create with a uid and no resourceVersion, leaving the generator where it was', () => {
    const state = fresh();
    const rng = structuredClone(state.rng);
    const dry = request(state, 'POST', '/api/v1/namespaces/default/configmaps?dryRun=All', { body: configMap('d') });
    expect(dry.status).toBe(201);
    expect(dry.body.metadata.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(dry.body.metadata.resourceVersion).toBeUndefined();
    expect(state.rng).toEqual(rng);
    expect(request(state, 'GET', '/api/v1/namespaces/default/configmaps/d').status).toBe(404);
    // The shell's server dry run prints the same object.
    const shown = runLine(state, newSession(state), 'kubectl create cm d --from-literal=a=1 --dry-run=server -o jsonpath={.metadata.uid}/{.metadata.resourceVersion}').output;
    expect(shown).toBe(`${dry.body.metadata.uid}/`);
    expect(state.rng).toEqual(rng);
  });

  it('answers a stale resourceVersion with Conflict, and invalid objects with their causes', () => {
    const state = fresh();
    request(state, 'POST', '/api/v1/namespaces/default/configmaps', { body: configMap('x') });
    const stale = { ...configMap('x', { a: '2' }), metadata: { name: 'x', resourceVersion: '1' } };
    expect(request(state, 'PUT', '/api/v1/namespaces/default/configmaps/x', { body: stale }).body).toMatchObject({ code: 409, reason: 'Conflict' });
    const web = request(state, 'GET', '/apis/apps/v1/namespaces/default/deployments/web').body;
    const bad = request(state, 'PUT', '/apis/apps/v1/namespaces/default/deployments/web', { body: { ...web, spec: { ...web.spec, replicas: -1 } } });
    expect(bad.status).toBe(422);
    expect(bad.body).toMatchObject({ reason: 'Invalid', details: { name: 'web', group: 'apps', kind: 'Deployment' } });
    expect(bad.body.details.causes[0]).toMatchObject({ field: 'spec.replicas', reason: 'FieldValueInvalid' });
  });

  it('refuses to delete a system namespace, as the shell does', () => {
    const state = fresh();
    expect(request(state, 'DELETE', '/api/v1/namespaces/kube-system').body).toMatchObject({ code: 403, reason: 'Forbidden', message: 'namespaces "kube-system" is forbidden: this namespace may not be deleted' });
  });
});

describe('watches', () => {
  it('reports objects added, modified and deleted after the resourceVersion named, in order', () => {
    const state = fresh();
    const path = '/api/v1/namespaces/default/configmaps';
    const revision = String(state.etcd.revision);
    const opened = startWatch(state, { method: 'GET', path, query: { watch: 'true', resourceVersion: revision }, accept: 'application/json', contentType: '' });
    if (!opened.ok) throw new Error('watch refused');
    expect(opened.events).toEqual([]);
    request(state, 'POST', path, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'w' }, data: { a: '1' } } });
    request(state, 'PATCH', `${path}/w`, { contentType: 'application/merge-patch+json', body: { data: { a: '2' } } });
    const added = watchStep(state, opened.cursor);
    expect(added.map((e) => [e.type, (e.object as any).metadata.name, (e.object as any).data])).toEqual([['ADDED', 'w', { a: '2' }]]);
    request(state, 'PATCH', `${path}/w`, { contentType: 'application/merge-patch+json', body: { data: { a: '3' } } });
    expect(watchStep(state, opened.cursor).map((e) => e.type)).toEqual(['MODIFIED']);
    expect(watchStep(state, opened.cursor)).toEqual([]);
    request(state, 'DELETE', `${path}/w`);
    expect(watchStep(state, opened.cursor).map((e) => [e.type, (e.object as any).metadata.name])).toEqual([['DELETED', 'w']]);
  });

  it('without a resourceVersion, starts with every object ADDED; a Table watch sends Table rows', () => {
    const state = fresh();
    const opened = startWatch(state, { method: 'GET', path: '/api/v1/nodes', query: { watch: 'true' }, accept: TABLE, contentType: '' });
    if (!opened.ok) throw new Error('watch refused');
    expect(opened.events.map((e) => e.type)).toEqual(Object.keys(state.nodes).map(() => 'ADDED'));
    expect((opened.events[0]!.object as any).kind).toBe('Table');
  });
});

describe('every listed kind', () => {
  it('answers a Table list for each resource discovery lists (custom kinds included), never a 500', () => {
    // Discovery-only resources (events.k8s.io, the review APIs) are listed but not served: 404.
    const state = fresh();
    const groups = request(state, 'GET', '/apis').body.groups as { preferredVersion: { groupVersion: string } }[];
    for (const gv of ['v1', ...groups.map((g) => g.preferredVersion.groupVersion)]) {
      const list = request(state, 'GET', gv === 'v1' ? '/api/v1' : `/apis/${gv}`).body as { resources: { name: string; verbs: string[] }[] };
      for (const r of list.resources.filter((x) => !x.name.includes('/') && x.verbs.includes('list'))) {
        const path = `${gv === 'v1' ? '/api/v1' : `/apis/${gv}`}/${r.name}`;
        expect([200, 404], path).toContain(request(state, 'GET', path, { accept: TABLE }).status);
      }
    }
  });
});

describe('hostile bodies', () => {
  it('a body nested past 1000 levels is a 400 Status, before any handler recurses into it', () => {
    const state = fresh();
    let body: any = 1;
    for (let i = 0; i < 100_000; i++) body = { a: body };
    const res = request(state, 'PATCH', '/apis/apps/v1/namespaces/default/deployments/web', { contentType: 'application/merge-patch+json', body });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ kind: 'Status', reason: 'BadRequest', message: 'exceeded max depth' });
    expect(request(state, 'GET', '/apis/apps/v1/namespaces/default/deployments/web').body.metadata.generation).toBe(1);
  });
});

describe('resourceVersion semantics and bookmarks', () => {
  it('answers a watch from before etcd\'s compaction with one ERROR event: 410 Expired, as the watch cache does', () => {
    const state = fresh();
    state.etcd.compactedRevision = state.etcd.revision - 5;
    const old = String(state.etcd.compactedRevision - 1);
    const opened = startWatch(state, { method: 'GET', path: '/api/v1/pods', query: { watch: 'true', resourceVersion: old }, accept: 'application/json', contentType: '' });
    if (opened.ok) throw new Error('an expired watch was opened');
    expect(opened.response.status).toBe(200);
    expect(JSON.parse(opened.response.body as string)).toEqual({
      type: 'ERROR',
      object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `too old resource version: ${old} (${state.etcd.compactedRevision})`, reason: 'Expired', code: 410 },
    });
    expect(startWatch(state, { method: 'GET', path: '/api/v1/pods', query: { watch: 'true', resourceVersion: String(state.etcd.revision) }, accept: 'application/json', contentType: '' }).ok).toBe(true);
  });

  it('sends a BOOKMARK with the current revision after quiet steps, only when asked (allowWatchBookmarks)', () => {
    const state = fresh();
    const watch = (query: Record<string, string>) => {
      const opened = startWatch(state, { method: 'GET', path: '/api/v1/namespaces/default/configmaps', query: { watch: 'true', resourceVersion: String(state.etcd.revision), ...query }, accept: 'application/json', contentType: '' });
      if (!opened.ok) throw new Error('watch refused');
      return opened.cursor;
    };
    const marked = watch({ allowWatchBookmarks: 'true' });
    const plain = watch({});
    // A write elsewhere moves the revision without touching what the watches select.
    request(state, 'POST', '/api/v1/namespaces/kube-system/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'elsewhere' } } });
    const steps = (cursor: typeof marked) => Array.from({ length: BOOKMARK_STEPS }, () => watchStep(state, cursor)).flat();
    expect(steps(marked)).toEqual([{ type: 'BOOKMARK', object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: String(state.etcd.revision) } } }]);
    expect(steps(plain)).toEqual([]);
    // Nothing moved since: no second bookmark.
    expect(steps(marked)).toEqual([]);
  });
});

describe('pods/log', () => {
  const logOf = (state: ClusterState, query: string) => request(state, 'GET', `/api/v1/namespaces/kube-system/pods/${podOf(state)}/log${query}`) as { status: number; body: any; contentType?: string };
  const podOf = (state: ClusterState) => Object.values(state.pods).find((p) => p.metadata.labels['k8s-app'] === 'kube-dns')!.metadata.name;

  it('answers the container\'s log as text, with tailLines and timestamps as kubectl logs prints them', () => {
    const state = fresh();
    const name = podOf(state);
    const shell = runLine(state, newSession(state), `kubectl logs -n kube-system ${name} --tail=2 --timestamps`).output;
    const log = logOf(state, '?container=coredns&tailLines=2&timestamps=true');
    expect(log).toMatchObject({ status: 200, contentType: 'text/plain' });
    expect(log.body).toBe(shell);
    expect(log.body.split('\n')).toHaveLength(3);
  });

  it('refuses what the apiserver refuses: an unknown container, no previous instance, a missing pod', () => {
    const state = fresh();
    expect(logOf(state, '?container=nope').body).toMatchObject({ reason: 'BadRequest', message: `container nope is not valid for pod ${podOf(state)}` });
    expect(logOf(state, '?previous=true').body).toMatchObject({ reason: 'BadRequest', message: `previous terminated container "coredns" in pod "${podOf(state)}" not found` });
    expect(logOf(state, '?tailLines=-1').status).toBe(400);
    expect(request(state, 'GET', '/api/v1/namespaces/kube-system/pods/nope/log').body).toMatchObject({ reason: 'NotFound', message: 'pods "nope" not found' });
  });
});

describe('pods/exec (kubeapi/exec.ts: the command as a whole; the stream is the edge\'s)', () => {
  const running = (state: ClusterState) => Object.values(state.pods).find((p) => p.metadata.namespace === 'default' && p.status.phase === 'Running')!;
  const exec = (state: ClusterState, body: unknown, method: ApiRequest['method'] = 'POST', pod = running(state).metadata.name) =>
    request(state, method, `/api/v1/namespaces/default/pods/${pod}/exec`, { body: body as ApiRequest['body'] });

  it('runs the command through the shell\'s exec programs: its stdout, stderr and exit code, or what the runtime could not start', () => {
    const state = fresh();
    const inShell = runLine(state, newSession(state), `kubectl exec ${running(state).metadata.name} -- cat /etc/resolv.conf`).output;
    expect(exec(state, { command: ['cat', '/etc/resolv.conf'] })).toEqual({ status: 200, body: { stdout: inShell, stderr: '', exitCode: 0 } });
    expect(exec(state, { command: ['cat', '/nope'] }).body).toEqual({ stdout: '', stderr: 'cat: /nope: No such file or directory\n', exitCode: 1 });
    expect(exec(state, { command: ['nosuch'] }).body).toMatchObject({ exitCode: 1, failed: expect.stringMatching(/^Internal error occurred: .*exec: "nosuch": executable file not found in \$PATH: unknown$/) });
    // stdin: a program reads it; a lone shell runs its lines, and an interactive one (tty) stays open with its prompt and state.
    expect(exec(state, { command: ['cat'], stdin: 'in\n' }).body).toEqual({ stdout: 'in\n', stderr: '', exitCode: 0 });
    expect(exec(state, { command: ['sh'], stdin: 'cd /etc\npwd\n', tty: true }).body).toMatchObject({ stdout: '/etc\n', exitCode: 0, prompt: '# ', cwd: '/etc' });
    expect(exec(state, { command: ['sh'], stdin: 'pwd\nexit 4\n' }).body).toEqual({ stdout: '/\n', stderr: '', exitCode: 4 });
  });

  it('gives a request one line\'s budget for all its stdin lines: a line each of busy loops is stopped, not run for seconds', () => {
    const state = fresh();
    const started = performance.now();
    const { body } = exec(state, { command: ['sh'], stdin: 'while :; do :; done\n'.repeat(400) }) as { body: { stdout: string } };
    expect(body.stdout).toMatch(/CPU time limit exceeded/);
    expect(performance.now() - started).toBeLessThan(1500); // a fresh budget a line took ~5 s
  });

  it('refuses before any run what the apiserver and kubelet refuse, each as kubectl shows it', () => {
    const state = fresh();
    expect(exec(state, { command: ['ls'] }, 'GET').status).toBe(405);
    expect(exec(state, { command: [] }).body).toMatchObject({ reason: 'BadRequest', message: 'you must specify at least one command for the container' });
    expect(exec(state, { command: ['ls'], extra: 1 }).status).toBe(400);
    expect(exec(state, { command: ['ls'], stdin: 'x'.repeat(64 * 1024 + 1) }).status).toBe(400);
    expect(exec(state, { command: ['ls'] }, 'POST', 'nope').body).toMatchObject({ reason: 'NotFound', message: 'pods "nope" not found' });
    expect(exec(state, { command: ['ls'], container: 'nope' }).body).toMatchObject({ reason: 'BadRequest', message: `container nope is not valid for pod ${running(state).metadata.name}` });
  });
});

describe('the HTTP edge', () => {
  const token = 'edge-token';
  const auth = { authorization: `Bearer ${token}` };

  it('refuses requests without the token, oversized or malformed bodies and repeated parameters with a Status', async () => {
    const state = fresh();
    const app = buildKubeApi({ backend: clusterBackend({ state: () => state, token }) });
    try {
      const unauthorized = await app.inject({ method: 'GET', url: '/api/v1/pods' });
      expect(unauthorized.statusCode).toBe(401);
      expect(unauthorized.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized' });
      const wrong = await app.inject({ method: 'GET', url: '/api/v1/pods', headers: { authorization: 'Bearer nope' } });
      expect(wrong.statusCode).toBe(401);
      const big = await app.inject({ method: 'POST', url: '/api/v1/namespaces/default/configmaps', headers: { ...auth, 'content-type': 'application/json' }, payload: `{"a":"${'x'.repeat(MAX_BODY_BYTES)}"}` });
      expect(big.statusCode).toBe(413);
      expect(big.json()).toMatchObject({ kind: 'Status', reason: 'RequestEntityTooLarge' });
      const badJson = await app.inject({ method: 'POST', url: '/api/v1/namespaces/default/configmaps', headers: { ...auth, 'content-type': 'application/json' }, payload: '{' });
      expect(badJson.statusCode).toBe(400);
      expect(badJson.json()).toMatchObject({ kind: 'Status', reason: 'BadRequest' });
      const repeated = await app.inject({ method: 'GET', url: '/api/v1/pods?limit=1&limit=2', headers: auth });
      expect(repeated.statusCode).toBe(400);
      const ok = await app.inject({ method: 'GET', url: '/api/v1/namespaces/default/pods', headers: auth });
      expect(ok.statusCode).toBe(200);
      expect(ok.json().kind).toBe('PodList');
    } finally {
      await app.close();
    }
  });

  it('parses a body only once the token names a session, and a YAML body only as far as a line may', async () => {
    const state = fresh();
    const app = buildKubeApi({ backend: clusterBackend({ state: () => state, token }) });
    const apply = (body: string, headers: Record<string, string> = auth) => app.inject({
      method: 'PATCH', url: '/api/v1/namespaces/default/configmaps/big?fieldManager=curl', headers: { ...headers, 'content-type': 'application/apply-patch+yaml' }, payload: body,
    });
    const configMap = (keys: number) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n${Array.from({ length: keys }, (_, i) => `  k${i}: v`).join('\n')}\n`;
    try {
      // Without a token nothing is parsed: the answer is 401 whatever the body holds.
      expect((await apply('{[', {})).statusCode).toBe(401);
      // Parsing YAML costs some hundred times what JSON.parse does (20,000 keys: 4 s, nothing else served meanwhile).
      const tooBig = await apply(configMap(20_000));
      expect(tooBig.statusCode).toBe(400);
      expect(tooBig.json()).toMatchObject({ kind: 'Status', reason: 'BadRequest', message: expect.stringContaining('yaml: document too large to parse here') });
      expect(state.configmaps['default/big']).toBeUndefined();
      expect((await apply(configMap(500))).statusCode).toBe(201);
      expect(Object.keys(state.configmaps['default/big']!.data ?? {})).toHaveLength(500);
    } finally {
      await app.close();
    }
  });

  it('sends the apiserver\'s Warning header for a deprecated kind', async () => {
    const state = fresh();
    const app = buildKubeApi({ backend: clusterBackend({ state: () => state, token }) });
    try {
      const cs = await app.inject({ method: 'GET', url: '/api/v1/componentstatuses', headers: auth });
      expect(cs.headers.warning).toBe('299 - "v1 ComponentStatus is deprecated in v1.19+"');
      expect((await app.inject({ method: 'GET', url: '/api/v1/pods', headers: auth })).headers.warning).toBeUndefined();
    } finally {
      await app.close();
    }
  });

  it('streams a followed log (follow=true) as the container writes, until the pod is gone', async () => {
    const state = fresh();
    const pod = Object.values(state.pods).find((p) => p.metadata.labels.app === 'web')!;
    const app = buildKubeApi({ backend: clusterBackend({ state: () => state, token }) });
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const response = await fetch(`${address}/api/v1/namespaces/default/pods/${pod.metadata.name}/log?follow=true&tailLines=1`, { headers: auth });
      expect(response.headers.get('content-type')).toBe('text/plain');
      const reader = response.body!.getReader();
      const first = new TextDecoder().decode((await reader.read()).value);
      expect(first.split('\n')).toHaveLength(2);
      const status = pod.status.containerStatuses[0]!;
      status.logs.push({ at: state.now, text: 'a line written while followed' });
      expect(new TextDecoder().decode((await reader.read()).value)).toBe('a line written while followed\n');
      delete state.pods[`default/${pod.metadata.name}`];
      expect((await reader.read()).done).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('streams a watch as time passes, one event a line, and ends it when the server closes', async () => {
    const state = fresh();
    const app = buildKubeApi({ backend: clusterBackend({ state: () => state, token }) });
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const response = await fetch(`${address}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${state.etcd.revision}`, { headers: auth });
      expect(response.status).toBe(200);
      const reader = response.body!.getReader();
      handleApiRequest(state, { method: 'POST', path: '/api/v1/namespaces/default/configmaps', query: {}, accept: 'application/json', contentType: 'application/json', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'streamed' } } });
      let text = '';
      while (!text.includes('\n')) {
        const chunk = await reader.read();
        if (chunk.done) break;
        text += new TextDecoder().decode(chunk.value);
      }
      expect(JSON.parse(text.split('\n')[0]!)).toMatchObject({ type: 'ADDED', object: { kind: 'ConfigMap', metadata: { name: 'streamed' } } });
      await app.close();
      expect((await reader.read()).done).toBe(true);
    } finally {
      await app.close();
    }
  });
});
