// The product's flows over real sockets, a real port and a real PostgreSQL, on the real
// etcd-nospace scenario: an interview, a game day on one shared cluster, solo with its
// leaderboard, pause, and the answer key never reaching a player or spectator.
import type { RoomRunner } from '../../server/rooms/runner.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instantiate, loadScenarioDir, playerView, type Scenario } from '../../server/scenarios/index.js';
import { loadScenarioCatalog } from '../../server/rooms/scenario-runtime.js';
import { connect, getJson, postJson, startTestServer, type TestClient, type TestServer } from '../helpers/server.js';

const SEED = 1;
let server: TestServer;
let scenario: Scenario;
/** The reference run of this variant. */
let solution: Scenario['solutions'][number];

beforeAll(async () => {
  const loaded = loadScenarioDir().scenarios.find((s) => s.id === 'etcd-nospace')!;
  scenario = instantiate(loaded, SEED).scenario;
  solution = scenario.solutions[0]!;
  server = await startTestServer({ catalog: loadScenarioCatalog().catalog });
});
afterAll(async () => {
  await server?.close();
});

/** Simulated time passes (the clock is off in these tests; the runner ticks on demand). */
async function wait(roomId: string, seconds: number): Promise<void> {
  const runner = (await server.app.game.registry.get(roomId)) as RoomRunner;
  const result = await runner!.tick(seconds * 1000);
  expect(result.ok).toBe(true);
}

async function hosted(mode: 'interview' | 'gameday', allowSpectators = false) {
  const created = await postJson<{ roomId: string; code: string; hostToken: string }>(server.url, '/api/rooms', { scenarioId: 'etcd-nospace', mode, hostName: 'Host', seed: SEED, allowSpectators });
  expect(created.status).toBe(201);
  const host = await connect(server.url);
  expect((await host.request('room:join', { token: created.body.hostToken })).ok).toBe(true);
  return { ...created.body, host };
}

async function joinAs(code: string, name: string, role: 'player' | 'spectator' = 'player') {
  const client = await connect(server.url);
  const joined = await client.call<{ token: string; view: { you: { participantId: string } } }>('room:join', { code, name, role });
  expect(joined.ok).toBe(true);
  return { client, token: joined.token, id: joined.view.you.participantId };
}

async function run(client: TestClient, line: string) {
  const ack = await client.request<{ output: string; exitCode: number; seq: number }>('cmd:run', { line });
  expect(ack, line).toMatchObject({ ok: true });
  return ack;
}

/** The reference solution, step by step; returns every command's ack. */
async function playSolution(roomId: string, client: TestClient, steps = solution.steps) {
  const acks = [];
  for (const step of steps) {
    if (typeof step === 'string') acks.push({ line: step, ...(await run(client, step)) });
    else await wait(roomId, step.wait);
  }
  return acks;
}

