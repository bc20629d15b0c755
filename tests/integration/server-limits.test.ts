// Abuse limits over real HTTP and sockets: room creation per address and in total, the cap
// on open rooms (503), join-code guessing, spectator joins and seats, private /metrics and
// /docs, security headers. Addresses 127.0.0.x are distinct clients on the loopback.
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { io as connectClient, type Socket } from 'socket.io-client';
import { ConfigError, loadConfig } from '../../server/config.js';
import { postJson, startTestServer, type TestServer } from '../helpers/server.js';
import { fakeCatalog } from '../unit/rooms-fake.js';

const servers: TestServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});
async function start(options: Omit<Parameters<typeof startTestServer>[0], 'catalog'>): Promise<TestServer> {
  const server = await startTestServer({ catalog: fakeCatalog(), ...options });
  servers.push(server);
  return server;
}

/** A request from a given loopback address. */
function request(server: TestServer, method: string, path: string, options: { from?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const url = new URL(path, server.url);
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname, method, localAddress: options.from ?? '127.0.0.1', headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...options.headers } },
      (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const solo = (server: TestServer, from: string) => request(server, 'POST', '/api/solo', { from, body: { scenarioId: 'fake', name: 'Solo' } });

/** One join (a socket joins once) from a loopback address; the ack. */
async function joinFrom(server: TestServer, from: string, payload: object, headers: Record<string, string> = {}): Promise<{ ok: boolean; error?: { code: string; message: string } }> {
  const socket: Socket = connectClient(server.url, { transports: ['websocket'], forceNew: true, reconnection: false, localAddress: from, extraHeaders: headers } as never);
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return await socket.timeout(5000).emitWithAck('room:join', payload);
  } finally {
    socket.close();
  }
}

/** A game day that lets spectators in (the host's choice; these tests count them). */
async function hostedRoom(server: TestServer): Promise<{ code: string; hostToken: string }> {
  const created = await postJson<{ code: string; hostToken: string }>(server.url, '/api/rooms', { scenarioId: 'fake', mode: 'gameday', hostName: 'Host', allowSpectators: true });
  expect(created.status).toBe(201);
  return created.body;
}

