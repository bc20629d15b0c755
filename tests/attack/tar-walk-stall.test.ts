// ATTACK: `tar cf -` (what kubectl cp from a pod execs) walks the container's layer uncharged:
// each file read and directory listed goes over every file of the layer. A seat fills a layer
// with a few hundred empty files (each write is charged), then one exec names the layer's
// directory many times: one request holds the event loop for many seconds (every room stalls).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadScenarioCatalog } from '../../server/rooms/scenario-runtime.js';
import { realKubectlBinary, runKubectl } from '../helpers/real-kubectl.js';
import { connect, postJson, startTestServer, type TestServer } from '../helpers/server.js';

const kubectl = realKubectlBinary('attack');
let server: TestServer;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'attack-'));
  server = await startTestServer({ catalog: loadScenarioCatalog().catalog, game: { kubeApi: { port: 0, host: '127.0.0.1' } } });
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('one exec of a seat blocks the event loop for seconds', async () => {
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
  const rounds = Number(process.env.ROUNDS ?? 40);
  for (let k = 0; k < rounds; k++) {
    const d = join(dir, `d${k}`);
    mkdirSync(d);
    for (let i = 0; i < 8; i++) writeFileSync(join(d, `f${i}`), '');
    const cp = await run(`cp ${d} ${ns}/${pod}:/tmp/d${k}`);
    if (cp.exitCode !== 0) console.log('cp', k, cp.output.slice(0, 200));
  }
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  const t = performance.now();
  const stall = await run(`exec -n ${ns} ${pod} -- tar cf - ${Array(Number(process.env.PATHS ?? 20)).fill('/tmp').join(' ')}`);
  h.disable();
  console.log(`exec took ${Math.round(performance.now() - t)} ms, exit ${stall.exitCode}, ${stall.output.length} chars; event loop max delay ${Math.round(h.max / 1e6)} ms`);
  expect(h.max / 1e6).toBeLessThan(1000);
}, 600_000);