describe('interview', () => {
  it('candidate solves etcd-nospace while the interviewer watches, hints and gets the report', async () => {
    const { roomId, code, hostToken, host } = await hosted('interview');
    const candidate = await joinAs(code, 'Candidate');
    expect((await host.request('host:start')).ok).toBe(true);

    const first = await run(candidate.client, solution.steps.find((s) => typeof s === 'string')!);
    // The interviewer's console mirrors the candidate's terminal.
    const mirrored = await host.waitFor((e) => e.type === 'command' && e.seq === first.seq);
    expect(mirrored).toMatchObject({ participantId: candidate.id, output: first.output, exitCode: first.exitCode });

    expect((await host.request('host:hint', { hintId: 'node-logs', participantId: candidate.id })).ok).toBe(true);
    const hint = await candidate.client.waitFor((e) => e.type === 'hint.pushed');
    expect(hint.text).toBe(scenario.answer.hints.find((h) => h.id === 'node-logs')!.text);

    const acks = await playSolution(roomId, candidate.client);
    const disarm = acks.find((a) => a.line === 'etcdctl alarm disarm')!;
    await host.waitFor((e) => e.type === 'command' && e.seq === disarm.seq);
    // After the fix, the apiserver accepts writes again.
    expect(acks.at(-1)!.exitCode).toBe(0);

    const submitted = await candidate.client.request('diagnosis:submit', solution.diagnosis);
    expect(submitted.ok).toBe(true);
    await host.waitFor((e) => e.type === 'score.computed' && e.participantId === candidate.id);
    expect((await host.request('host:note', { text: 'methodical, checked etcd before touching it' })).ok).toBe(true);
    expect((await host.request('host:end')).ok).toBe(true);

    const report = await getJson<{
      participants: { id: string; commands: { line: string }[]; hintsUsed: { hintId: string }[]; diagnosis: unknown; score: { total: number; max: number; breakdown: { lines: { category: string; points: number }[] } } }[];
      notes: { text: string }[];
      timeline: { type: string }[];
    }>(server.url, `/api/rooms/${roomId}/report`, hostToken);
    expect(report.status).toBe(200);
    const c = report.body.participants.find((p) => p.id === candidate.id)!;
    expect(c.commands).toHaveLength(1 + acks.length);
    expect(c.hintsUsed.map((h) => h.hintId)).toEqual(['node-logs']);
    const lines = c.score.breakdown.lines;
    expect(lines.find((l) => l.category === 'rootCause')!.points).toBe(40);
    expect(lines.filter((l) => l.category === 'remediation').every((l) => l.points > 0)).toBe(true);
    expect(lines.find((l) => l.category === 'hints')!.points).toBe(-5);
    expect(report.body.notes.map((n) => n.text)).toEqual(['methodical, checked etcd before touching it']);
    expect(report.body.timeline.map((e) => e.type)).toContain('diagnosis.submitted');
    for (const client of [host, candidate.client]) client.close();
  });
});

describe('game day', () => {
  it('three players share one cluster: one player fixes etcd, the others see it', async () => {
    const { roomId, code, host } = await hosted('gameday');
    const [a, b, c] = await Promise.all([joinAs(code, 'Ana'), joinAs(code, 'Ben'), joinAs(code, 'Cho')]);
    await host.request('host:start');
    const scale = solution.steps.at(-1) as string; // kubectl scale … --replicas=4
    await wait(roomId, 60); // etcd reaches its quota (the apiserver still answers)
    const before = await run(b!.client, scale);
    expect(before.output).toContain('etcdserver: mvcc: database space exceeded');
    expect(before.exitCode).toBe(1);

    await playSolution(roomId, a!.client);
    const after = await run(b!.client, scale);
    expect(after.exitCode).toBe(0);
    const seen = await run(c!.client, `kubectl get deployment ${String(scale.split(' ')[3])} -n ${String(scale.split(' ')[5])}`);
    expect(seen.output).toMatch(/4\/4|\/4/);
    // Players do not receive each other's terminals; the host receives all of them.
    expect(c!.client.events.filter((e) => e.type === 'command' && e.participantId !== c!.id)).toEqual([]);
    await host.waitFor((e) => e.type === 'command' && e.participantId === c!.id);

    await host.request('host:end');
    const scores = await Promise.all([a, b, c].map((p) => p!.client.waitFor((e) => e.type === 'score.released')));
    expect(scores.map((s) => s.participantId)).toEqual([a!.id, b!.id, c!.id]);
    for (const client of [host, a!.client, b!.client, c!.client]) client.close();
  });
});

