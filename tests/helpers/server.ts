// Game-server test helpers: an app on a real port over a throwaway PostgreSQL, and
// socket.io clients that record every message they receive.
import { io as connectClient, type Socket } from 'socket.io-client';
import { buildApp } from '../../server/app.js';
import { openDatabase, type Database } from '../../server/db/client.js';
import type { GameOptions } from '../../server/http/game-plugin.js';
import type { ScenarioCatalog } from '../../server/rooms/runtime.js';
import type { FastifyInstance } from 'fastify';
import { createTestDatabase, type TestDatabase } from './db.js';
import type { EdgeLimits, OpsRoutes } from '../../server/config.js';

const LOTS = { perIp: 1_000_000, total: 1_000_000 };
const NO_LIMITS: EdgeLimits = { maxOpenRooms: 1_000_000, maxSpectatorsPerRoom: 1_000_000, roomCreation: LOTS, badJoinCodes: LOTS, spectatorJoins: LOTS, logReads: { perIp: 1_000_000, concurrent: 1_000_000 }, resumesPerIp: 1_000_000, socketBacklogBytes: 1 << 30, resumeSentMs: 30_000 };

export interface TestServer {
  url: string;
  app: FastifyInstance;
  db: Database;
  close(): Promise<void>;
}

export async function startTestServer(options: {
  catalog: ScenarioCatalog;
  tickMs?: number;
  flushMs?: number;
  maxEndedRooms?: number;
  database?: { url?: string; dataDir?: string };
  allowedOrigins?: string[];
  /** Abuse limits; unset ones are lifted (every test client comes from 127.0.0.1). */
  limits?: Partial<EdgeLimits>;
  ops?: OpsRoutes;
  trustProxyHops?: number;
  /** Other game options (lobby expiry, reconcile period, storage retry…). */
  game?: Partial<GameOptions>;
}): Promise<TestServer> {
  let testDb: TestDatabase | undefined;
  let url = options.database?.url;
  if (!url && !options.database?.dataDir) {
    testDb = await createTestDatabase();
    url = testDb.url;
  }
  const db = await openDatabase({ databaseUrl: url, dataDir: options.database?.dataDir ?? '' });
  const app = await buildApp({ database: db, logger: false, allowedOrigins: options.allowedOrigins ?? [], ...(options.ops ? { ops: options.ops } : {}), trustProxyHops: options.trustProxyHops ?? 0, game: {
    limits: { ...NO_LIMITS, ...options.limits },
    catalog: options.catalog,
    tickMs: options.tickMs ?? 0,
    ...(options.flushMs !== undefined ? { flushMs: options.flushMs } : {}),
    ...(options.maxEndedRooms !== undefined ? { maxEndedRooms: options.maxEndedRooms } : {}),
    ...options.game,
  } });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url: address,
    app,
    db,
    async close() {
      await app.close();
      await db.close();
      await testDb?.drop();
    },
  };
}

export interface TestClient {
  socket: Socket;
  /** Every room:event received, in order. */
  events: Record<string, unknown>[];
  /** Every message of any name, raw, in order (for leak checks). */
  received: { name: string; args: unknown[] }[];
  call<T = Record<string, unknown>>(name: string, payload?: unknown): Promise<T & { ok: boolean; error?: { code: string; message: string } }>;
  /** Like call, but waits and retries while the server answers rate_limited (scripted clients type fast). */
  request<T = Record<string, unknown>>(name: string, payload?: unknown): Promise<T & { ok: boolean; error?: { code: string; message: string } }>;
  /** Resolves when a room:event matching `predicate` has arrived (already or later). */
  waitFor(predicate: (event: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  close(): void;
}

export async function connect(url: string): Promise<TestClient> {
  const socket = connectClient(url, { transports: ['websocket'], forceNew: true, reconnection: false });
  const events: Record<string, unknown>[] = [];
  const received: TestClient['received'] = [];
  const waiters: { predicate: (e: Record<string, unknown>) => boolean; resolve: (e: Record<string, unknown>) => void }[] = [];
  socket.onAny((name: string, ...args: unknown[]) => {
    received.push({ name, args });
    if (name !== 'room:event') return;
    // One message per commit: its events are the arguments, in order.
    for (const event of args as Record<string, unknown>[]) {
      events.push(event);
      for (const w of [...waiters]) {
        if (w.predicate(event)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(event);
        }
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  const call: TestClient['call'] = async (name, payload = {}) => {
    const ack = await socket.timeout(10_000).emitWithAck(name, payload);
    received.push({ name: `ack:${name}`, args: [ack] });
    return ack;
  };
  return {
    socket,
    events,
    received,
    call,
    request: async (name, payload = {}) => {
      for (;;) {
        const ack = await call<Record<string, unknown>>(name, payload);
        if ((ack.error as { code?: string } | undefined)?.code !== 'rate_limited') return ack as never;
        await new Promise((r) => setTimeout(r, 150));
      }
    },
    waitFor: (predicate, timeoutMs = 10_000) => {
      const found = events.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('timed out waiting for a room event')), timeoutMs);
        waiters.push({ predicate, resolve: (e) => (clearTimeout(timer), resolve(e)) });
      });
    },
    close: () => void socket.close(),
  };
}

export async function postJson<T = Record<string, unknown>>(base: string, path: string, body: unknown, token?: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

export async function getJson<T = Record<string, unknown>>(base: string, path: string, token?: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`${base}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await response.text();
  return { status: response.status, body: (text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text) as T };
}
