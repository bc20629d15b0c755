// Several real server processes (`node bin/kubedrill.js serve`, REDIS_URL set) on one real
// PostgreSQL and the machine's Redis. A game day whose host and players sit on different
// processes; the room's owner is killed with SIGKILL again and again at random moments
// while everyone types; a process is stopped with SIGTERM (a rolling deploy). After each:
// every client resumes by itself, nothing acknowledged is missing from the log, nothing
// is in it twice, and every client applied exactly the log's events as its view shows them.
import os from 'node:os';
import pg from 'pg';
import { io as connectClient } from 'socket.io-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EventRecord } from '../../server/db/room-store.js';
import { fromStored } from '../../server/rooms/log.js';
import { viewerOf, viewFor } from '../../server/rooms/view.js';
import { ownerOf, ResumingClient, startNode, type Node } from '../helpers/cluster.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { postJson } from '../helpers/server.js';

/**
 * Kill -9 rounds: 20, or as many as fit in ROUNDS_BUDGET_MS (each costs about a lease, 3 s;
 * a replacement process starts in the background, and a round waits for two live processes).
 */
const ROUNDS = Number(process.env.KUBEDRILL_CLUSTER_ROUNDS ?? 20);
const ROUNDS_BUDGET_MS = Number(process.env.KUBEDRILL_CLUSTER_BUDGET_MS ?? 90_000);

let db: TestDatabase;
const nodes: Node[] = [];
/** Every process started, replacements included (some may still be starting): all are stopped at the end. */
const spawned: Promise<Node>[] = [];
const clients: ResumingClient[] = [];

function boot(): Promise<Node> {
  const node = startNode(db.url);
  spawned.push(node);
  return node;
}

beforeAll(async () => {
  db = await createTestDatabase();
  // Kept as each comes up, so afterAll stops the ones that started even if another did not.
  // Four, so a killed owner's replacement (a slow start on a busy machine) is not awaited every round.
  // The first start warms tsx's transform cache for the others.
  nodes[0] = await boot();
  await Promise.all([1, 2, 3].map(async (i) => {
    nodes[i] = await boot();
  }));
}, 480_000);

/** Waits until at least `count` processes are up (replacements start in the background). */
async function live(count: number): Promise<void> {
  while (nodes.filter((n) => n.alive()).length < count) await new Promise((r) => setTimeout(r, 100));
}

afterAll(async () => {
  for (const client of clients) client.close();
  await Promise.all(spawned.map((node) => node.then((n) => n.kill('SIGKILL'), () => undefined)));
  await db?.drop();
});

/** The balancer: any live process, at random. */
const anyLive = (): string => {
  const live = nodes.filter((n) => n.alive());
  return live[Math.floor(Math.random() * live.length)]!.url;
};

async function storedLog(roomId: string): Promise<EventRecord[]> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const { rows } = await client.query<EventRecord>('SELECT * FROM "Event" WHERE "roomId" = $1 ORDER BY seq', [roomId]);
    return rows;
  } finally {
    await client.end();
  }
}

interface Seat {
  client: ResumingClient;
  participantId: string;
  role: 'host' | 'player';
  /** Commands acknowledged: their line and the sequence the ack gave. */
  acked: { line: string; seq: number }[];
}

async function seat(pick: () => string, payload: Record<string, unknown>, role: Seat['role']): Promise<Seat> {
  const client = new ResumingClient(pick);
  clients.push(client);
  const ack = await client.join(payload);
  expect(ack.ok, JSON.stringify(ack)).toBe(true);
  return { client, participantId: (ack.view as { you: { participantId: string } }).you.participantId, role, acked: [] };
}

/** One command; an acknowledged one is recorded and applied (its output came in the ack, not as a broadcast). */
async function run(player: Seat, line: string): Promise<Record<string, unknown> & { ok: boolean }> {
  return player.client.call('cmd:run', { line }, (ack) => {
    if (!ack.ok) return;
    player.acked.push({ line, seq: ack.seq as number });
    player.client.applied({ seq: ack.seq as number, type: 'command', line });
  });
}

/** Runs `echo` lines until `stop()`. */
async function type(player: Seat, tag: string, stop: () => boolean): Promise<void> {
  for (let n = 0; !stop(); n++) {
    if (!(await run(player, `echo ${tag}-${n}`)).ok) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 20 + Math.random() * 60));
  }
}

