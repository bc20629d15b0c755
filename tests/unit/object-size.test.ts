// What one request or one line may make the server build, by the size of the objects:
// writes past the simulation's ceilings on one object (cluster/json.ts) are refused before any
// merge walks them, a listing is paged by its size (listing.ts MAX_PAGE_CHARS), so is a watch's step, and a
// shell line is charged for a listing before it is built (shell/kubectl/listing.ts listingChars).
// Bounds are on CPU time, generous (a 20,000-key ConfigMap took 0.15–1.2 s per write, its
// listings 1.2–3.4 s), and on steps.
import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec } from '../../server/cluster/index.js';
import { MAX_OBJECT_ENTRIES } from '../../server/cluster/json.js';
import type { ClusterState } from '../../server/cluster/types.js';
import { handleApiRequest, startWatch, type ApiRequest } from '../../server/kubeapi/handler.js';
import { watchStep } from '../../server/kubeapi/watch.js';
import { MAX_PAGE_CHARS } from '../../server/shell/kubectl/listing.js';
import { newSession, runLine } from '../../server/shell/index.js';
import { homeOf } from '../../server/shell/session.js';
import { LineBudget, MAX_STEPS_PER_LINE } from '../../server/shell/budget.js';
import { writeFile } from '../../server/shell/vfs.js';

const CM = '/api/v1/namespaces/default/configmaps';

/** The request's answer and the CPU time it took (ms). */
function request(state: ClusterState, method: ApiRequest['method'], path: string, body?: unknown, contentType = 'application/json', query: Record<string, string> = {}) {
  const before = process.cpuUsage();
  const res = handleApiRequest(state, { method, path, query, accept: 'application/json', contentType, ...(body !== undefined ? { body: body as ApiRequest['body'] } : {}) }) as { status: number; body: any };
  const used = process.cpuUsage(before);
  return { ...res, ms: (used.user + used.system) / 1000 };
}

const keys = (n: number, prefix = 'k'): Record<string, string> => Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, `v${i}`]));
const configMap = (name: string, data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });

/** Generous: a write or a page of normal size takes a few ms. */
const CPU_MS = 150;

