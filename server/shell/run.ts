// Runs a parsed line: expands words ($VAR, $(…), field splitting), applies redirections,
// connects pipeline stages, and evaluates `;` / `&&` / `||`. What the terminal shows is
// kept as an ordered list of chunks so stderr and stdout interleave the way they would.
import type { ClusterState } from '../cluster/types.js';
import type { AndOr, Command, ForCommand, IfCommand, List, Pipeline, Redirect, SimpleCommand, Word } from './parse.js';
import { capOutput, MAX_COMMANDS_PER_LINE, MAX_OUTPUT_CHARS, truncationLine, utf8Length } from './limits.js';
import { parseLine } from './parse.js';
import type { ProgramResult, ShellApi } from './program.js';
import { findProgram } from './registry.js';
import { baseEnv, commandEnv, currentNode, forkSession } from './session.js';
import type { FactInterest, FactSink, Reveal } from '../cluster/facts.js';
import { MAX_REVEALS_PER_LINE, RevealCollector, surviving, type RevealBudget } from './reveals.js';
import type { CommandContext, LineResult, ShellSession } from './types.js';

interface Chunk {
  fd: 1 | 2;
  text: string;
  /** The `… output truncated` line: how many bytes were cut. */
  cut?: number;
  /** Facts of the world this text may show (reveals.ts); checked against the text at the end. */
  reveals?: readonly Reveal[];
}

/** Reveals that come with the text a command reads on stdin. */
type Feed = readonly Reveal[];
const NO_FEED: Feed = [];
/** Programs that print their arguments, not what they read: they show no fact they were fed. */
const PRINTERS = new Set(['echo', 'printf', 'yes', 'seq', 'true', 'false']);

/** Word expansion of one command: stderr of its `$(…)`, their status, and room left to grow. */
interface Expansion {
  side: Chunk[];
  exitCode: number | undefined;
  room: number;
}

/** What running part of a line produced. */
interface Outcome {
  chunks: Chunk[];
  exitCode: number;
  /** `exit` ran: stop the rest of the line. */
  stop?: boolean;
  /** `break` / `continue` ran: the rest of the loop body is skipped; `levels` loops are left or continued. */
  loop?: { kind: 'break' | 'continue'; levels: number };
  exitShell?: boolean;
  clear?: boolean;
  edit?: LineResult['edit'];
}

type Target = 'out' | 'err' | 'null';

export class Runner implements ShellApi {
  /** Commands and loop iterations run so far by this line (substitutions included). */
  private commandsRun = 0;
  /** The line went over MAX_COMMANDS_PER_LINE: everything left stops at once. */
  private overBudget = false;
  /** `for` loops the running command is in. */
  private loopDepth = 0;

  /** What the line may still tag (reveals.ts). */
  private readonly reveals: RevealBudget = { left: MAX_REVEALS_PER_LINE };

  /** `interest`: which facts to tag (a scenario's evidence); none = tag nothing. */
  constructor(private readonly state: ClusterState, private readonly interest?: FactInterest) {}

  find(ctx: CommandContext, name: string, external = false) {
    return findProgram(ctx.state, ctx.session, name, external);
  }

  runLine(session: ShellSession, line: string, sink?: FactSink): { output: string; exitCode: number } {
    const parsed = parseLine(line);
    if (!parsed.ok) return { output: parsed.error, exitCode: 2 };
    const outcome = this.runList(session, parsed.list, '');
    // What the remote line showed is shown again by the program that ran it (ssh NODE CMD).
    if (sink) for (const chunk of outcome.chunks) for (const r of surviving(chunk.reveals ?? NO_FEED, chunk.text)) sink.add(r);
    return { output: outcome.chunks.map((c) => c.text).join(''), exitCode: outcome.exitCode };
  }

  runList(session: ShellSession, list: List, stdin: string, feed: Feed = NO_FEED): Outcome {
    const total: Outcome = { chunks: [], exitCode: session.lastExitCode ?? 0 };
    for (const andOr of list) {
      const outcome = this.runAndOr(session, andOr, stdin, feed);
      merge(total, outcome);
      if (outcome.stop || outcome.loop) break;
    }
    return total;
  }

