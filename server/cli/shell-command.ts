// `kubedrill shell`: a terminal session against a simulated cluster. Interactive (prompt,
// history, Tab completion) when stdin is a terminal; otherwise one command per input line,
// printing only each command's output, so it can be scripted:
//   printf 'kubectl get pods -A\n' | kubedrill shell
import { createInterface } from 'node:readline';
import { InvalidArgumentError, type Command } from 'commander';
import type { ClusterState } from '../cluster/types.js';
import { complete, editLine, needsMoreInput, newSession, prompt, runLine } from '../shell/index.js';
import type { EditRequest, ShellSession } from '../shell/types.js';
import { clusterOrExit, MAX_IDLE_TICK_MS, scenarioOptions } from './cluster-source.js';

/** Advances simulated time: a plain tick, or a scenario's timeline (faults fire). */
type Advance = (state: ClusterState, ms: number) => void;

interface ShellFlags {
  scenario: string;
  seed: number;
  tick?: number;
}

function seconds(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('not a non-negative number of seconds.');
  return n;
}

export function addShellCommand(program: Command): Command {
  return scenarioOptions(program
    .command('shell')
    .description('open a terminal session on a simulated cluster (scriptable through stdin)'))
    .option('--tick <seconds>', 'simulated seconds between commands (default: none when scripted, wall clock when interactive)', seconds)
    .action(async (flags: ShellFlags) => {
      const source = clusterOrExit(flags);
      if (!source) return;
      // `kubedrill shell | head`: the reader went away; stop quietly as a shell would (SIGPIPE).
      process.stdout.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'EPIPE') process.exit(0);
        throw e;
      });
      const session = newSession(source.state);
      process.exitCode = process.stdin.isTTY
        ? await interactive(source.state, session, flags.tick, source.advance)
        : await scripted(source.state, session, flags.tick ?? 0, source.advance);
    });
}

/** One command per line; output only; time advances by `tickSeconds` between commands. */
async function scripted(state: ClusterState, session: ShellSession, tickSeconds: number, tick: Advance): Promise<number> {
  const lines = createInterface({ input: process.stdin, terminal: false, crlfDelay: Infinity });
  let exitCode = 0;
  let first = true;
  let pending = '';
  let editing: EditBuffer | undefined;
  for await (const line of lines) {
    if (editing) {
      // After `vi FILE` / `kubectl edit …`: the new text, up to `:wq` (save) or `:q!` (leave it).
      const done = editing.add(line);
      if (!done) continue;
      editing = undefined;
      if (done.save === undefined) continue;
      const result = runLine(state, session, done.save, { advance: (ms) => tick(state, ms) });
      process.stdout.write(result.output);
      exitCode = result.exitCode;
      continue;
    }
    // A line that leaves something open (a quote, a here-document, `for` without `done`) goes on with the next.
    const text = pending === '' ? line : `${pending}\n${line}`;
    if (needsMoreInput(text)) {
      pending = text;
      continue;
    }
    pending = '';
    if (!first && tickSeconds > 0) tick(state, tickSeconds * 1000);
    first = false;
    const result = runLine(state, session, text, { advance: (ms) => tick(state, ms) });
    process.stdout.write(result.output);
    exitCode = result.exitCode;
    if (result.edit) editing = new EditBuffer(result.edit);
    if (result.exit) break;
  }
  if (pending !== '') {
    const result = runLine(state, session, pending, { advance: (ms) => tick(state, ms) }); // input ended first: bash's own error
    process.stdout.write(result.output);
    exitCode = result.exitCode;
  }
  lines.close();
  return exitCode;
}

async function interactive(state: ClusterState, session: ShellSession, tickSeconds: number | undefined, tick: Advance): Promise<number> {
  const rl = createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal: true,
    historySize: 1000,
    completer: (line: string): [string[], string] => {
      const { from, candidates } = complete(state, session, line, line.length);
      return [candidates, line.slice(from)];
    },
  });
  let exitCode = 0;
  let last = Date.now();
  const advance = (): void => {
    const now = Date.now();
    const ms = tickSeconds !== undefined ? tickSeconds * 1000 : Math.min(now - last, MAX_IDLE_TICK_MS);
    last = now;
    if (ms > 0) tick(state, ms);
  };
  return new Promise((resolve) => {
    rl.setPrompt(prompt(state, session));
    rl.prompt();
    let pending = '';
    rl.on('SIGINT', () => {
      process.stdout.write('^C\n');
      pending = '';
      rl.setPrompt(prompt(state, session));
      rl.prompt();
    });
    let editing: EditBuffer | undefined;
    rl.on('line', (line) => {
      if (editing) {
        const done = editing.add(line);
        if (!done) return;
        editing = undefined;
        if (done.save !== undefined) {
          const result = runLine(state, session, done.save, { advance: (ms) => tick(state, ms) });
          process.stdout.write(result.output);
          exitCode = result.exitCode;
        }
        rl.setPrompt(prompt(state, session));
        rl.prompt();
        return;
      }
      const text = pending === '' ? line : `${pending}\n${line}`;
      if (needsMoreInput(text)) {
        pending = text;
        rl.setPrompt('> ');
        rl.prompt();
        return;
      }
      pending = '';
      advance();
      const result = runLine(state, session, text, { advance: (ms) => tick(state, ms) });
      if (result.clear) process.stdout.write('\x1b[2J\x1b[H');
      process.stdout.write(result.output);
      exitCode = result.exitCode;
      if (result.exit) {
        rl.close();
        return;
      }
      if (result.edit) {
        editing = new EditBuffer(result.edit);
        process.stdout.write(`${EDIT_HELP}\n`);
        rl.setPrompt('');
        rl.prompt();
        return;
      }
      rl.setPrompt(prompt(state, session));
      rl.prompt();
    });
    rl.on('close', () => {
      process.stdout.write('exit\n'); // what an interactive bash prints on exit or Ctrl-D
      resolve(exitCode);
    });
  });
}

const EDIT_HELP = 'Type the new text; a line `:wq` saves it, `:q!` leaves it unchanged.';

/**
 * `vi FILE` / `kubectl edit` without a browser: the lines typed next are the new text, up to
 * `:wq` (save: the edit's save command with the text, see editLine) or `:q!` (no change).
 */
class EditBuffer {
  private readonly lines: string[] = [];

  constructor(private readonly edit: EditRequest) {}

  add(line: string): { save?: string } | undefined {
    if (line === ':q!') return {};
    if (line !== ':wq') {
      this.lines.push(line);
      return undefined;
    }
    return { save: editLine(this.edit.save, this.lines.map((l) => `${l}\n`).join('')) };
  }
}
