// Bring your own tools (issue 17): the real kubectl v1.29.4 (scripts/fetch-kubectl.mjs) and a
// socket.io player act on the same game-day room, over a real port, a real PostgreSQL and the
// game server's own Kubernetes API listener, and each sees the other's changes; the host's
// console receives each API request as a line; a spectator's kubeconfig reads but cannot
// write; an interview needs the host's leave; the tokens stop working when the seat leaves
// and when the room ends.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenarioCatalog } from '../../server/rooms/scenario-runtime.js';
import { httpGet, realKubectlBinary, runKubectl, startKubectl } from '../helpers/real-kubectl.js';
import { connect, postJson, startTestServer, type TestClient, type TestServer } from '../helpers/server.js';

const kubectl = realKubectlBinary('bring-your-own-tools suite');

let server: TestServer;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kube-api-room-'));
  server = await startTestServer({ catalog: loadScenarioCatalog().catalog, game: { kubeApi: { port: 0, host: '127.0.0.1' } } });
});
afterAll(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** POST /api/kubeconfig with a seat's token: the kubeconfig's text, or the error. */
async function download(token: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`${server.url}/api/kubeconfig`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, text: await response.text() };
}

/** Writes a seat's kubeconfig to a file of its own. */
async function kubeconfigOf(token: string, name: string): Promise<string> {
  const { status, text } = await download(token);
  expect(status, text).toBe(200);
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** The real kubectl with this kubeconfig; stderr into the same pipe as stdout. */
const run = (kubeconfig: string, line: string) => runKubectl(kubectl!, kubeconfig, dir, line);

/** kubectl's answer to a 401 (after its discovery's own complaints, which depend on its cache). */
function expectUnauthorized(result: { output: string; exitCode: number }): void {
  expect(result.exitCode).toBe(1);
  expect(result.output).toMatch(/^error: You must be logged in to the server \((Unauthorized|the server has asked for the client to provide credentials)\)\n$/m);
}

async function typed(client: TestClient, line: string) {
  const ack = await client.request<{ output: string; exitCode: number }>('cmd:run', { line });
  expect(ack, line).toMatchObject({ ok: true });
  return ack;
}

async function hosted(mode: 'interview' | 'gameday') {
  const created = await postJson<{ roomId: string; code: string; hostToken: string }>(server.url, '/api/rooms', { scenarioId: 'pending-pods', mode, hostName: 'Host', seed: 1, allowSpectators: true });
  expect(created.status).toBe(201);
  const host = await connect(server.url);
  expect((await host.request('room:join', { token: created.body.hostToken })).ok).toBe(true);
  return { ...created.body, host };
}

async function joinAs(code: string, name: string, role: 'player' | 'spectator') {
  const client = await connect(server.url);
  const joined = await client.call<{ token: string }>('room:join', { code, name, role });
  expect(joined.ok).toBe(true);
  return { client, token: joined.token };
}

/** A seat's kubeconfig as the parts a plain HTTPS client needs. */
function clientOf(kubeconfig: string) {
  const field = (name: string) => new RegExp(`${name}: (\\S+)`).exec(kubeconfig)![1]!;
  return { server: new URL(field('server')), ca: Buffer.from(field('certificate-authority-data'), 'base64').toString(), token: field('token'), servername: field('tls-server-name') };
}

/** Opens a request to the seat's API; resolves with the response as it starts (a watch streams on). */
function open(client: ReturnType<typeof clientOf>, path: string) {
  return new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
    const url = new URL(`${client.server.pathname}${path}`, client.server);
    httpsRequest(url, { ca: client.ca, servername: client.servername, headers: { authorization: `Bearer ${client.token}` } }, resolve).on('error', reject).end();
  });
}

async function bodyOf(response: import('node:http').IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of response) text += String(chunk);
  return text;
}