describe('writes past the ceilings on one object', () => {
  it('refuses a 20,000-key ConfigMap however the API writes it, before building it, as RequestEntityTooLarge', () => {
    const state = createCluster(demoClusterSpec, 1);
    const big = keys(20_000);
    expect(request(state, 'POST', CM, configMap('small', { a: '1' })).status).toBe(201);
    const writes = [
      request(state, 'POST', CM, configMap('big', big)),
      request(state, 'PUT', `${CM}/small`, configMap('small', big)),
      request(state, 'PATCH', `${CM}/small`, { data: big }, 'application/merge-patch+json'),
      request(state, 'PATCH', `${CM}/small`, { data: big }, 'application/strategic-merge-patch+json'),
      request(state, 'PATCH', `${CM}/small`, [{ op: 'add', path: '/data', value: big }], 'application/json-patch+json'),
      request(state, 'PATCH', `${CM}/big`, configMap('big', big), 'application/apply-patch+yaml', { fieldManager: 'x' }),
    ];
    for (const w of writes) {
      expect(w.status).toBe(413);
      expect(w.body).toMatchObject({ kind: 'Status', reason: 'RequestEntityTooLarge', code: 413 });
      expect(w.body.message).toContain(`at most ${MAX_OBJECT_ENTRIES} in one`);
      expect(w.ms).toBeLessThan(CPU_MS);
    }
    expect(request(state, 'GET', `${CM}/small`).body.data).toEqual({ a: '1' });
    expect(request(state, 'GET', `${CM}/big`).status).toBe(404);
  });

  it('refuses a data map grown past the ceiling a patch at a time as field.TooMany', () => {
    const state = createCluster(demoClusterSpec, 1);
    expect(request(state, 'POST', CM, configMap('grown', keys(600, 'a'))).status).toBe(201);
    const r = request(state, 'PATCH', `${CM}/grown`, { data: keys(600, 'b') }, 'application/merge-patch+json');
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({ reason: 'Invalid', message: 'ConfigMap "grown" is invalid: data: Too many: 1200: must have at most 1000 items' });
  });

  it('refuses them in the shell too: apply, create, patch', () => {
    const state = createCluster(demoClusterSpec, 1);
    const session = newSession(state);
    const yaml = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n${Object.keys(keys(1500)).map((k) => `  ${k}: x\n`).join('')}`;
    writeFile(state, session, `${homeOf(session)}/big.yaml`, yaml);
    writeFile(state, session, `${homeOf(session)}/big.env`, Object.keys(keys(1500)).map((k) => `${k}=x\n`).join(''));
    writeFile(state, session, `${homeOf(session)}/patch.json`, JSON.stringify({ data: keys(1500) }));
    for (const line of ['kubectl apply -f big.yaml', 'kubectl apply --server-side -f big.yaml', 'kubectl create -f big.yaml']) {
      const before = process.cpuUsage();
      const out = runLine(state, session, line, { budget: new LineBudget() });
      const used = process.cpuUsage(before);
      expect(out.output, line).toContain('Error from server (RequestEntityTooLarge): error when');
      expect((used.user + used.system) / 1000, line).toBeLessThan(1000);
    }
    expect(runLine(state, session, 'kubectl create cm env --from-env-file=big.env').output).toBe('Error from server (Invalid): ConfigMap "env" is invalid: data: Too many: 1500: must have at most 1000 items\n');
    expect(runLine(state, session, 'kubectl create cm small --from-literal=a=1').output).toBe('configmap/small created\n');
    expect(runLine(state, session, 'kubectl patch cm small --type=merge -p "$(cat patch.json)"').output).toContain('Error from server (RequestEntityTooLarge): Request entity too large: the patch holds a map or list of 1500 entries');
    expect(runLine(state, session, 'kubectl get cm -o name').output).toBe('configmap/kube-root-ca.crt\nconfigmap/small\n');
  });

  it('refuses an object grown past them a write at a time, leaving it as it was', () => {
    const state = createCluster(demoClusterSpec, 1);
    const D = '/apis/apps/v1/namespaces/default/deployments';
    const template = (env: { name: string; value: string }[]) => ({ metadata: { labels: { app: 'g' } }, spec: { containers: [{ name: 'c', image: 'nginx', env }] } });
    const deployment = (env: { name: string; value: string }[]) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'g' }, spec: { selector: { matchLabels: { app: 'g' } }, template: template(env) } });
    const env = (prefix: string) => Array.from({ length: 600 }, (_, i) => ({ name: `${prefix}${i}`, value: 'x' }));
    expect(request(state, 'POST', D, deployment(env('A'))).status).toBe(201);
    const envOf = () => request(state, 'GET', `${D}/g`).body.spec.template.spec.containers[0].env.length;
    // Each write within the ceilings; merged (a strategic merge patch, a second manager's apply) past them.
    for (const w of [
      request(state, 'PATCH', `${D}/g`, { spec: { template: template(env('B')) } }, 'application/strategic-merge-patch+json'),
      request(state, 'PATCH', `${D}/g`, deployment(env('C')), 'application/apply-patch+yaml', { fieldManager: 'other' }),
    ]) {
      expect(w.status).toBe(413);
      expect(w.body).toMatchObject({ reason: 'RequestEntityTooLarge', message: `Request entity too large: the object holds a map or list of 1200 entries; the simulated cluster stores at most ${MAX_OBJECT_ENTRIES} in one` });
      expect(envOf()).toBe(600);
    }
    // The shell's writes that add to an object a line at a time.
    const session = newSession(state);
    const line = (text: string) => runLine(state, session, text, { budget: new LineBudget() }).output;
    const pairs = (prefix: string, suffix = '') => Array.from({ length: 600 }, (_, i) => `${prefix}${i}=v${suffix}`).join(' ');
    expect(line(`kubectl set env deploy/g ${pairs('D')}`)).toContain('Request entity too large: the object holds a map or list of 1200 entries');
    expect(envOf()).toBe(600);
    expect(line('kubectl create cm lab --from-literal=a=1')).toBe('configmap/lab created\n');
    expect(line(`kubectl label cm lab ${pairs('a')}`)).toBe('configmap/lab labeled\n');
    expect(line(`kubectl label cm lab ${pairs('b')}`)).toBe('Error from server (RequestEntityTooLarge): Request entity too large: the object holds a map or list of 1200 entries; the simulated cluster stores at most 1000 in one\n');
    expect(Object.keys(request(state, 'GET', `${CM}/lab`).body.metadata.labels)).toHaveLength(600);
    expect(line(`kubectl taint node cp-1 ${pairs('t', ':NoSchedule')}`)).toBe('node/cp-1 tainted\n');
    expect(line(`kubectl taint node cp-1 ${pairs('u', ':NoSchedule')}`)).toContain('Request entity too large');
    expect(request(state, 'GET', '/api/v1/nodes/cp-1').body.spec.taints.length).toBeLessThan(1000);
  });
});

describe('reads of many objects at the ceiling', () => {
  it('pages pods by their specs too', () => {
    const state = createCluster(demoClusterSpec, 1);
    // 4 containers of 600 variables each: ~7,200 values, within the ceilings; 40 of them are ~4 MB of JSON.
    const containers = Array.from({ length: 4 }, (_, c) => ({ name: `c${c}`, image: 'nginx', env: Array.from({ length: 600 }, (_, i) => ({ name: `VARIABLE_${i}`, value: `value-${i}` })) }));
    for (let i = 0; i < 40; i++) expect(request(state, 'POST', '/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${i}` }, spec: { containers } }).status).toBe(201);
    const page = request(state, 'GET', '/api/v1/namespaces/default/pods', undefined, 'application/json', { limit: '500' });
    expect(page.body.metadata.continue).toBeDefined();
    expect(JSON.stringify(page.body).length).toBeLessThan(3 * MAX_PAGE_CHARS);
  });


  // 300 ConfigMaps of 1000 keys: 8 MB of JSON (a listing of it took 0.8 s, `get cm -o json` 2 s).
  const state = createCluster(demoClusterSpec, 1);
  for (let i = 0; i < 300; i++) expect(request(state, 'POST', CM, configMap(`c${String(i).padStart(3, '0')}`, keys(MAX_OBJECT_ENTRIES))).status).toBe(201);

  it('lists them in pages of bounded size, each quick, which together hold them all', () => {
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = request(state, 'GET', CM, undefined, 'application/json', { limit: '500', ...(token ? { continue: token } : {}) });
      expect(page.status).toBe(200);
      expect(JSON.stringify(page.body).length).toBeLessThan(3 * MAX_PAGE_CHARS);
      expect(page.ms).toBeLessThan(CPU_MS);
      names.push(...page.body.items.map((o: any) => o.metadata.name));
      token = page.body.metadata.continue;
      pages++;
    } while (token !== undefined && pages < 100);
    expect(pages).toBeGreaterThan(1);
    expect(names.filter((n) => n.startsWith('c'))).toEqual(Array.from({ length: 300 }, (_, i) => `c${String(i).padStart(3, '0')}`));
    // One object is answered whole.
    expect(Object.keys(request(state, 'GET', `${CM}/c000`).body.data)).toHaveLength(MAX_OBJECT_ENTRIES);
  });

  it('opens a watch with them over several steps of bounded size, each object added once', () => {
    const opened = startWatch(state, { method: 'GET', path: CM, query: { watch: 'true' }, accept: 'application/json', contentType: '' });
    if (!opened.ok) throw new Error('watch refused');
    const added: string[] = [];
    let events = opened.events;
    for (let step = 0; step < 100 && events.length > 0; step++) {
      expect(JSON.stringify(events).length).toBeLessThan(3 * MAX_PAGE_CHARS);
      added.push(...events.map((e) => { expect(e.type).toBe('ADDED'); return (e.object as any).metadata.name as string; }));
      events = watchStep(state, opened.cursor);
    }
    expect(added.filter((n) => n.startsWith('c')).sort()).toEqual(Array.from({ length: 300 }, (_, i) => `c${String(i).padStart(3, '0')}`));
  });

  it('charges a shell line for the listing before building it: it stops at once, within its budget', () => {
    const session = newSession(state);
    for (const line of ['kubectl get cm -o json', 'kubectl get cm -o yaml', 'kubectl get cm -o jsonpath={..name}', 'kubectl get cm --sort-by=.metadata.name', 'kubectl describe cm']) {
      const budget = new LineBudget();
      const before = process.cpuUsage();
      const out = runLine(state, session, line, { budget });
      const used = process.cpuUsage(before);
      expect(out.exitCode, line).toBe(152);
      expect(out.output, line).toContain(`CPU time limit exceeded (a line may do ${MAX_STEPS_PER_LINE} steps of work)`);
      expect((used.user + used.system) / 1000, line).toBeLessThan(400);
    }
    // What fits is printed as before.
    expect(runLine(state, session, 'kubectl get cm c001 -o json | wc -l').output).toBe(`${MAX_OBJECT_ENTRIES + 13}\n`);
    expect(runLine(state, session, 'kubectl get cm --no-headers | wc -l').output).toBe('301\n');
  });
});
