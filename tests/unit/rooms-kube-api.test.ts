// A room's Kubernetes API per seat (issue 17, "Bring your own tools"), on the room layer with
// the real scenarios and a memory store: each request is a room event served by the runner,
// what a read returned counts as evidence for that seat's score, hosts and spectators only
// read, tokens go with the seat, and replay serves every request again to the same answers.
import { describe, expect, it } from 'vitest';
import { createMemoryRoomStore } from '../../server/db/memory-room-store.js';
import type { ApiRequest } from '../../server/kubeapi/handler.js';
import type { AckError, RoomEvent } from '../../server/protocol/index.js';
import { fromStored } from '../../server/rooms/log.js';
import { replayRoom } from '../../server/rooms/reducer.js';
import { RoomRegistry, type Joined } from '../../server/rooms/registry.js';
import type { RoomRunner } from '../../server/rooms/runner.js';
import { loadScenarioCatalog } from '../../server/rooms/scenario-runtime.js';
import { hashToken, newToken } from '../../server/rooms/tokens.js';
import { viewFor } from '../../server/rooms/view.js';
import { worldFingerprint } from '../../server/cluster/actors.js';
import { appendLog } from '../../server/cluster/logs.js';
import { refusalStatus, roomsBackend } from '../../server/http/room-kube-api.js';
import type { FollowedLog } from '../../server/http/kube-api.js';
import { MAX_API_BODY_BYTES } from '../../server/rooms/state.js';
import { newSession, runLine } from '../../server/shell/index.js';

const { catalog } = loadScenarioCatalog();

const get = (path: string, query: Record<string, string> = {}): ApiRequest => ({ method: 'GET', path, query, accept: 'application/json', contentType: '' });

function seated(joined: Joined | AckError) {
  if (!('runner' in joined) || joined.placement.kind !== 'seat') throw new Error(`not seated: ${JSON.stringify(joined)}`);
  return { participantId: joined.placement.participant.id, role: joined.placement.participant.role };
}

async function room(mode: 'gameday' | 'interview', scenarioId = 'pending-pods') {
  const store = createMemoryRoomStore();
  const registry = new RoomRegistry({ store, catalog, tickMs: 0 });
  const created = await registry.create({ scenarioId, mode, seed: 1, name: 'Hana', settings: { allowSpectators: true, autoHints: false } });
  if (!('runner' in created)) throw new Error(created.error.message);
  const first = { participantId: created.participantId, role: 'host' as const };
  return { store, registry, runner: created.runner, first };
}

/** A game day (its seed is the test's: a solo room draws its own) under way, with one player. */
async function playing() {
  const { store, registry, runner, first: host } = await room('gameday');
  const player = seated(await registry.joinByCode(runner.room.code, 'Min', 'player'));
  expect((await runner.act(host, { type: 'start' })).ok).toBe(true);
  // The incident shows after a minute (the scale-up whose pods stay Pending).
  expect((await runner.tick(60_000)).ok).toBe(true);
  return { store, registry, runner, player };
}

async function api(runner: RoomRunner, actor: { participantId: string; role: 'player' | 'host' | 'spectator' }, request: ApiRequest) {
  const result = await runner.act(actor, { type: 'api', request });
  if (!result.ok) throw new Error(result.error.message);
  return { response: result.api!.response, event: result.events.at(-1) as Extract<RoomEvent, { type: 'api.request' }> };
}

/** The namespace of the scenario's Pending pods, read through the API. */
async function pendingNamespace(runner: RoomRunner, actor: { participantId: string; role: 'player' | 'host' | 'spectator' }) {
  const { response } = await api(runner, actor, get('/api/v1/pods'));
  const items = (response.body as { items: { metadata: { namespace: string }; status: { phase: string } }[] }).items;
  return items.find((p) => p.status.phase === 'Pending')!.metadata.namespace;
}