describe('solo', () => {
  it('one call starts a room; the result goes to the leaderboard', async () => {
    const created = await postJson<{ roomId: string; token: string }>(server.url, '/api/solo', { scenarioId: 'etcd-nospace', name: 'Solo Sam' });
    expect(created.status).toBe(201);
    // The server draws the seed (the variant); the test reads it to play the matching reference run.
    const seed = ((await server.app.game.registry.get(created.body.roomId)) as RoomRunner).room.seed;
    const variant = instantiate(loadScenarioDir().scenarios.find((s) => s.id === 'etcd-nospace')!, seed).scenario;
    const player = await connect(server.url);
    const joined = await player.call<{ view: { status: string; scenario: { briefing: string } } }>('room:join', { token: created.body.token });
    expect(joined.view.status).toBe('running');
    expect(joined.view.scenario.briefing).toBe(variant.briefing);
    await playSolution(created.body.roomId, player, variant.solutions[0]!.steps);
    const submitted = await player.request('diagnosis:submit', variant.solutions[0]!.diagnosis);
    expect(submitted.ok).toBe(true);
    await player.waitFor((e) => e.type === 'room.ended' && e.reason === 'submitted');
    const board = await getJson<{ entries: { name: string; score: number; maxScore: number; rank: number }[] }>(server.url, '/api/leaderboard/etcd-nospace');
    expect(board.body.entries).toContainEqual(expect.objectContaining({ name: 'Solo Sam', rank: 1 }));
    expect(board.body.entries[0]).not.toHaveProperty('seed');
    expect(board.body.entries[0]!.score).toBeGreaterThan(40);
    expect((await getJson(server.url, '/api/leaderboard/no-such-scenario')).status).toBe(404);
    player.close();
  });

  it('a resume from the start keeps outputs as the terminal does: every event, the oldest outputs as a notice', async () => {
    // The log keeps every output whole; a resume from 0 answered with all of it (200 lines of 256 KiB: 53 MB, 1.6 s of blocked loop).
    const created = await postJson<{ token: string }>(server.url, '/api/solo', { scenarioId: 'etcd-nospace', name: 'Loud' });
    const player = await connect(server.url);
    expect((await player.request('room:join', { token: created.body.token })).ok).toBe(true);
    const seqs: number[] = [];
    for (let i = 0; i < 6; i++) seqs.push((await player.request<{ seq: number }>('cmd:run', { line: `printf '%262000s' ${i}` })).seq);
    player.close();
    const back = await connect(server.url);
    const resumed = await back.request<{ events: { seq: number; type: string; output?: string }[] }>('room:resume', { token: created.body.token, lastSeq: 0 });
    expect(resumed.ok).toBe(true);
    expect(resumed.events.map((e) => e.seq)).toEqual(Array.from({ length: resumed.events.length }, (_, i) => i + 1));
    const outputs = resumed.events.filter((e) => e.type === 'command').map((e) => e.output!);
    expect(outputs).toHaveLength(6);
    expect(outputs.reduce((n, o) => n + o.length, 0)).toBeLessThanOrEqual(1_000_000);
    expect(outputs[0]).toBe('[output not kept: 262000 characters; a terminal keeps its latest outputs]\n');
    expect(outputs.at(-1)).toHaveLength(262_000);
    expect(resumed.events.find((e) => e.seq === seqs.at(-1))?.output).toHaveLength(262_000);
    back.close();
  });

  it('a solo player cannot choose the seed', async () => {
    const seeds = new Set<number>();
    for (let i = 0; i < 4; i++) {
      const created = await postJson<{ roomId: string }>(server.url, '/api/solo', { scenarioId: 'etcd-nospace', name: 'Picky', seed: SEED });
      expect(created.status).toBe(201);
      seeds.add(((await server.app.game.registry.get(created.body.roomId)) as RoomRunner).room.seed);
    }
    // Four server draws from 2^32 seeds: the requested one is ignored, and they differ.
    expect(seeds.size).toBe(4);
    expect(seeds.has(SEED)).toBe(false);
  });
});

