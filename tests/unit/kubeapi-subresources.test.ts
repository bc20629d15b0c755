// Server-side apply and the pods/eviction, pods/binding and status subresources over the API's
// HTTP edge (real HTTP on a port of this process): the apiserver's answers (fieldmanager's
// conflict Status, eviction.go's 429 with its DisruptionBudget cause, BindingREST's Conflict),
// and hostile bodies refused with a 400/422 Status that changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec, tick } from '../../server/cluster/index.js';
import type { ClusterState } from '../../server/cluster/types.js';
import { buildKubeApi, clusterBackend } from '../../server/http/kube-api.js';
import { newSession, runLine } from '../../server/shell/index.js';

const token = 'subresource-token';
let state: ClusterState;
let address: string;
let close: () => Promise<void>;

beforeAll(async () => {
  state = createCluster(demoClusterSpec, 1);
  const app = buildKubeApi({ backend: clusterBackend({ state: () => state, token }) });
  address = await app.listen({ host: '127.0.0.1', port: 0 });
  close = async () => void (await app.close());
});
afterAll(async () => close?.());

async function call(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; body: any }> {
  const response = await fetch(`${address}${path}`, {
    method, headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: response.status, body: await response.json() };
}

const APPLY = 'application/apply-patch+yaml';
const DEPLOY = '/apis/apps/v1/namespaces/default/deployments';
const shell = (line: string) => runLine(state, newSession(state), line).output;

const ssaDeployment = (replicas: number, labels: Record<string, string> = { app: 'ssa', tier: 'x' }) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'ssa', labels },
  spec: { replicas, selector: { matchLabels: { app: 'ssa' } }, template: { metadata: { labels: { app: 'ssa' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } } },
});

