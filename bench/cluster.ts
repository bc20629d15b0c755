// npm run bench:cluster — one process vs three (REDIS_URL) on this machine, each on its own
// throwaway PostgreSQL database and the machine's Redis:
//   1. the extra hop: one player's idle round trip connected to the room's owner vs to
//      another process that pipes it there;
//   2. load: BENCH_ROOMS rooms × BENCH_PLAYERS players, 1 command/s each, for
//      BENCH_SECONDS; with three processes rooms are created round-robin and every player
//      connects to a random process (as a balancer without stickiness sends them), so about
//      two thirds of the commands take the extra hop. Commands/s and p50/p99;
//   3. failover: BENCH_FAILOVERS times, the owner of a running room is killed with SIGKILL
//      while a player types; the time until a command is acknowledged again (another process
//      took the lease after it ran out and rebuilt the room; the client reconnected and resumed).
// All processes share this machine's cores: three processes cannot do more work than the
// cores allow, they add failover and rolling deploys.
import { createTestDatabase } from '../tests/helpers/db.js';
import { ownerOf, startNode, type Node } from '../tests/helpers/cluster.js';
import type { Socket } from 'socket.io-client';
import { call, client, commandLoad, fmt, percentile } from './common.js';

const SCENARIO = process.env.BENCH_SCENARIO ?? 'etcd-nospace';
const COMMAND = process.env.BENCH_COMMAND ?? 'kubectl get pods -A';
const ROOMS = Number(process.env.BENCH_ROOMS ?? 60);
const PLAYERS = Number(process.env.BENCH_PLAYERS ?? 4);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const IDLE_ROUNDS = Number(process.env.BENCH_IDLE_ROUNDS ?? 300);
const FAILOVERS = Number(process.env.BENCH_FAILOVERS ?? 5);

// Every bench client comes from 127.0.0.1: lift the per-address limits meant for strangers.
const ENV = { KUBEDRILL_RATE_ROOMS: '100000/100000', KUBEDRILL_MAX_ROOMS: String(ROOMS + 20), KUBEDRILL_RATE_SPECTATORS: '100000/100000' };

interface Room {
  code: string;
  hostToken: string;
}

