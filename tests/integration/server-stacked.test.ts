// A stacked room over real sockets, a real port and a real PostgreSQL: the host creates an
// interview on pending-pods with a second fault stacked (POST /api/rooms `stacked`), the
// candidate is asked for two causes, fixes the first, the server restarts (the room is
// rebuilt from its row and log, stacked again), the candidate fixes the second and names
// both; the report scores each cause on its own. A room without the choice stays a single
// incident and refuses a second cause.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadScenarioCatalog } from '../../server/rooms/scenario-runtime.js';
import { instantiate, loadScenarioDir, solutionOf, type Scenario } from '../../server/scenarios/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { connect, getJson, postJson, startTestServer, type TestClient, type TestServer } from '../helpers/server.js';

const loaded = loadScenarioDir().scenarios.find((s) => s.id === 'pending-pods')!;
const { catalog } = loadScenarioCatalog();
let db: TestDatabase;
/** The server of the moment (the first test replaces it with another on the same database). */
let server: TestServer;

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startOnDb();
}, 300_000);
afterAll(async () => {
  await server?.close();
  await db?.drop();
}, 300_000);

const startOnDb = () => startTestServer({ catalog, database: { url: db.url }, game: { reconcileMs: 0 } });

async function play(roomId: string, client: TestClient, steps: Scenario['solutions'][number]['steps']) {
  for (const step of steps) {
    if (typeof step !== 'string') {
      const runner = await server.app.game.registry.get(roomId);
      expect(runner && 'tick' in runner && (await runner.tick(step.wait * 1000)).ok).toBe(true);
      continue;
    }
    expect(await client.request('cmd:run', { line: step }), step).toMatchObject({ ok: true });
  }
}

it('a stacked interview: two causes asked, kept across a restart, scored per cause', async () => {
  const seed = 5;
  const created = await postJson<{ roomId: string; code: string; hostToken: string }>(server.url, '/api/rooms', { scenarioId: 'pending-pods', mode: 'interview', hostName: 'Host', seed, stacked: true });
  expect(created.status).toBe(201);
  const { roomId, code, hostToken } = created.body;
  // What the room plays: this seed's variant and dressing with the stack it draws.
  const { scenario } = instantiate(loaded, seed, true);
  const both = solutionOf(scenario);
  const second = scenario.stacked!;

  let host = await connect(server.url);
  const hostJoin = await host.call<{ view: { host: { key: { cause: { title: string }; secondCause?: { title: string } } } } }>('room:join', { token: hostToken });
  expect(hostJoin.ok).toBe(true);
  expect(hostJoin.view.host.key.cause.title).toBe(scenario.answer.rootCause.title);
  expect(hostJoin.view.host.key.secondCause?.title).toBe(second.answer.rootCause.title);

  let candidate = await connect(server.url);
  const joined = await candidate.call<{ token: string; view: { you: { participantId: string }; scenario: { causeCount: number; briefing: string; causes: { id: string }[] } } }>('room:join', { code, name: 'Candidate', role: 'player' });
  expect(joined.ok).toBe(true);
  expect(joined.view.scenario.causeCount).toBe(2);
  expect(joined.view.scenario.briefing).toContain(second.briefing.trim().split('\n')[0]);
  expect(joined.view.scenario.causes.map((c) => c.id)).toContain(second.answer.rootCause.id);
  expect(JSON.stringify(joined.view)).not.toContain(second.answer.rootCause.explanation.split('\n')[0]);
  expect((await host.request('host:start')).ok).toBe(true);

  const mainSteps = both.steps.slice(0, both.steps.length - second.solution.steps.length);
  await play(roomId, candidate, mainSteps);

  // The server goes away; another one rebuilds the room from PostgreSQL: stacked again.
  host.close();
  candidate.close();
  await server.close();
  server = await startOnDb();
  host = await connect(server.url);
  expect((await host.request('room:join', { token: hostToken })).ok).toBe(true);
  candidate = await connect(server.url);
  const back = await candidate.call<{ view: { scenario: { causeCount: number } } }>('room:join', { token: joined.token });
  expect(back.ok).toBe(true);
  expect(back.view.scenario.causeCount).toBe(2);

  await play(roomId, candidate, second.solution.steps);
  expect((await candidate.request('diagnosis:submit', both.diagnosis)).ok).toBe(true);
  await host.waitFor((e) => e.type === 'score.computed' && e.participantId === joined.view.you.participantId);
  expect((await host.request('host:end')).ok).toBe(true);

  const report = await getJson<{ participants: { id: string; diagnosis: { rootCause: string; secondCause?: string }; score: { total: number; max: number; breakdown: { lines: { category: string; id?: string; points: number; max: number }[] } } }[] }>(server.url, `/api/rooms/${roomId}/report`, hostToken);
  expect(report.status).toBe(200);
  const p = report.body.participants.find((x) => x.id === joined.view.you.participantId)!;
  expect(p.diagnosis).toMatchObject({ rootCause: scenario.answer.rootCause.id, secondCause: second.answer.rootCause.id });
  const roots = p.score.breakdown.lines.filter((l) => l.category === 'rootCause');
  expect(roots.map((l) => [l.id, l.points, l.max])).toEqual([[scenario.answer.rootCause.id, 20, 20], [second.answer.rootCause.id, 20, 20]]);
  expect(p.score.total / p.score.max).toBeGreaterThanOrEqual(0.9);
  host.close();
  candidate.close();
}, 300_000);

it('a room without the choice is one incident: a second cause is refused; a scenario without stacks cannot be stacked', async () => {
  const refused = await postJson(server.url, '/api/rooms', { scenarioId: 'etcd-nospace', mode: 'interview', hostName: 'Host', stacked: true });
  expect(refused.status).toBe(400);
  const created = await postJson<{ code: string; hostToken: string }>(server.url, '/api/rooms', { scenarioId: 'pending-pods', mode: 'gameday', hostName: 'Host', seed: 5 });
  const host = await connect(server.url);
  expect((await host.request('room:join', { token: created.body.hostToken })).ok).toBe(true);
  const player = await connect(server.url);
  const joined = await player.call<{ view: { scenario: { causeCount: number } } }>('room:join', { code: created.body.code, name: 'P', role: 'player' });
  expect(joined.view.scenario.causeCount).toBe(1);
  expect((await host.request('host:start')).ok).toBe(true);
  const twice = await player.request('diagnosis:submit', { rootCause: 'insufficient-cpu', secondCause: 'kube-dns-no-endpoints', text: 'both', evidence: [] });
  expect(twice).toMatchObject({ ok: false, error: { code: 'bad_request' } });
  host.close();
  player.close();
}, 120_000);
