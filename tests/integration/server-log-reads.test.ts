// Replays and reports read a room's whole log, which keeps every output whole (a command's
// event may carry 256 KiB): they read it a page at a time once the token is allowed, answer
// with the outputs as the terminals keep them, a few at once per process and rate-limited
// per address. Real sockets, a real PostgreSQL, the real etcd-nospace scenario.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyEvent, emptyView, type RoomModel } from '../../client/src/net/room-model.js';
import type { RoomStore } from '../../server/db/room-store.js';
import type { ViewerEvent } from '../../server/protocol/index.js';
import { RETAINED_OUTPUT_CHARS } from '../../server/rooms/retained.js';
import { loadScenarioCatalog } from '../../server/rooms/scenario-runtime.js';
import { connect, getJson, postJson, startTestServer, type TestServer } from '../helpers/server.js';

const BIG = 262_000;
let server: TestServer;
/** listEvents calls per room, through the server's own store. */
const reads = new Map<string, { limit: number | undefined }[]>();
/** While set, listEvents waits for it (to hold a read open). */
let hold: Promise<void> | undefined;

beforeAll(async () => {
  server = await startTestServer({ catalog: loadScenarioCatalog().catalog, limits: { logReads: { perIp: 1_000_000, concurrent: 1 } } });
  const store: RoomStore = server.app.game.registry.store;
  const listEvents = store.listEvents.bind(store);
  store.listEvents = async (roomId, after, limit) => {
    (reads.get(roomId) ?? reads.set(roomId, []).get(roomId)!).push({ limit });
    await hold;
    return listEvents(roomId, after, limit);
  };
});
afterAll(async () => {
  await server?.close();
});

/** An interview whose player printed `lines` outputs of 262,000 characters. */
async function loudRoom(lines: number, end = false) {
  const created = await postJson<{ roomId: string; code: string; hostToken: string }>(server.url, '/api/rooms', { scenarioId: 'etcd-nospace', mode: 'interview', hostName: 'Host', seed: 1, allowSpectators: true });
  const host = await connect(server.url);
  expect((await host.request('room:join', { token: created.body.hostToken })).ok).toBe(true);
  const player = await connect(server.url);
  const joined = await player.call<{ token: string; view: { you: { participantId: string } } }>('room:join', { code: created.body.code, name: 'Loud' });
  const spectator = await connect(server.url);
  const watching = await spectator.call<{ token: string }>('room:join', { code: created.body.code, name: 'Eye', role: 'spectator' });
  expect((await host.request('host:start')).ok).toBe(true);
  for (let i = 0; i < lines; i++) expect((await player.request('cmd:run', { line: `printf '%${BIG}s' ${i}` })).ok).toBe(true);
  expect((await player.request('cmd:run', { line: 'kubectl get nodes' })).ok).toBe(true);
  if (end) expect((await host.request('host:end')).ok).toBe(true);
  for (const client of [host, player, spectator]) client.close();
  return { roomId: created.body.roomId, hostToken: created.body.hostToken, playerToken: joined.token, playerId: joined.view.you.participantId, spectatorToken: watching.token };
}

type Event = { seq: number; type: string; line?: string; output?: string };

