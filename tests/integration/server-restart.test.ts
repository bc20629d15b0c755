// Crash recovery: the real server process (`node bin/kubedrill.js serve`) is SIGKILLed
// mid-game and started again on the same database. The room, its timer, the cluster, the
// terminals and the score continue; nothing that was acknowledged is lost.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { instantiate, loadScenarioDir } from '../../server/scenarios/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { connect, getJson, postJson } from '../helpers/server.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
let db: TestDatabase;
let port: number;
let child: ChildProcess | undefined;

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port: p } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return p;
}

async function startServer(): Promise<string> {
  child = spawn(process.execPath, ['bin/kubedrill.js', 'serve'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: db.url, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null) throw new Error(`server exited: ${stderr}`);
    try {
      if ((await fetch(`${base}/healthz`)).ok) return base;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`server did not start: ${stderr}`);
}

function kill(): Promise<void> {
  const proc = child!;
  return new Promise((resolve) => {
    proc.once('exit', () => resolve());
    proc.kill('SIGKILL');
  });
}

beforeAll(async () => {
  db = await createTestDatabase();
  port = await freePort();
});
afterAll(async () => {
  if (child && child.exitCode === null) await kill();
  await db?.drop();
});

it('continues a game after the server is SIGKILLed', async () => {
  const loaded = loadScenarioDir().scenarios.find((s) => s.id === 'etcd-nospace')!;
  const steps = instantiate(loaded, 1).scenario.solutions[0]!.steps.filter((s): s is string => typeof s === 'string');
  const from = (prefix: string) => steps.findIndex((s) => s.startsWith(prefix));
  const node = steps[from('ssh ')]!.split(' ')[1]!;
  // Before the crash: ssh, sudo -i, the ETCDCTL_* exports, a look at the disk and at etcd.
  // After it, in the same terminal session: compact, defrag, disarm.
  const beforeCrash = [...steps.slice(from('ssh '), from('sudo ') + 1), ...steps.filter((s) => s.startsWith('export ETCDCTL')), 'df -h', 'etcdctl endpoint status -w table'];
  const afterCrash = [steps[from('etcdctl compact')]!, 'etcdctl defrag', 'etcdctl alarm disarm', 'etcdctl alarm list'];

  let base = await startServer();
  const created = await postJson<{ roomId: string; code: string; hostToken: string }>(base, '/api/rooms', { scenarioId: 'etcd-nospace', mode: 'gameday', hostName: 'Facilitator', seed: 1 });
  expect(created.status).toBe(201);
  const host = await connect(base);
  await host.request('room:join', { token: created.body.hostToken });
  const player = await connect(base);
  const joined = await player.request<{ token: string }>('room:join', { code: created.body.code, name: 'Ops' });
  await host.request('host:start');

  const acked: { output: string; seq: number; prompt: string }[] = [];
  for (const line of beforeCrash) acked.push(await player.request<{ output: string; seq: number; prompt: string }>('cmd:run', { line }));
  expect(acked.at(-1)!.output).toContain('DB SIZE');
  expect(acked.at(-1)!.prompt).toContain(node);
  // Let the clock log some running time, then crash.
  await player.waitFor((e) => e.type === 'tick' && (e.seq as number) > acked.at(-1)!.seq, 8000);
  const lastSeq = Math.max(...player.events.map((e) => e.seq as number));
  const elapsedBefore = player.events.filter((e) => e.type === 'tick').reduce((sum, e) => sum + (e.ms as number), 0);
  await kill();
  host.close();
  player.close();

  base = await startServer();
  const back = await connect(base);
  const resumed = await back.request<{
    events: { seq: number; type: string }[];
    view: { status: string; timer: { elapsedMs: number }; terminals: { prompt: string; entries: { output: string }[] }[] };
  }>('room:resume', { token: joined.token, lastSeq });
  expect(resumed.ok).toBe(true);
  expect(resumed.view.status).toBe('running');
  expect(resumed.view.timer.elapsedMs).toBeGreaterThanOrEqual(elapsedBefore);
  // Every acknowledged command is in the terminal with its output, and the session is
  // still root on the node with its exported variables.
  const terminal = resumed.view.terminals[0]!;
  expect(terminal.entries.map((e) => e.output)).toEqual(acked.map((a) => a.output));
  expect(terminal.prompt).toBe(acked.at(-1)!.prompt);
  // Missed events follow lastSeq without gaps or duplicates.
  resumed.events.forEach((e, i) => expect(e.seq).toBe(lastSeq + 1 + i));

  // The cluster continues: the fix works in the same session and the clock keeps running.
  const outputs = [];
  for (const line of afterCrash) outputs.push((await back.request<{ output: string; exitCode: number }>('cmd:run', { line })).output);
  expect(outputs.at(-1)).toBe('');
  await back.waitFor((e) => e.type === 'tick', 8000);

  const host2 = await connect(base);
  await host2.request('room:join', { token: created.body.hostToken });
  await back.request('diagnosis:submit', { rootCause: 'etcd-quota-nospace', text: 'etcd quota', evidence: ['disk-usage'] });
  await host2.request('host:end');
  const report = await getJson<{ participants: { name: string; commands: unknown[]; score: { total: number; breakdown: { lines: { category: string; points: number }[] } } | null }[] }>(
    base, `/api/rooms/${created.body.roomId}/report`, created.body.hostToken,
  );
  const ops = report.body.participants.find((p) => p.name === 'Ops')!;
  expect(ops.commands).toHaveLength(beforeCrash.length + afterCrash.length);
  // Evidence seen before the crash and the fix made after it both count.
  const lines = ops.score!.breakdown.lines;
  expect(lines.find((l) => l.category === 'evidence' && (l as { id?: string }).id === 'disk-usage')!.points).toBeGreaterThan(0);
  expect(lines.find((l) => l.category === 'remediation' && (l as { id?: string }).id === 'compact-defrag')!.points).toBeGreaterThan(0);
  back.close();
  host2.close();
}, 90_000);