/** Every acknowledged line is in the log at its sequence, no line twice, and each client applied exactly its view of the log. */
async function checkInvariants(roomId: string, seats: Seat[]): Promise<void> {
  const log = await storedLog(roomId);
  expect(log.map((r) => r.seq)).toEqual(log.map((_, i) => i + 1));
  const lines = log.filter((r) => r.type === 'command').map((r) => (r.payload as { line: string }).line);
  expect(new Set(lines).size).toBe(lines.length);
  const bySeq = new Map(log.map((r) => [r.seq, r]));
  for (const s of seats) {
    expect(s.client.refusals).toEqual([]);
    for (const { line, seq } of s.acked) expect((bySeq.get(seq)?.payload as { line?: string } | undefined)?.line, `acked ${line} at ${seq}`).toBe(line);
    await s.client.settled();
    const viewer = viewerOf(s.participantId, s.role);
    const upTo = s.client.lastSeq;
    const expected = log.filter((r) => r.seq <= upTo).map((r) => viewFor(viewer, fromStored({ ...r, payload: r.payload })))
      .filter((e) => e !== null).map((e) => e.seq);
    const joinedAt = s.client.events[0]?.seq ?? upTo;
    expect(s.client.events.map((e) => e.seq)).toEqual(expected.filter((seq) => seq >= joinedAt));
    for (const event of s.client.events) expect(event.type).toBe(bySeq.get(event.seq)!.type);
  }
}

let roomId: string;
let seats: Seat[];

it('runs a game day whose host and players sit on different processes', async () => {
  const [a, b, c] = nodes.map((n) => n.url) as [string, string, string];
  const created = await postJson<{ roomId: string; code: string; hostToken: string }>(a, '/api/rooms', { scenarioId: 'etcd-nospace', mode: 'gameday', hostName: 'Facilitator', seed: 1 });
  expect(created.status).toBe(201);
  roomId = created.body.roomId;
  // Each on its own process at first; after a failover wherever the balancer sends them.
  const host = await seat(() => (nodes[0]!.alive() && clients.length === 0 ? a : anyLive()), { token: created.body.hostToken }, 'host');
  const p1 = await seat(() => (clients.length === 1 ? b : anyLive()), { code: created.body.code, name: 'Min-jun' }, 'player');
  const p2 = await seat(() => (clients.length === 2 ? c : anyLive()), { code: created.body.code, name: 'Seo-yeon' }, 'player');
  seats = [host, p1, p2];
  expect((await host.client.call('host:start')).ok).toBe(true);
  // Created on a, so a owns it (unless a busy machine let its lease lapse and another adopted it).
  const owner = await ownerOf(db.url, roomId);
  expect(nodes.map((n) => n.url)).toContain(owner);
  // Players on b and c: at least one is piped to the owner, and the host sees their commands.
  expect([p1, p2].some((p) => p.client.visited[0] !== owner)).toBe(true);
  const ack = await run(p1, 'kubectl get nodes');
  expect(ack.ok, JSON.stringify(ack)).toBe(true);
  expect(ack.output).toContain('Ready');
  await new Promise((r) => setTimeout(r, 300));
  expect(host.client.events.some((e) => e.type === 'command' && e.seq === ack.seq)).toBe(true);
  let done = false;
  await Promise.all([type(p1, 'warm1', () => done), type(p2, 'warm2', () => done), new Promise((r) => setTimeout(r, 1500)).then(() => (done = true))]);
  await checkInvariants(roomId, seats);
}, 60_000);

it('lets a connection whose piped resume was refused resume again on the same connection', async () => {
  // Through a process that does not own the room: the owner refuses the first resume; the
  // second, on the same connection, must reach it again (it was `conflict` for good, and a
  // browser retrying an `unavailable` resume from a draining owner never got back in).
  const owner = await ownerOf(db.url, roomId);
  const other = nodes.find((n) => n.alive() && n.url !== owner)!.url;
  const socket = connectClient(other, { transports: ['websocket'], forceNew: true, reconnection: false });
  try {
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const resume = (lastSeq: number) => socket.timeout(10_000).emitWithAck('room:resume', { token: seats[1]!.client.token, lastSeq }) as Promise<Record<string, unknown>>;
    expect(await resume(1_000_000)).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    const again = await resume(0);
    expect(again.ok, JSON.stringify(again).slice(0, 300)).toBe(true);
    expect((again.events as unknown[]).length).toBeGreaterThan(0);
  } finally {
    socket.close();
  }
}, 30_000);

