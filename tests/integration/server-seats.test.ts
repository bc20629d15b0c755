// Who sits where and who sees which score, over real sockets, a real port and a real
// PostgreSQL (fake scenario): no answer oracle from new identities, the old seat back by
// token, host approval, unique names, spectators only when allowed, scores withheld until
// released, the solo debrief only after the end, and everyone's command counts in a replay.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, getJson, postJson, startTestServer, type TestClient, type TestServer } from '../helpers/server.js';
import { fakeCatalog, SECRET } from '../unit/rooms-fake.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ catalog: fakeCatalog(3_600_000) });
});
afterAll(async () => {
  await server?.close();
});

async function hostedRoom(mode: 'interview' | 'gameday', allowSpectators = false) {
  const created = await postJson<{ roomId: string; code: string; hostToken: string }>(server.url, '/api/rooms', { scenarioId: 'fake', mode, hostName: 'Host', allowSpectators });
  expect(created.status).toBe(201);
  const host = await connect(server.url);
  expect((await host.call('room:join', { token: created.body.hostToken })).ok).toBe(true);
  return { ...created.body, host };
}

interface Seated { client: TestClient; token: string; id: string; name: string }
async function joinAs(code: string, name: string, role: 'player' | 'spectator' = 'player'): Promise<Seated> {
  const client = await connect(server.url);
  const joined = await client.call<{ token: string; view: { you: { participantId: string; name: string } } }>('room:join', { code, name, role });
  expect(joined, JSON.stringify(joined)).toMatchObject({ ok: true, view: expect.anything() });
  return { client, token: joined.token, id: joined.view.you.participantId, name: joined.view.you.name };
}

/** Every number a client was ever told about scores (points, totals), as text. */
const scoreTalk = (client: TestClient) => JSON.stringify(client.received).match(/"(total|points)":-?\d+/g) ?? [];

