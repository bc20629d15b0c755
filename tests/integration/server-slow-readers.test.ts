// Connections that do not read their answers. A client whose process stops reading its
// socket leaves everything sent to it in the server's memory (engine.io's writeBuffer and
// the WebSocket's unwritten bytes): past its limit the connection is cut and what it held
// is dropped, while the room's other sockets go on. And one address may have only a few
// resumes (each a read of the room's log) in flight at once. Real sockets over real ports,
// a real PostgreSQL, the real etcd-nospace scenario.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connectClient, type Socket } from 'socket.io-client';
import type { RoomStore } from '../../server/db/room-store.js';
import { loadScenarioCatalog } from '../../server/rooms/scenario-runtime.js';
import { connect, postJson, startTestServer, type TestServer } from '../helpers/server.js';

const BIG = 262_000;
const LIMIT = 1024 * 1024;
const RESUME_SENT_MS = 8000;
let server: TestServer;
/** While set, listEvents waits for it (to hold resumes in their read). */
let hold: Promise<void> | undefined;
let reads = 0;

beforeAll(async () => {
  server = await startTestServer({ catalog: loadScenarioCatalog().catalog, trustProxyHops: 1, limits: { socketBacklogBytes: LIMIT, resumesPerIp: 4, resumeSentMs: RESUME_SENT_MS } });
  const store: RoomStore = server.app.game.registry.store;
  const listEvents = store.listEvents.bind(store);
  store.listEvents = async (roomId, after, limit) => {
    reads++;
    await hold;
    return listEvents(roomId, after, limit);
  };
});
afterAll(async () => {
  await server?.close();
});

async function room(mode: 'interview' | 'gameday' = 'interview', morePlayers = 0) {
  const created = await postJson<{ roomId: string; code: string; hostToken: string }>(server.url, '/api/rooms', { scenarioId: 'etcd-nospace', mode, hostName: 'Host', seed: 1, allowSpectators: true });
  const host = await connect(server.url);
  expect((await host.request('room:join', { token: created.body.hostToken })).ok).toBe(true);
  const player = await connect(server.url);
  expect((await player.call('room:join', { code: created.body.code, name: 'Loud' })).ok).toBe(true);
  const players = [player];
  for (let i = 1; i <= morePlayers; i++) {
    const more = await connect(server.url);
    expect((await more.call('room:join', { code: created.body.code, name: `P${i}` })).ok).toBe(true);
    players.push(more);
  }
  const spectator = await connect(server.url);
  const watching = await spectator.call<{ token: string }>('room:join', { code: created.body.code, name: 'Eye', role: 'spectator' });
  expect(watching.ok).toBe(true);
  expect((await host.request('host:start')).ok).toBe(true);
  return { ...created.body, host, player, players, spectator, spectatorToken: watching.token };
}

