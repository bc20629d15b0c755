// Ended rooms leave memory once nobody is connected to them (the server keeps at most
// maxEndedRooms of them, here none), and come back from the log when asked for.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenarioCatalog } from '../../server/rooms/scenario-runtime.js';
import { connect, getJson, postJson, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ catalog: loadScenarioCatalog().catalog, maxEndedRooms: 0 });
});
afterAll(async () => {
  await server?.close();
});

const inMemory = (roomId: string) => server.app.game.registry.list().some((r) => r.room.id === roomId);

describe('ended rooms in memory', () => {
  it('stay while someone is connected, leave after, and are rebuilt for the report and a late adjustment', async () => {
    const created = await postJson<{ roomId: string; code: string; hostToken: string }>(server.url, '/api/rooms', { scenarioId: 'etcd-nospace', mode: 'interview', hostName: 'Host', seed: 1 });
    const { roomId, code, hostToken } = created.body;
    const host = await connect(server.url);
    // Two joins at once on one connection: one sits, the other is refused (and holds nothing).
    const [first, second] = await Promise.all([host.call('room:join', { token: hostToken }), host.call('room:join', { token: hostToken })]);
    expect([first.ok, second.ok].sort()).toEqual([false, true]);
    expect([first, second].find((a) => !a.ok)!.error!.code).toBe('conflict');
    const candidate = await connect(server.url);
    const joined = await candidate.call<{ view: { you: { participantId: string } } }>('room:join', { code, name: 'Cand', role: 'player' });
    expect((await host.request('host:start')).ok).toBe(true);
    expect((await candidate.request('cmd:run', { line: 'kubectl get pods -A' })).ok).toBe(true);
    expect((await host.request('host:end')).ok).toBe(true);
    expect(inMemory(roomId)).toBe(true);

    candidate.close();
    host.close();
    for (let i = 0; i < 100 && inMemory(roomId); i++) await new Promise((r) => setTimeout(r, 20));
    expect(inMemory(roomId)).toBe(false);

    const report = await getJson<{ participants: { id: string }[] }>(server.url, `/api/rooms/${roomId}/report`, hostToken);
    expect(report.status).toBe(200);
    expect(report.body.participants.map((p) => p.id)).toContain(joined.view.you.participantId);

    const back = await connect(server.url);
    expect((await back.request('room:join', { token: hostToken })).ok).toBe(true);
    const adjusted = await back.request('host:adjust', { participantId: joined.view.you.participantId, points: 5, reason: 'clear reasoning' });
    expect(adjusted).toMatchObject({ ok: true });
    expect(inMemory(roomId)).toBe(true);
    back.close();
  });

  it('answers the summary and the report of an ended room that left memory without rebuilding it', async () => {
    const created = await postJson<{ roomId: string; code: string; hostToken: string }>(server.url, '/api/rooms', { scenarioId: 'pending-pods', mode: 'interview', hostName: 'Host', seed: 2 });
    const { roomId, code, hostToken } = created.body;
    const host = await connect(server.url);
    expect((await host.request('room:join', { token: hostToken })).ok).toBe(true);
    const candidate = await connect(server.url);
    expect((await candidate.request('room:join', { code, name: 'Cand', role: 'player' })).ok).toBe(true);
    await host.request('host:start');
    for (const line of ['kubectl get pods -A', 'kubectl describe nodes', 'kubectl get events -A']) await candidate.request('cmd:run', { line });
    await host.request('host:note', { text: 'went to the nodes quickly' });
    await host.request('host:end');
    const whileInMemory = await getJson(server.url, `/api/rooms/${roomId}/report`, hostToken);
    const summaryInMemory = await getJson(server.url, `/api/rooms/${code}`);
    expect(whileInMemory.status).toBe(200);
    candidate.close();
    host.close();
    for (let i = 0; i < 100 && inMemory(roomId); i++) await new Promise((r) => setTimeout(r, 20));
    expect(inMemory(roomId)).toBe(false);

    const summary = await getJson(server.url, `/api/rooms/${code}`);
    expect(summary).toEqual(summaryInMemory);
    expect(inMemory(roomId)).toBe(false);
    const report = await getJson(server.url, `/api/rooms/${roomId}/report`, hostToken);
    expect(report).toEqual(whileInMemory);
    expect((await getJson(server.url, `/api/rooms/${roomId}/report.html`, hostToken)).status).toBe(200);
    expect(inMemory(roomId)).toBe(false);
    // A wrong token still gets nothing.
    expect((await getJson(server.url, `/api/rooms/${roomId}/report`, 'not-a-token')).status).toBe(403);
  });
});