describe('a seat\'s API over plain HTTPS', () => {
  it('streams a watch the terminal\'s writes show in, follows a log until its token goes, caps watches and requests per seat', async () => {
    const { code, host } = await hosted('gameday');
    const player = await joinAs(code, 'Min', 'player');
    expect((await host.request('host:start')).ok).toBe(true);
    const client = clientOf((await download(player.token)).text);

    const watches = await Promise.all([1, 2, 3, 4].map(() => open(client, '/api/v1/namespaces/default/configmaps?watch=true')));
    expect(watches.map((w) => w.statusCode)).toEqual([200, 200, 200, 200]);
    const fifth = await open(client, '/api/v1/namespaces/default/configmaps?watch=true');
    expect(fifth.statusCode).toBe(429);
    expect(JSON.parse(await bodyOf(fifth))).toMatchObject({ kind: 'Status', reason: 'TooManyRequests' });

    // The terminal writes; the watch reports it.
    let streamed = '';
    watches[0]!.setEncoding('utf8').on('data', (d: string) => (streamed += d));
    await typed(player.client, 'kubectl create configmap watched --from-literal=k=v');
    await expect.poll(() => streamed, { timeout: 5000 }).toMatch(/^\{"type":"ADDED","object":\{[^\n]*"kind":"ConfigMap"[^\n]*"name":"watched"/m);
    for (const w of watches) w.destroy();

    // `kubectl logs -f`: the log so far, and the stream stays open (one of the seat's watches) until the seat's token goes.
    const pods = JSON.parse(await bodyOf(await open(client, '/api/v1/pods'))) as { items: { metadata: { name: string; namespace: string }; status: { phase: string } }[] };
    const { name: running, namespace } = pods.items.find((p) => p.status.phase === 'Running')!.metadata;
    const followed = await open(client, `/api/v1/namespaces/${namespace}/pods/${running}/log?follow=true`);
    expect([followed.statusCode, followed.headers['content-type']]).toEqual([200, 'text/plain']);
    let ended = false;
    followed.on('end', () => (ended = true)).resume();
    await host.waitFor((e) => e.type === 'api.request' && String(e.summary).startsWith(`GET pods/${running}/log -n ${namespace} (200`));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(ended).toBe(false);
    const next = clientOf((await download(player.token)).text);
    await expect.poll(() => ended, { timeout: 5000 }).toBe(true);

    // Discovery counts too: past the allowance (300 a minute, refilling as it goes), the seat is told to slow down.
    let refused: string | undefined;
    for (let i = 0; i < 400 && refused === undefined; i++) {
      const response = await open(next, '/version');
      const text = await bodyOf(response);
      if (response.statusCode === 429) refused = text;
    }
    expect(JSON.parse(refused!)).toMatchObject({ reason: 'TooManyRequests', message: 'too many requests: at most 300 a minute per seat' });
    // A new kubeconfig is the same seat: it does not start a new allowance (a few requests may
    // pass as it refills, 5 a second, while the kubeconfig downloads on a loaded machine; a
    // fresh allowance would pass all 50).
    const fresh = clientOf((await download(player.token)).text);
    const statuses: number[] = [];
    for (let i = 0; i < 50; i++) {
      const again = await open(fresh, '/version');
      await bodyOf(again);
      statuses.push(again.statusCode ?? 0);
    }
    expect(statuses).toContain(429);
    for (const c of [host, player.client]) c.close();
  }, 60_000);
});

describe.skipIf(!kubectl)('the real kubectl on a game room, next to the browser terminal', () => {
  it('kubectl and a socket.io player see each other\'s changes; the host sees each request; a spectator cannot write; tokens end with the seat and the room', async () => {
    const { code, host, hostToken } = await hosted('gameday');
    const player = await joinAs(code, 'Min', 'player');
    const spectator = await joinAs(code, 'Sol', 'spectator');
    expect((await host.request('host:start')).ok).toBe(true);
    const mine = await kubeconfigOf(player.token, 'player.kubeconfig');

    // kubectl writes, the terminal reads it; the terminal writes, kubectl reads it.
    expect(await run(mine, 'create configmap from-kubectl --from-literal=a=b')).toEqual({ output: 'configmap/from-kubectl created\n', exitCode: 0 });
    expect((await typed(player.client, 'kubectl get configmap from-kubectl -o jsonpath={.data.a}')).output).toBe('b');
    await typed(player.client, 'kubectl create configmap from-shell --from-literal=x=y');
    expect(await run(mine, 'get configmap from-shell -o jsonpath={.data.x}')).toEqual({ output: 'y', exitCode: 0 });
    const listed = await run(mine, 'get configmaps -n default');
    expect(listed.exitCode).toBe(0);
    expect(listed.output).toMatch(/^NAME +DATA +AGE\nfrom-kubectl +1 +\S+\nfrom-shell +1 +\S+\nkube-root-ca.crt +1 +\S+\n$/);

    // The host's console: one readable line per request, with the player's id.
    await host.waitFor((e) => e.type === 'api.request' && e.summary === 'POST configmaps -n default (201)');
    await host.waitFor((e) => e.type === 'api.request' && e.summary === 'GET configmaps/from-shell -n default (200)');
    await host.waitFor((e) => e.type === 'api.request' && e.summary === 'GET configmaps -n default (200, 3 items)');

    // The spectator's kubeconfig reads, and is refused a write with the apiserver's words.
    const watching = await kubeconfigOf(spectator.token, 'spectator.kubeconfig');
    expect((await run(watching, 'get configmap from-kubectl -o name')).output).toBe('configmap/from-kubectl\n');
    expect(await run(watching, 'delete configmap from-shell')).toEqual({
      output: 'Error from server (Forbidden): configmaps "from-shell" is forbidden: User "kubedrill:spectator" cannot delete resource "configmaps" in API group "" in the namespace "default"\n',
      exitCode: 1,
    });
    expect((await typed(player.client, 'kubectl get configmap from-shell -o name')).output).toBe('configmap/from-shell\n');

    // A token is the seat's while it sits there; the host's lasts until the end.
    const hosting = await kubeconfigOf(hostToken, 'host.kubeconfig');
    expect((await spectator.client.request('room:leave')).ok).toBe(true);
    expectUnauthorized(await run(watching, 'get configmaps'));
    expect((await run(hosting, 'get nodes -o name')).exitCode).toBe(0);
    expect((await host.request('host:end')).ok).toBe(true);
    for (const file of [mine, hosting]) expectUnauthorized(await run(file, 'get pods'));
    for (const c of [host, player.client, spectator.client]) c.close();
  }, 120_000);

  it('kubectl exec, cp and port-forward through a seat\'s kubeconfig (SPDY, kubectl\'s default) print what the terminal\'s print, as room events the host sees; a spectator cannot exec', async () => {
    const { code, host } = await hosted('gameday');
    const player = await joinAs(code, 'Min', 'player');
    const spectator = await joinAs(code, 'Sol', 'spectator');
    expect((await host.request('host:start')).ok).toBe(true);
    const mine = await kubeconfigOf(player.token, 'exec-player.kubeconfig');
    const running = await run(mine, 'get pods -A --field-selector=status.phase=Running --no-headers');
    const [namespace, pod] = running.output.split('\n').find((l) => !l.startsWith('kube-system ') && l !== '')!.split(/ +/) as [string, string];
    for (const command of ['cat /etc/resolv.conf', 'cat /nope']) {
      const line = `exec -n ${namespace} ${pod} -- ${command}`;
      const terminal = await typed(player.client, `kubectl ${line}`);
      expect(await run(mine, line)).toEqual({ output: terminal.output, exitCode: terminal.exitCode });
    }
    await host.waitFor((e) => e.type === 'api.request' && e.summary === `EXEC pods/${pod}/exec -n ${namespace} -- cat /etc/resolv.conf (exit 0)`);
    await host.waitFor((e) => e.type === 'api.request' && e.summary === `EXEC pods/${pod}/exec -n ${namespace} -- cat /nope (exit 1)`);
    // A forwarded connection to a port nothing listens on: refused by the pod, a room event all the same.
    const forward = startKubectl(kubectl!, mine, dir, ['port-forward', '-n', namespace, `pod/${pod}`, ':1']);
    const local = Number((await forward.until(/Forwarding from 127\.0\.0\.1:(\d+) -> 1\n/))[1]);
    expect(await httpGet(local)).toEqual({ error: 'socket hang up' });
    expect(await forward.exited).toBe(1);
    expect(forward.output()).toMatch(/an error occurred forwarding \d+ -> 1: error forwarding port 1 to pod [0-9a-f]{64}, uid : failed to execute portforward/);
    await host.waitFor((e) => e.type === 'api.request' && e.summary === `PORTFORWARD pods/${pod}/portforward -n ${namespace} :1 GET / (refused)`);
    // kubectl cp to the pod: a tar full of NULs on the exec's stdin, logged with the request and stored (json keeps \u0000).
    const upload = join(dir, 'up.txt');
    writeFileSync(upload, 'hello\n');
    expect(await run(mine, `cp ${upload} ${namespace}/${pod}:/tmp/up.txt`)).toEqual({ output: '', exitCode: 0 });
    expect(await run(mine, `exec -n ${namespace} ${pod} -- cat /tmp/up.txt`)).toEqual({ output: 'hello\n', exitCode: 0 });
    const watching = await kubeconfigOf(spectator.token, 'exec-spectator.kubeconfig');
    expect(await run(watching, `exec -n ${namespace} ${pod} -- cat /etc/hostname`)).toEqual({
      output: `Error from server (Forbidden): pods "${pod}" is forbidden: User "kubedrill:spectator" cannot create resource "pods/exec" in API group "" in the namespace "${namespace}"\n`, exitCode: 1,
    });
    for (const c of [host, player.client, spectator.client]) c.close();
  }, 120_000);

  it('an interview gives no kubeconfig until the host allows it', async () => {
    const { code, host } = await hosted('interview');
    const candidate = await joinAs(code, 'Cand', 'player');
    expect((await download(candidate.token)).status).toBe(403);
    expect((await host.request('room:settings', { allowApi: true })).ok).toBe(true);
    expect((await download(candidate.token)).status).toBe(200);
    for (const c of [host, candidate.client]) c.close();
  }, 60_000);

  it('refuses a made-up token, a room that is not served here, and a body over the seat\'s limit, each with a Status', async () => {
    const { code, host } = await hosted('gameday');
    const player = await joinAs(code, 'Min', 'player');
    expect((await host.request('host:start')).ok).toBe(true);
    const { text } = await download(player.token);
    const serverUrl = /server: (\S+)/.exec(text)![1]!;
    const base = serverUrl.replace(/\/rooms\/.*$/, '');
    const token = /token: (\S+)/.exec(text)![1]!;
    // Through kubectl's own client (it trusts the kubeconfig's certificate authority):
    const forged = join(dir, 'forged.kubeconfig');
    writeFileSync(forged, text.replace(token, 'x'.repeat(43)));
    expectUnauthorized(await run(forged, 'get pods'));
    const elsewhere = join(dir, 'elsewhere.kubeconfig');
    writeFileSync(elsewhere, text.replace(serverUrl, `${base}/rooms/00000000-0000-4000-8000-000000000000`));
    const refused = await run(elsewhere, 'get pods');
    expect(refused.exitCode).toBe(1);
    // kubectl prints its own words for a 503 (its discovery never shows the Status's message).
    expect(refused.output).toMatch(/^Error from server \(ServiceUnavailable\): /m);
    const big = join(dir, 'big.yaml');
    writeFileSync(big, `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  a: "${'x'.repeat(600 * 1024)}"\n`);
    const mine = join(dir, 'mine.kubeconfig');
    writeFileSync(mine, text);
    const tooLarge = await run(mine, `create -f ${big}`);
    expect(tooLarge.exitCode).toBe(1);
    // The Status, or (when the server answered before kubectl finished sending) the connection cut under it.
    expect(tooLarge.output).toMatch(/Request entity too large: limit is 524288|broken pipe|connection reset by peer/);
    expect((await run(mine, 'get configmap big')).output).toBe('Error from server (NotFound): configmaps "big" not found\n');
    for (const c of [host, player.client]) c.close();
  }, 60_000);
});