/** A socket.io client from `address` (X-Forwarded-For, believed with one trusted proxy). */
async function clientFrom(address: string): Promise<Socket> {
  const socket = connectClient(server.url, { transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: { 'x-forwarded-for': address } });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

/** The client stops reading its TCP socket (as a paused process would); it still writes. */
function stopReading(socket: Socket): { resume(): void } {
  const tcp = (socket.io.engine.transport as unknown as { ws: { _socket: { pause(): void; resume(): void } } }).ws._socket;
  tcp.pause();
  return tcp;
}

const cutCount = async (): Promise<number> => (await server.app.game.metrics.registry.getSingleMetric('kubedrill_sockets_cut_total')!.get()).values[0]!.value;

interface ServerConn {
  readyState: string;
  writeBuffer: unknown[];
  transport: { socket: { bufferedAmount: number; readyState: number } };
}

describe('a connection that stops reading', () => {
  it('is cut once it holds more than its limit unsent, and lets go of it; the others in the room go on', async () => {
    const r = await room();
    const slow = await clientFrom('203.0.113.7');
    const tcp = stopReading(slow);
    let disconnected = '';
    slow.on('disconnect', (reason) => (disconnected = reason));
    // It resumes from 0 (it gets the whole log, as terminals keep it) and never reads the answer.
    slow.emit('room:resume', { token: r.spectatorToken, lastSeq: 0 }, () => undefined);
    await expect.poll(() => server.app.game.sockets.io.of('/').sockets.size).toBe(4);
    const held = server.app.game.sockets.io.of('/').sockets.get([...server.app.game.sockets.io.of('/').sockets.keys()].at(-1)!)!.conn as unknown as ServerConn;
    await expect.poll(() => server.app.game.sockets.io.of('/').adapter.rooms.get(`${r.roomId}:spectator`)?.size).toBe(2);

    // The room prints far more than the limit (and than the kernel's socket buffers take).
    const seqs: number[] = [];
    for (let i = 0; i < 40; i++) {
      const ran = await r.player.request<{ seq: number }>('cmd:run', { line: `printf '%${BIG}s' ${i}` });
      expect(ran.ok).toBe(true);
      seqs.push(ran.seq);
    }
    // Cut: the server's side of it is closed and holds nothing (without the limit it held ~8 MB here, for as long as the client lived).
    await expect.poll(() => held.readyState).toBe('closed');
    await expect.poll(() => held.writeBuffer.length).toBe(0);
    expect(held.transport.socket.readyState).toBe(3); // CLOSED: terminated, not waiting 30 s for a close frame
    expect(held.transport.socket.bufferedAmount).toBe(0);
    expect(server.app.game.sockets.io.of('/').sockets.size).toBe(3);
    const cuts = await cutCount();
    expect(cuts).toBeGreaterThanOrEqual(1);

    // The host and the other spectator (reading) got every command, in full.
    for (const reader of [r.host, r.spectator]) {
      await reader.waitFor((e) => e.seq === seqs.at(-1));
      const commands = reader.events.filter((e) => e.type === 'command' && seqs.includes(e.seq as number));
      expect(commands.map((e) => e.seq)).toEqual(seqs);
      expect(commands.every((e) => (e.output as string).length === BIG)).toBe(true);
    }
    // Reading again, the client finds its connection closed, and resumes like after any disconnect.
    tcp.resume();
    await expect.poll(() => disconnected, { timeout: 5000 }).not.toBe('');
    const back = await clientFrom('203.0.113.7');
    const resumed = await back.timeout(10_000).emitWithAck('room:resume', { token: r.spectatorToken, lastSeq: 0 });
    expect(resumed.ok).toBe(true);
    // Its answer alone is over the limit (what the terminal keeps): an answer may be, or the client would be cut at every resume.
    expect(JSON.stringify(resumed).length).toBeGreaterThan(LIMIT);
    expect((resumed.events as { seq: number }[]).filter((e) => seqs.includes(e.seq)).map((e) => e.seq)).toEqual(seqs);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(back.connected).toBe(true);
    expect(await cutCount()).toBe(cuts);
    for (const client of [back, slow]) client.close();
    for (const client of [r.host, r.player, r.spectator]) client.close();
  });
});

describe('resumes per address', () => {
  it('at most 4 in flight at once: the 5th is answered unavailable, another address is not', async () => {
    const r = await room();
    let release!: () => void;
    hold = new Promise((resolve) => (release = resolve));
    const sockets: Socket[] = [];
    const resume = async (address: string) => {
      const socket = await clientFrom(address);
      sockets.push(socket);
      return socket.timeout(10_000).emitWithAck('room:resume', { token: r.spectatorToken, lastSeq: 0 }) as Promise<{ ok: boolean; error?: { code: string; message: string } }>;
    };
    const before = reads;
    const held = [0, 1, 2, 3].map(() => resume('198.51.100.1'));
    // The four are in their log read (held there).
    await expect.poll(() => reads - before).toBeGreaterThanOrEqual(4);
    const fifth = await resume('198.51.100.1');
    expect(fifth.ok).toBe(false);
    expect(fifth.error).toEqual({ code: 'unavailable', message: 'too many resumes from this address at once; try again shortly' });
    // Another address has its own four: its resume reads meanwhile.
    const other = resume('198.51.100.2');
    await expect.poll(() => reads - before).toBeGreaterThanOrEqual(5);
    hold = undefined;
    release();
    for (const answer of await Promise.all(held)) expect(answer.ok).toBe(true);
    expect((await other).ok).toBe(true);
    // Answered and sent: the slots are free again.
    expect((await resume('198.51.100.1')).ok).toBe(true);
    for (const socket of sockets) socket.close();
    for (const client of [r.host, r.player, r.spectator]) client.close();
  });

  it('a connection that joined already is refused a resume before it may take a place', async () => {
    const r = await room();
    const seated = await clientFrom('198.51.100.7');
    expect((await seated.timeout(10_000).emitWithAck('room:resume', { token: r.spectatorToken, lastSeq: 0 })).ok).toBe(true);
    let release!: () => void;
    hold = new Promise((resolve) => (release = resolve));
    const before = reads;
    const sockets = await Promise.all([0, 1, 2, 3].map(() => clientFrom('198.51.100.7')));
    const held = sockets.map((socket) => socket.timeout(10_000).emitWithAck('room:resume', { token: r.spectatorToken, lastSeq: 0 }));
    await expect.poll(() => reads - before).toBeGreaterThanOrEqual(4);
    // Its address's four places are taken, and its answer says why it is refused (it would hold a place otherwise).
    const again = await seated.timeout(10_000).emitWithAck('room:resume', { token: r.spectatorToken, lastSeq: 0 });
    expect(again.error).toEqual({ code: 'conflict', message: 'this connection already joined a room' });
    hold = undefined;
    release();
    for (const answer of await Promise.all(held)) expect(answer.ok).toBe(true);
    for (const socket of [...sockets, seated]) socket.close();
    for (const client of [r.host, r.player, r.spectator]) client.close();
  });
});

describe('resumes that are not read', () => {
  it('hold their place at the gate until their answer has left (or their connection has)', async () => {
    // A game day whose six players printed 4 outputs of 256 KiB: a resume from 0 answers ~6 MB,
    // more than the kernel's socket buffers take for a client that does not read.
    const r = await room('gameday', 5);
    const { players } = r;
    for (const player of players) for (let i = 0; i < 4; i++) expect((await player.request('cmd:run', { line: `printf '%${BIG}s' ${i}` })).ok).toBe(true);
    const paused: Socket[] = [];
    for (let i = 0; i < 4; i++) {
      const socket = await clientFrom('192.0.2.9');
      stopReading(socket);
      socket.emit('room:resume', { token: r.hostToken, lastSeq: 0 }, () => undefined);
      paused.push(socket);
    }
    const conns = server.app.game.sockets.io.of('/').sockets;
    // All four answered (each over the 1 MiB limit, and not cut for it), none written out.
    await expect.poll(() => [...conns.values()].filter((s) => s.rooms.has(`${r.roomId}:host`)).length).toBe(5);
    const reader = await clientFrom('192.0.2.9');
    const refused = await reader.timeout(10_000).emitWithAck('room:resume', { token: r.hostToken, lastSeq: 0 });
    expect(refused.error?.code).toBe('unavailable');
    // Their connections go: their places with them.
    for (const socket of paused) (socket.io.engine.transport as unknown as { ws: { _socket: { destroy(): void } } }).ws._socket.destroy();
    await expect.poll(() => conns.size).toBe(3 + 6);
    const resumed = await reader.timeout(10_000).emitWithAck('room:resume', { token: r.hostToken, lastSeq: 0 });
    expect(resumed.ok).toBe(true);
    expect(JSON.stringify(resumed).length).toBeGreaterThan(4 * BIG);
    reader.close();
    for (const client of [r.host, r.spectator, ...players]) client.close();
  });

  it('are cut when their answer stays unread too long, and their places freed', async () => {
    // A client that answers pings but never reads would hold its address's places for good.
    const r = await room('gameday', 5);
    for (const player of r.players) for (let i = 0; i < 4; i++) expect((await player.request('cmd:run', { line: `printf '%${BIG}s' ${i}` })).ok).toBe(true);
    const cutBefore = await cutCount();
    const paused: Socket[] = [];
    for (let i = 0; i < 4; i++) {
      const socket = await clientFrom('192.0.2.10');
      stopReading(socket);
      socket.emit('room:resume', { token: r.hostToken, lastSeq: 0 }, () => undefined);
      paused.push(socket);
    }
    const reader = await clientFrom('192.0.2.10');
    await expect.poll(async () => (await reader.timeout(10_000).emitWithAck('room:resume', { token: r.hostToken, lastSeq: 0 })).error?.code, { timeout: 5_000 }).toBe('unavailable');
    // Past RESUME_SENT_MS the four are cut, though their clients never went away.
    await expect.poll(cutCount, { timeout: RESUME_SENT_MS + 10_000, interval: 200 }).toBe(cutBefore + 4);
    const second = await clientFrom('192.0.2.10');
    const resumed = await second.timeout(10_000).emitWithAck('room:resume', { token: r.hostToken, lastSeq: 0 });
    expect(resumed.ok).toBe(true);
    for (const socket of [...paused, reader, second]) socket.close();
    for (const client of [r.host, r.spectator, ...r.players]) client.close();
  }, RESUME_SENT_MS + 40_000);
});
