// inOneFlush (server/socket/one-flush.ts) on a real socket.io server and client: an event and
// the ack after it leave in one engine.io flush, in order, so the ack does not wait for the
// first write's callback (which Node runs only after the turn's remaining promise jobs).
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket as ServerSocket } from 'socket.io';
import { io as connectClient, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inOneFlush } from '../../server/socket/one-flush.js';
import { connect, postJson, startTestServer, type TestServer } from '../helpers/server.js';
import { fakeCatalog } from '../unit/rooms-fake.js';

describe('inOneFlush', () => {
  let http: HttpServer;
  let io: Server;
  let client: Socket;
  let serverSocket: ServerSocket;
  /** Packets per engine.io flush of the server's socket, in order. */
  const flushes: number[] = [];
  let together = true;

  beforeAll(async () => {
    http = createServer();
    io = new Server(http);
    io.on('connection', (socket) => {
      serverSocket = socket;
      socket.conn.on('flush', (buffer: unknown[]) => flushes.push(buffer.length));
      socket.on('act', (ack: (answer: unknown) => void) => {
        const send = () => {
          socket.emit('room:event', { seq: 1 });
          socket.emit('room:event', { seq: 2 });
          ack({ ok: true, seq: 3 });
        };
        if (together) inOneFlush(socket, send);
        else send();
      });
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    client = connectClient(`http://127.0.0.1:${(http.address() as AddressInfo).port}`, { transports: ['websocket'], forceNew: true, reconnection: false });
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
  });

  afterAll(async () => {
    client.close();
    await io.close();
  });

  async function act(): Promise<string[]> {
    const seen: string[] = [];
    const onEvent = (event: { seq: number }) => seen.push(`event ${event.seq}`);
    client.on('room:event', onEvent);
    flushes.length = 0;
    const ack = (await client.emitWithAck('act')) as { seq: number };
    seen.push(`ack ${ack.seq}`);
    client.off('room:event', onEvent);
    return seen;
  }

  it('sends the events and the ack in one flush, in order', async () => {
    together = true;
    expect(await act()).toEqual(['event 1', 'event 2', 'ack 3']);
    expect(flushes).toEqual([3]);
  });

  it('without it, the messages after the first wait for a later flush (what it avoids)', async () => {
    together = false;
    expect(await act()).toEqual(['event 1', 'event 2', 'ack 3']);
    expect(flushes).toEqual([1, 2]);
  });

  it('leaves the transport writable, and sends at once when nothing is queued', async () => {
    together = true;
    await act();
    expect(serverSocket.conn.transport.writable).toBe(true);
    flushes.length = 0;
    inOneFlush(serverSocket, () => undefined);
    expect(flushes).toEqual([]);
    expect(serverSocket.conn.transport.writable).toBe(true);
  });

  it('sends plainly to a socket it does not have (the origin is on another process)', () => {
    let sent = false;
    inOneFlush(undefined, () => {
      sent = true;
    });
    expect(sent).toBe(true);
  });
});

describe('a command that carries a tick, on a real server', () => {
  let server: TestServer;
  beforeAll(async () => {
    // Beats every 20 ms, never logged on their own: the pending time rides along with the next command.
    server = await startTestServer({ catalog: fakeCatalog(), tickMs: 20, flushMs: 600_000 });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("sends the player its tick and its ack in one flush (broadcast's use of inOneFlush)", async () => {
    const created = await postJson<{ hostToken: string; code: string }>(server.url, '/api/rooms', { scenarioId: 'fake', mode: 'gameday', hostName: 'H' });
    const host = await connect(server.url);
    await host.call('room:join', { token: created.body.hostToken });
    const player = await connect(server.url);
    await player.call('room:join', { code: created.body.code, name: 'P' });
    await host.call('host:start');
    const packets: string[][] = [];
    server.app.game.sockets.io.of('/').sockets.get(player.socket.id!)!.conn.on('flush', (buffer: { data?: unknown }[]) => {
      packets.push(buffer.map((p) => String(p.data ?? '')));
    });
    await new Promise((r) => setTimeout(r, 100)); // time pending: the command carries a tick
    const ack = await player.call<{ seq: number }>('cmd:run', { line: 'get' });
    expect(ack.ok).toBe(true);
    const tick = player.events.find((e) => e.type === 'tick' && (e.seq as number) < ack.seq);
    expect(tick).toBeDefined();
    // socket.io packets: 2… an event, 3… an ack. The tick's event and the ack share a flush.
    expect(packets.some((flush) => flush.some((p) => p.startsWith('2["room:event"')) && flush.some((p) => p.startsWith('3')))).toBe(true);
    host.close();
    player.close();
  });
});
