// One `kubectl exec` stream, whatever carries it (WebSocket v5.channel.k8s.io in
// kube-api-exec.ts, SPDY/3.1 in kube-api-spdy.ts): the transport hands over stdin, its end and
// any activity; this runs the requests and writes stdout, stderr and the error stream's Status.
// A request runs as a whole: the command at once (served before the handshake, whose refusal is
// then the apiserver's), or with -i once stdin ends; with -it and a shell, each typed line is one
// request to the shell (the terminal is edited here: echo, backspace, Ctrl-C, Ctrl-D), the prompt
// coming back after it. Every request is served by the session like any other (a room logs and
// replays it). A bad input ends the stream with a BadRequest Status and runs nothing more.
import { StringDecoder } from 'node:string_decoder';
import { ExecBody, exitStatus, MAX_EXEC_STDIN, type ExecRun } from '../kubeapi/exec.js';
import type { ApiRequest } from '../kubeapi/handler.js';
import { statusResponse, type ApiResponse } from '../kubeapi/status.js';
import type { Json } from '../shell/kubectl/manifest.js';
import type { KubeApiSession } from './kube-api.js';

const MAX_LINE_CHARS = 4096;
/** Typed lines waiting for the ones before them to be answered. */
const MAX_PENDING_LINES = 16;
/** An exec stream with nothing from the client this long ends (ms); none lives longer than maxSeconds. */
export const EXEC_IDLE_MS = 10 * 60_000;

/** What the edge's stream bookkeeping offers a stream: the rate limit, and a slot among the session's open streams. */
export interface StreamSlots {
  take(key: string): boolean;
  /** Registers `end` as one of `key`'s streams, or refuses (too many open). */
  open(key: string, end: () => void): ApiResponse | undefined;
  close(end: () => void): void;
  maxSeconds: number;
}

/** What an exec asked for in its URL. */
export interface ExecOpening {
  path: string;
  base: ExecBody;
  stdin: boolean;
  tty: boolean;
}

/** Where an exec writes: the three streams the client reads, and the end of them all. */
export interface ExecTransport {
  write(stream: 'stdout' | 'stderr' | 'error', data: string): void;
  close(): void;
}

/** What the transport tells the exec. */
export interface ExecInput {
  stdin(data: Buffer): void;
  /** The client closed stdin. */
  stdinEnd(): void;
  /** The client did something (a resize): the stream is not idle. */
  touch(): void;
  /** The client broke the protocol: a BadRequest Status, then the end. */
  fail(message: string): void;
  /** Ends the stream (the client left, the server closes). */
  end(): void;
}

const isShell = (word: string): boolean => /^(\/bin\/)?(ba)?sh$/.test(word);

/** The request an exec stream sends its session: the whole command, as kubeapi/exec.ts takes it. */
export const execRequest = (path: string, body: ExecBody): ApiRequest => ({ method: 'POST', path, query: {}, accept: 'application/json', contentType: 'application/json', body: body as unknown as Json });