describe('server-side apply (PATCH application/apply-patch+yaml)', () => {
  it('creates a missing object, records an Apply entry, and needs a fieldManager', async () => {
    const none = await call('PATCH', `${DEPLOY}/ssa`, ssaDeployment(2), APPLY);
    expect(none.status).toBe(422);
    expect(none.body.message).toBe('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
    const created = await call('PATCH', `${DEPLOY}/ssa?fieldManager=alice`, ssaDeployment(2), APPLY);
    expect(created.status).toBe(201);
    const entry = created.body.metadata.managedFields.find((e: any) => e.manager === 'alice');
    expect(entry).toMatchObject({ operation: 'Apply', fieldsType: 'FieldsV1' });
    expect(entry.fieldsV1['f:spec']).toMatchObject({ 'f:replicas': {}, 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"c"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } } });
    const again = await call('PATCH', `${DEPLOY}/ssa?fieldManager=alice`, ssaDeployment(2), APPLY);
    expect(again.status).toBe(200);
    // A resourceVersion sent is a precondition.
    const stale = await call('PATCH', `${DEPLOY}/ssa?fieldManager=alice`, { ...ssaDeployment(2), metadata: { name: 'ssa', resourceVersion: '1' } }, APPLY);
    expect(stale).toMatchObject({ status: 409, body: { reason: 'Conflict', details: { name: 'ssa', group: 'apps', kind: 'deployments' } } });
  });

  it('answers a conflict as the apiserver does, then takes the field when forced', async () => {
    const conflict = await call('PATCH', `${DEPLOY}/ssa?fieldManager=bob`, ssaDeployment(4), APPLY);
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({
      kind: 'Status', status: 'Failure', reason: 'Conflict', code: 409,
      message: 'Apply failed with 1 conflict: conflict with "alice": .spec.replicas',
      details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "alice"', field: '.spec.replicas' }] },
    });
    expect(shell('kubectl get deploy ssa -o jsonpath={.spec.replicas}')).toBe('2');
    // The built web Deployment was written by client-side apply: an Update manager, named with its apiVersion.
    const web = await call('PATCH', `${DEPLOY}/web?fieldManager=bob`, { ...ssaDeployment(7), metadata: { name: 'web' } }, APPLY);
    expect(web.body.details.causes.map((c: any) => c.message)).toContain('conflict with "kubectl-client-side-apply" using apps/v1');
    const forced = await call('PATCH', `${DEPLOY}/ssa?fieldManager=bob&force=true`, ssaDeployment(4, { app: 'ssa' }), APPLY);
    expect(forced.status).toBe(200);
    expect(forced.body.spec.replicas).toBe(4);
    const alice = forced.body.metadata.managedFields.find((e: any) => e.manager === 'alice');
    expect(alice.fieldsV1['f:spec']['f:replicas']).toBeUndefined();
  });

  it('removes a field its manager alone applied and no longer does; keeps one another manager co-owns', async () => {
    const applied = await call('PATCH', `${DEPLOY}/ssa?fieldManager=alice`, { ...ssaDeployment(2), spec: { ...ssaDeployment(2).spec, replicas: undefined }, metadata: { name: 'ssa', labels: { app: 'ssa' } } }, APPLY);
    expect(applied.status).toBe(200);
    // tier was alice's alone; app is bob's too.
    expect(applied.body.metadata.labels).toEqual({ app: 'ssa' });
    expect(applied.body.spec.replicas).toBe(4);
  });

  it('takes a YAML body; refuses hostile ones with a Status and changes nothing', async () => {
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  a: "1"\n';
    expect((await call('PATCH', '/api/v1/namespaces/default/configmaps/from-yaml?fieldManager=y', yaml, APPLY)).status).toBe(201);
    const before = state.etcd.revision;
    const refusals = [
      await call('PATCH', `${DEPLOY}/ssa?fieldManager=x`, '[1,2]', APPLY),
      await call('PATCH', `${DEPLOY}/ssa?fieldManager=x`, 'a: [', APPLY),
      await call('PATCH', `${DEPLOY}/ssa?fieldManager=x`, '---\na: 1\n---\nb: 2\n', APPLY),
      await call('PATCH', `${DEPLOY}/ssa?fieldManager=x`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ssa' } }, APPLY),
      await call('PATCH', `${DEPLOY}/ssa?fieldManager=x`, { ...ssaDeployment(1), metadata: { name: 'other' } }, APPLY),
      await call('PATCH', `${DEPLOY}/ssa?fieldManager=x&force=maybe`, ssaDeployment(1), APPLY),
      await call('PATCH', `${DEPLOY}/ssa?fieldManager=x`, { ...ssaDeployment(1), metadata: { name: 'ssa', managedFields: [{ manager: 'x' }] } }, APPLY),
      await call('PATCH', `${DEPLOY}/ssa?fieldManager=x&force=true`, { ...ssaDeployment(1), spec: { replicas: 'many', template: 7 } }, APPLY),
      await call('PATCH', `${DEPLOY}/ssa?fieldManager=x`, { ...ssaDeployment(1), spec: 'x' }, APPLY),
      await call('PATCH', `${DEPLOY}/ssa?fieldManager=x`, { ...ssaDeployment(1), metadata: [1] }, APPLY),
      await call('PATCH', `${DEPLOY}/ssa?fieldManager=x`, { ...ssaDeployment(1), spec: { template: { spec: { containers: [null, 5] } } } }, APPLY),
      await call('PATCH', `${DEPLOY}/ssa?fieldManager=x`, '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"ssa","labels":{"__proto__":{"polluted":"yes"}}}}', APPLY),
    ];
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(refusals[8]!.body.message).toBe('failed to create typed patch object (apps/v1, Kind=Deployment): .spec: expected map, got string');
    for (const [i, r] of refusals.entries()) {
      expect(r.body.kind, `refusal ${i}`).toBe('Status');
      expect([400, 422]).toContain(r.status);
    }
    expect(state.etcd.revision).toBe(before);
  });
});

