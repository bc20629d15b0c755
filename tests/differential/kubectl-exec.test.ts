// `kubectl exec` through the API (server/http/kube-api-exec.ts, exec-session.ts, kube-api-spdy.ts,
// server/kubeapi/exec.ts) with the real kubectl v1.29.4, over both transports it speaks: SPDY/3.1
// by default (client-go tools/remotecommand v4.channel.k8s.io over transport/spdy), and a
// WebSocket with KUBECTL_REMOTE_COMMAND_WEBSOCKETS=true (v5.channel.k8s.io, websocket.go). What
// it prints and exits with must be the shell's own `kubectl exec` on the same cluster, byte for
// byte (the exit code comes back in the error stream's NonZeroExitCode Status). Hostile
// WebSocket frames end the stream with a BadRequest Status on the error channel and run nothing
// (hostile SPDY: kubectl-spdy.test.ts).
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { MAX_EXEC_MESSAGE_BYTES, V5_PROTOCOL } from '../../server/http/kube-api-exec.js';
import { newSession, runLine } from '../../server/shell/index.js';
import { realKubectlBinary } from '../helpers/real-kubectl.js';
import { nginxPod, realKubectl, serve, type Served } from './kubectl-oracle.js';

const kubectl = realKubectlBinary('kubectl exec suite');
const WEBSOCKETS = { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'true' };

