// Origin checks over real HTTP and real socket.io handshakes (polling and WebSocket): the
// server's own page and configured origins are served, other sites' pages are refused,
// and clients that send no Origin (curl, scripts) keep working.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connectClient } from 'socket.io-client';
import { loadConfig } from '../../server/config.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { fakeCatalog } from '../unit/rooms-fake.js';

let server: TestServer;
let own: string;
beforeAll(async () => {
  server = await startTestServer({ catalog: fakeCatalog(), allowedOrigins: ['https://drill.example.com'] });
  own = server.url; // http://127.0.0.1:PORT: what a browser on the served page sends
});
afterAll(async () => {
  await server?.close();
});

/** An HTTP request with exactly these headers (fetch would not let a test set Host). */
function request(method: string, path: string, headers: Record<string, string>, body?: string): Promise<number> {
  const url = new URL(path, server.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Whether a socket.io client sending these headers gets connected over `transport`. */
function socketConnects(transport: 'polling' | 'websocket', headers: Record<string, string>): Promise<boolean> {
  const socket = connectClient(server.url, { transports: [transport], forceNew: true, reconnection: false, extraHeaders: headers });
  return new Promise((resolve) => {
    socket.once('connect', () => (socket.close(), resolve(true)));
    socket.once('connect_error', () => (socket.close(), resolve(false)));
  });
}

const createBody = JSON.stringify({ scenarioId: 'fake', mode: 'gameday', hostName: 'Host' });

describe('origin checks', () => {
  it('serves requests without an Origin (curl, scripts) and from the page this server served', async () => {
    expect(await request('POST', '/api/rooms', {}, createBody)).toBe(201);
    expect(await request('POST', '/api/rooms', { origin: own }, createBody)).toBe(201);
    expect(await request('POST', '/api/solo', { origin: 'http://localhost:1234', host: 'localhost:1234' }, JSON.stringify({ scenarioId: 'fake', name: 'x' }))).toBe(201);
    expect(await request('GET', '/api/scenarios', { origin: 'https://drill.example.com' })).toBe(200);
    for (const transport of ['polling', 'websocket'] as const) {
      expect(await socketConnects(transport, {}), transport).toBe(true);
      expect(await socketConnects(transport, { origin: own }), transport).toBe(true);
      expect(await socketConnects(transport, { origin: 'https://drill.example.com' }), transport).toBe(true);
    }
  });

  it("refuses other sites' pages on the API and on both socket.io transports", async () => {
    const port = new URL(server.url).port;
    const hostile: Record<string, string>[] = [
      { origin: 'https://evil.example' },
      { origin: 'null' },
      { origin: 'not a url' },
      { origin: `http://127.0.0.1:${Number(port) + 1}` },
      { origin: 'https://drill.example.com.evil.example' },
      // DNS rebinding: the attacker's name resolves to this machine; Host and Origin agree.
      { origin: `http://rebind.evil.example:${port}`, host: `rebind.evil.example:${port}` },
    ];
    for (const headers of hostile) {
      expect(await request('POST', '/api/rooms', headers, createBody), headers.origin).toBe(403);
      expect(await request('GET', '/api/scenarios', headers), headers.origin).toBe(403);
      for (const transport of ['polling', 'websocket'] as const) expect(await socketConnects(transport, headers), `${transport} ${headers.origin}`).toBe(false);
    }
  });

  it('reads KUBEDRILL_ALLOWED_ORIGINS as a comma-separated list of origins', () => {
    expect(loadConfig({}).allowedOrigins).toEqual([]);
    expect(loadConfig({ KUBEDRILL_ALLOWED_ORIGINS: ' https://a.example.com, http://b.example:8080 ,' }).allowedOrigins).toEqual(['https://a.example.com', 'http://b.example:8080']);
    expect(() => loadConfig({ KUBEDRILL_ALLOWED_ORIGINS: 'https://a.example.com/path' })).toThrow(/KUBEDRILL_ALLOWED_ORIGINS: must be a comma-separated list of origins/);
    expect(() => loadConfig({ KUBEDRILL_ALLOWED_ORIGINS: '*' })).toThrow(/KUBEDRILL_ALLOWED_ORIGINS/);
  });
});