  private runAndOr(session: ShellSession, andOr: AndOr, stdin: string, feed: Feed): Outcome {
    const total: Outcome = { chunks: [], exitCode: 0 };
    merge(total, this.runPipeline(session, andOr.first, stdin, feed));
    for (const { op, pipeline } of andOr.rest) {
      if (total.stop || total.loop) break;
      const runs = op === '&&' ? total.exitCode === 0 : total.exitCode !== 0;
      if (runs) merge(total, this.runPipeline(session, pipeline, stdin, feed));
    }
    return total;
  }

  private runPipeline(session: ShellSession, pipeline: Pipeline, stdin: string, feed: Feed): Outcome {
    const { commands } = pipeline;
    const result: Outcome = { chunks: [], exitCode: 0 };
    let input = stdin;
    let inputFeed = feed;
    for (let i = 0; i < commands.length; i++) {
      // Like bash, each stage of a real pipeline runs in a subshell.
      const stageSession = commands.length > 1 ? forkSession(session) : session;
      const stage = this.runCommand(stageSession, commands[i]!, input, inputFeed);
      if (i === commands.length - 1) {
        merge(result, stage);
        break;
      }
      result.chunks.push(...stage.chunks.filter((c) => c.fd === 2));
      if (this.overBudget) {
        // An earlier stage's stop (not `exit`, which ends only its subshell) ends the line too.
        Object.assign(result, { exitCode: 1, stop: true });
        break;
      }
      const piped = stage.chunks.filter((c) => c.fd === 1);
      input = piped.map((c) => c.text).join('');
      inputFeed = piped.flatMap((c) => c.reveals ?? NO_FEED);
      result.clear ||= stage.clear ?? false;
    }
    if (commands.length > 1) delete result.loop; // the last stage too ran in a subshell
    if (pipeline.negated) result.exitCode = result.exitCode === 0 ? 1 : 0;
    session.lastExitCode = result.exitCode; // `$?` for the rest of the line
    return result;
  }

  /**
   * Loops multiply work: a line runs a bounded number of commands and loop iterations. One
   * unit of it, or the outcome that stops the line (the message comes once).
   */
  private spend(): Outcome | undefined {
    if (this.overBudget) return { chunks: [], exitCode: 1, stop: true };
    if (++this.commandsRun <= MAX_COMMANDS_PER_LINE) return undefined;
    this.overBudget = true;
    return { chunks: [{ fd: 2, text: `bash: more than ${MAX_COMMANDS_PER_LINE} commands in one line: stopped\n` }], exitCode: 1, stop: true };
  }

  private runCommand(session: ShellSession, command: Command, stdin: string, feed: Feed): Outcome {
    if (command.kind === 'simple') return this.runSimple(session, command, stdin, feed);
    // A compound command: its redirections apply to everything its body prints.
    const sub: Expansion = { side: [], exitCode: undefined, room: MAX_OUTPUT_CHARS };
    const expand = (word: Word, split: boolean): string[] => this.expandWord(session, word, split, sub);
    const io = this.applyRedirects(session, command.redirects, stdin, expand);
    if ('error' in io) return { chunks: [...sub.side, { fd: 2, text: io.error }], exitCode: 1 };
    const bodyFeed = io.stdin === stdin ? feed : NO_FEED;
    const body = command.kind === 'for' ? this.runFor(session, command, io.stdin, bodyFeed, sub) : this.runIf(session, command, io.stdin, bodyFeed);
    const chunks = [...sub.side];
    for (const chunk of body.chunks) {
      const target = io.targets[chunk.fd];
      if (target !== 'null') chunks.push({ ...chunk, fd: target === 'out' ? 1 : 2 });
    }
    return { ...body, chunks };
  }