describe('pods/eviction', () => {
  const podOf = (app: string, node?: string) => Object.values(state.pods).find((p) => p.metadata.labels.app === app && (!node || p.spec.nodeName === node) && !p.metadata.deletionTimestamp)!;
  const eviction = (name: string, extra: object = {}) => ({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: 'default' }, ...extra });

  it('evicts a pod (201 Status Success); a disruption budget refuses with 429 and its cause', async () => {
    const api = podOf('api');
    const evicted = await call('POST', `/api/v1/namespaces/default/pods/${api.metadata.name}/eviction`, eviction(api.metadata.name));
    expect(evicted).toEqual({ status: 201, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } });
    expect(state.pods[`default/${api.metadata.name}`]?.metadata.deletionTimestamp ?? 'gone').toBeDefined();
    shell('kubectl create pdb web --selector=app=web --min-available=3');
    const web = podOf('web');
    const refused = await call('POST', `/api/v1/namespaces/default/pods/${web.metadata.name}/eviction`, eviction(web.metadata.name));
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({
      reason: 'TooManyRequests', message: "Cannot evict pod as it would violate the pod's disruption budget.",
      details: { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget web needs 3 healthy pods and has 3 currently' }] },
    });
    expect(state.pods[`default/${web.metadata.name}`]!.metadata.deletionTimestamp).toBeUndefined();
  });

  it('refuses a missing pod, a GET, and hostile bodies with a Status', async () => {
    const web = podOf('web');
    const path = `/api/v1/namespaces/default/pods/${web.metadata.name}/eviction`;
    expect((await call('POST', '/api/v1/namespaces/default/pods/nope/eviction', eviction('nope'))).status).toBe(404);
    expect((await call('GET', path)).status).toBe(405);
    const before = state.etcd.revision;
    expect((await call('POST', path, [1])).status, 'array').toBe(400);
    expect((await call('POST', path, { kind: 'Binding' })).status, 'kind').toBe(400);
    expect((await call('POST', path, eviction('other'))).status, 'name').toBe(400);
    expect((await call('POST', path, eviction(web.metadata.name, { deleteOptions: { gracePeriodSeconds: -5 } }))).status).toBe(422);
    expect((await call('POST', path, eviction(web.metadata.name, { deleteOptions: 'x' }))).status).toBe(400);
    expect(state.etcd.revision).toBe(before);
  });
});

describe('pods/binding', () => {
  it('binds an unscheduled pod to a node, once; refuses a binding without a target', async () => {
    shell('kubectl run lonely --image=nginx');
    const key = 'default/lonely';
    state.pods[key]!.spec.nodeName = undefined as never;
    const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'lonely' }, target: { kind: 'Node', name: 'worker-2' } };
    expect((await call('POST', '/api/v1/namespaces/default/pods/lonely/binding', { ...binding, target: {} })).status).toBe(422);
    const bound = await call('POST', '/api/v1/namespaces/default/pods/lonely/binding', binding);
    expect(bound.status).toBe(201);
    expect(state.pods[key]!.spec.nodeName).toBe('worker-2');
    const again = await call('POST', '/api/v1/namespaces/default/pods/lonely/binding', binding);
    expect(again).toMatchObject({ status: 409, body: { reason: 'Conflict', message: 'Operation cannot be fulfilled on pods/binding "lonely": pod lonely is already assigned to node "worker-2"' } });
  });
});