async function createRoom(base: string): Promise<Room> {
  const response = await fetch(`${base}/api/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ scenarioId: SCENARIO, mode: 'gameday', hostName: 'bench host' }),
  });
  if (!response.ok) throw new Error(`create room: ${response.status} ${await response.text()}`);
  return (await response.json()) as Room;
}

/** Host on `hostUrl` starts the room; each player joins on the URL `pick` gives. */
async function fillRoom(room: Room, hostUrl: string, pick: (i: number) => string): Promise<Socket[]> {
  const host = await client(hostUrl);
  const joined = await call(host, 'room:join', { token: room.hostToken });
  if (!joined.ok) throw new Error(`host join: ${joined.error?.message}`);
  const players: Socket[] = [];
  for (let i = 0; i < PLAYERS; i++) {
    const socket = await client(pick(i));
    const ack = await call(socket, 'room:join', { code: room.code, name: `player ${i + 1}` });
    if (!ack.ok) throw new Error(`join: ${ack.error?.message}`);
    players.push(socket);
  }
  const started = await call(host, 'host:start', {});
  if (!started.ok) throw new Error(`start: ${started.error?.message}`);
  return [host, ...players];
}

async function roundTrips(socket: Socket, rounds: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    const ack = await call(socket, 'cmd:run', { line: COMMAND });
    if (!ack.ok) throw new Error(`cmd:run: ${ack.error?.message}`);
    samples.push(performance.now() - started);
    if (i % 15 === 14) await new Promise((r) => setTimeout(r, 1600)); // the per-socket rate limit
  }
  return samples;
}

const load = (players: Socket[]) => commandLoad(players, COMMAND, SECONDS);

const summary = (samples: number[]) => `p50 ${fmt(percentile(samples, 50))}   p99 ${fmt(percentile(samples, 99))}`;

async function runLoad(label: string, urls: string[]): Promise<void> {
  const rooms: Socket[][] = [];
  for (let i = 0; i < ROOMS; i++) {
    const owner = urls[i % urls.length]!;
    rooms.push(await fillRoom(await createRoom(owner), owner, () => urls[Math.floor(Math.random() * urls.length)]!));
  }
  const { samples, failures } = await load(rooms.flatMap((sockets) => sockets.slice(1)));
  console.log(`  ${label}: ${(samples.length / SECONDS).toFixed(0)} commands/s, ${failures} failed   ${summary(samples)}   max ${fmt(Math.max(...samples))}`);
  for (const sockets of rooms) for (const socket of sockets) socket.close();
}

/** `spawned` collects the replacement processes, so they are stopped with the others (some may still be starting). */
async function failovers(databaseUrl: string, nodes: Node[], spawned: Promise<Node>[]): Promise<number[]> {
  const live = () => nodes.filter((n) => n.alive());
  const room = await createRoom(live()[0]!.url);
  const roomId = (await (await fetch(`${live()[0]!.url}/api/rooms/${room.code}`)).json() as { id?: string; roomId?: string });
  const id = roomId.id ?? roomId.roomId!;
  const times: number[] = [];
  for (let round = 0; round < FAILOVERS; round++) {
    while (live().length < 2) await new Promise((r) => setTimeout(r, 200));
    const ownerUrl = await ownerOf(databaseUrl, id);
    const owner = ownerUrl ? nodes.find((n) => n.url === ownerUrl && n.alive()) : undefined;
    // The host keeps the room loaded (and running) on its owner; a player on another process types.
    const other = live().find((n) => n !== owner) ?? live()[0]!;
    const [host, player] = await fillRoomOnce(room, owner?.url ?? other.url, other.url, round);
    const killedAt = performance.now();
    if (owner) {
      await owner.kill('SIGKILL');
      const replacement = startNode(databaseUrl, ENV);
      spawned.push(replacement);
      void replacement.then((node) => {
        nodes[nodes.indexOf(owner)] = node;
      });
    }
    // The client as the browser: reconnect to a live process, resume, type again.
    for (;;) {
      const target = live().find((n) => n !== owner)!;
      try {
        const again = await client(target.url);
        const ack = await call(again, 'room:resume', { token: player.token, lastSeq: 0 });
        if (ack.ok && (await call(again, 'cmd:run', { line: 'echo back' })).ok) {
          again.close();
          break;
        }
        again.close();
      } catch {
        // that process is gone too, or not up yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    times.push(performance.now() - killedAt);
    host.close();
    player.socket.close();
  }
  return times;
}

let playerToken: string | undefined;
/** The host (first round: the room is started) and one player, each on the given process. */
async function fillRoomOnce(room: Room, hostUrl: string, playerUrl: string, round: number): Promise<[Socket, { socket: Socket; token: string }]> {
  const host = await client(hostUrl);
  await call(host, 'room:join', { token: room.hostToken });
  const socket = await client(playerUrl);
  const ack = await call(socket, 'room:join', playerToken ? { token: playerToken } : { code: room.code, name: 'bench player' });
  if (!ack.ok) throw new Error(`join: ${ack.error?.message}`);
  playerToken ??= ack.token as string;
  if (round === 0) await call(host, 'host:start', {});
  await call(socket, 'cmd:run', { line: COMMAND });
  return [host, { socket, token: playerToken }];
}

async function main(): Promise<void> {
  const single = await createTestDatabase();
  const shared = await createTestDatabase();
  const nodes: Node[] = [];
  const spawned: Promise<Node>[] = [];
  try {
    console.log(`bench:cluster on ${(await import('node:os')).cpus().length} cores; "${COMMAND}" in ${SCENARIO}`);
    const one = await startNode(single.url, { ...ENV, REDIS_URL: '' });
    nodes.push(one);
    nodes.push(...(await Promise.all([0, 1, 2].map(() => startNode(shared.url, ENV)))));
    const three = nodes.slice(1).map((n) => n.url);

    // 1. The extra hop, idle.
    // Joined before the start (a running game day lets newcomers wait for the host): player 1 on the owner, player 2 elsewhere.
    const room = await createRoom(three[0]!);
    const [host, direct, piped, ...rest] = await fillRoom(room, three[0]!, (i) => three[i === 0 ? 0 : 1]!);
    await roundTrips(direct!, 30);
    await roundTrips(piped!, 30);
    const directSamples = await roundTrips(direct!, IDLE_ROUNDS);
    const pipedSamples = await roundTrips(piped!, IDLE_ROUNDS);
    console.log(`idle round trip, ${IDLE_ROUNDS} commands:`);
    console.log(`  connected to the owner        ${summary(directSamples)}`);
    console.log(`  piped through another process ${summary(pipedSamples)}   extra hop p50 ${fmt(percentile(pipedSamples, 50) - percentile(directSamples, 50))}`);
    for (const socket of [host!, direct!, piped!, ...rest]) socket.close();

    // 2. Load, 1 vs 3 processes.
    console.log(`load, ${ROOMS} rooms × ${PLAYERS} players, 1 command/s each for ${SECONDS} s:`);
    await runLoad('1 process  ', [one.url]);
    await runLoad('3 processes', three);

    // 3. Failover.
    const times = await failovers(shared.url, nodes.slice(1), spawned);
    const sorted = [...times].sort((a, b) => a - b);
    console.log(`failover (SIGKILL of the owner → a command acknowledged again), ${times.length} runs, lease 3 s:`);
    console.log(`  min ${fmt(sorted[0]!)}   p50 ${fmt(percentile(sorted, 50))}   max ${fmt(sorted.at(-1)!)}   all: ${sorted.map((t) => Math.round(t)).join(', ')} ms   target ≤ 5 s: ${sorted.at(-1)! <= 5000 ? 'PASS' : 'FAIL'}`);
  } finally {
    // The failover's replacements too: they outlived the bench, serving on.
    await Promise.all([...nodes, ...spawned].map(async (n) => (await Promise.resolve(n).catch(() => undefined))?.kill('SIGTERM')));
    await single.drop();
    await shared.drop();
  }
}

await main();
process.exit(0);