describe('replays and reports of a log with large outputs', () => {
  it('answer the outputs as the terminals keep them, read a page at a time', async () => {
    const room = await loudRoom(8);
    for (const token of [room.playerToken, room.hostToken]) {
      reads.delete(room.roomId);
      const response = await fetch(`${server.url}/api/rooms/${room.roomId}/replay`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(200);
      const text = await response.text();
      // The log holds 8 × 262,000 characters of output; one terminal keeps 1,000,000.
      expect(text.length).toBeLessThan(RETAINED_OUTPUT_CHARS * 1.2);
      const events = (JSON.parse(text) as { events: Event[] }).events;
      expect(events.map((e) => e.seq)).toEqual(Array.from({ length: events.length }, (_, i) => i + 1));
      const outputs = events.filter((e) => e.type === 'command').map((e) => e.output!);
      expect(outputs).toHaveLength(9);
      expect(outputs[0]).toMatch(/^\[output not kept: 262000 characters/);
      expect(outputs.at(-2)).toHaveLength(BIG);
      expect(reads.get(room.roomId)!.every((r) => r.limit !== undefined && r.limit <= 16)).toBe(true);
      // The replay view's fold shows the terminal as the room keeps it.
      const model: RoomModel = { view: emptyView(room.roomId, { participantId: room.playerId, role: 'player', name: 'Loud' }), hintRequests: [], activity: [] };
      for (const event of events) applyEvent(model, event as ViewerEvent);
      const kept = server.app.game.registry.inMemory(room.roomId)!.room.terminals[room.playerId]!.entries;
      expect(model.view.terminals.find((t) => t.participantId === room.playerId)!.entries.map((e) => e.output)).toEqual(kept.map((e) => e.output));
    }

    const report = await fetch(`${server.url}/api/rooms/${room.roomId}/report`, { headers: { authorization: `Bearer ${room.hostToken}` } });
    expect(report.status).toBe(200);
    const text = await report.text();
    // Each output appears twice (the player's commands and the timeline), each within the terminal's budget.
    expect(text.length).toBeLessThan(2 * RETAINED_OUTPUT_CHARS * 1.2);
    const body = JSON.parse(text) as { participants: { name: string; commands: { line: string; output: string }[] }[]; timeline: Event[] };
    const commands = body.participants.find((p) => p.name === 'Loud')!.commands;
    expect(commands.map((c) => c.line)).toEqual([...Array.from({ length: 8 }, (_, i) => `printf '%${BIG}s' ${i}`), 'kubectl get nodes']);
    expect(commands[0]!.output).toMatch(/^\[output not kept: 262000 characters/);
    expect(commands.at(-2)!.output).toHaveLength(BIG);
    expect(body.timeline.filter((e) => e.type === 'command')).toHaveLength(9);
  });

  it('of an ended room not in memory: folded as the pages come, the same report', async () => {
    const room = await loudRoom(6, true);
    const inMemory = await getJson(server.url, `/api/rooms/${room.roomId}/report`, room.hostToken);
    server.app.game.registry.evict(room.roomId);
    reads.delete(room.roomId);
    const folded = await fetch(`${server.url}/api/rooms/${room.roomId}/report`, { headers: { authorization: `Bearer ${room.hostToken}` } });
    const text = await folded.text();
    expect(text.length).toBeLessThan(2 * RETAINED_OUTPUT_CHARS * 1.2);
    expect(JSON.parse(text)).toEqual(inMemory.body);
    expect(reads.get(room.roomId)!.every((r) => r.limit !== undefined && r.limit <= 16)).toBe(true);
    expect(server.app.game.registry.inMemory(room.roomId)).toBeUndefined();
    const replay = await getJson<{ events: Event[] }>(server.url, `/api/rooms/${room.roomId}/replay`, room.playerToken);
    expect(replay.status).toBe(200);
    expect(replay.body.events.filter((e) => e.type === 'command').map((e) => e.output!.length).reduce((a, b) => a + b)).toBeLessThanOrEqual(RETAINED_OUTPUT_CHARS);
    reads.delete(room.roomId);
    expect((await getJson(server.url, `/api/rooms/${room.roomId}/report`, room.playerToken)).status).toBe(403);
    expect(reads.get(room.roomId)).toBeUndefined();
  });

  it('read nothing for a token the route refuses', async () => {
    const room = await loudRoom(2);
    reads.delete(room.roomId);
    expect((await getJson(server.url, `/api/rooms/${room.roomId}/report`, room.playerToken)).status).toBe(403);
    expect((await getJson(server.url, `/api/rooms/${room.roomId}/report.html`, room.spectatorToken)).status).toBe(403);
    expect((await getJson(server.url, `/api/rooms/${room.roomId}/replay`, room.spectatorToken)).status).toBe(403);
    expect(reads.get(room.roomId)).toBeUndefined();
  });

  it('are read a few at once: beyond, unavailable', async () => {
    const room = await loudRoom(1);
    let release!: () => void;
    hold = new Promise((resolve) => (release = resolve));
    const first = getJson(server.url, `/api/rooms/${room.roomId}/replay`, room.playerToken);
    await expect.poll(() => reads.get(room.roomId)?.length ?? 0).toBeGreaterThan(0);
    const second = await getJson<{ error: { code: string } }>(server.url, `/api/rooms/${room.roomId}/report`, room.hostToken);
    expect(second.status).toBe(503);
    expect(second.body.error.code).toBe('unavailable');
    hold = undefined;
    release();
    expect((await first).status).toBe(200);
    expect((await getJson(server.url, `/api/rooms/${room.roomId}/report`, room.hostToken)).status).toBe(200);
  });

  it('a host replay holds its place while its overview replays the log too', async () => {
    const room = await loudRoom(1);
    reads.delete(room.roomId);
    let release!: () => void;
    hold = new Promise((resolve) => (release = resolve));
    const first = getJson(server.url, `/api/rooms/${room.roomId}/replay`, room.hostToken);
    await expect.poll(() => reads.get(room.roomId)?.length ?? 0).toBe(1);
    // The events are read; the overview's read of the log waits.
    let releaseOverview!: () => void;
    hold = new Promise((resolve) => (releaseOverview = resolve));
    release();
    await expect.poll(() => reads.get(room.roomId)?.length ?? 0).toBe(2);
    const second = getJson<{ error: { code: string } }>(server.url, `/api/rooms/${room.roomId}/report`, room.hostToken);
    const answered = await Promise.race([second.then((r) => r.status), new Promise((resolve) => setTimeout(() => resolve('still waiting'), 2000))]);
    hold = undefined;
    releaseOverview();
    expect(answered).toBe(503);
    expect((await first).status).toBe(200);
    await second;
  });
});

describe('a resume of a long log', () => {
  it('reads it before the room\'s queue: the room goes on meanwhile, and the resume gets what came', async () => {
    const room = await loudRoom(1);
    reads.delete(room.roomId);
    let release!: () => void;
    hold = new Promise((resolve) => (release = resolve));
    const back = await connect(server.url);
    const resumed = back.call<{ events: Event[] }>('room:resume', { token: room.hostToken, lastSeq: 0 });
    await expect.poll(() => reads.get(room.roomId)?.length ?? 0).toBeGreaterThan(0);
    // A note goes through the room's queue while the resume's read waits for the database.
    const note = postJson<{ seq: number }>(server.url, `/api/rooms/${room.roomId}/notes`, { text: 'meanwhile' }, room.hostToken);
    const answered = await Promise.race([note.then((r) => r.status), new Promise((resolve) => setTimeout(() => resolve('still waiting'), 2000))]);
    hold = undefined;
    release();
    expect(answered).toBe(201);
    const { ok, events } = await resumed;
    expect(ok).toBe(true);
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: events.length }, (_, i) => i + 1));
    expect(events.find((e) => e.type === 'note.added')?.seq).toBe((await note).body.seq);
    back.close();
  });
});

describe('log reads per address', () => {
  it('are rate-limited', async () => {
    const limited = await startTestServer({ catalog: loadScenarioCatalog().catalog, limits: { logReads: { perIp: 2, concurrent: 4 } } });
    try {
      const created = await postJson<{ roomId: string; token: string }>(limited.url, '/api/solo', { scenarioId: 'etcd-nospace', name: 'Solo' });
      const replay = () => getJson(limited.url, `/api/rooms/${created.body.roomId}/replay`, created.body.token);
      expect((await replay()).status).toBe(200);
      expect((await replay()).status).toBe(200);
      expect((await replay()).status).toBe(429);
    } finally {
      await limited.close();
    }
  });
});
