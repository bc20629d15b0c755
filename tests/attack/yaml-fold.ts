// ATTACK probe: kubectl's YAML folding over long scalars. Run: node --import tsx tests/attack/yaml-fold.ts
import { createCluster, demoClusterSpec, tick } from '../../server/cluster/index.js';
import { handleApiRequest } from '../../server/kubeapi/handler.js';
import { newSession, runLine } from '../../server/shell/index.js';
const state = createCluster(demoClusterSpec, 1);
const session = newSession(state);
const run = (line: string) => { const t = performance.now(); const r = runLine(state, session, line, { advance: (ms) => tick(state, ms) }); console.log(Math.round(performance.now() - t), 'ms', line.slice(0, 50), r.exitCode, r.output.length, JSON.stringify(r.output.slice(-120))); };
const api = (method: string, path: string, body?: unknown) => handleApiRequest(state, { method: method as any, path, query: {}, accept: 'application/json', contentType: 'application/json', body: body as any });
const values: Record<string, string> = {
  spaces: 'a '.repeat(400_000), single: "'a ".repeat(250_000), dq: 'a\t"\\ '.repeat(150_000), words81: ('x'.repeat(81) + ' ').repeat(9000), nl: 'a \n'.repeat(250_000), lead: ' '.repeat(700_000) + 'x', uni: 'é '.repeat(300_000),
};
for (const [k, v] of Object.entries(values)) {
  const r = api('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${k.toLowerCase()}`, annotations: { long: v.slice(0, 200_000) } }, data: { v } });
  if (r.status !== 201) console.log(k, r.status, JSON.stringify(r.body).slice(0, 150));
  run(`kubectl get cm cm-${k.toLowerCase()} -o yaml`);
  run(`kubectl describe cm cm-${k.toLowerCase()}`);
}
for (const k of Object.keys(values)) {
  const t = performance.now();
  let r: any;
  try { r = handleApiRequest(state, { method: 'GET', path: `/api/v1/namespaces/default/configmaps/cm-${k.toLowerCase()}`, query: {}, accept: 'application/yaml', contentType: '' }); } catch (e) { console.log('API THREW', k, String(e)); continue; }
  console.log('API yaml', k, r.status, Math.round(performance.now() - t), 'ms', typeof r.body === 'string' ? r.body.length : JSON.stringify(r.body).length, r.contentType);
}
try { const t = performance.now(); const r = runLine(state, session, 'kubectl describe cm cm-dq', {}); console.log('describe dq', Math.round(performance.now() - t), r.output.slice(0, 80)); } catch (e) { console.log('describe threw', e); }
const small = 'a\t"\\ '.repeat(3000);
api('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm-small', annotations: { long: small } }, data: { v: 'x' } });
run('kubectl describe cm cm-small');
