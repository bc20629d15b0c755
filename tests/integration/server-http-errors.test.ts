// Bad requests over real HTTP and sockets against a real PostgreSQL: 400 with the zod
// issues, no stack trace, no path, no database message; text that PostgreSQL cannot
// store is refused before it reaches the store; a lost database reads "database unavailable".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { connect, postJson, startTestServer, type TestServer } from '../helpers/server.js';
import { POSTGRES_ADMIN_URL } from '../helpers/db.js';
import { fakeCatalog } from '../unit/rooms-fake.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ catalog: fakeCatalog() });
});
afterAll(async () => {
  await server?.close();
});

async function post(path: string, body: string, contentType = 'application/json') {
  const response = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body });
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) as { error: { code: string; message: string; issues?: { path: string; message: string }[] } } };
}

/** Nothing in an answer may show where the server lives or what it runs on. */
function expectNoInternals(text: string): void {
  expect(text).not.toMatch(/\/work\/|node_modules|\.ts:\d+|at [\w.<>]+ \(|prisma|postgres|FST_ERR/i);
}

const roomCount = async () => Number((await server.db.pool.query('SELECT count(*) FROM "Room"')).rows[0].count);

describe('HTTP errors', () => {
  it('answers malformed JSON, wrong types and missing fields with 400 and the zod issues', async () => {
    for (const path of ['/api/rooms', '/api/solo']) {
      const malformed = await post(path, '{"scenarioId": "fake", ');
      expect(malformed.status).toBe(400);
      expect(malformed.body.error.code).toBe('bad_request');
      expectNoInternals(malformed.text);

      const wrong = await post(path, JSON.stringify({ scenarioId: 5, mode: 'gameday', hostName: ['x'], name: {} }));
      expect(wrong.status).toBe(400);
      expect(wrong.body.error.code).toBe('bad_request');
      expect(wrong.body.error.issues?.map((i) => i.path)).toContain('/scenarioId');
      expectNoInternals(wrong.text);

      const missing = await post(path, '{}');
      expect(missing.status).toBe(400);
      expect(missing.body.error.issues?.length).toBeGreaterThanOrEqual(2);

      for (const body of ['null', '[]', '"x"', '42']) expect((await post(path, body)).status).toBe(400);
      expect((await post(path, 'scenarioId=fake', 'application/x-www-form-urlencoded')).status).toBe(415);
      expect((await post(path, JSON.stringify({ __proto__: { admin: true }, scenarioId: 'fake' }).replace('{', '{"__proto__":{"x":1},'))).status).toBe(400);
    }
    const tooLarge = await post('/api/rooms', JSON.stringify({ scenarioId: 'fake', mode: 'gameday', hostName: 'x'.repeat(300_000) }));
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error.code).toBe('too_large');
  });

  it('refuses NUL and lone surrogates in every text field before storing anything', async () => {
    const before = await roomCount();
    for (const bad of ['Ho\u0000st', 'Ho\uD800st', '\uDC00', 'x\uDBFF']) {
      const room = await postJson<{ error: { code: string; issues: { path: string }[] } }>(server.url, '/api/rooms', { scenarioId: 'fake', mode: 'gameday', hostName: bad });
      expect(room.status).toBe(400);
      expect(room.body.error.issues.map((i) => i.path)).toEqual(['/hostName']);
      expectNoInternals(JSON.stringify(room.body));
      const solo = await postJson(server.url, '/api/solo', { scenarioId: 'fake', name: bad });
      expect(solo.status).toBe(400);
    }
    expect(await roomCount()).toBe(before);
    // A pair of surrogates is one character (an emoji) and is fine.
    expect((await postJson(server.url, '/api/solo', { scenarioId: 'fake', name: 'Pat 🚀' })).status).toBe(201);

    // The same refinement guards every socket message that carries text.
    const created = await postJson<{ code: string; hostToken: string }>(server.url, '/api/rooms', { scenarioId: 'fake', mode: 'gameday', hostName: 'Host' });
    const host = await connect(server.url);
    await host.call('room:join', { token: created.body.hostToken });
    const player = await connect(server.url);
    expect(await player.call('room:join', { code: created.body.code, name: 'a\u0000b' })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect((await player.call('room:join', { code: created.body.code, name: 'Pat' })).ok).toBe(true);
    await host.call('host:start');
    const events = Number((await server.db.pool.query('SELECT count(*) FROM "Event"')).rows[0].count);
    for (const [name, payload] of [
      ['cmd:run', { line: 'get\u0000' }],
      ['cmd:run', { line: 'get \uD83D' }],
      ['cmd:complete', { line: 'g\u0000', cursor: 1 }],
      ['diagnosis:submit', { rootCause: 'b', text: 'bad \uDE00', evidence: [] }],
      ['diagnosis:submit', { rootCause: 'b', text: 'ok', evidence: ['\u0000'] }],
    ] as const) {
      expect(await player.call(name, payload), name).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    }
    for (const [name, payload] of [
      ['host:note', { text: 'note \u0000' }],
      ['host:adjust', { participantId: 'x', points: 1, reason: '\uD800' }],
      ['host:hint', { hintId: 'h1\u0000' }],
    ] as const) {
      expect(await host.call(name, payload), name).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    }
    expect(Number((await server.db.pool.query('SELECT count(*) FROM "Event"')).rows[0].count)).toBe(events);
    host.close();
    player.close();
  });

  it('answers a failing database with a bare 500 and /healthz with "database unavailable"', async () => {
    const other = await startTestServer({ catalog: fakeCatalog() });
    const name = new URL(other.db.pool.options.connectionString!).pathname.slice(1);
    const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await admin.connect();
    try {
      await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
      const health = await fetch(`${other.url}/healthz`);
      expect(health.status).toBe(503);
      const text = await health.text();
      expect(JSON.parse(text)).toEqual({ status: 'error', database: 'unreachable', error: 'database unavailable' });
      expectNoInternals(text);
      expect(text).not.toContain(name);

      const failed = await fetch(`${other.url}/api/rooms`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scenarioId: 'fake', mode: 'gameday', hostName: 'Host' }) });
      expect(failed.status).toBe(500);
      const failedText = await failed.text();
      expect(JSON.parse(failedText)).toEqual({ error: { code: 'internal', message: 'internal error' } });
      expectNoInternals(failedText);
    } finally {
      await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`);
      await admin.end();
      await other.close();
    }
  });
});