  /** `for NAME in WORDS; do BODY; done`: the variable keeps the last value afterwards, as in bash. */
  private runFor(session: ShellSession, command: ForCommand, stdin: string, feed: Feed, sub: Expansion): Outcome {
    const values = command.words.flatMap((word) => this.expandWord(session, word, true, sub));
    if (sub.room < 0) return { chunks: [{ fd: 2, text: `bash: expansion too large (over ${MAX_OUTPUT_CHARS} characters)\n` }], exitCode: 1 };
    const total: Outcome = { chunks: [], exitCode: 0 };
    for (const value of values) {
      const over = this.spend();
      if (over) {
        merge(total, over);
        break;
      }
      session.vars[command.name] = value;
      this.loopDepth++;
      const outcome = this.runList(session, command.body, stdin, feed);
      this.loopDepth--;
      merge(total, outcome);
      if (outcome.stop) break;
      const control = outcome.loop;
      if (!control) continue;
      delete total.loop;
      if (control.levels > 1) {
        total.loop = { kind: control.kind, levels: control.levels - 1 }; // for an outer loop
        break;
      }
      if (control.kind === 'break') break;
    }
    return total;
  }

  /** `break [N]` / `continue [N]`, which only a loop can act on (bash's messages otherwise). */
  private loopControl(argv: string[]): Outcome {
    const [kind, count, ...extra] = argv as ['break' | 'continue', ...string[]];
    const fail = (text: string, exitCode = 1): Outcome => ({ chunks: [{ fd: 2, text: `bash: ${kind}: ${text}\n` }], exitCode });
    if (extra.length > 0) return fail('too many arguments');
    if (count !== undefined && !/^-?\d+$/.test(count)) return fail(`${count}: numeric argument required`, 128);
    const levels = count === undefined ? 1 : Number(count);
    if (levels < 1) return fail(`${count}: loop count out of range`);
    if (this.loopDepth === 0) return fail("only meaningful in a `for', `while', or `until' loop", 0);
    return { chunks: [], exitCode: 0, loop: { kind, levels: Math.min(levels, this.loopDepth) } };
  }

  /** The body of the first branch whose condition succeeds, else the `else` part; status 0 if none ran. */
  private runIf(session: ShellSession, command: IfCommand, stdin: string, feed: Feed): Outcome {
    const total: Outcome = { chunks: [], exitCode: 0 };
    for (const { condition, body } of command.branches) {
      const tested = this.runList(session, condition, stdin, feed);
      merge(total, tested);
      if (tested.stop || tested.loop) return total;
      if (tested.exitCode === 0) {
        merge(total, this.runList(session, body, stdin, feed));
        return total;
      }
    }
    total.exitCode = 0;
    if (command.otherwise) merge(total, this.runList(session, command.otherwise, stdin, feed));
    return total;
  }