describe('abuse limits', () => {
  it('rate-limits room creation per address and in total, with the error body', async () => {
    const server = await start({ limits: { roomCreation: { perIp: 3, total: 5 } } });
    for (let i = 0; i < 3; i++) expect((await solo(server, '127.0.0.1')).status).toBe(201);
    const limited = await solo(server, '127.0.0.1');
    expect(limited.status).toBe(429);
    expect(JSON.parse(limited.body)).toMatchObject({ error: { code: 'rate_limited', message: expect.stringMatching(/too many requests/) } });
    // Another address has its own allowance, until everyone together reaches the total.
    for (let i = 0; i < 2; i++) expect((await solo(server, '127.0.0.2')).status).toBe(201);
    expect((await solo(server, '127.0.0.3')).status).toBe(429);
    expect((await request(server, 'POST', '/api/rooms', { from: '127.0.0.4', body: { scenarioId: 'fake', mode: 'gameday', hostName: 'H' } })).status).toBe(429);
  });

  it('answers 503 when the process holds as many open rooms as it may, and serves again once one ends', async () => {
    const server = await start({ limits: { maxOpenRooms: 2 } });
    const first = await hostedRoom(server);
    expect((await solo(server, '127.0.0.1')).status).toBe(201);
    const full = await solo(server, '127.0.0.1');
    expect(full.status).toBe(503);
    expect(JSON.parse(full.body)).toMatchObject({ error: { code: 'unavailable' } });
    expect((await request(server, 'POST', '/api/rooms', { body: { scenarioId: 'fake', mode: 'interview', hostName: 'H' } })).status).toBe(503);

    const host = connectClient(server.url, { transports: ['websocket'], forceNew: true, reconnection: false });
    await host.timeout(5000).emitWithAck('room:join', { token: first.hostToken });
    expect(await host.timeout(5000).emitWithAck('host:end', {})).toMatchObject({ ok: true });
    host.close();
    expect((await solo(server, '127.0.0.1')).status).toBe(201);
  });

  it('limits joins with unknown codes per address, not joins with the right code', async () => {
    const server = await start({ limits: { badJoinCodes: { perIp: 3, total: 1000 } } });
    const { code } = await hostedRoom(server);
    for (let i = 0; i < 5; i++) expect((await joinFrom(server, '127.0.0.5', { code, name: `P${i}` })).ok).toBe(true);
    for (let i = 0; i < 3; i++) expect((await joinFrom(server, '127.0.0.5', { code: 'ZZZZZZZ2', name: 'Guess' })).error?.code).toBe('not_found');
    expect((await joinFrom(server, '127.0.0.5', { code: 'ZZZZZZZ3', name: 'Guess' })).error?.code).toBe('rate_limited');
    expect((await joinFrom(server, '127.0.0.5', { code, name: 'Late' })).error?.code).toBe('rate_limited');
    expect((await joinFrom(server, '127.0.0.6', { code, name: 'Other' })).ok).toBe(true);
  });

  it('caps spectators per room and limits spectator joins per address', async () => {
    const server = await start({ limits: { maxSpectatorsPerRoom: 2, spectatorJoins: { perIp: 4, total: 1000 } } });
    const { code } = await hostedRoom(server);
    expect((await joinFrom(server, '127.0.0.7', { code, name: 'S1', role: 'spectator' })).ok).toBe(true);
    expect((await joinFrom(server, '127.0.0.7', { code, name: 'S2', role: 'spectator' })).ok).toBe(true);
    expect(await joinFrom(server, '127.0.0.7', { code, name: 'S3', role: 'spectator' })).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringMatching(/no spectator seats/) } });
    // Players are not spectators: the room still takes them.
    expect((await joinFrom(server, '127.0.0.7', { code, name: 'Player' })).ok).toBe(true);
    const other = await hostedRoom(server);
    expect((await joinFrom(server, '127.0.0.7', { code: other.code, name: 'S4', role: 'spectator' })).ok).toBe(true);
    expect((await joinFrom(server, '127.0.0.7', { code: other.code, name: 'S5', role: 'spectator' })).error?.code).toBe('rate_limited');
    expect((await joinFrom(server, '127.0.0.8', { code: other.code, name: 'S6', role: 'spectator' })).ok).toBe(true);
  });

  it('reads client addresses from X-Forwarded-For only behind trusted proxies', async () => {
    const forwarded = (address: string) => ({ 'x-forwarded-for': address });
    const direct = await start({ limits: { roomCreation: { perIp: 1, total: 100 } } });
    expect((await request(direct, 'POST', '/api/solo', { body: { scenarioId: 'fake', name: 'A' }, headers: forwarded('203.0.113.1') })).status).toBe(201);
    // Not behind a proxy: the header is the client's own claim and changes nothing.
    expect((await request(direct, 'POST', '/api/solo', { body: { scenarioId: 'fake', name: 'B' }, headers: forwarded('203.0.113.2') })).status).toBe(429);

    const proxied = await start({ trustProxyHops: 1, limits: { roomCreation: { perIp: 1, total: 100 }, badJoinCodes: { perIp: 1, total: 100 } } });
    expect((await request(proxied, 'POST', '/api/solo', { body: { scenarioId: 'fake', name: 'A' }, headers: forwarded('203.0.113.1') })).status).toBe(201);
    expect((await request(proxied, 'POST', '/api/solo', { body: { scenarioId: 'fake', name: 'A' }, headers: forwarded('203.0.113.1') })).status).toBe(429);
    expect((await request(proxied, 'POST', '/api/solo', { body: { scenarioId: 'fake', name: 'B' }, headers: forwarded('10.0.0.9, 203.0.113.2') })).status).toBe(201);
    const guess = { code: 'ZZZZZZZ2', name: 'Guess' };
    expect((await joinFrom(proxied, '127.0.0.1', guess, forwarded('203.0.113.5'))).error?.code).toBe('not_found');
    expect((await joinFrom(proxied, '127.0.0.1', guess, forwarded('203.0.113.5'))).error?.code).toBe('rate_limited');
    expect((await joinFrom(proxied, '127.0.0.1', guess, forwarded('203.0.113.6'))).error?.code).toBe('not_found');
  });

  it('serves /metrics and /docs to everyone, nobody, or the ops token', async () => {
    const token = 'ops-token-0123456789abcdef';
    const open = await start({});
    expect((await request(open, 'GET', '/metrics')).status).toBe(200);
    expect((await request(open, 'GET', '/docs/json')).status).toBe(200);

    const closed = await start({ ops: { metrics: 'token', docs: 'off', token } });
    expect((await request(closed, 'GET', '/metrics')).status).toBe(403);
    expect((await request(closed, 'GET', '/metrics', { headers: { authorization: 'Bearer wrong-token-0123456789ab' } })).status).toBe(403);
    const metrics = await request(closed, 'GET', '/metrics', { headers: { authorization: `Bearer ${token}` } });
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain('kubedrill_sockets');
    expect((await request(closed, 'GET', '/docs')).status).toBe(404);
    expect((await request(closed, 'GET', '/docs/json')).status).toBe(404);

    const docs = await start({ ops: { metrics: 'off', docs: 'token', token } });
    expect((await request(docs, 'GET', '/metrics', { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
    expect((await request(docs, 'GET', '/docs/json')).status).toBe(403);
    expect((await request(docs, 'GET', '/docs/json', { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    // The game still works with both closed.
    expect((await solo(docs, '127.0.0.1')).status).toBe(201);
  });

  it('sends security headers with a CSP that allows only this server', async () => {
    const server = await start({});
    const page = await request(server, 'GET', '/');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect((await request(server, 'GET', '/api/scenarios')).headers['content-security-policy']).toBeDefined();
  });

  it('reads the limits and ops access from the environment', () => {
    const config = loadConfig({ KUBEDRILL_MAX_ROOMS: '50', KUBEDRILL_MAX_SPECTATORS: '5', KUBEDRILL_RATE_ROOMS: '10/200', KUBEDRILL_RATE_BAD_CODES: '5/50', KUBEDRILL_RATE_SPECTATORS: '7/70', KUBEDRILL_LOG_READS: '12/2', KUBEDRILL_RESUMES_PER_IP: '3', KUBEDRILL_SOCKET_BACKLOG: '1048576', KUBEDRILL_METRICS: 'token', KUBEDRILL_DOCS: 'off', KUBEDRILL_OPS_TOKEN: 'a-long-enough-token' });
    expect(config.limits).toEqual({ maxOpenRooms: 50, maxSpectatorsPerRoom: 5, roomCreation: { perIp: 10, total: 200 }, badJoinCodes: { perIp: 5, total: 50 }, spectatorJoins: { perIp: 7, total: 70 }, logReads: { perIp: 12, concurrent: 2 }, resumesPerIp: 3, socketBacklogBytes: 1_048_576, resumeSentMs: 60_000 });
    expect(config.ops).toEqual({ metrics: 'token', docs: 'off', token: 'a-long-enough-token' });
    expect(loadConfig({}).ops).toEqual({ metrics: 'public', docs: 'public', token: undefined });
    expect(loadConfig({}).trustProxyHops).toBe(0);
    expect(loadConfig({ KUBEDRILL_TRUST_PROXY: '2' }).trustProxyHops).toBe(2);
    expect(() => loadConfig({ KUBEDRILL_RATE_ROOMS: '10' })).toThrow('KUBEDRILL_RATE_ROOMS: must be PER_IP/TOTAL per minute, e.g. 30/600 (got "10")');
    expect(() => loadConfig({ KUBEDRILL_LOG_READS: '30/0' })).toThrow('KUBEDRILL_LOG_READS: must be PER_IP/AT_ONCE: reads per minute per address / reads at once, e.g. 30/4 (got "30/0")');
    expect(() => loadConfig({ KUBEDRILL_METRICS: 'token' })).toThrow(ConfigError);
    expect(() => loadConfig({ KUBEDRILL_METRICS: 'private' })).toThrow(/KUBEDRILL_METRICS: must be one of public, off, token/);
    expect(() => loadConfig({ KUBEDRILL_OPS_TOKEN: 'short' })).toThrow('KUBEDRILL_OPS_TOKEN: must be at least 16 characters (got "***")');
  });
});