describe.skipIf(!kubectl)('kubectl exec through the API (SPDY/3.1 and WebSocket v5.channel.k8s.io)', () => {
  let served: Served;
  let pod: string;
  beforeAll(async () => {
    served = await serve('demo', 1);
    pod = nginxPod(served);
  });
  afterAll(async () => served?.close());

  const shell = (line: string) => {
    const ran = runLine(served.state, newSession(served.state), `kubectl ${line}`);
    return { output: ran.output, exitCode: ran.exitCode };
  };
  /** The runtime's exec id is drawn from the cluster's random stream, which each run moves on. */
  const execId = (text: string) => text.replace(/failed to start exec "[0-9a-f]{64}"/, 'failed to start exec "ID"');

  const TRANSPORTS = { 'SPDY/3.1': {}, WebSocket: WEBSOCKETS };
  it.each([
    'exec POD -- cat /etc/resolv.conf',
    'exec POD -- cat /etc/hosts /etc/hostname',
    // A non-zero exit: kubectl prints `command terminated with exit code 1` and exits with it.
    'exec POD -- cat /nope',
    'exec POD -- nosuch',
    // Refused before the run: the handshake's answer (over WebSocket met again by kubectl's SPDY fallback), printed as the apiserver's.
    'exec POD -c nope -- ls',
  ].flatMap((line) => (['SPDY/3.1', 'WebSocket'] as const).map((transport) => [line, transport] as const)))('%s over %s prints and exits as the shell\'s', async (template, transport) => {
    const line = template.replace('POD', pod);
    const real = await realKubectl(kubectl!, served, line, undefined, TRANSPORTS[transport]);
    const ours = shell(line);
    expect({ ...real, output: execId(real.output) }).toEqual({ ...ours, output: execId(ours.output) });
  });

  it.each(['SPDY/3.1', 'WebSocket'] as const)('-i over %s sends stdin: a program reads it, a shell runs its lines and exits with their status', async (transport) => {
    const env = TRANSPORTS[transport];
    expect(await realKubectl(kubectl!, served, `exec -i ${pod} -- cat`, 'piped in\nand more\n', env)).toEqual({ output: 'piped in\nand more\n', exitCode: 0 });
    const hostname = shell(`exec ${pod} -- cat /etc/hostname`).output;
    expect(await realKubectl(kubectl!, served, `exec -i ${pod} -- sh`, 'cd /etc\ncat hostname | tr a-z A-Z\nexit 3\necho never\n', env))
      .toEqual({ output: `${hostname.toUpperCase()}command terminated with exit code 3\n`, exitCode: 3 });
  });

  // Piped stdin at the shell's kubectl as at the real one (exec.go: only -i streams stdin; a lone shell reads it as its script).
  it.each([
    ['exec -i POD -- cat', 'hi\n'],
    ['exec POD -- cat', 'ignored without -i\n'],
    ['exec -i POD -- sh -c "wc -l"', 'a\nb\nc\n'],
    ['exec -i POD -- sh', 'for f in hostname hosts; do\n  test -f /etc/$f && echo $f\ndone\nexit 4\n'],
  ])('%s with piped stdin prints and exits as the shell\'s `… < file`', async (template, stdin) => {
    const line = template.replace('POD', pod);
    const real = await realKubectl(kubectl!, served, line, stdin);
    const session = newSession(served.state);
    session.files!['/tmp/in'] = stdin;
    const ours = runLine(served.state, session, `kubectl ${line} < /tmp/in`);
    expect(real).toEqual({ output: ours.output, exitCode: ours.exitCode });
  });

  it('a directory one exec makes is there for the next exec, kubectl cp into it and the shell\'s kubectl (the container\'s layer)', async () => {
    expect(await realKubectl(kubectl!, served, `exec ${pod} -- mkdir -p /restore/db`)).toEqual({ output: '', exitCode: 0 });
    expect(await realKubectl(kubectl!, served, `exec ${pod} -- ls -d /restore`)).toEqual({ output: '/restore\n', exitCode: 0 });
    const dump = join(served.dir, 'dump.sql');
    writeFileSync(dump, 'dump\n');
    expect(await realKubectl(kubectl!, served, `cp ${dump} ${pod}:/restore/db/dump.sql`)).toEqual({ output: '', exitCode: 0 });
    expect(shell(`exec ${pod} -- sh -c "test -d /restore/db && ls /restore/db"`)).toEqual({ output: 'dump.sql\n', exitCode: 0 });
    expect(await realKubectl(kubectl!, served, `exec ${pod} -- rm -r /restore`)).toEqual({ output: '', exitCode: 0 });
    expect(shell(`exec ${pod} -- test -d /restore`)).toEqual({ output: 'command terminated with exit code 1\n', exitCode: 1 });
  });

  it.each(['SPDY/3.1', 'WebSocket'] as const)('kubectl cp over %s (an exec of tar): from the pod as the shell\'s kubectl cp prints it, to the pod where exec and the shell read it', async (transport) => {
    const env = TRANSPORTS[transport];
    const local = join(served.dir, `hostname-${transport}`);
    // The remote tar's stderr (its `Removing leading` warning) reaches the real kubectl on a stream
    // of its own, copied while stdout is untarred; kubectl may end first and not print it (seen
    // once in CI over SPDY). Ours always prints it, as kubectl does when it waits for the stream.
    const ours = shell(`cp ${pod}:/etc/hostname /tmp/h`);
    expect(ours.output).toMatch(/^tar: Removing leading/m);
    expect([ours, { ...ours, output: ours.output.replace(/^tar: Removing leading .*\n/m, '') }])
      .toContainEqual(await realKubectl(kubectl!, served, `cp ${pod}:/etc/hostname ${local}`, undefined, env));
    expect(readFileSync(local, 'utf8')).toBe(shell(`exec ${pod} -- cat /etc/hostname`).output);
    const upload = join(served.dir, 'upload.txt');
    writeFileSync(upload, `héllo from ${transport}\n`);
    expect(await realKubectl(kubectl!, served, `cp ${upload} ${pod}:/tmp/up.txt`, undefined, env)).toEqual({ output: '', exitCode: 0 });
    expect(await realKubectl(kubectl!, served, `exec ${pod} -- cat /tmp/up.txt`, undefined, env)).toEqual({ output: `héllo from ${transport}\n`, exitCode: 0 });
    expect(shell(`exec ${pod} -- cat /tmp/up.txt`)).toEqual({ output: `héllo from ${transport}\n`, exitCode: 0 });
  });

  /** A raw v5 stream on `exec -i POD -- cat`: what the server sent (by channel) and how it closed. */
  const rawExec = (send: (ws: WebSocket) => void, query = 'command=cat&stdin=true&stdout=true&stderr=true'): Promise<{ frames: { channel: number; text: string }[]; code: number }> => new Promise((resolve, reject) => {
    const url = `${served.address.replace('https://', 'wss://')}/api/v1/namespaces/default/pods/${pod}/exec?${query}`;
    const ws = new WebSocket(url, [V5_PROTOCOL], { headers: { authorization: 'Bearer differential-suite-token' }, rejectUnauthorized: false });
    const frames: { channel: number; text: string }[] = [];
    ws.on('open', () => send(ws));
    ws.on('message', (data: Buffer) => frames.push({ channel: data[0]!, text: data.subarray(1).toString('utf8') }));
    ws.on('close', (code) => resolve({ frames, code }));
    ws.on('error', reject);
  });

  it.each<[string, (ws: WebSocket) => void, RegExp]>([
    ['a text message', (ws) => ws.send('hello'), /messages are binary/],
    ['an unknown channel', (ws) => ws.send(Buffer.from([7, 104, 105])), /unknown channel 7/],
    ['an empty message', (ws) => ws.send(Buffer.alloc(0)), /names no channel/],
    ['a close of a stream the server writes', (ws) => ws.send(Buffer.from([255, 1])), /close message names a stream/],
    ['stdin past its bound', (ws) => {
      for (let i = 0; i < 3; i++) ws.send(Buffer.concat([Buffer.from([0]), Buffer.alloc(MAX_EXEC_MESSAGE_BYTES / 2, 'a')]));
      ws.send(Buffer.from([255, 0]));
    }, /stdin of an exec is at most 64 KiB/],
  ])('%s ends the stream with a BadRequest Status, and nothing runs', async (_what, send, message) => {
    const revision = served.state.etcd.revision;
    const { frames, code } = await rawExec(send);
    expect(frames.map((f) => f.channel)).toEqual([3]);
    expect(JSON.parse(frames[0]!.text)).toMatchObject({ status: 'Failure', reason: 'BadRequest', code: 400, message: expect.stringMatching(message) });
    expect(code).toBe(1000);
    expect(served.state.etcd.revision).toBe(revision);
  });

  it('a message over the frame bound is refused by the WebSocket layer (1009) before it is read', async () => {
    const { frames, code } = await rawExec((ws) => ws.send(Buffer.alloc(MAX_EXEC_MESSAGE_BYTES + 2)));
    expect(frames).toEqual([]);
    expect(code).toBe(1009);
  });

  it('a well-formed stream runs: stdin, its close, then stdout and a Success Status', async () => {
    const { frames, code } = await rawExec((ws) => {
      ws.send(Buffer.from([0, ...Buffer.from('ok\n')]));
      ws.send(Buffer.from([255, 0]));
    });
    expect(frames).toEqual([{ channel: 1, text: 'ok\n' }, { channel: 3, text: JSON.stringify({ metadata: {}, status: 'Success' }) }]);
    expect(code).toBe(1000);
  });

  it('-it -- sh: a line at a time, the terminal edited here (echo, backspace), the prompt after each line, `exit N` its status', async () => {
    const { frames, code } = await rawExec((ws) => {
      ws.send(Buffer.from([4, ...Buffer.from('{"Width":80,"Height":24}')]));
      ws.send(Buffer.from([0, ...Buffer.from('cd /etc\r')]));
      ws.send(Buffer.from([0, ...Buffer.from('cat hostnamX\x7fe\r')]));
      ws.send(Buffer.from([0, ...Buffer.from('exit 2\r')]));
    }, 'command=sh&stdin=true&stdout=true&tty=true');
    const hostname = shell(`exec ${pod} -- cat /etc/hostname`).output.trimEnd();
    const screen = frames.filter((f) => f.channel === 1).map((f) => f.text).join('');
    // The prompts are the container shell's as the terminal's `kubectl exec -it … -- sh` shows them; the cwd goes on from line to line.
    expect(screen).toBe(`# cd /etc\r\n# cat hostnamX\b \be\r\n${hostname}\r\n# exit 2\r\n`);
    expect(JSON.parse(frames.at(-1)!.text)).toMatchObject({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '2' }] } });
    expect(code).toBe(1000);
  });

  it('a plain request for exec is refused as the apiserver refuses it (no upgrade), and a body without a command never runs', async () => {
    const authorization = 'Bearer differential-suite-token';
    for (const method of ['GET', 'POST'] as const) {
      const answer = await served.app.inject({ method, url: `/api/v1/namespaces/default/pods/${pod}/exec?command=ls`, headers: { authorization } });
      expect(answer.statusCode).toBe(400);
      expect(answer.json()).toMatchObject({ kind: 'Status', reason: 'BadRequest', message: 'Upgrade request required' });
    }
    await expect(rawExec(() => undefined, 'stdout=true')).rejects.toThrow(/Unexpected server response: 400/);
  });

  // util-linux `script` gives kubectl a terminal (raw mode, resize messages), as a player's has.
  it.skipIf(spawnSync('script', ['--version']).status !== 0).each(['SPDY/3.1', 'WebSocket'] as const)('kubectl exec -it -- sh in a real terminal over %s: a line at a time, cd carried, `exit 5` its status', async (transport) => {
    const typedLines = 'cd /etc\rcat hostname\rexit 5\r';
    const outcome = await new Promise<{ output: string; exitCode: number }>((resolve, reject) => {
      const child = spawn('script', ['-qec', `"$KUBECTL" --kubeconfig "$KUBECONFIG_FILE" exec -it ${pod} -- sh`, '/dev/null'], {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: served.dir, KUBECTL: kubectl!, KUBECONFIG_FILE: served.kubeconfig, ...TRANSPORTS[transport] },
      });
      let output = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
      // Typed once the prompt shows, as a player would.
      const typing = setInterval(() => {
        if (output.includes('# ')) {
          clearInterval(typing);
          child.stdin.write(typedLines);
        }
      }, 50);
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearInterval(typing);
        clearTimeout(timer);
        resolve({ output, exitCode: code ?? -1 });
      });
    });
    const hostname = shell(`exec ${pod} -- cat /etc/hostname`).output.trimEnd();
    expect(outcome).toEqual({ output: `# cd /etc\r\n# cat hostname\r\n${hostname}\r\n# exit 5\r\ncommand terminated with exit code 5\r\n`, exitCode: 5 });
  });
});
