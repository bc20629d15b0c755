// inOneFlush (server/socket/one-flush.ts) on a real socket.io server and client: an event and
// the ack after it leave in one engine.io flush, in order, so the ack does not wait for the
// first write's callback (which Node runs only after the turn's remaining promise jobs).
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket as ServerSocket } from 'socket.io';
import { io as connectClient, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inOneFlush } from '../../server/socket/one-flush.js';

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
