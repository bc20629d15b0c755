// ATTACK: an exec without stdin runs the program outside the shell's runner (kubeapi/exec.ts
// execInContainer), so a program that runs out of steps throws OverBudget out of handleApiRequest.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadScenarioCatalog } from '../../server/rooms/scenario-runtime.js';
import { realKubectlBinary, runKubectl } from '../helpers/real-kubectl.js';
import { connect, postJson, startTestServer, type TestServer } from '../helpers/server.js';

const kubectl = realKubectlBinary('attack');
let server: TestServer;
let dir: string;
const errors: unknown[] = [];
const onError = (e: unknown) => void errors.push(e);
beforeAll(async () => {
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  dir = mkdtempSync(join(tmpdir(), 'attack-'));
  server = await startTestServer({ catalog: loadScenarioCatalog().catalog, game: { kubeApi: { port: 0, host: '127.0.0.1' } } });
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('a seat\'s exec over budget', async () => {
  const created = await postJson<{ code: string; hostToken: string }>(server.url, '/api/rooms', { scenarioId: 'pending-pods', mode: 'gameday', hostName: 'Host', seed: 1, allowSpectators: true });
  const host = await connect(server.url);
  expect((await host.request('room:join', { token: created.body.hostToken })).ok).toBe(true);
  const client = await connect(server.url);
  const joined = await client.call<{ token: string }>('room:join', { code: created.body.code, name: 'Eve', role: 'player' });
  expect((await host.request('host:start')).ok).toBe(true);
  const response = await fetch(`${server.url}/api/kubeconfig`, { method: 'POST', headers: { authorization: `Bearer ${joined.token}` } });
  const kc = join(dir, 'eve.kubeconfig');
  writeFileSync(kc, await response.text());
  const run = (line: string, stdin?: string) => runKubectl(kubectl!, kc, dir, line, stdin);
  const running = await run('get pods -A --field-selector=status.phase=Running --no-headers');
  const [ns, pod] = running.output.split('\n').find((l) => !l.startsWith('kube-system ') && l !== '')!.split(/ +/) as [string, string];
  writeFileSync(join(dir, 'big'), 'x'.repeat(13000));
  console.log('cp', await run(`cp ${join(dir, "big")} ${ns}/${pod}:/tmp/big`));
  const t = performance.now();
  const over = await run(`exec -n ${ns} ${pod} -- tar cf - ${Array(250).fill('/tmp/big').join(' ')}`);
  console.log('over-budget exec', Math.round(performance.now() - t), 'ms', over.exitCode, JSON.stringify(over.output.slice(-200)));
  const after = await run(`exec -n ${ns} ${pod} -- cat /etc/hostname`);
  console.log('after', after);
  const typedAfter = await client.request<{ output: string; exitCode: number }>('cmd:run', { line: 'kubectl get ns' });
  console.log('terminal after', JSON.stringify(typedAfter).slice(0, 300));
  console.log('process errors', errors.map(String));
}, 120_000);
