// The cluster overview over real sockets: hosts and spectators get it in their view and as
// `room:overview` pushes when the cluster changes; players never receive it; a host's
// replay carries it for every moment.
import type { RoomRunner } from '../../server/rooms/runner.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterOverview, OverviewMessage } from '../../server/protocol/index.js';
import { loadScenarioCatalog } from '../../server/rooms/scenario-runtime.js';
import { loadScenarioDir } from '../../server/scenarios/load.js';
import { seedDrawing } from '../helpers/pinned.js';
import { connect, getJson, postJson, startTestServer, type TestClient, type TestServer } from '../helpers/server.js';

// The upstream cause (CoreDNS stays up), orders/billing on nodes ip-10-0-1-10/21/22, no noise workload.
const SEED = seedDrawing(loadScenarioDir().scenarios.find((s) => s.id === 'coredns-down')!, 'upstream', { names: 1, nodes: 1, noise: 0 });

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ catalog: loadScenarioCatalog().catalog });
});
afterAll(async () => {
  await server?.close();
});

const overviews = (client: TestClient) => client.received.filter((m) => m.name === 'room:overview').map((m) => m.args[0] as OverviewMessage);

async function until<T>(read: () => T | undefined, timeoutMs = 5000): Promise<T> {
  for (const started = Date.now(); Date.now() - started < timeoutMs; await new Promise((r) => setTimeout(r, 20))) {
    const value = read();
    if (value !== undefined) return value;
  }
  throw new Error('timed out');
}

describe('cluster overview', () => {
  it('reaches the host and spectators when it changes, never a player', async () => {
    const created = await postJson<{ roomId: string; code: string; hostToken: string }>(server.url, '/api/rooms', { scenarioId: 'coredns-down', mode: 'gameday', hostName: 'Host', seed: SEED, allowSpectators: true });
    const host = await connect(server.url);
    const hostJoin = await host.call<{ view: { overview?: ClusterOverview } }>('room:join', { token: created.body.hostToken });
    expect(hostJoin.view.overview?.nodes.map((n) => `${n.name} ${n.status} ${n.roles}`)).toEqual([
      'ip-10-0-1-10 Ready control-plane', 'ip-10-0-1-21 Ready <none>', 'ip-10-0-1-22 Ready <none>',
    ]);
    expect(hostJoin.view.overview?.pods.Pending).toBeUndefined();
    const spectator = await connect(server.url);
    const watching = await spectator.call<{ view: { overview?: ClusterOverview } }>('room:join', { code: created.body.code, name: 'Watcher', role: 'spectator' });
    expect(watching.view.overview).toEqual(hostJoin.view.overview);
    const player = await connect(server.url);
    const playing = await player.call<{ view: Record<string, unknown> }>('room:join', { code: created.body.code, name: 'Ann' });
    expect(playing.view).not.toHaveProperty('overview');
    expect((await host.call('host:start')).ok).toBe(true);

    // Reading the cluster changes nothing: no push.
    expect((await player.request('cmd:run', { line: 'kubectl get pods -A' })).ok).toBe(true);
    expect((await player.request('cmd:run', { line: 'kubectl scale deploy billing -n orders --replicas=100' })).ok).toBe(true);
    const runner = (await server.app.game.registry.get(created.body.roomId)) as RoomRunner;
    expect((await runner!.tick(5000)).ok).toBe(true);

    const pending = await until(() => overviews(host).find((m) => (m.overview.pods.Pending ?? 0) > 0));
    expect(pending.seq).toBe(runner!.room.seq);
    expect(pending.overview.events.some((e) => e.reason === 'FailedScheduling' && e.type === 'Warning')).toBe(true);
    await until(() => overviews(spectator).find((m) => m.seq === pending.seq));
    // Only changes are pushed, and each push differs from the one before.
    const texts = overviews(host).map((m) => JSON.stringify(m.overview));
    expect(new Set(texts).size).toBe(texts.length);
    expect(texts[0]).not.toBe(JSON.stringify(hostJoin.view.overview));

    // A player's every message and ack, recorded: no overview, no node list.
    await player.request('cmd:run', { line: 'kubectl get nodes' });
    expect(player.received.some((m) => m.name === 'room:overview')).toBe(false);
    expect(JSON.stringify(player.received)).not.toContain('"overview"');

    // Resume gives a host the current overview in its view.
    const resumed = await (await connect(server.url)).call<{ view: { overview?: ClusterOverview } }>('room:resume', { token: created.body.hostToken, lastSeq: 1 });
    expect(resumed.view.overview).toEqual(pending.overview);

    // The host's replay carries the overview at every change; a player's replay none.
    const replay = await getJson<{ events: { seq: number }[]; overviews?: OverviewMessage[] }>(server.url, `/api/rooms/${created.body.roomId}/replay`, created.body.hostToken);
    expect(replay.status).toBe(200);
    expect(replay.body.overviews?.[0]).toEqual({ seq: 1, overview: expect.objectContaining({ nodes: hostJoin.view.overview!.nodes }) });
    expect(replay.body.overviews?.at(-1)?.overview).toEqual(pending.overview);
    const playerToken = (playing as unknown as { token: string }).token;
    const playerReplay = await getJson<Record<string, unknown>>(server.url, `/api/rooms/${created.body.roomId}/replay`, playerToken);
    expect(playerReplay.status).toBe(200);
    expect(playerReplay.body).not.toHaveProperty('overviews');
    for (const c of [host, spectator, player]) c.close();
  });

  it('pushes a busy room\'s changes at most twice a second, the last state included', async () => {
    const created = await postJson<{ roomId: string; code: string; hostToken: string }>(server.url, '/api/rooms', { scenarioId: 'coredns-down', mode: 'gameday', hostName: 'Host', seed: SEED });
    const host = await connect(server.url);
    await host.call('room:join', { token: created.body.hostToken });
    const player = await connect(server.url);
    await player.call('room:join', { code: created.body.code, name: 'Busy' });
    expect((await host.call('host:start')).ok).toBe(true);
    const runner = (await server.app.game.registry.get(created.body.roomId)) as RoomRunner;
    // Twenty changes in quick succession (each moves the pod counts): one push now, one after.
    const started = performance.now();
    for (let i = 1; i <= 20; i++) {
      expect((await player.request('cmd:run', { line: `kubectl scale deploy billing -n orders --replicas=${i + 2}` })).ok).toBe(true);
      expect((await runner.tick(1000)).ok).toBe(true);
    }
    const elapsed = performance.now() - started;
    const last = await until(() => overviews(host).find((m) => m.seq === runner.room.seq), 3000);
    expect(last.overview).toEqual(runner.runtime.overview!(runner.room.cluster));
    expect(overviews(host).length).toBeLessThanOrEqual(2 + Math.ceil(elapsed / 500));
    for (const c of [host, player]) c.close();
  });
});
