// port-forward and attach through the API with the real kubectl v1.29.4, which speaks SPDY/3.1 for
// both (client-go tools/portforward, tools/remotecommand; server side server/http/kube-api-spdy.ts,
// server/kubeapi/portforward.ts): an HTTP GET through the forwarded local port gets what the
// shell's `curl` through its own port-forward gets; a port nothing listens on gets containerd's
// refusal on the error stream, which kubectl prints as against a real cluster (client-go
// portforward.go "an error occurred forwarding %d -> %d: %v", then "lost connection to pod").
// Hostile SPDY on the upgraded connection ends it (GOAWAY) or resets a stream, and changes nothing.
import { connect, type TLSSocket } from 'node:tls';
import { constants, createDeflate } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendLog } from '../../server/cluster/logs.js';
import { tick } from '../../server/cluster/index.js';
import { SPDY_DICTIONARY } from '../../server/http/spdy/dictionary.js';
import { buildKubeApi, clusterBackend, selfSignedCert } from '../../server/http/kube-api.js';
import { dataFrame, FrameReader, FrameType, GoAwayStatus, RstStatus, synStreamFrame } from '../../server/http/spdy/frames.js';
import { podId } from '../../server/shell/node/crictl.js';
import { newSession, runLine } from '../../server/shell/index.js';
import { httpGet, realKubectlBinary, startKubectl } from '../helpers/real-kubectl.js';
import { nginxPod, realKubectl, serve, type Served } from './kubectl-oracle.js';

const kubectl = realKubectlBinary('kubectl port-forward suite');

const started = (served: Served, args: string[]) => startKubectl(kubectl!, served.kubeconfig, served.dir, args);