  private runSimple(session: ShellSession, command: SimpleCommand, stdin: string, feed: Feed): Outcome {
    const over = this.spend();
    if (over) return over;
    // `$x$x$x…` multiplies text: all words of one command together get MAX_OUTPUT_CHARS.
    const sub: Expansion = { side: [], exitCode: undefined, room: MAX_OUTPUT_CHARS };
    const side = sub.side; // stderr of command substitutions
    const expand = (word: Word, split: boolean): string[] => this.expandWord(session, word, split, sub);

    const prefix: Record<string, string> = {};
    for (const a of command.assignments) prefix[a.name] = expand(a.value, false).join('');
    const argv = command.words.flatMap((w) => expand(w, true));

    const io = this.applyRedirects(session, command.redirects, stdin, expand);
    if (sub.room < 0) return { chunks: [...side, { fd: 2, text: `bash: expansion too large (over ${MAX_OUTPUT_CHARS} characters)\n` }], exitCode: 1 };
    if ('error' in io) return { chunks: [...side, { fd: 2, text: io.error }], exitCode: 1 };

    if (argv.length === 0) {
      Object.assign(session.vars, prefix);
      return { chunks: side, exitCode: sub.exitCode ?? 0 };
    }
    if (argv[0] === 'break' || argv[0] === 'continue') return this.loopControl(argv);
    const collector = this.interest ? new RevealCollector(this.interest, this.reveals) : undefined;
    const ctx: CommandContext = { state: this.state, session, env: commandEnv(session, prefix), stdin: io.stdin, ...(collector ? { facts: collector } : {}) };
    const result = this.exec(ctx, argv);
    const chunks = [...side];
    // What the command read (unless a redirection replaced it, or it only prints its arguments) may show up in what it prints.
    const fed = io.stdin === stdin && !PRINTERS.has(argv[0]!) ? feed : NO_FEED;
    const reveals = collector && collector.reveals.length > 0 ? (fed.length > 0 ? [...collector.reveals, ...fed] : collector.reveals) : fed;
    // One command's output is bounded, so the next pipeline stage's stdin is too.
    const route = (fd: 1 | 2, output: string): void => {
      const target = io.targets[fd];
      if (output === '' || target === 'null') return;
      const { text, cut } = capOutput(output);
      const to = target === 'out' ? 1 : 2;
      chunks.push(reveals.length > 0 ? { fd: to, text, reveals } : { fd: to, text });
      // On the same stream, so a next pipeline stage reads it, as before; `cut` keeps the
      // count of the bytes cut (not of this line) when the line is capped again.
      if (cut > 0) chunks.push({ fd: to, text: truncationLine(cut), cut });
    };
    route(1, result.stdout);
    route(2, result.stderr);
    return {
      chunks,
      exitCode: result.exitCode,
      ...(result.stop ? { stop: true } : {}),
      ...(result.exitShell ? { exitShell: true } : {}),
      ...(result.clear ? { clear: true } : {}),
      ...(result.edit ? { edit: result.edit } : {}),
    };
  }

  private exec(ctx: CommandContext, argv: string[]): ProgramResult {
    const name = argv[0]!;
    const found = this.find(ctx, name);
    if (found) return found(ctx, argv, this);
    if (name.includes('/')) return { stdout: '', stderr: `bash: ${name}: No such file or directory\n`, exitCode: 127 };
    return { stdout: '', stderr: `bash: ${name}: command not found\n`, exitCode: 127 };
  }

  /** bash applies redirections left to right on a table of where fd 1 and 2 point. */
  private applyRedirects(
    session: ShellSession,
    redirects: Redirect[],
    stdin: string,
    expand: (word: Word, split: boolean) => string[],
  ): { stdin: string; targets: Record<1 | 2, Target> } | { error: string } {
    const targets: Record<1 | 2, Target> = { 1: 'out', 2: 'err' };
    let input = stdin;
    for (const r of redirects) {
      const text = r.op === '<<<' || r.op === '<<';
      const words = expand(r.target, !text);
      const name = words.join(' ');
      if (!text && words.length !== 1) return { error: `bash: ${rawText(r.target)}: ambiguous redirect\n` };
      if (r.op === '<<<') {
        input = `${name}\n`;
        continue;
      }
      if (r.op === '<<') {
        input = name;
        continue;
      }
      if (r.op === '<') {
        const file = name === '/dev/null' ? '' : currentNode(this.state, session)?.host.files[name];
        if (file === undefined) return { error: `bash: ${name}: No such file or directory\n` };
        input = file;
        continue;
      }
      const fds: (1 | 2)[] = r.fd === 'both' ? [1, 2] : r.fd === 1 || r.fd === 2 ? [r.fd] : [];
      if (fds.length === 0) continue; // other descriptors: nothing writes to them here
      let target: Target;
      if (r.op === '>&' && (name === '1' || name === '2')) target = targets[name === '1' ? 1 : 2];
      else if (r.op === '>&' && name === '-') target = 'null';
      else if (name === '/dev/null') target = 'null';
      else if (name === '/dev/stdout') target = targets[1];
      else if (name === '/dev/stderr') target = targets[2];
      else if (r.op === '>&' && /^\d+$/.test(name)) return { error: `bash: ${name}: Bad file descriptor\n` };
      else return { error: `bash: ${name}: Read-only file system\n` };
      for (const fd of fds) targets[fd] = target;
    }
    return { stdin: input, targets };
  }