describe('no answer oracle', () => {
  it('an interview candidate cannot submit again as someone new, nor read points before release', async () => {
    const { code, host } = await hostedRoom('interview');
    const cand = await joinAs(code, 'Cand');
    expect((await host.request('host:start')).ok).toBe(true);
    await cand.client.request('cmd:run', { line: 'get' });
    expect(await cand.client.request('diagnosis:submit', { rootCause: 'a', text: 'guess one', evidence: [] })).toMatchObject({ ok: true });
    expect(await cand.client.call('room:leave')).toMatchObject({ ok: true });
    cand.client.close();

    // Six fresh identities try the remaining causes: each waits for the host, none gets a seat.
    const tries: TestClient[] = [];
    for (const cause of ['b', 'c', 'd', 'e', 'f', 'g']) {
      const client = await connect(server.url);
      tries.push(client);
      const joined = await client.call<{ token: string; waiting?: { name: string }; view?: unknown }>('room:join', { code, name: `Cand ${cause}` });
      expect(joined).toMatchObject({ ok: true, waiting: { name: `Cand ${cause}` } });
      expect(joined.view).toBeUndefined();
      expect(await client.call('diagnosis:submit', { rootCause: cause, text: '', evidence: [] })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(await client.call('cmd:run', { line: 'get' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    // The host sees every request, and may refuse them: the waiting socket hears it at once.
    const requests = host.events.filter((e) => e.type === 'seat.requested');
    expect(requests.map((e) => e.name)).toEqual(['Cand b', 'Cand c', 'Cand d', 'Cand e', 'Cand f', 'Cand g']);
    const answered = new Promise((resolve) => tries[0]!.socket.once('room:admission', resolve));
    expect(await host.request('host:refuse', { requestId: requests[0]!.participantId })).toMatchObject({ ok: true });
    expect(await answered).toEqual({ admitted: false });

    // Nobody but the host ever heard a point: not the candidate, not the six tries.
    for (const client of [cand.client, ...tries]) expect(scoreTalk(client)).toEqual([]);
    for (const c of [host, ...tries]) c.close();
  });

  it('a new identity the host admits gets the candidate seat, with its one diagnosis', async () => {
    const { code, host } = await hostedRoom('interview');
    const cand = await joinAs(code, 'Cand');
    await host.request('host:start');
    await cand.client.request('cmd:run', { line: 'get' });
    await cand.client.request('diagnosis:submit', { rootCause: 'a', text: '', evidence: [] });
    cand.client.close();

    const device = await connect(server.url);
    const waiting = await device.call<{ token: string }>('room:join', { code, name: 'Cand on a laptop' });
    const request = await host.waitFor((e) => e.type === 'seat.requested');
    const admitted = new Promise((resolve) => device.socket.once('room:admission', resolve));
    expect(await host.request('host:admit', { requestId: request.participantId })).toMatchObject({ ok: true });
    expect(await admitted).toEqual({ admitted: true });
    const seated = await device.call<{ view: { you: { participantId: string; name: string }; terminals: { entries: { line: string }[] }[]; diagnoses: unknown[] } }>('room:join', { token: waiting.token });
    expect(seated.view.you).toMatchObject({ participantId: cand.id, name: 'Cand' });
    expect(seated.view.terminals[0]!.entries.map((e) => e.line)).toEqual(['get']);
    expect(seated.view.diagnoses).toHaveLength(1);
    expect(await device.call('diagnosis:submit', { rootCause: 'b', text: '', evidence: [] })).toMatchObject({ ok: false, error: { code: 'conflict', message: 'a diagnosis was already submitted' } });
    for (const c of [host, device]) c.close();
  });

  it('a game day newcomer waits once it runs; admitted, they play under a unique name', async () => {
    const { code, host } = await hostedRoom('gameday');
    const pat = await joinAs(code, 'Pat');
    const pat2 = await joinAs(code, 'pat');
    expect([pat.name, pat2.name]).toEqual(['Pat', 'pat (2)']);
    await host.request('host:start');
    const late = await connect(server.url);
    const waiting = await late.call<{ token: string }>('room:join', { code, name: 'Pat' });
    expect(waiting).toMatchObject({ ok: true, waiting: { name: 'Pat' } });
    // Waiting, the connection may join again only with its token, and has nothing to resume.
    expect(await late.call('room:join', { code, name: 'Pat' })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await late.call('room:resume', { token: waiting.token, lastSeq: 0 })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    const request = await host.waitFor((e) => e.type === 'seat.requested');
    const admitted = new Promise((resolve) => late.socket.once('room:admission', resolve));
    await host.request('host:admit', { requestId: request.participantId });
    await admitted;
    const seated = await late.call<{ view: { you: { name: string } } }>('room:join', { token: waiting.token });
    expect(seated.view.you.name).toBe('Pat (3)');
    expect(await late.request('cmd:run', { line: 'get' })).toMatchObject({ ok: true });
    for (const c of [host, pat.client, pat2.client, late]) c.close();
  });
});

describe('seats', () => {
  it('a player who leaves and re-joins with their token gets the same seat back', async () => {
    const { code, host } = await hostedRoom('gameday');
    const pat = await joinAs(code, 'Pat');
    await host.request('host:start');
    await pat.client.request('cmd:run', { line: 'get' });
    await pat.client.call('room:leave');
    expect(await pat.client.call('cmd:run', { line: 'get' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    pat.client.close();
    const back = await connect(server.url);
    const joined = await back.call<{ view: { you: { participantId: string }; terminals: { entries: { line: string }[] }[] } }>('room:join', { token: pat.token });
    expect(joined.view.you.participantId).toBe(pat.id);
    expect(joined.view.terminals[0]!.entries.map((e) => e.line)).toEqual(['get']);
    expect(await back.request('cmd:run', { line: 'inc' })).toMatchObject({ ok: true });
    await host.waitFor((e) => e.type === 'participant.returned' && e.participantId === pat.id);
    for (const c of [host, back]) c.close();
  });

  it('spectators are refused unless the host allows them, and let go when the host stops', async () => {
    const { code, host } = await hostedRoom('gameday');
    const player = await joinAs(code, 'Pat');
    const spectator = await connect(server.url);
    expect(await spectator.call('room:join', { code, name: 'Sue', role: 'spectator' })).toMatchObject({ ok: false, error: { code: 'forbidden', message: 'the host does not allow spectators in this room' } });
    expect((await getJson(server.url, `/api/rooms/${code}`)).body).toMatchObject({ allowSpectators: false });
    expect(await player.client.call('room:settings', { allowSpectators: true })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await host.call('room:settings', {})).toMatchObject({ ok: false, error: { code: 'bad_request' } });

    expect(await host.request('room:settings', { allowSpectators: true })).toMatchObject({ ok: true });
    expect((await getJson(server.url, `/api/rooms/${code}`)).body).toMatchObject({ allowSpectators: true });
    const watching = await spectator.call<{ token: string }>('room:join', { code, name: 'Sue', role: 'spectator' });
    expect(watching.ok).toBe(true);
    const dropped = new Promise((resolve) => spectator.socket.once('disconnect', resolve));
    await host.request('room:settings', { allowSpectators: false });
    await dropped;
    const again = await connect(server.url);
    expect(await again.call('room:join', { token: watching.token })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    for (const c of [host, player.client, again]) c.close();
  });
});

describe('scores', () => {
  it('interview: "submitted" until the host releases the score, adjustments included', async () => {
    const { code, host, roomId, hostToken } = await hostedRoom('interview');
    const cand = await joinAs(code, 'Cand');
    await host.request('host:start');
    await cand.client.request('diagnosis:submit', { rootCause: 'b', text: '', evidence: [] });
    await host.waitFor((e) => e.type === 'score.computed');
    await host.request('host:end');
    await cand.client.waitFor((e) => e.type === 'room.ended');
    expect(scoreTalk(cand.client)).toEqual([]);
    await host.request('host:adjust', { participantId: cand.id, points: 3, reason: 'for the panel: calm under pressure' });
    expect(await cand.client.call('host:release', { participantId: cand.id })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await host.request('host:release', { participantId: cand.id })).toMatchObject({ ok: true });
    const released = await cand.client.waitFor((e) => e.type === 'score.released');
    expect(released).toMatchObject({ total: 13, max: 10, parts: expect.arrayContaining([{ key: 'adjustment', points: 3, max: 0 }]) });
    expect(JSON.stringify(cand.client.received)).not.toContain('calm under pressure');
    // The report shows the computed score and the adjusted one, with the reason kept.
    const report = await getJson<{ participants: { id: string; score: { total: number; adjustedTotal: number; released: boolean; adjustments: { reason: string }[] } | null }[] }>(server.url, `/api/rooms/${roomId}/report`, hostToken);
    expect(report.body.participants.find((p) => p.id === cand.id)!.score).toMatchObject({ total: 10, adjustedTotal: 13, released: true, adjustments: [{ reason: 'for the panel: calm under pressure' }] });
    for (const c of [host, cand.client]) c.close();
  });

  it('game day: players see their own score only when the room ends; a replay counts everyone\'s commands', async () => {
    const { code, host, roomId } = await hostedRoom('gameday', true);
    const a = await joinAs(code, 'Ana');
    const b = await joinAs(code, 'Ben');
    const watcher = await joinAs(code, 'Wes', 'spectator');
    await host.request('host:start');
    await a.client.request('cmd:run', { line: 'get' });
    for (const line of ['get', 'inc', 'get']) await b.client.request('cmd:run', { line });
    await a.client.request('diagnosis:submit', { rootCause: 'b', text: '', evidence: [] });
    await host.waitFor((e) => e.type === 'score.computed');
    // Neither the player nor a spectator (a player's second browser, say) hears a point before the end.
    expect(scoreTalk(a.client)).toEqual([]);
    expect(scoreTalk(watcher.client)).toEqual([]);
    await host.request('host:end');
    const mine = await a.client.waitFor((e) => e.type === 'score.released');
    expect(mine).toMatchObject({ participantId: a.id, total: 10 });
    await b.client.waitFor((e) => e.type === 'score.released');
    expect(a.client.events.filter((e) => e.type === 'score.released').map((e) => e.participantId)).toEqual([a.id]);
    await watcher.client.waitFor((e) => e.type === 'room.ended');
    expect(watcher.client.events.filter((e) => e.type === 'score.released').map((e) => e.participantId as string).sort()).toEqual([a.id, b.id].sort());

    const replay = await getJson<{ events: { type: string; participantId?: string }[]; otherCommands: { participantId: string }[] }>(server.url, `/api/rooms/${roomId}/replay`, a.token);
    expect(replay.body.events.filter((e) => e.type === 'command').map((e) => e.participantId)).toEqual([a.id]);
    expect(replay.body.otherCommands.map((c) => c.participantId)).toEqual([b.id, b.id, b.id]);
    expect(JSON.stringify(replay.body)).not.toContain('"inc"');
    for (const c of [host, a.client, b.client, watcher.client]) c.close();
  });
});

describe('solo', () => {
  it('the debrief comes only after the end, with the cause, the evidence and the reference path', async () => {
    const created = await postJson<{ token: string }>(server.url, '/api/solo', { scenarioId: 'fake', name: 'Sol' });
    const player = await connect(server.url);
    const joined = await player.call<{ view: { settings: { autoHints: boolean }; debrief?: unknown } }>('room:join', { token: created.body.token });
    expect(joined.view.settings.autoHints).toBe(false);
    expect(joined.view.debrief).toBeUndefined();
    await player.request('cmd:run', { line: 'get' });
    expect(await player.request('room:debrief')).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await player.request('room:settings', { autoHints: true })).toMatchObject({ ok: true });
    expect(await player.call('room:settings', { allowSpectators: true })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const before = JSON.stringify(player.received);
    expect(before).not.toContain(SECRET);

    expect(await player.request('player:give-up')).toMatchObject({ ok: true });
    await player.waitFor((e) => e.type === 'room.ended' && e.reason === 'gave-up');
    const debrief = await player.request<{ debrief: { cause: { explanation: string }; evidence: { found: boolean; why: string }[]; reference: unknown[]; score: { lines: { why: string }[] } } }>('room:debrief');
    expect(debrief.ok).toBe(true);
    expect(debrief.debrief.cause.explanation).toContain(SECRET);
    expect(debrief.debrief.evidence).toEqual([expect.objectContaining({ found: false, why: 'observed (`get`) but not cited' })]);
    expect(debrief.debrief.reference).toEqual([{ line: 'get' }, { waitSec: 5 }, { line: 'inc' }]);
    expect(debrief.debrief.score.lines.length).toBeGreaterThan(0);
    // A reload shows it too.
    player.close();
    const again = await connect(server.url);
    const rejoined = await again.call<{ view: { debrief?: { cause: { title: string } } } }>('room:join', { token: created.body.token });
    expect(rejoined.view.debrief?.cause.title).toBe('The counter overflowed');
    again.close();
  });
});