describe.skipIf(!kubectl)('kubectl port-forward and attach through the API (SPDY/3.1)', () => {
  let served: Served;
  let pod: string;
  beforeAll(async () => {
    served = await serve('demo', 1);
    pod = nginxPod(served);
  });
  afterAll(async () => served?.close());

  /** What the shell's `curl -s` prints through the shell's own port-forward to `target`'s `port` (the job's "Handling connection" line aside). */
  const shellCurl = (target: string, port: number): string => {
    const session = newSession(served.state);
    runLine(served.state, session, `kubectl port-forward ${target} 18080:${port} &`);
    return runLine(served.state, session, 'curl -s localhost:18080/').output.replace('Handling connection for 18080\n', '');
  };

  it.each(['pod/POD', 'svc/web', 'deploy/web'])('port-forward %s :80, then an HTTP GET through the local port: the pod\'s answer, as the shell\'s curl through its port-forward gets it', async (target) => {
    const forward = started(served, ['port-forward', target.replace('POD', pod), ':80']);
    const local = Number((await forward.until(/Forwarding from 127\.0\.0\.1:(\d+) -> 80\n/))[1]);
    const got = await httpGet(local);
    const { output, exitCode } = await forward.stop();
    expect(output).toBe(`Forwarding from 127.0.0.1:${local} -> 80\nForwarding from [::1]:${local} -> 80\nHandling connection for ${local}\n`);
    expect(exitCode).toBe(0);
    if ('error' in got) throw new Error(got.error);
    expect(got.status).toBe(200);
    expect(got.headers.slice(0, 2)).toEqual(['Server', 'nginx/1.25.3']);
    expect(got.body).toBe(shellCurl(target.replace('POD', pod), 80));
  });

  it('port-forward to a port nothing listens on: the connection closes, kubectl prints containerd\'s refusal and loses the connection, as against a real cluster', async () => {
    const forward = started(served, ['port-forward', `pod/${pod}`, ':81']);
    const local = Number((await forward.until(/Forwarding from 127\.0\.0\.1:(\d+) -> 81\n/))[1]);
    expect(await httpGet(local)).toEqual({ error: 'socket hang up' });
    const exitCode = await forward.exited;
    const p = served.state.pods[`default/${pod}`]!;
    const sandbox = podId(p);
    const refused = `error forwarding port 81 to pod ${sandbox}, uid : failed to execute portforward in network namespace "/var/run/netns/cni-${p.metadata.uid}": failed to connect to localhost:81 inside namespace "${sandbox}", IPv4: dial tcp4 127.0.0.1:81: connect: connection refused IPv6 dial tcp6 [::1]:81: connect: connection refused `;
    const output = forward.output().replace(/^E\d{4} [\d:.]+ +\d+ portforward\.go:\d+\] /m, 'E ');
    expect(output).toBe(`Forwarding from 127.0.0.1:${local} -> 81\nForwarding from [::1]:${local} -> 81\nHandling connection for ${local}\nE an error occurred forwarding ${local} -> 81: ${refused}\nerror: lost connection to pod\n`);
    expect(exitCode).toBe(1);
  });

  it('attach writes what the container prints from then on, until stopped', async () => {
    const attach = started(served, ['attach', pod]);
    await attach.until(/try pressing enter\.\n/);
    // kubectl prints its hint before the stream opens: the container writes a line every 100 ms until one shows.
    const logs = served.state.pods[`default/${pod}`]!.status.containerStatuses[0]!.logs;
    for (let i = 0; i < 50 && !/written \d+/.test(attach.output()); i++) {
      appendLog(logs, { at: served.state.now, text: `written ${i}` });
      await new Promise((r) => setTimeout(r, 100));
    }
    const { output } = await attach.stop();
    expect(output).toMatch(/^If you don't see a command prompt, try pressing enter\.\n(written \d+\n)+$/);
  });

  // attach.go: stdin goes to the container's own process; here a shell started with stdin open reads it.
  it('attach -i to a container whose shell reads stdin: the piped lines run in it, as the shell\'s `… | kubectl attach -i` shows', async () => {
    const session = newSession(served.state);
    const run = (line: string) => runLine(served.state, session, line, { advance: (ms) => tick(served.state, ms) });
    run('kubectl run reader --image=busybox --overrides=\'{"spec":{"containers":[{"name":"reader","image":"busybox","stdin":true,"command":["sh"]}]}}\'');
    run('sleep 10');
    const real = await realKubectl(kubectl!, served, 'attach -i reader', 'hostname\ncat /etc/hostname | tr a-z A-Z\n');
    const ours = runLine(served.state, newSession(served.state), "printf 'hostname\\ncat /etc/hostname | tr a-z A-Z\\n' | kubectl attach -i reader");
    expect(real).toEqual({ output: ours.output, exitCode: ours.exitCode });
    expect(ours.output).toBe("If you don't see a command prompt, try pressing enter.\nreader\nREADER\n");
    // stdin open for every attach (no stdinOnce): the shell runs on.
    expect(served.state.pods['default/reader']!.status.containerStatuses[0]!.state.kind).toBe('running');
  });

  it('attach -i to a container that reads no stdin is attached to its output (what is sent is dropped)', async () => {
    const attach = started(served, ['attach', '-i', pod]);
    await attach.until(/try pressing enter\.\n/);
    const { output } = await attach.stop();
    expect(output).toMatch(/^If you don't see a command prompt, try pressing enter\.\n/);
  });

  /** A raw SPDY connection to the port-forward of the pod: the frames the server sent, and whether it closed. */
  async function rawForward(send: (socket: TLSSocket, compress: (headers: [string, string][]) => Promise<Buffer>) => Promise<void>): Promise<{ frames: { type: number | 'data'; streamId: number; status?: number }[]; closed: boolean }> {
    const url = new URL(served.address);
    const socket = connect({ host: url.hostname, port: Number(url.port), rejectUnauthorized: false });
    await new Promise((r) => socket.once('secureConnect', r));
    socket.write(`POST /api/v1/namespaces/default/pods/${pod}/portforward HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer differential-suite-token\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\n\r\n`);
    let received = Buffer.alloc(0);
    let closed = false;
    socket.on('data', (d: Buffer) => (received = Buffer.concat([received, d])));
    socket.on('close', () => (closed = true));
    socket.on('error', () => undefined);
    for (let i = 0; i < 100 && !received.includes('\r\n\r\n'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(received.toString('latin1')).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
    const deflate = createDeflate({ dictionary: SPDY_DICTIONARY });
    const out: Buffer[] = [];
    deflate.on('data', (c: Buffer) => out.push(c));
    const compress = (headers: [string, string][]): Promise<Buffer> => new Promise((resolve) => {
      const u32 = (n: number) => Buffer.from([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
      deflate.write(Buffer.concat([u32(headers.length), ...headers.flatMap(([k, v]) => [u32(k.length), Buffer.from(k), u32(v.length), Buffer.from(v)])]));
      deflate.flush(constants.Z_SYNC_FLUSH, () => resolve(Buffer.concat(out.splice(0))));
    });
    await send(socket, compress);
    for (let i = 0; i < 50 && !closed; i++) await new Promise((r) => setTimeout(r, 20));
    socket.destroy();
    const body = received.subarray(received.indexOf('\r\n\r\n') + 4);
    const frames = new FrameReader(1 << 24).push(body).map((f) => (f.kind === 'data'
      ? { type: 'data' as const, streamId: f.streamId }
      : { type: f.type, streamId: f.payload.readUInt32BE(0) & 0x7fffffff, ...(f.type === FrameType.GOAWAY || f.type === FrameType.RST_STREAM ? { status: f.payload.readUInt32BE(4) } : {}) }));
    return { frames, closed };
  }

  it.each<[string, (socket: TLSSocket, compress: (h: [string, string][]) => Promise<Buffer>) => Promise<void>]>([
    ['garbage instead of a frame', async (s) => void s.write(Buffer.from('GET / HTTP/1.1\r\n\r\n'))],
    ['a header block that inflates past its bound (a zlib bomb)', async (s, compress) => void s.write(synStreamFrame(1, await compress([['streamtype', 'x'.repeat(8000)], ['port', 'y'.repeat(8000)], ['requestid', 'z'.repeat(8000)]])))],
    ['a stream id used twice', async (s, compress) => void s.write(Buffer.concat([synStreamFrame(1, await compress([['streamtype', 'error'], ['port', '80'], ['requestid', '0']])), synStreamFrame(1, await compress([['streamtype', 'data'], ['port', '80'], ['requestid', '0']]))]))],
    ['a frame over the bound', async (s) => void s.write(Buffer.from([0, 0, 0, 1, 0, 0x10, 0, 0]))],
  ])('%s ends the connection with GOAWAY PROTOCOL_ERROR and changes nothing', async (_what, send) => {
    const revision = served.state.etcd.revision;
    const logs = served.state.pods[`default/${pod}`]!.status.containerStatuses[0]!.logs.length;
    const { frames, closed } = await rawForward(send);
    expect(frames.at(-1)).toEqual({ type: FrameType.GOAWAY, streamId: expect.any(Number), status: GoAwayStatus.PROTOCOL_ERROR });
    expect(closed).toBe(true);
    expect(served.state.etcd.revision).toBe(revision);
    expect(served.state.pods[`default/${pod}`]!.status.containerStatuses[0]!.logs.length).toBe(logs);
  });

  it('streams without a valid port or type are reset, and too many incomplete forwards are refused; the connection lives on', async () => {
    const { frames, closed } = await rawForward(async (s, compress) => {
      s.write(synStreamFrame(1, await compress([['streamtype', 'data'], ['port', '0'], ['requestid', '0']])));
      s.write(synStreamFrame(3, await compress([['streamtype', 'bogus'], ['port', '80'], ['requestid', '0']])));
      for (let i = 0; i < 9; i++) s.write(synStreamFrame(5 + 2 * i, await compress([['streamtype', 'error'], ['port', '80'], ['requestid', String(100 + i)]])));
      s.write(dataFrame(99, Buffer.from('no such stream'), false));
    });
    expect(frames.filter((f) => f.type === FrameType.RST_STREAM)).toEqual([
      { type: FrameType.RST_STREAM, streamId: 1, status: RstStatus.CANCEL },
      { type: FrameType.RST_STREAM, streamId: 3, status: RstStatus.CANCEL },
      { type: FrameType.RST_STREAM, streamId: 21, status: RstStatus.CANCEL },
    ]);
    expect(frames.filter((f) => f.type === FrameType.SYN_REPLY)).toHaveLength(8);
    expect(closed).toBe(false);
  });

  it('a SPDY stream holds one of the session\'s stream slots: past the cap the upgrade is refused (429) before anything runs', async () => {
    const app = buildKubeApi({ backend: clusterBackend({ state: () => served.state, token: 'capped' }), tls: await selfSignedCert(), watchesPerSession: 1 });
    const url = new URL(await app.listen({ host: '127.0.0.1', port: 0 }));
    const upgrade = async (): Promise<{ socket: TLSSocket; head: string }> => {
      const socket = connect({ host: url.hostname, port: Number(url.port), rejectUnauthorized: false });
      let head = '';
      socket.on('data', (d: Buffer) => (head += d.toString('latin1')));
      socket.on('error', () => undefined);
      socket.write(`POST /api/v1/namespaces/default/pods/${pod}/portforward HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer capped\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\n\r\n`);
      for (let i = 0; i < 100 && !head.includes('\r\n\r\n'); i++) await new Promise((r) => setTimeout(r, 20));
      return { socket, head };
    };
    const first = await upgrade();
    expect(first.head).toMatch(/^HTTP\/1\.1 101 /);
    const second = await upgrade();
    expect(second.head).toMatch(/^HTTP\/1\.1 429 [\s\S]*"reason":"TooManyRequests"/);
    first.socket.destroy();
    second.socket.destroy();
    // Its slot comes back when the connection goes.
    await new Promise((r) => setTimeout(r, 100));
    const third = await upgrade();
    expect(third.head).toMatch(/^HTTP\/1\.1 101 /);
    third.socket.destroy();
    await app.close();
  });

  it('a forwarded connection that sends a well-formed request gets the pod\'s answer on its data stream, then both streams close', async () => {
    const { frames } = await rawForward(async (s, compress) => {
      s.write(synStreamFrame(1, await compress([['streamtype', 'error'], ['port', '80'], ['requestid', '0']]), true));
      s.write(synStreamFrame(3, await compress([['streamtype', 'data'], ['port', '80'], ['requestid', '0']])));
      s.write(dataFrame(3, Buffer.from('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n'), true));
      await new Promise((r) => setTimeout(r, 300));
    });
    expect(frames.filter((f) => f.type === 'data').map((f) => f.streamId)).toEqual([3, 3, 1]);
  });
});