/** Runs one exec stream (`ran`: the command already served before the handshake); `release` gives its slot back once it ends. */
export function runExec(transport: ExecTransport, session: KubeApiSession, opening: ExecOpening, slots: StreamSlots, release: () => void, ran?: ExecRun): ExecInput {
  let ended = false;
  let busy: Promise<void> = Promise.resolve();
  const send = (stream: 'stdout' | 'stderr' | 'error', data: string): void => {
    if (!ended) transport.write(stream, data);
  };
  const end = (): void => {
    if (ended) return;
    ended = true;
    clearTimeout(idle);
    clearTimeout(lifetime);
    release();
    transport.close();
  };
  /** The error stream's Status, then the end (kubectl returns once it has read it). */
  const finish = (status: Json): void => {
    send('error', JSON.stringify(status));
    end();
  };
  const fail = (message: string): void => finish(statusResponse(400, 'BadRequest', message).body as Json);
  let idle = setTimeout(() => fail('exec stream idle for too long'), EXEC_IDLE_MS);
  const lifetime = setTimeout(() => fail('exec stream open for too long'), slots.maxSeconds * 1000);
  const touch = (): void => {
    clearTimeout(idle);
    idle = setTimeout(() => fail('exec stream idle for too long'), EXEC_IDLE_MS);
  };

  /** Requests queued and not answered yet: typing ahead is bounded. */
  let pending = 0;
  /** Serves one request of the stream in order: its run, or the refusal (the stream then ends). */
  const serve = (body: ExecBody | (() => ExecBody), then: (run: ExecRun) => void): void => {
    if (++pending > MAX_PENDING_LINES) return fail(`more than ${MAX_PENDING_LINES} lines typed ahead`);
    busy = busy.then(async () => {
      pending--;
      if (ended) return;
      // The seat's token went (a new kubeconfig, the seat left, the room ended): so does its shell.
      if (session.live && !session.live()) return end();
      // Each request of the stream (a typed line) counts against the seat's rate, as any request does.
      if (!slots.take(session.key)) return fail('too many requests: slow down');
      const response = await session.serve(execRequest(opening.path, typeof body === 'function' ? body() : body));
      if (ended) return;
      if (response.status === 200) return then(response.body as ExecRun);
      if (response.status === 0) return end();
      // A refusal before the command ran, as kubectl prints an upgrade's: a Status's message, or the kubelet's text.
      finish(typeof response.body === 'string'
        ? statusResponse(response.status, '', `unable to upgrade connection: ${response.body}`).body as Json
        : response.body as Json);
    }).catch(() => fail('exec failed'));
  };
  /** A whole run's output, then its exit status. */
  const report = (run: ExecRun): void => {
    if (run.stderrFirst) send(opening.tty ? 'stdout' : 'stderr', tty(run.stderrFirst));
    if (run.stdout !== '') send('stdout', tty(run.stdout));
    if (run.stderr !== '') send(opening.tty ? 'stdout' : 'stderr', tty(run.stderr));
    finish(exitStatus(run));
  };
  const tty = (text: string): string => (opening.tty ? text.replaceAll('\n', '\r\n') : text);

  const lineMode = opening.tty && opening.stdin && opening.base.command.length === 1 && isShell(opening.base.command[0]!);
  const decoder = new StringDecoder('utf8');
  let stdin = '';
  let stdinClosed = false;
  let line = '';
  /** The open shell's state after its last line, sent with the next (each line is a request of its own). */
  let carried: Pick<ExecBody, 'cwd' | 'vars'> = {};
  const prompted = (run: ExecRun): void => {
    if (run.prompt === undefined) return report(run);
    if (run.stdout !== '') send('stdout', tty(run.stdout));
    send('stdout', run.prompt);
    carried = { ...(run.cwd !== undefined ? { cwd: run.cwd } : {}), ...(run.vars ? { vars: run.vars } : {}) };
  };
  /** A line for the shell: served after the lines before it, with the state they left. */
  const shellLine = (stdin: string): void => serve(() => ({ ...opening.base, tty: true, stdin, ...carried }), prompted);
  /** Echo in order with the lines' output (a transcript reads as typed). */
  const echo = (text: string): void => {
    busy = busy.then(() => send('stdout', text));
  };
  if (ran) report(ran);
  else if (lineMode) shellLine('');

  /** Typed keys in line mode: the terminal's line discipline, as a pty in cooked mode with echo. */
  const typed = (text: string): void => {
    let shown = '';
    const request = (stdin: string): void => {
      echo(shown);
      shown = '';
      shellLine(stdin);
    };
    for (const ch of text) {
      if (ended) return;
      if (ch === '\r' || ch === '\n') {
        shown += '\r\n';
        request(`${line}\n`);
        line = '';
      } else if (ch === '\x7f' || ch === '\b') {
        if (line === '') continue;
        line = line.slice(0, -1);
        shown += '\b \b';
      } else if (ch === '\x03') {
        line = '';
        shown += '^C\r\n';
        request('');
      } else if (ch === '\x04') {
        if (line === '') request('exit\n');
      } else if (ch >= ' ' || ch === '\t') {
        if (line.length >= MAX_LINE_CHARS) return fail(`a typed line is at most ${MAX_LINE_CHARS} characters`);
        line += ch;
        shown += ch;
      }
    }
    if (shown !== '') echo(shown);
  };

  return {
    stdin: (data) => {
      if (ended) return;
      touch();
      if (!opening.stdin || stdinClosed) return fail(opening.stdin ? 'stdin was closed' : 'stdin was not requested');
      // A character split between two writes is decoded once whole.
      const text = decoder.write(data);
      if (lineMode) return typed(text);
      // A raw terminal never closes stdin: Ctrl-D ends it.
      if (opening.tty && text.includes('\x04')) {
        stdinClosed = true;
        return serve({ ...opening.base, stdin: stdin + text.slice(0, text.indexOf('\x04')) }, report);
      }
      if (stdin.length + text.length > MAX_EXEC_STDIN) return fail(`stdin of an exec is at most ${MAX_EXEC_STDIN / 1024} KiB`);
      stdin += text;
    },
    stdinEnd: () => {
      if (ended) return;
      touch();
      if (!opening.stdin || lineMode || stdinClosed) return;
      stdinClosed = true;
      stdin += decoder.end();
      serve({ ...opening.base, stdin }, report);
    },
    touch: () => {
      if (!ended) touch();
    },
    fail: (message) => {
      if (!ended) fail(message);
    },
    end,
  };
}
