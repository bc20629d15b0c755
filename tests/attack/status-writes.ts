// ATTACK probe: status writes kept on modelled kinds (256 × 64 KiB): the state's size, a list's cost,
// and the room's serialisation. Run: node --import tsx tests/attack/status-writes.ts
import { createCluster, demoClusterSpec, tick } from '../../server/cluster/index.js';
import { handleApiRequest } from '../../server/kubeapi/handler.js';
const state = createCluster(demoClusterSpec, 1);
const api = (method: string, path: string, body?: unknown, contentType = 'application/merge-patch+json') => handleApiRequest(state, { method: method as any, path, query: {}, accept: 'application/json', contentType, body: body as any });
const pods = (api('GET', '/api/v1/pods').body as any).items.map((p: any) => `${p.metadata.namespace}/${p.metadata.name}`);
const nodes = (api('GET', '/api/v1/nodes').body as any).items.map((n: any) => n.metadata.name);
console.log('pods', pods.length, 'nodes', nodes.length);
const big = { conditions: [{ type: 'X', status: 'True', message: 'y'.repeat(60_000) }] };
let t = performance.now(); let okc = 0;
for (const key of pods) { const [ns, name] = key.split('/'); const r = api('PATCH', `/api/v1/namespaces/${ns}/pods/${name}/status`, { status: big }); if (r.status === 200) okc++; else if (okc === 0) console.log(r.status, JSON.stringify(r.body).slice(0, 200)); }
for (const n of nodes) { const r = api('PATCH', `/api/v1/nodes/${n}/status`, { status: big }); if (r.status === 200) okc++; }
console.log('writes ok', okc, 'ms', Math.round(performance.now() - t));
t = performance.now(); const s = JSON.stringify(state); console.log('state JSON chars', s.length, 'stringify ms', Math.round(performance.now() - t));
t = performance.now(); const list = api('GET', '/api/v1/pods'); const text = JSON.stringify(list.body); console.log('GET /api/v1/pods', text.length, 'chars', Math.round(performance.now() - t), 'ms');
tick(state, 11_000);
t = performance.now(); const list2 = api('GET', '/api/v1/pods'); const text2 = JSON.stringify(list2.body); console.log('after sync: GET /api/v1/pods', text2.length, 'chars', Math.round(performance.now() - t), 'ms');
t = performance.now(); const s2 = JSON.stringify(state); console.log('state JSON chars after sync', s2.length, Math.round(performance.now() - t), 'ms');
