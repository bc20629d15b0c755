// A rolling deploy as the players see it: three real server processes (REDIS_URL set), one
// of them owning several running rooms whose players type all the time, some connected to
// it directly and some through the others; it is stopped with SIGTERM. Every player's
// longest pause between two acknowledged commands stays within 2 s (the requirement: no
// running room pauses longer while its process hands it over), nothing acknowledged is
// lost, and clients that only passed through the stopping process leave it at once.
import os from 'node:os';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EventRecord } from '../../server/db/room-store.js';
import { ResumingClient, startNode, type Node } from '../helpers/cluster.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { postJson } from '../helpers/server.js';

/** Rooms the stopping process owns (each with one typing player), and rooms another owns. */
const DRAINED_ROOMS = 8;
const OTHER_ROOMS = 2;

let db: TestDatabase;
const nodes: Node[] = [];
const clients: ResumingClient[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  // The first start warms tsx's transform cache for the others.
  nodes.push(await startNode(db.url));
  nodes.push(...(await Promise.all([startNode(db.url), startNode(db.url)])));
}, 480_000);

afterAll(async () => {
  for (const client of clients) client.close();
  await Promise.all(nodes.map((node) => node.kill('SIGKILL')));
  await db?.drop();
});

async function query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

interface Player {
  roomId: string;
  client: ResumingClient;
  /** Commands acknowledged: line, sequence, and when (performance.now()). */
  acked: { line: string; seq: number; at: number }[];
}