it(`survives the owner killed with SIGKILL ${ROUNDS} times at random moments`, async () => {
  const failovers: number[] = [];
  const began = performance.now();
  for (let round = 0; round < ROUNDS && performance.now() - began < ROUNDS_BUDGET_MS; round++) {
    await live(2);
    let stop = false;
    const typing = seats.filter((s) => s.role === 'player').map((s, i) => type(s, `r${round}p${i}`, () => stop));
    await new Promise((r) => setTimeout(r, 200 + Math.random() * 1200));
    const ownerUrl = await ownerOf(db.url, roomId);
    const owner = nodes.find((n) => n.url === ownerUrl && n.alive());
    expect(owner, `round ${round}: an owner holds the lease`).toBeDefined();
    const ackedBefore = seats.reduce((sum, s) => sum + s.acked.length, 0);
    const killedAt = performance.now();
    await owner!.kill('SIGKILL');
    // A fresh process replaces it (as an orchestrator would) while the others take over.
    const dead = owner!;
    void boot().then((node) => {
      nodes[nodes.indexOf(dead)] = node;
    }, () => undefined);
    // Failed over: another process owns the room and acknowledges commands again.
    while (seats.reduce((sum, s) => sum + s.acked.length, 0) === ackedBefore || !(await ownerOf(db.url, roomId))) {
      expect(performance.now() - killedAt, `round ${round}: commands acknowledged again`).toBeLessThan(60_000);
      await new Promise((r) => setTimeout(r, 50));
    }
    failovers.push(performance.now() - killedAt);
    console.log(`round ${round}: owner ${owner!.url} killed; commands acknowledged again after ${Math.round(failovers.at(-1)!)} ms`);
    if (failovers.at(-1)! > 5_000) { // where the time went, client by client
      for (const s of seats) console.log(`  ${s.role} ${s.participantId.slice(0, 6)}: ${s.client.trace.filter((t) => t.at >= killedAt).map((t) => `+${Math.round(t.at - killedAt)} ${t.what}`).join('; ')}`);
    }
    stop = true;
    await Promise.all(typing);
    await checkInvariants(roomId, seats);
  }
  const sorted = [...failovers].sort((x, y) => x - y);
  console.log(`${failovers.length} failovers (kill -9 → commands acknowledged again), ms: p50 ${Math.round(sorted[Math.floor(sorted.length / 2)]!)} max ${Math.round(sorted.at(-1)!)}`);
  // The lease is 3 s (2–3 s left when the owner dies: it renews every second); the resume
  // (or a scan, every 0.5 s) claims the room once it ran out, rebuilds it from its snapshot
  // and log; + the client's reconnect and first command. Each round within the 5 s target
  // of issue 15. On an overloaded machine (other test runs) every step waits for a core —
  // at a load of 15× the cores opening a WebSocket took 2–4 s — so there only the median
  // (10 s) and the slowest (20 s) are held. The "second mode" of ~10.4 s once seen here was
  // this harness sending on a dead socket (see ResumingClient.call), not the failover.
  const busy = os.loadavg()[0]! > 2 * os.cpus().length;
  const median = sorted[Math.floor(sorted.length / 2)]!;
  if (busy) {
    console.log(`load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores: the 5 s bound is not asserted (median ${Math.round(median)} ms)`);
    expect(median).toBeLessThan(10_000);
    expect(sorted.at(-1)!).toBeLessThan(20_000);
  } else {
    expect(sorted.at(-1)!).toBeLessThan(5_000);
  }
  for (const s of seats) expect(s.client.resumes).toBeGreaterThan(0);
  expect(failovers.length).toBeGreaterThanOrEqual(Math.min(ROUNDS, 5));
}, 200_000);

it('hands the rooms over on SIGTERM without a pause over 2 s', async () => {
  await live(2);
  const ownerUrl = await ownerOf(db.url, roomId);
  const owner = nodes.find((n) => n.url === ownerUrl)!;
  let stop = false;
  const typing = seats.filter((s) => s.role === 'player').map((s, i) => type(s, `term-p${i}`, () => stop));
  await new Promise((r) => setTimeout(r, 500));
  const stoppedAt = performance.now();
  const exited = owner.kill('SIGTERM');
  // Adopted at once (Redis wake-up), not when a lease runs out: another owner within 2 s.
  let movedAfter = Infinity;
  while (performance.now() - stoppedAt < 10_000) {
    const now = await ownerOf(db.url, roomId);
    if (now && now !== ownerUrl) {
      movedAfter = performance.now() - stoppedAt;
      break;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  expect(await exited).toBe(undefined);
  expect(owner.child.exitCode).toBe(0);
  expect(movedAfter, owner.output()).toBeLessThan(os.loadavg()[0]! > 2 * os.cpus().length ? 10_000 : 2_000);
  const ackedAt = seats.reduce((sum, s) => sum + s.acked.length, 0);
  while (seats.reduce((sum, s) => sum + s.acked.length, 0) === ackedAt) await new Promise((r) => setTimeout(r, 50));
  stop = true;
  await Promise.all(typing);
  await checkInvariants(roomId, seats);
  console.log(`SIGTERM: room owned elsewhere after ${Math.round(movedAfter)} ms`);
}, 150_000);