  /** Expands one word into fields: variables, command substitution, then (unquoted) field splitting. */
  private expandWord(session: ShellSession, word: Word, split: boolean, sub: Expansion): string[] {
    const fields: string[] = [];
    let current = '';
    let hasCurrent = false; // the current field exists even if empty (quotes, literal text)
    const addSplittable = (value: string): void => {
      if (!split) {
        current += value;
        hasCurrent ||= value !== '';
        return;
      }
      const pieces = value.split(/[ \t\n]+/);
      pieces.forEach((piece, i) => {
        if (i > 0) {
          if (hasCurrent) fields.push(current);
          current = '';
          hasCurrent = false;
        }
        if (piece !== '') {
          current += piece;
          hasCurrent = true;
        }
      });
    };
    word.parts.forEach((part, index) => {
      if (sub.room < 0) return; // too large already: the command will not run
      let value: string;
      if (part.kind === 'lit') {
        value = index === 0 && !part.quoted ? this.expandTilde(session, part.text) : part.text;
        current += value;
        hasCurrent ||= part.quoted || value !== '';
        return;
      }
      if (part.kind === 'var') {
        value = this.lookupVar(session, part.name);
        if (value === '' && part.fallback) value = this.expandWord(session, part.fallback, false, sub).join('');
      } else {
        const subSession = forkSession(session);
        const outcome = this.runList(subSession, part.list, '');
        sub.side.splice(0, sub.side.length, ...capChunks([...sub.side, ...outcome.chunks.filter((c) => c.fd === 2)]));
        value = outcome.chunks.filter((c) => c.fd === 1).map((c) => c.text).join('').replace(/\n+$/, '');
        sub.exitCode = outcome.exitCode;
      }
      sub.room -= value.length;
      if (sub.room < 0) return;
      if (part.quoted) {
        current += value;
        hasCurrent = true;
      } else addSplittable(value);
    });
    if (hasCurrent || !split) fields.push(current);
    return fields;
  }

  private expandTilde(session: ShellSession, text: string): string {
    if (text === '~' || text.startsWith('~/')) return baseEnv(session).HOME + text.slice(1);
    return text;
  }

  private lookupVar(session: ShellSession, name: string): string {
    switch (name) {
      case '?': return String(session.lastExitCode ?? 0);
      case '$': return '4242';
      case '#': return '0';
      case '0': return 'bash';
    }
    return session.vars[name] ?? baseEnv(session)[name] ?? '';
  }
}

function merge(total: Outcome, next: Outcome): void {
  total.chunks = capChunks([...total.chunks, ...next.chunks]);
  total.exitCode = next.exitCode;
  if (next.stop) total.stop = true;
  if (next.loop) total.loop = next.loop;
  if (next.exitShell) total.exitShell = true;
  if (next.clear) {
    // Output printed before `clear` in the same line is wiped by it.
    total.chunks = [...next.chunks];
    total.clear = true;
  }
  if (next.edit) total.edit = next.edit;
}

/**
 * The chunks within MAX_OUTPUT_CHARS: what goes past is cut and counted in one closing
 * `… output truncated (N bytes)` line (`a; a; a; …` must not add up without bound).
 */
function capChunks(chunks: Chunk[]): Chunk[] {
  let size = 0;
  let cut = 0;
  const kept: Chunk[] = [];
  for (const chunk of chunks) {
    if (chunk.cut !== undefined) {
      cut += chunk.cut;
      continue;
    }
    const room = Math.max(0, MAX_OUTPUT_CHARS - size);
    if (chunk.text.length <= room) kept.push(chunk);
    else {
      if (room > 0) kept.push({ ...chunk, text: chunk.text.slice(0, room) });
      cut += utf8Length(chunk.text.slice(room));
    }
    size += Math.min(room, chunk.text.length);
  }
  if (cut > 0) kept.push({ fd: 2, text: truncationLine(cut), cut });
  return kept;
}

/** The word as typed, for messages like `bash: $x: ambiguous redirect`. */
function rawText(word: Word): string {
  return word.parts.map((p) => (p.kind === 'lit' ? p.text : p.kind === 'var' ? `$${p.name}` : '$(…)')).join('');
}

export type { Outcome };