describe('status subresources', () => {
  it('reads the object; a status write ignores the spec, a main write ignores the status', async () => {
    const got = await call('GET', `${DEPLOY}/web/status`);
    expect(got.status).toBe(200);
    expect(got.body.kind).toBe('Deployment');
    const ingresses = '/apis/networking.k8s.io/v1/namespaces/default/ingresses';
    const spec = { rules: [{ host: 'shop.example', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] };
    expect((await call('POST', ingresses, { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'shop' }, spec })).status).toBe(201);
    const lb = { loadBalancer: { ingress: [{ ip: '203.0.113.7' }] } };
    const written = await call('PATCH', `${ingresses}/shop/status`, { spec: { rules: [] }, status: lb }, 'application/merge-patch+json');
    expect(written.status).toBe(200);
    expect(written.body.status).toEqual(lb);
    expect(written.body.spec).toEqual(spec);
    expect(written.body.metadata.managedFields.at(-1)).toMatchObject({ manager: 'kubectl', operation: 'Update', subresource: 'status' });
    const main = await call('PATCH', `${ingresses}/shop`, { status: { loadBalancer: {} } }, 'application/merge-patch+json');
    expect(main.body.status).toEqual(lb);
    const before = state.etcd.revision;
    expect((await call('PUT', `${DEPLOY}/web/status`, 'null')).status).toBe(400);
    expect((await call('POST', `${DEPLOY}/web/status`, {})).status).toBe(405);
    expect((await call('PATCH', `${DEPLOY}/web/status`, { status: 'x' }, 'application/merge-patch+json')).status).toBe(422);
    expect(state.etcd.revision).toBe(before);
  });

  it('takes a modelled kind\'s status write; its kubelet or controller writes its own back at its next sync, keeping what it does not set', async () => {
    const node = Object.keys(state.nodes)[0]!;
    // The docs' "Advertise Extended Resources for a Node": a JSON patch of the node's status.
    const dongle = [{ op: 'add', path: '/status/capacity/example.com~1dongle', value: '4' }, { op: 'add', path: '/status/conditions/-', value: { type: 'KernelDeadlock', status: 'False', reason: 'KernelHasNoDeadlock', message: 'kernel has no deadlock' } }];
    const patched = await call('PATCH', `/api/v1/nodes/${node}/status`, dongle, 'application/json-patch+json');
    expect(patched.status).toBe(200);
    expect(patched.body.status.capacity['example.com/dongle']).toBe('4');
    expect(patched.body.metadata.managedFields.at(-1)).toMatchObject({ manager: 'kubectl', operation: 'Update', subresource: 'status' });
    const ready = (await call('GET', `/api/v1/nodes/${node}`)).body.status.conditions.find((c: { type: string }) => c.type === 'Ready');
    const notReady = await call('PATCH', `/api/v1/nodes/${node}/status?fieldManager=test`, { status: { conditions: [{ type: 'Ready', status: 'False', reason: 'Testing' }] } }, 'application/strategic-merge-patch+json');
    expect(notReady.body.status.conditions.find((c: { type: string }) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'Testing' });
    // A stale resourceVersion is a Conflict, as for any write.
    const stale = await call('PUT', `/api/v1/nodes/${node}/status`, { ...patched.body, metadata: { ...patched.body.metadata, resourceVersion: '1' } });
    expect(stale).toMatchObject({ status: 409, body: { reason: 'Conflict' } });
    // The kubelet's next status update (10 s): its own conditions come back, the dongle and the condition it does not report stay.
    tick(state, 10_000);
    const after = (await call('GET', `/api/v1/nodes/${node}`)).body.status;
    expect(after.conditions.find((c: { type: string }) => c.type === 'Ready')).toMatchObject({ status: ready.status, reason: ready.reason, message: ready.message });
    expect(after.capacity['example.com/dongle']).toBe('4');
    expect(after.conditions.find((c: { type: string }) => c.type === 'KernelDeadlock')).toMatchObject({ status: 'False' });
    // A controller's status goes back on the next sync: the deployment controller's replicas.
    const deploy = await call('PATCH', `${DEPLOY}/web/status`, { status: { readyReplicas: 0 } }, 'application/merge-patch+json');
    expect(deploy.body.status.readyReplicas).toBe(0);
    tick(state, 1000);
    expect((await call('GET', `${DEPLOY}/web`)).body.status.readyReplicas).toBe(3);
    const pod = Object.values(state.pods).find((p) => p.metadata.name.startsWith('web-'))!;
    const failed = await call('PATCH', `/api/v1/namespaces/default/pods/${pod.metadata.name}/status`, { status: { phase: 'Failed' } }, 'application/merge-patch+json');
    expect(failed.body.status.phase).toBe('Failed');
    tick(state, 10_000);
    expect((await call('GET', `/api/v1/namespaces/default/pods/${pod.metadata.name}`)).body.status.phase).toBe('Running');
  });
});
