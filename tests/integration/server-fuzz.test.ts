// Hostile socket messages over a real port: every Object.prototype member name, names
// EventEmitter treats specially, random names, payloads and ack shapes, before and after
// joining a room. The server must answer every message that carries an ack and keep serving.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { connect, postJson, startTestServer, type TestClient, type TestServer } from '../helpers/server.js';
import { fakeCatalog } from '../unit/rooms-fake.js';

let server: TestServer;
let code: string;
/** A player seat taken before the start: a game day under way seats newcomers only when the host admits them, so fuzzing sockets sit in this one. */
let seatToken: string;
beforeAll(async () => {
  server = await startTestServer({ catalog: fakeCatalog() });
  const created = await postJson<{ code: string; hostToken: string }>(server.url, '/api/rooms', { scenarioId: 'fake', mode: 'gameday', hostName: 'Host' });
  code = created.body.code;
  const host = await connect(server.url);
  await host.call('room:join', { token: created.body.hostToken });
  const player = await connect(server.url);
  seatToken = (await player.call<{ token: string }>('room:join', { code, name: 'Fuzz' })).token;
  player.close();
  await host.call('host:start');
  host.close();
});
afterAll(async () => {
  await server?.close();
});

const PROTOTYPE_NAMES = [
  ...Object.getOwnPropertyNames(Object.prototype),
  ...Object.getOwnPropertyNames(Function.prototype),
  // EventEmitter throws on an unheard `error`; the others are socket.io's own.
  'error', 'connection', 'message', 'ping', 'pong', 'close',
];
const KNOWN_NAMES = ['room:join', 'room:resume', 'room:leave', 'cmd:run', 'cmd:complete', 'hint:request', 'diagnosis:submit', 'host:start', 'host:note', 'client:signal'];

const name = fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES), fc.constantFrom(...KNOWN_NAMES), fc.string({ maxLength: 40 }), fc.integer());
const payload = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constant(undefined),
  fc.dictionary(fc.constantFrom(...PROTOTYPE_NAMES, 'line', 'code', 'name', 'token', 'text'), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
);
/** How the message carries (or fails to carry) its ack function. */
const ackShape = fc.constantFrom('ack', 'none', 'ack-first', 'extra-args', 'no-payload-ack');

async function send(client: TestClient, event: string | number, data: unknown, shape: string): Promise<unknown> {
  const socket = client.socket;
  const withAck = (...args: unknown[]) => socket.timeout(5_000).emitWithAck(event as string, ...args);
  switch (shape) {
    case 'ack':
      return withAck(data);
    case 'no-payload-ack':
      return withAck();
    case 'extra-args':
      return withAck(data, 42, 'x');
    case 'ack-first':
      // A non-function where the ack would be: nothing to answer, nothing may break.
      socket.emit(event as string, data, 'not-a-function');
      return undefined;
    default:
      socket.emit(event as string, data);
      return undefined;
  }
}

async function alive(client: TestClient): Promise<void> {
  const answer = await client.request('cmd:complete', { line: 'g', cursor: 1 });
  expect(answer).toHaveProperty('ok');
}

describe('socket fuzzing', () => {
  it('answers every Object.prototype member name with bad_request, before and after joining', async () => {
    const client = await connect(server.url);
    for (const joined of [false, true]) {
      if (joined) expect((await client.call('room:join', { token: seatToken })).ok).toBe(true);
      for (const event of PROTOTYPE_NAMES) {
        for (const args of [[{}], [], [undefined], [null], [{ line: 'get' }, 'extra']]) {
          const ack = await client.socket.timeout(5_000).emitWithAck(event, ...args);
          expect(ack, event).toMatchObject({ ok: false, error: { code: 'bad_request' } });
        }
        client.socket.emit(event, {}, 'not-a-function');
        client.socket.emit(event);
      }
      await alive(client);
    }
    client.close();
  });

  it('sizes binary attachments by their bytes: a megabyte of them is refused without becoming JSON', async () => {
    // JSON.stringify turned each Buffer into an array of numbers to measure it: 600 ms of
    // blocked event loop per message of 10 attachments, before any rate limit.
    const toJson = vi.spyOn(Buffer.prototype, 'toJSON');
    try {
      const client = await connect(server.url);
      const attachments = Array.from({ length: 10 }, () => Buffer.alloc(100_000, 7));
      for (const joined of [false, true]) {
        if (joined) expect((await client.call('room:join', { token: seatToken })).ok).toBe(true);
        for (const args of [[{ line: attachments }], attachments, [{ line: 'get', x: attachments[0] }]]) {
          const ack = await client.socket.timeout(5_000).emitWithAck('cmd:run', ...args);
          expect(ack).toMatchObject({ ok: false, error: { code: 'too_large' } });
        }
      }
      expect(toJson).not.toHaveBeenCalled();
      // A small attachment is no command line either, and says so.
      expect(await client.call('cmd:run', { line: Buffer.from('get') })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
      await alive(client);
      client.close();
    } finally {
      toJson.mockRestore();
    }
  });

  it('stays up and answers under random names, payloads and ack shapes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.array(fc.tuple(name, payload, ackShape), { minLength: 1, maxLength: 8 }), async (join, messages) => {
        const client = await connect(server.url);
        try {
          if (join) await client.request('room:join', { token: seatToken });
          for (const [event, data, shape] of messages) {
            const ack = await send(client, event, data, shape);
            if (shape !== 'ack-first' && shape !== 'none') expect(ack).toHaveProperty('ok');
          }
          await alive(client);
        } finally {
          client.close();
        }
      }),
      { numRuns: 60 },
    );
    // And a fresh connection still joins and runs a command.
    const probe = await connect(server.url);
    expect((await probe.request('room:join', { token: seatToken })).ok).toBe(true);
    expect(await probe.request('cmd:run', { line: 'get' })).toMatchObject({ ok: true, exitCode: 0 });
    probe.close();
  });
});