it(`hands ${DRAINED_ROOMS} running rooms over on SIGTERM without any player pausing over 2 s`, async () => {
  const [a, b] = nodes as [Node, Node, Node];
  let stopping = false;
  // The balancer: any process, until the stopping one is taken out of rotation.
  const anyLive = (): string => {
    const live = nodes.filter((n) => n.alive() && !(stopping && n === a));
    return live[Math.floor(Math.random() * live.length)]!.url;
  };
  const players: Player[] = [];
  const seat = async (creator: Node, first: string): Promise<Player> => {
    const created = await postJson<{ roomId: string; token: string }>(creator.url, '/api/solo', { scenarioId: 'etcd-nospace', name: `P${players.length}` });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    let opened = false;
    const client = new ResumingClient(() => (opened ? anyLive() : ((opened = true), first)));
    clients.push(client);
    const joined = await client.join({ token: created.body.token });
    expect(joined.ok, JSON.stringify(joined)).toBe(true);
    const player = { roomId: created.body.roomId, client, acked: [] };
    players.push(player);
    return player;
  };
  // Created on a, so a owns them; half the players sit on a, half are piped to it from b or c.
  const drained = [];
  for (let i = 0; i < DRAINED_ROOMS; i++) drained.push(await seat(a, i % 2 ? a.url : nodes[1 + (i % 4 === 0 ? 0 : 1)]!.url));
  // b's rooms, their players piped through a: a lets them go at once, without waiting for its own rooms.
  const piped = [];
  for (let i = 0; i < OTHER_ROOMS; i++) piped.push(await seat(b, a.url));
  const owners = async (): Promise<Map<string, string>> => new Map((await query<{ roomId: string; ownerUrl: string }>(
    `SELECT "roomId", "ownerUrl" FROM "RoomLease" WHERE "expiresAt" > (clock_timestamp() AT TIME ZONE 'UTC')`)).map((r) => [r.roomId, r.ownerUrl]));
  const before = await owners();
  // A busy machine may have let a lease lapse and another process adopt the room: only a's count.
  const onA = drained.filter((p) => before.get(p.roomId) === a.url);
  expect(onA.length).toBeGreaterThanOrEqual(DRAINED_ROOMS - 1);

  let stop = false;
  const type = async (player: Player): Promise<void> => {
    for (let n = 0; !stop; n++) {
      const line = `echo ${player.roomId.slice(0, 8)}-${n}`;
      const ack = await player.client.call('cmd:run', { line }, (answer) => {
        if (!answer.ok) return;
        player.acked.push({ line, seq: answer.seq as number, at: performance.now() });
        player.client.applied({ seq: answer.seq as number, type: 'command', line });
      });
      await new Promise((r) => setTimeout(r, ack.ok ? 250 + Math.random() * 100 : 100));
    }
  };
  const typing = players.map(type);
  await new Promise((r) => setTimeout(r, 1500));

  const load = os.loadavg()[0]!;
  const stoppedAt = performance.now();
  stopping = true;
  const exited = a.kill('SIGTERM');
  const movedAfter = new Map<string, number>();
  while (movedAfter.size < onA.length && performance.now() - stoppedAt < 20_000) {
    const now = await owners();
    for (const p of onA) {
      const owner = now.get(p.roomId);
      if (owner && owner !== a.url && !movedAfter.has(p.roomId)) movedAfter.set(p.roomId, performance.now() - stoppedAt);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  await exited;
  expect(a.child.exitCode, a.output()).toBe(0);
  // Everyone typed again for a while after their room moved.
  while (players.some((p) => (p.acked.at(-1)?.at ?? 0) < stoppedAt) && performance.now() - stoppedAt < 30_000) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 1000));
  stop = true;
  await Promise.all(typing);

  // The longest wait of each player from its last acknowledged command before the SIGTERM on.
  const pauseOf = (p: Player): number => {
    const from = Math.max(0, p.acked.findLastIndex((x) => x.at < stoppedAt));
    if ((p.acked.at(-1)?.at ?? 0) < stoppedAt) return Infinity;
    let longest = 0;
    for (let i = from; i + 1 < p.acked.length; i++) longest = Math.max(longest, p.acked[i + 1]!.at - p.acked[i]!.at);
    return longest;
  };
  const pauses = players.map(pauseOf).sort((x, y) => x - y);
  const moved = [...movedAfter.values()].sort((x, y) => x - y);
  console.log(`SIGTERM (load ${load.toFixed(1)}): ${moved.length}/${onA.length} rooms owned elsewhere after ${moved.map(Math.round).join(', ')} ms; players' pauses ${pauses.map(Math.round).join(', ')} ms`);
  for (const p of players) {
    if (pauseOf(p) > 2_000) console.log(`  ${p.roomId.slice(0, 8)}: ${p.client.trace.filter((t) => t.at >= stoppedAt - 500).map((t) => `+${Math.round(t.at - stoppedAt)} ${t.what}`).join('; ')}`);
  }

  // Nothing acknowledged was lost, nothing is in a log twice, and no client was refused.
  for (const p of players) {
    expect(p.client.refusals).toEqual([]);
    const log = await query<EventRecord>('SELECT * FROM "Event" WHERE "roomId" = $1 ORDER BY seq', [p.roomId]);
    expect(log.map((r) => r.seq)).toEqual(log.map((_, i) => i + 1));
    const lines = log.filter((r) => r.type === 'command').map((r) => (r.payload as { line: string }).line);
    expect(new Set(lines).size).toBe(lines.length);
    const bySeq = new Map(log.map((r) => [r.seq, r]));
    for (const { line, seq } of p.acked) expect((bySeq.get(seq)?.payload as { line?: string } | undefined)?.line, `acked ${line} at ${seq}`).toBe(line);
  }
  // The players a only relayed left it before any of its own rooms' players did.
  const firstDisconnect = (p: Player): number => p.client.trace.find((t) => t.at >= stoppedAt && t.what.startsWith('disconnect'))?.at ?? Infinity;
  const direct = onA.filter((p) => p.client.visited[0] === a.url);
  expect(Math.max(...piped.map(firstDisconnect))).toBeLessThan(Math.min(...direct.map(firstDisconnect)));

  // On an overloaded machine (other test runs) every step waits for a core: there only a
  // bound that still catches a room waiting for its lease to run out is held.
  const busy = os.loadavg()[0]! > 2 * os.cpus().length || load > 2 * os.cpus().length;
  const bound = busy ? 10_000 : 2_000;
  if (busy) console.log(`load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores: the 2 s bound is not asserted`);
  expect(moved.length).toBe(onA.length);
  expect(moved.at(-1)!).toBeLessThan(bound);
  expect(pauses.at(-1)!).toBeLessThan(bound);
}, 120_000);