describe('answer key', () => {
  it('never reaches a player or a spectator', async () => {
    const { roomId, code, host } = await hosted('gameday', true);
    const player = await joinAs(code, 'Pat');
    const spectator = await joinAs(code, 'Sue', 'spectator');
    await host.request('host:start');
    await host.request('host:note', { text: 'note for the panel only' });
    await player.client.request('client:signal', { kind: 'paste', amount: 120 });
    await playSolution(roomId, player.client);
    await player.client.request('hint:request');
    await player.client.request('diagnosis:submit', solution.diagnosis);
    await host.request('host:adjust', { participantId: player.id, points: 5, reason: 'clear explanation of compaction' });
    await host.request('host:end');
    const replay = await getJson(server.url, `/api/rooms/${roomId}/replay`, player.token);
    player.client.received.push({ name: 'replay', args: [replay.body] });
    await spectator.client.waitFor((e) => e.type === 'room.ended');

    // The answer key's prose (not its observation regexes, which match real tool output).
    const a = scenario.answer;
    const pushed = new Set(player.client.events.filter((e) => e.type === 'hint.pushed').map((e) => e.hintId));
    const secrets = secretsOf(pushed);
    expect(JSON.stringify(playerView(scenario, SEED))).not.toContain(scenario.answer.rootCause.explanation);
    expect(secrets.length).toBeGreaterThan(10);
    for (const [who, client] of [['player', player.client], ['spectator', spectator.client]] as const) {
      const everything = JSON.stringify(client.received);
      expect(everything.length).toBeGreaterThan(1000);
      for (const secret of secrets) expect(everything.includes(asJson(secret)), `${who} received "${secret}"`).toBe(false);
      expect(everything).not.toContain('"signal"');
      expect(everything).not.toContain('"breakdown"');
    }
    // The host does receive the answer key.
    expect(JSON.stringify(host.received)).toContain(asJson(scenario.answer.rootCause.explanation));
    expect(JSON.stringify(player.client.received)).toContain('"type":"score.released"');
    for (const client of [host, player.client, spectator.client]) client.close();
  });

  it('reaches a solo player only in the debrief, after the end', async () => {
    const created = await postJson<{ roomId: string; token: string }>(server.url, '/api/solo', { scenarioId: 'etcd-nospace', name: 'Solo Leak' });
    const seed = ((await server.app.game.registry.get(created.body.roomId)) as RoomRunner).room.seed;
    const variant = instantiate(loadScenarioDir().scenarios.find((s) => s.id === 'etcd-nospace')!, seed).scenario;
    const player = await connect(server.url);
    await player.call('room:join', { token: created.body.token });
    await playSolution(created.body.roomId, player, variant.solutions[0]!.steps);
    await player.request('hint:request');
    await player.request('diagnosis:submit', variant.solutions[0]!.diagnosis);
    await player.waitFor((e) => e.type === 'room.ended');
    // Everything up to the end: no answer-key prose of this variant.
    const untilEnd = player.received.findIndex((m) => m.name === 'room:event' && (m.args as { type: string }[]).some((e) => e.type === 'room.ended'));
    const pushed = new Set(player.events.filter((e) => e.type === 'hint.pushed').map((e) => e.hintId));
    const before = JSON.stringify(player.received.slice(0, untilEnd + 1));
    for (const secret of secretsOf(pushed, variant)) expect(before.includes(asJson(secret)), `before the end: "${secret}"`).toBe(false);
    // After it, the debrief tells the cause, the findings and the reference path.
    // `request` waits out the seat's message bucket (the solution's burst may have emptied it).
    const debrief = await player.request<{ debrief: { cause: { explanation: string }; evidence: { finding: string }[]; reference: { line?: string }[] } }>('room:debrief');
    expect(debrief.error).toBeUndefined();
    expect(debrief.debrief.cause.explanation).toBe(variant.answer.rootCause.explanation);
    expect(debrief.debrief.evidence.map((e) => e.finding)).toEqual(variant.answer.evidence.map((e) => e.text));
    expect(debrief.debrief.reference.flatMap((s) => (s.line ? [s.line] : []))).toEqual(variant.solutions[0]!.steps.filter((s) => typeof s === 'string'));
    expect(JSON.stringify(debrief)).not.toContain('"observedBy"');
    player.close();
  });
});

/** Searched as they appear inside JSON text (newlines and quotes escaped). */
const asJson = (text: string) => JSON.stringify(text).slice(1, -1);

/** The answer key's prose (not its observation regexes, which match real tool output), and the host's private words. */
function secretsOf(pushed: ReadonlySet<unknown>, of: Scenario = scenario): string[] {
  const a = of.answer;
  return [
    a.rootCause.explanation,
    ...a.partial.map((p) => p.why),
    ...a.evidence.map((e) => e.text),
    ...a.remediation.map((r) => r.text),
    ...a.harmful.map((h) => h.text),
    ...a.hints.filter((h) => !pushed.has(h.id)).map((h) => h.text),
    ...a.prevention,
    'note for the panel only',
    'clear explanation of compaction',
  ];
}