describe('a seat\'s Kubernetes API in a room', () => {
  it('a read through the API is logged, shown to the host as a line, and counts as evidence for that seat\'s score', async () => {
    const { runner, player } = await playing();
    const ns = await pendingNamespace(runner, player);
    const { response, event } = await api(runner, player, get(`/api/v1/namespaces/${ns}/pods`));
    expect(response.status).toBe(200);
    const count = (response.body as { items: unknown[] }).items.length;
    expect(event.summary).toBe(`GET pods -n ${ns} (200, ${count} item${count === 1 ? '' : 's'})`);
    // The host's checklist learns which evidence the answer carried; the public event does not.
    expect(event.evidence).toContain('pods-pending');
    expect(viewFor(player, event)).toEqual({ seq: event.seq, simTime: event.simTime, type: 'api.request', participantId: player.participantId, summary: event.summary, status: 200 });

    const scored = await runner.act(player, { type: 'diagnose', rootCause: 'x', text: '', evidence: ['pods-pending'] });
    if (!scored.ok) throw new Error(scored.error.message);
    const computed = scored.events.find((e) => e.type === 'score.computed') as Extract<RoomEvent, { type: 'score.computed' }>;
    const evidence = (computed.breakdown.lines as { id?: string; points: number; why: string }[]).find((e) => e.id === 'pods-pending')!;
    expect(evidence.points).toBeGreaterThan(0);
    // Credited to the first request that showed it: the listing of every namespace's pods.
    expect(evidence.why).toContain('cited and observed with `GET pods -A (200, ');
  });

  it('the same evidence unread is a claim without evidence (the read above is what earned it)', async () => {
    const { runner, player } = await playing();
    const scored = await runner.act(player, { type: 'diagnose', rootCause: 'x', text: '', evidence: ['pods-pending'] });
    if (!scored.ok) throw new Error(scored.error.message);
    const computed = scored.events.find((e) => e.type === 'score.computed') as Extract<RoomEvent, { type: 'score.computed' }>;
    expect((computed.breakdown.lines as { id?: string; points: number }[]).find((e) => e.id === 'pods-pending')!.points).toBeLessThan(0);
  });

  it('hosts and spectators read but cannot write: a Forbidden Status, logged, and the world unchanged', async () => {
    const { registry, runner, first: host } = await room('gameday');
    const spectator = seated(await registry.joinByCode(runner.room.code, 'Sol', 'spectator'));
    expect((await runner.act(host, { type: 'start' })).ok).toBe(true);
    const before = worldFingerprint(runner.room.cluster);
    const revision = runner.room.cluster.etcd.revision;

    const deletion: ApiRequest = { method: 'DELETE', path: '/api/v1/namespaces/kube-system/pods/x', query: {}, accept: 'application/json', contentType: '' };
    const creation: ApiRequest = {
      method: 'POST', path: '/api/v1/namespaces/default/configmaps', query: {}, accept: 'application/json', contentType: 'application/json',
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'mine' } },
    };
    for (const [actor, request, verb, resource] of [[spectator, deletion, 'delete', 'pods'], [host, creation, 'create', 'configmaps']] as const) {
      const { response, event } = await api(runner, actor, request);
      expect(response.status).toBe(403);
      expect(response.body).toMatchObject({ reason: 'Forbidden', message: expect.stringContaining(`User "kubedrill:${actor.role}" cannot ${verb} resource "${resource}"`) });
      expect(event.summary).toMatch(/\(403, Forbidden\)$/);
    }
    expect(runner.room.cluster.etcd.revision).toBe(revision);
    expect(worldFingerprint(runner.room.cluster)).toEqual(before);
    // A body nested past the decoder's depth is refused before it is served or logged.
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    const seq = runner.room.seq;
    const tooDeep = await runner.act(host, { type: 'api', request: { ...creation, body: deep as ApiRequest['body'] } });
    expect(tooDeep).toMatchObject({ ok: false, error: { code: 'bad_request', message: 'exceeded max depth' } });
    expect(runner.room.seq).toBe(seq);
    // Reading is theirs.
    expect((await api(runner, spectator, get('/api/v1/nodes'))).response.status).toBe(200);
  });

  it('a player\'s write changes the room\'s world as a typed line would, and replay serves every request again to the same answers', async () => {
    const { store, registry, runner, first: host } = await room('gameday');
    const player = seated(await registry.joinByCode(runner.room.code, 'Min', 'player'));
    expect((await runner.act(host, { type: 'start' })).ok).toBe(true);
    const created = await api(runner, player, {
      method: 'POST', path: '/api/v1/namespaces/default/configmaps', query: {}, accept: 'application/json', contentType: 'application/json',
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'from-kubectl' }, data: { a: 'b' } },
    });
    expect(created.response.status).toBe(201);
    const typed = await runner.act(player, { type: 'run', line: 'kubectl get configmap from-kubectl -o jsonpath={.data.a}' });
    expect(typed).toMatchObject({ ok: true, line: { output: 'b' } });
    const deleted = await api(runner, player, { method: 'DELETE', path: '/api/v1/namespaces/default/configmaps/from-kubectl', query: {}, accept: 'application/json', contentType: '' });
    expect(deleted.response.status).toBe(200);
    expect((await api(runner, player, get('/api/v1/namespaces/default/configmaps/from-kubectl'))).response.status).toBe(404);

    const log = (await store.listEvents(runner.room.id, 0)).map(fromStored);
    const replayed = replayRoom(runner.runtime, runner.room.id, log);
    expect(replayed.divergences).toEqual([]);
    expect(worldFingerprint(replayed.cluster)).toEqual(worldFingerprint(runner.room.cluster));
    expect(replayed.cluster.etcd.revision).toBe(runner.room.cluster.etcd.revision);
  });

  it('server-side apply, evictions, bindings and status writes replay to the same answers and world', async () => {
    const { store, runner, player } = await playing();
    const namespace = await pendingNamespace(runner, player);
    const send = (method: ApiRequest['method'], path: string, body: unknown, contentType = 'application/json', query: Record<string, string> = {}) =>
      api(runner, player, { method, path, query, accept: 'application/json', contentType, body: body as ApiRequest['body'] });
    const cm = (data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa' }, data });
    const path = `/api/v1/namespaces/${namespace}/configmaps/ssa`;
    expect((await send('PATCH', path, cm({ a: '1' }), 'application/apply-patch+yaml', { fieldManager: 'alice' })).response.status).toBe(201);
    expect((await send('PATCH', path, cm({ a: '2' }), 'application/apply-patch+yaml', { fieldManager: 'bob' })).response.status).toBe(409);
    expect((await send('PATCH', path, cm({ a: '2' }), 'application/apply-patch+yaml', { fieldManager: 'bob', force: 'true' })).response.status).toBe(200);
    const pods = (await api(runner, player, get(`/api/v1/namespaces/${namespace}/pods`))).response.body as { items: { metadata: { name: string }; spec: { nodeName?: string } }[] };
    const pending = pods.items.find((p) => !p.spec.nodeName)!;
    const running = pods.items.find((p) => p.spec.nodeName)!;
    const bound = await send('POST', `/api/v1/namespaces/${namespace}/pods/${pending.metadata.name}/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name: pending.metadata.name }, target: { kind: 'Node', name: 'worker-1' } });
    expect(bound.response.status).toBe(201);
    const evicted = await send('POST', `/api/v1/namespaces/${namespace}/pods/${running.metadata.name}/eviction`, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: running.metadata.name } });
    expect(evicted.response.status).toBe(201);
    expect((await send('PUT', `/api/v1/namespaces/${namespace}/pods/${running.metadata.name}/status`, [])).response.status).toBe(400);

    const log = (await store.listEvents(runner.room.id, 0)).map(fromStored);
    const replayed = replayRoom(runner.runtime, runner.room.id, log);
    expect(replayed.divergences).toEqual([]);
    expect(worldFingerprint(replayed.cluster)).toEqual(worldFingerprint(runner.room.cluster));
    expect(replayed.cluster.etcd.revision).toBe(runner.room.cluster.etcd.revision);
    expect(runner.room.cluster.configmaps[`${namespace}/ssa`]!.metadata.managedFields!.map((e) => `${e.manager} ${e.operation}`)).toEqual(['bob Apply']);
    expect(replayed.cluster.configmaps[`${namespace}/ssa`]?.metadata.managedFields).toEqual(runner.room.cluster.configmaps[`${namespace}/ssa`]?.metadata.managedFields);
  });

  it('a token opens its seat until the seat takes a new one, leaves, or the room ends; interviews need the host\'s leave', async () => {
    const { registry, runner, first: host } = await room('interview');
    const player = seated(await registry.joinByCode(runner.room.code, 'Min', 'player'));
    const hash = hashToken(newToken());
    expect(await runner.act(player, { type: 'api-token', tokenHash: hash })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect((await runner.act(host, { type: 'settings', settings: { allowApi: true } })).ok).toBe(true);
    expect((await runner.act(player, { type: 'api-token', tokenHash: hash })).ok).toBe(true);
    expect(runner.room.apiTokens).toEqual({ [hash]: player.participantId });
    // A new download replaces the last token.
    const next = hashToken(newToken());
    expect((await runner.act(player, { type: 'api-token', tokenHash: next })).ok).toBe(true);
    expect(runner.room.apiTokens).toEqual({ [next]: player.participantId });
    // The host changes their mind: the player's token goes; the host's own (read-only) stays.
    const hostToken = hashToken(newToken());
    expect((await runner.act(host, { type: 'api-token', tokenHash: hostToken })).ok).toBe(true);
    expect((await runner.act(host, { type: 'settings', settings: { allowApi: false } })).ok).toBe(true);
    expect(runner.room.apiTokens).toEqual({ [hostToken]: host.participantId });
    expect((await runner.act(host, { type: 'end' })).ok).toBe(true);
    expect(runner.room.apiTokens).toEqual({});
  });

  it('kubectl logs -f on a seat\'s kubeconfig: the request is logged, then the log streams in the room\'s turn until the token goes', async () => {
    const { registry, runner, player } = await playing();
    const secret = newToken();
    expect((await runner.act(player, { type: 'api-token', tokenHash: hashToken(secret) })).ok).toBe(true);
    const pod = Object.values(runner.room.cluster.pods).find((p) => p.metadata.namespace !== 'kube-system' && p.status.phase === 'Running' && p.spec.containers.length === 1)!;
    const path = `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/log`;
    const opened = await roomsBackend(registry).open(secret, `/rooms/${runner.room.id}${path}`);
    if (!('session' in opened)) throw new Error(JSON.stringify(opened));
    const seq = runner.room.seq;
    const log = await opened.session.followLog(get(opened.path, { follow: 'true' })) as FollowedLog;
    expect(log.step).toBeTypeOf('function');
    // The opening request is a room event like any other; its text is the log so far.
    expect(runner.room.seq).toBe(seq + 1);
    expect(log.text).toBe((await api(runner, player, get(path))).response.body);
    expect(await log.step()).toBe('');
    const now = runner.room.cluster.pods[`${pod.metadata.namespace}/${pod.metadata.name}`]!;
    appendLog(now.status.containerStatuses[0]!.logs, { at: runner.room.cluster.now, text: 'written while followed' });
    expect(await log.step()).toBe('written while followed\n');
    // Another kubeconfig for the seat takes this one's place: the stream ends.
    expect((await runner.act(player, { type: 'api-token', tokenHash: hashToken(newToken()) })).ok).toBe(true);
    expect(await log.step()).toBeUndefined();
  });

  it('a watch\'s later events count as evidence too: what they show is logged for the seat (once per fact), scored and replayed', async () => {
    const { store, registry, runner, first: host } = await room('gameday');
    const player = seated(await registry.joinByCode(runner.room.code, 'Min', 'player'));
    expect((await runner.act(host, { type: 'start' })).ok).toBe(true);
    const secret = newToken();
    expect((await runner.act(player, { type: 'api-token', tokenHash: hashToken(secret) })).ok).toBe(true);
    const opened = await roomsBackend(registry).open(secret, `/rooms/${runner.room.id}/api/v1/pods`);
    if (!('session' in opened)) throw new Error(JSON.stringify(opened));
    // `kubectl get pods -A -w` before the incident: its first batch shows no Pending pod.
    const watch = await opened.session.watch(get(opened.path, { watch: 'true' }));
    if (!('step' in watch)) throw new Error(JSON.stringify(watch));
    const opening = runner.room.seq;
    expect((runner.room.apiObserved[player.participantId] ?? []).some((a) => runner.runtime.evidenceIn(a.observed).includes('pods-pending'))).toBe(false);
    // The scale-up's pods come and stay Pending: the next step streams them, and that is evidence.
    expect((await runner.tick(60_000)).ok).toBe(true);
    const events = await watch.step();
    expect(events?.some((e) => e.type === 'ADDED' && (e.object as { status?: { phase?: string } }).status?.phase === 'Pending')).toBe(true);
    const logged = (await store.listEvents(runner.room.id, opening)).map(fromStored).filter((e) => e.type === 'api.observed');
    expect(logged).toHaveLength(1);
    const observed = logged[0] as Extract<RoomEvent, { type: 'api.observed' }>;
    expect(observed).toMatchObject({ participantId: player.participantId, line: 'WATCH pods -A (later events)' });
    expect(observed.evidence).toContain('pods-pending');
    // Host-only, like the evidence it carries.
    expect(viewFor(player, observed)).toBeNull();
    // The same facts again (a quiet step, or the pods written again) are not logged twice.
    expect((await runner.tick(5_000)).ok).toBe(true);
    await watch.step();
    const again = (await store.listEvents(runner.room.id, opening)).map(fromStored).filter((e) => e.type === 'api.observed');
    expect(again.flatMap((e) => (e as typeof observed).observed).filter((f) => observed.observed.some((g) => JSON.stringify(g) === JSON.stringify(f)))).toHaveLength(observed.observed.length);

    const scored = await runner.act(player, { type: 'diagnose', rootCause: 'x', text: '', evidence: ['pods-pending'] });
    if (!scored.ok) throw new Error(scored.error.message);
    const computed = scored.events.find((e) => e.type === 'score.computed') as Extract<RoomEvent, { type: 'score.computed' }>;
    const line = (computed.breakdown.lines as { id?: string; points: number; why: string }[]).find((e) => e.id === 'pods-pending')!;
    expect(line.points).toBeGreaterThan(0);
    expect(line.why).toContain('WATCH pods -A (later events)');
    // Replay folds the logged facts back in: the same observations, no divergence.
    const replayed = replayRoom(runner.runtime, runner.room.id, (await store.listEvents(runner.room.id, 0)).map(fromStored));
    expect(replayed.apiObserved).toEqual(runner.room.apiObserved);
    expect(replayed.divergences).toEqual([]);
  });

  it('kubectl exec on a seat\'s kubeconfig: a room event that runs the in-shell exec programs, observed for scoring, replayed; hosts cannot exec', async () => {
    const { store, registry, runner, first: host } = await room('gameday', 'dns-slow');
    const player = seated(await registry.joinByCode(runner.room.code, 'Min', 'player'));
    expect((await runner.act(host, { type: 'start' })).ok).toBe(true);
    expect((await runner.tick(60_000)).ok).toBe(true);
    const secret = newToken();
    expect((await runner.act(player, { type: 'api-token', tokenHash: hashToken(secret) })).ok).toBe(true);
    const pod = Object.values(runner.room.cluster.pods).find((p) => p.metadata.namespace !== 'kube-system' && p.metadata.namespace !== 'default' && p.status.phase === 'Running')!;
    const { namespace, name } = pod.metadata;
    const path = `/api/v1/namespaces/${namespace}/pods/${name}/exec`;
    const exec = (command: string[]): ApiRequest => ({ method: 'POST', path, query: {}, accept: 'application/json', contentType: 'application/json', body: { command } });
    const opened = await roomsBackend(registry).open(secret, `/rooms/${runner.room.id}${path}`);
    if (!('session' in opened)) throw new Error(JSON.stringify(opened));
    const inShell = runLine(runner.room.cluster, newSession(runner.room.cluster), `kubectl exec -n ${namespace} ${name} -- cat /etc/resolv.conf`);
    const seq = runner.room.seq;
    const answer = await opened.session.serve(exec(['cat', '/etc/resolv.conf']));
    expect(answer).toEqual({ status: 200, body: { stdout: inShell.output, stderr: '', exitCode: 0 } });
    const event = (await store.listEvents(runner.room.id, seq)).map(fromStored).find((e) => e.type === 'api.request') as Extract<RoomEvent, { type: 'api.request' }>;
    expect(event.summary).toBe(`EXEC pods/${name}/exec -n ${namespace} -- cat /etc/resolv.conf (exit 0)`);
    // What it printed counts as an in-shell `cat` of the file would: the resolver's ndots.
    expect(event.evidence).toContain('resolv-ndots');
    expect(await opened.session.serve(exec(['cat', '/nope']))).toMatchObject({ status: 200, body: { stderr: 'cat: /nope: No such file or directory\n', exitCode: 1 } });
    // A host only reads: exec is `create` on pods/exec.
    expect((await api(runner, host, exec(['true']))).response).toMatchObject({ status: 403, body: { reason: 'Forbidden' } });
    const replayed = replayRoom(runner.runtime, runner.room.id, (await store.listEvents(runner.room.id, 0)).map(fromStored));
    expect(replayed.divergences).toEqual([]);
    expect(replayed.apiObserved).toEqual(runner.room.apiObserved);
  });

  it('kubectl port-forward on a seat\'s kubeconfig: each forwarded connection a room event answered as the pod\'s listener (its access log too), replayed; hosts cannot forward', async () => {
    const { store, registry, runner, first: host } = await room('gameday', 'dns-slow');
    const player = seated(await registry.joinByCode(runner.room.code, 'Min', 'player'));
    expect((await runner.act(host, { type: 'start' })).ok).toBe(true);
    const secret = newToken();
    expect((await runner.act(player, { type: 'api-token', tokenHash: hashToken(secret) })).ok).toBe(true);
    const pod = Object.values(runner.room.cluster.pods).find((p) => p.metadata.namespace !== 'kube-system' && p.status.phase === 'Running' && p.spec.containers.some((c) => c.ports.length > 0))!;
    const { namespace, name } = pod.metadata;
    const port = pod.spec.containers.flatMap((c) => c.ports)[0]!.containerPort;
    const path = `/api/v1/namespaces/${namespace}/pods/${name}/portforward`;
    const forward = (body: Record<string, unknown>): ApiRequest => ({ method: 'POST', path, query: {}, accept: 'application/json', contentType: 'application/json', body: body as never });
    const opened = await roomsBackend(registry).open(secret, `/rooms/${runner.room.id}${path}`);
    if (!('session' in opened)) throw new Error(JSON.stringify(opened));
    const seq = runner.room.seq;
    expect(await opened.session.serve(forward({}))).toEqual({ status: 200, body: { data: '' } });
    const answer = await opened.session.serve(forward({ port, request: 'GET /healthz HTTP/1.1\r\nHost: localhost\r\nUser-Agent: curl/8.5.0\r\n\r\n' }));
    expect(answer).toMatchObject({ status: 200, body: { data: expect.stringMatching(/^HTTP\/1\.1 \d{3} /) } });
    expect(await opened.session.serve(forward({ port: 1, request: 'GET / HTTP/1.1\r\n\r\n' }))).toMatchObject({ status: 200, body: { data: '', error: expect.stringContaining('connect: connection refused') } });
    const summaries = (await store.listEvents(runner.room.id, seq)).map(fromStored).flatMap((e) => (e.type === 'api.request' ? [e.summary] : []));
    const status = /^HTTP\/1\.1 (\d{3})/.exec((answer.body as { data: string }).data)![1];
    expect(summaries).toEqual([
      `PORTFORWARD pods/${name}/portforward -n ${namespace} (200)`,
      `PORTFORWARD pods/${name}/portforward -n ${namespace} :${port} GET /healthz (${status})`,
      `PORTFORWARD pods/${name}/portforward -n ${namespace} :1 GET / (refused)`,
    ]);
    // A host only reads: port-forward is `create` on pods/portforward.
    expect((await api(runner, host, forward({}))).response).toMatchObject({ status: 403, body: { reason: 'Forbidden' } });
    const replayed = replayRoom(runner.runtime, runner.room.id, (await store.listEvents(runner.room.id, 0)).map(fromStored));
    expect(replayed.divergences).toEqual([]);
  });

  it('a followed log that cannot open answers as the request did, logged once', async () => {
    const { registry, runner, player } = await playing();
    const secret = newToken();
    expect((await runner.act(player, { type: 'api-token', tokenHash: hashToken(secret) })).ok).toBe(true);
    const opened = await roomsBackend(registry).open(secret, `/rooms/${runner.room.id}/api/v1/namespaces/default/pods/nope/log`);
    if (!('session' in opened)) throw new Error(JSON.stringify(opened));
    const seq = runner.room.seq;
    expect(await opened.session.followLog(get(opened.path, { follow: 'true' }))).toMatchObject({ status: 404, body: { reason: 'NotFound', message: 'pods "nope" not found' } });
    expect(runner.room.seq).toBe(seq + 1);
  });

  it('the log carries at most MAX_API_BODY_BYTES of request bodies a room: past it, a body is refused (413) before it is served or logged', async () => {
    const { runner, player } = await playing();
    const chunk = 'x'.repeat(500 * 1024);
    const update = (i: number): ApiRequest => ({
      method: 'PUT', path: `/api/v1/namespaces/default/configmaps/big-${i}`, query: {}, accept: 'application/json', contentType: 'application/json',
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `big-${i}` }, data: { a: chunk } },
    });
    const fits = Math.floor(MAX_API_BODY_BYTES / JSON.stringify(update(10)).length);
    for (let i = 10; i < 10 + fits; i++) expect((await api(runner, player, update(i))).response.status).toBe(404);
    const seq = runner.room.seq;
    const refused = await runner.act(player, { type: 'api', request: update(99) });
    expect(refused).toMatchObject({ ok: false, error: { code: 'too_large', message: expect.stringContaining('16 MiB') } });
    expect(runner.room.seq).toBe(seq);
    expect(refusalStatus(refused as AckError)).toMatchObject({ status: 413, body: { reason: 'RequestEntityTooLarge' } });
    // A request without a body still goes through.
    expect((await api(runner, player, get('/api/v1/namespaces/default/configmaps'))).response.status).toBe(200);
  });

  it('a kubeconfig cannot be downloaded once the room has ended', async () => {
    const { runner, player } = await playing();
    const host = Object.values(runner.room.participants).find((p) => p.role === 'host')!;
    expect((await runner.act({ participantId: host.id, role: 'host' }, { type: 'end' })).ok).toBe(true);
    expect(await runner.act(player, { type: 'api-token', tokenHash: hashToken(newToken()) })).toMatchObject({ ok: false, error: { code: 'room_ended' } });
    expect(runner.room.apiTokens).toEqual({});
  });
});
