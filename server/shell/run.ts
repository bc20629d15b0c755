// Runs a parsed line: expands words (braces, parameters, $(…), $((…)), field splitting),
// applies redirections, connects pipeline stages, runs compound commands and functions,
// and evaluates `;` / `&&` / `||` under `set -e`. What the terminal shows is kept as an
// ordered list of chunks so stderr and stdout interleave the way they would.
import type { FactInterest, FactSink, Reveal } from '../cluster/facts.js';
import type { ClusterState } from '../cluster/types.js';
import { ArithError, evaluateArith } from './arith.js';
import { BraceTooLarge, expandBraces } from './brace.js';
import { Input, withLazyStdin } from './input.js';
import { isLanguageBuiltin, runLanguageBuiltin, type LanguageHost } from './language.js';
import { CPU_LIMIT_EXIT, cpuLimitMessage, LineBudget, OverBudget, STEPS_PER_COMMAND } from './budget.js';
import { capOutput, MAX_COMMANDS_PER_LINE, MAX_OUTPUT_CHARS, MAX_SLEEP_PER_LINE_MS, MAX_STAGE_CHARS, MAX_VARIABLES, truncationLine, utf8Length } from './limits.js';
import type {
  ArithForCommand, AndOr, Assignment, CaseCommand, Command, CondExpr, ForCommand, IfCommand, List, ParamPart, Pipeline, Redirect,
  SimpleCommand, WhileCommand, Word,
} from './parse.js';
import { parseLine } from './parse.js';
import { escapeGlob, matchGlob, removePrefix, removeSuffix, replaceGlob } from './pattern.js';
import type { ChildScript, ProgramResult, ShellApi } from './program.js';
import { findProgram } from './registry.js';
import { notFoundInContainer } from './exec/index.js';
import { aliasesOf, assignVar, baseEnv, commandEnv, forkSession, own as ownValue, setOwn, unsetVar as unsetScalar } from './session.js';
import { MAX_REVEALS_PER_LINE, RevealCollector, surviving, type RevealBudget } from './reveals.js';
import { compileRegex } from './text/regex.js';
import type { CommandContext, Job, LineResult, ShellSession, StdoutJson } from './types.js';
import { MAX_JOBS, nextPid, startJob } from './jobs.js';
import { declareLine, getElement, getElements, getVar, isAssoc, setArray, setElement, setShellArray, setVar } from './vars.js';
import { ansiCQuote } from './bytes.js';
import { globPaths, readFile, resolvePath, writeFile, writeSteps } from './vfs.js';

export interface Chunk {
  fd: 1 | 2;
  text: string;
  /** The `… output truncated` line: how many bytes were cut. */
  cut?: number;
  /** Facts of the world this text may show (reveals.ts); checked against the text at the end. */
  reveals?: readonly Reveal[];
  /** The whole text is this JSON value (CommandResult.json), handed to the next stage with it. */
  json?: StdoutJson;
}

/** Programs that print their arguments, not what they read: they show no fact they were fed. */
const PRINTERS = new Set(['echo', 'printf', 'yes', 'seq', 'true', 'false']);

/** Word expansion of one command: stderr of its `$(…)`, their status, and room left to grow. */
interface Expansion {
  side: Chunk[];
  exitCode: number | undefined;
  room: number;
  /** What `$(…)` and `<(…)` read: the command's stdin, as in bash (absent: nothing). */
  stdin?: Input;
}

/** What running part of a line produced. */
export interface Outcome {
  chunks: Chunk[];
  exitCode: number;
  /** `exit` ran (or an expansion failed): stop the rest of the line. */
  stop?: boolean;
  /** `break` / `continue` ran: the rest of the loop body is skipped; `levels` loops are left or continued. */
  loop?: { kind: 'break' | 'continue'; levels: number };
  /** `return` ran: the rest of the function is skipped. */
  ret?: boolean;
  /** The status may stop the line under `set -e` (not a condition, not before `&&`/`||`, not negated). */
  errexit?: boolean;
  exitShell?: boolean;
  clear?: boolean;
  edit?: LineResult['edit'];
}

/** An expansion that fails stops the line, with bash's message and status. */
/** The builtins bash has and dash has not: in `sh` they are commands not found. */
const BASH_ONLY_BUILTINS = new Set(['source', 'declare', 'typeset', 'let', 'shopt', 'mapfile', 'readarray', 'pushd', 'popd', 'dirs', 'disown', 'caller', 'compgen', 'complete', 'history']);
/** dash builtins whose messages bash's builtins here word alike, less the prefix. */
const DASH_BUILTINS = new Set(['[', 'test']);
/** The `${…}` forms POSIX (and so dash) has; the others are dash's `Bad substitution`. */
const DASH_PARAM_OPS: ReadonlySet<string> = new Set([':-', '-', ':=', '=', ':+', '+', ':?', '?', '#', '##', '%', '%%']);

class ExpansionFailure extends Error {
  constructor(readonly text: string, readonly status: number) {
    super(text);
  }
}

type Target = 'out' | 'err' | 'null' | { file: string };

interface Redirected {
  stdin: Input;
  targets: Record<1 | 2, Target>;
}

/** fd 1 still reaches the terminal (its own stream, or stderr's after `1>&2`). */
const onTerminal = (io: Redirected): boolean => io.targets[1] === 'out' || io.targets[1] === 'err';

/** Deepest function calls may nest (each call is several stack frames of this interpreter). */
const MAX_FUNCTION_DEPTH = 100;
/** Child shells (`bash -c 'bash -c …'`) inside each other in one line, as a process table bounds them. */
const MAX_CHILD_SHELLS = 16;

export const outcome = (stdout: string, stderr = '', exitCode = 0): Outcome => {
  const chunks: Chunk[] = [];
  if (stdout !== '') chunks.push({ fd: 1, text: stdout });
  if (stderr !== '') chunks.push({ fd: 2, text: stderr });
  return { chunks, exitCode };
};

/** bash's TIMEFORMAT default: `%lR`, minutes and seconds with three decimals. */
function bashTime(ms: number): string {
  const m = Math.floor(ms / 60_000);
  return `${m}m${((ms - m * 60_000) / 1000).toFixed(3)}s`;
}

/** A container script's last loop, followed in slices: when it paused, and what its iterations cost. */
interface LoopSlice {
  /** The loops that may pause, by their place in the script's list. */
  places: Map<WhileCommand, number>;
  pause: () => boolean;
  pausedAt: number | undefined;
  iterations: number;
  /** Steps and commands spent when the running iteration began. */
  mark: { steps: number; commands: number };
  /** The costliest iteration so far. */
  most: { steps: number; commands: number };
}

/** A loop of the script's list that can be resumed: plain, not piped, redirected, negated, in `&&`/`||` or in the background. */
function resumableLoop(item: AndOr): WhileCommand | undefined {
  if (item.rest.length > 0 || item.background || item.first.negated || item.first.timed || item.first.commands.length !== 1) return undefined;
  const command = item.first.commands[0]!;
  return command.kind === 'while' && command.redirects.length === 0 ? command : undefined;
}

/** `&` lists whose status `wait PID` can still report. */
const MAX_FINISHED = 16;

export class Runner implements ShellApi, LanguageHost {
  /** Commands and loop iterations run so far by this line (substitutions included). */
  private commandsRun = 0;
  /** The line went over MAX_COMMANDS_PER_LINE: everything left stops at once. */
  private overBudget = false;
  /** Loops the running command is in. */
  loopDepth = 0;
  /** Positional parameters of the running function (the line itself has none). */
  positional: string[][] = [[]];
  /** `$0` of the child shells running (`bash -c SCRIPT NAME`); the terminal's is `bash`. */
  private arg0: string[] = [];
  /** The script line of the simple command running, in dash (`sh`), whose messages name it. */
  private dashLine = 1;
  /** Variables each running function made `local`, with what to restore on return. */
  locals: Map<string, () => void>[] = [];
  /** Conditions (`if`, `while`, before `&&`/`||`, `!`) being run: `set -e` ignores their failures. */
  private conditionDepth = 0;
  /** How many enclosing pipes, redirections or substitutions take fd 1 away from the terminal. */
  private offTerminal = 0;
  /** The `&` list item running now, when a serving program in it may become a job (ctx.detach). */
  private detaching: { session: ShellSession; started?: Job } | undefined;
  /** The command that ran the line out of steps (the message names it). */
  private overStepsIn: string | undefined;

  /** The line is one command printing to an interactive terminal: a following program may go on (ctx.follow). */
  follow = false;
  /** The session the line was typed in (subshells and pipeline stages run in copies). */
  private topSession: ShellSession | undefined;

  /** The followed loop of a container's script (runSlice). */
  private slice: LoopSlice | undefined;

  /** Simulated ms `sleep` may still let pass in this line. */
  private sleepLeft: number;
  /** What the line may still tag (reveals.ts). */
  private readonly reveals: RevealBudget = { left: MAX_REVEALS_PER_LINE };

  /**
   * `interest`: which facts to tag (a scenario's evidence), none = tag nothing; `advance`: the
   * room's clock, for `sleep`; `budget`: the line's steps (budget.ts).
   */
  constructor(
    private readonly state: ClusterState,
    private readonly interest?: FactInterest,
    private readonly advance?: (ms: number) => void,
    readonly budget = new LineBudget(),
    sleepAllowanceMs = MAX_SLEEP_PER_LINE_MS,
  ) {
    this.sleepLeft = sleepAllowanceMs;
  }

  find(ctx: CommandContext, name: string, external = false) {
    return findProgram(ctx.state, ctx.session, name, external);
  }

  runLine(session: ShellSession, line: string, sink?: FactSink, offTerminal = false): { output: string; stdout: string; stderr: string; exitCode: number } {
    const parsed = parseLine(line, { aliases: aliasesOf(session) });
    if (!parsed.ok) return { output: parsed.error, stdout: '', stderr: parsed.error, exitCode: 2 };
    const result = this.offTerminalWhile(offTerminal, () => this.runList(session, parsed.list, Input.empty()));
    // What the remote line showed is shown again by the program that ran it (ssh NODE CMD).
    if (sink) for (const chunk of result.chunks) for (const r of surviving(chunk.reveals ?? [], chunk.text)) sink.add(r);
    const of = (fd: 1 | 2): string => result.chunks.filter((c) => c.fd === fd).map((c) => c.text).join('');
    return { output: result.chunks.map((c) => c.text).join(''), stdout: of(1), stderr: of(2), exitCode: result.exitCode };
  }

  runChild(session: ShellSession, script: ChildScript, sink?: FactSink): ProgramResult {
    const parsed = parseLine(script.text, { aliases: {}, dash: session.dash === true });
    if (!parsed.ok && session.dash) {
      // dash reads and runs a line at a time: the lines before the one it cannot parse have run.
      const error = parsed.error.replace('$0', script.arg0);
      const line = Number(/^[^:]*: (\d+): /.exec(error)?.[1] ?? 1);
      const before = line > 1 ? this.runChild(session, { ...script, text: script.text.split('\n').slice(0, line - 1).join('\n') }, sink) : undefined;
      const written = [...(before?.written ?? []), { fd: 2 as const, text: error }];
      return { stdout: before?.stdout ?? '', stderr: (before?.stderr ?? '') + error, exitCode: 2, written };
    }
    // bash names where a -c string went wrong: `bash: -c: line 1: syntax error…`.
    if (!parsed.ok) return { stdout: '', stderr: parsed.error.replace(/^bash: /gm, `${script.arg0 === 'sh' ? 'sh' : 'bash'}: -c: line 1: `), exitCode: 2 };
    if (this.arg0.length >= MAX_CHILD_SHELLS) return { stdout: '', stderr: 'bash: fork: Resource temporarily unavailable\n', exitCode: 1 };
    this.positional.push(script.args);
    this.arg0.push(script.arg0);
    let result: Outcome;
    try {
      result = this.runList(session, parsed.list, new Input(script.stdin));
    } finally {
      this.positional.pop();
      this.arg0.pop();
    }
    if (sink) for (const chunk of result.chunks) for (const r of surviving(chunk.reveals ?? [], chunk.text)) sink.add(r);
    const written = result.chunks.map((c) => ({ fd: c.fd, text: c.text }));
    const of = (fd: 1 | 2): string => written.filter((c) => c.fd === fd).map((c) => c.text).join('');
    return { stdout: of(1), stderr: of(2), exitCode: result.exitCode, written };
  }

  /** Runs `run` with fd 1 off the terminal when `off`. */
  private offTerminalWhile<T>(off: boolean, run: () => T): T {
    if (!off) return run();
    this.offTerminal++;
    try {
      return run();
    } finally {
      this.offTerminal--;
    }
  }

  /** Runs text as commands in the session (`eval`, `source`, traps). */
  runText(session: ShellSession, text: string, stdin: Input): Outcome {
    const parsed = parseLine(text, { aliases: aliasesOf(session) });
    if (!parsed.ok) return outcome('', parsed.error, 2);
    return this.runList(session, parsed.list, stdin);
  }

  /** Runs a whole typed line; a line stopped for its CPU budget ends with the message saying so. */
  runTop(session: ShellSession, list: List, stdin: Input): Outcome {
    this.topSession = session;
    const result = this.runList(session, list, stdin);
    if (this.overStepsIn === undefined) return result;
    session.lastExitCode = CPU_LIMIT_EXIT;
    // After the cap, so that a line that printed its fill still says why it stopped.
    return { ...result, chunks: [...result.chunks, { fd: 2, text: cpuLimitMessage(this.overStepsIn || undefined) }], exitCode: CPU_LIMIT_EXIT, stop: true };
  }

  runList(session: ShellSession, list: List, stdin: Input): Outcome {
    const total: Outcome = { chunks: [], exitCode: session.lastExitCode ?? 0 };
    for (const andOr of list) {
      const job = andOr.background ? this.detachable(session) : undefined;
      const result = this.runAndOr(session, andOr, stdin);
      if (andOr.background) {
        this.detaching = undefined;
        // A program that keeps serving became a job: bash prints its number and process id first.
        if (job?.started) result.chunks.unshift({ fd: 2, text: `[${job.started.id}] ${job.started.pid}\n` });
        session.lastBackground = job?.started?.pid ?? nextPid(session) + this.commandsRun;
        if (!job?.started) session.finished = [...(session.finished ?? []).slice(-(MAX_FINISHED - 1)), [session.lastBackground, result.exitCode]];
        result.exitCode = 0;
      }
      merge(total, result);
      if (result.stop || result.loop || result.ret) break;
      if (result.errexit && result.exitCode !== 0 && this.conditionDepth === 0) {
        const trap = session.traps?.ERR;
        if (trap !== undefined) merge(total, { ...this.runText(session, trap, stdin), exitCode: result.exitCode });
        if (session.options?.errexit) {
          total.stop = true;
          break;
        }
      }
    }
    delete total.errexit; // a compound command's own status does not stop the line again
    return total;
  }

  /** Jobs live on the workstation's own shell (not in a subshell, a node or a container), a bounded number of them. */
  private detachable(session: ShellSession): { session: ShellSession; started?: Job } | undefined {
    if (session !== this.topSession || session.node !== undefined || session.container || (session.jobs?.length ?? 0) >= MAX_JOBS) return undefined;
    return (this.detaching = { session });
  }

  /** `a && b || c`: the pipelines before the last are conditions; only the last may stop a `set -e` line. */
  private runAndOr(session: ShellSession, andOr: AndOr, stdin: Input): Outcome {
    const pipelines = [andOr.first, ...andOr.rest.map((r) => r.pipeline)];
    const total: Outcome = { chunks: [], exitCode: 0 };
    let lastRan = 0;
    for (let i = 0; i < pipelines.length; i++) {
      if (i > 0) {
        if (total.stop || total.loop || total.ret) break;
        const op = andOr.rest[i - 1]!.op;
        if (op === '&&' ? total.exitCode !== 0 : total.exitCode === 0) continue;
      }
      const final = i === pipelines.length - 1;
      if (!final) this.conditionDepth++;
      try {
        merge(total, this.runPipeline(session, pipelines[i]!, stdin));
      } finally {
        if (!final) this.conditionDepth--;
      }
      lastRan = i;
    }
    total.errexit = lastRan === pipelines.length - 1 && !pipelines[lastRan]!.negated && (total.errexit ?? false);
    return total;
  }

  private runPipeline(session: ShellSession, pipeline: Pipeline, stdin: Input): Outcome {
    const { commands } = pipeline;
    const result: Outcome = { chunks: [], exitCode: 0 };
    let input = stdin;
    const statuses: number[] = [];
    const started = this.state.now;
    if (pipeline.negated) this.conditionDepth++;
    try {
      for (let i = 0; i < commands.length; i++) {
        // Like bash, each stage of a real pipeline runs in a subshell.
        const stageSession = commands.length > 1 ? forkSession(session) : session;
        const stage = this.offTerminalWhile(i < commands.length - 1, () => this.runCommand(stageSession, commands[i]!, input));
        statuses.push(stage.exitCode);
        if (i === commands.length - 1) {
          merge(result, stage);
          break;
        }
        result.chunks.push(...stage.chunks.filter((c) => c.fd === 2));
        if (this.overBudget || this.budget.exhausted) {
          // An earlier stage's stop (not `exit`, which ends only its subshell) ends the line too.
          Object.assign(result, { exitCode: 1, stop: true });
          break;
        }
        const piped = stage.chunks.filter((c) => c.fd === 1);
        const json = piped.length === 1 ? piped[0]!.json : undefined;
        // One chunk's text as it is: a rope (kubectl -o json) is not copied unless read.
        const text = piped.length === 1 ? piped[0]!.text : piped.map((c) => c.text).join('');
        input = new Input(text, false, piped.flatMap((c) => c.reveals ?? []), json);
        result.clear ||= stage.clear ?? false;
      }
    } finally {
      if (pipeline.negated) this.conditionDepth--;
    }
    if (commands.length > 1) {
      result.errexit = true;
      delete result.loop; // the last stage too ran in a subshell
      delete result.ret;
      if (!this.overBudget && !this.budget.exhausted) delete result.stop;
      if (session.options?.pipefail) result.exitCode = statuses.filter((s) => s !== 0).at(-1) ?? 0;
    }
    setShellArray(session, 'PIPESTATUS', statuses.map(String));
    if (pipeline.negated) result.exitCode = result.exitCode === 0 ? 1 : 0;
    // `time`: the simulated time the pipeline let pass (a sleep, a lookup waiting out a timeout).
    if (pipeline.timed) result.chunks.push({ fd: 2, text: `\nreal\t${bashTime(this.state.now - started)}\nuser\t0m0.000s\nsys\t0m0.000s\n` });
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

  /**
   * A command, or the stop of the line when it (or an expansion in it) runs out of steps:
   * what ran before stays printed, runTop adds the message once.
   */
  private runCommand(session: ShellSession, command: Command, stdin: Input): Outcome {
    try {
      return this.runCommandSpending(session, command, stdin);
    } catch (error) {
      if (!(error instanceof OverBudget)) throw error;
      this.overStepsIn ??= ''; // exec names the program when one ran out
      return { chunks: [], exitCode: CPU_LIMIT_EXIT, stop: true };
    }
  }

  private runCommandSpending(session: ShellSession, command: Command, stdin: Input): Outcome {
    try {
      if (command.kind === 'simple') return this.runSimple(session, command, stdin);
      if (command.kind === 'function') {
        const functions = (session.functions ??= {});
        // Bounded like variables: kept in the room's state, and lines of `eval` made thousands each.
        const defined = ownValue(functions, command.name) ? 0 : Object.keys(functions).length;
        this.budget.spend(defined); // the names counted
        if (defined >= MAX_VARIABLES) {
          return { chunks: [{ fd: 2, text: `bash: ${command.name}: cannot define: a session holds at most ${MAX_VARIABLES} functions\n` }], exitCode: 1 };
        }
        setOwn(functions, command.name, command.body);
        return { chunks: [], exitCode: 0 };
      }
      // A compound command: its redirections apply to everything its body prints.
      const sub: Expansion = { side: [], exitCode: undefined, room: MAX_OUTPUT_CHARS };
      const io = this.applyRedirects(session, command.redirects, stdin, sub);
      if ('error' in io) return { chunks: [...sub.side, { fd: 2, text: io.error }], exitCode: 1 };
      const body = this.offTerminalWhile(!onTerminal(io), () => this.runCompound(session, command, io.stdin));
      return { ...body, chunks: [...sub.side, ...this.route(session, io, body.chunks)] };
    } catch (error) {
      if (error instanceof ExpansionFailure) return { chunks: [{ fd: 2, text: error.text }], exitCode: error.status, stop: true };
      throw error;
    }
  }

  private runCompound(session: ShellSession, command: Exclude<Command, SimpleCommand | { kind: 'function' }>, stdin: Input): Outcome {
    switch (command.kind) {
      case 'for': return this.runFor(session, command, stdin);
      case 'arithfor': return this.runArithFor(session, command, stdin);
      case 'while': return this.runWhile(session, command, stdin);
      case 'if': return this.runIf(session, command, stdin);
      case 'case': return this.runCase(session, command, stdin);
      case 'group': {
        if (!command.subshell) return this.runList(session, command.body, stdin);
        const inner = forkSession(session);
        const result = this.runList(inner, command.body, stdin);
        const exitTrap = inner.traps?.EXIT;
        if (exitTrap !== undefined) merge(result, { ...this.runText(inner, exitTrap, stdin), exitCode: result.exitCode });
        if (!this.overBudget) delete result.stop;
        delete result.loop;
        delete result.ret;
        delete result.exitShell;
        return { ...result, errexit: true };
      }
      case 'arith': {
        const over = this.spend();
        if (over) return over;
        try {
          return { chunks: [], exitCode: this.arith(session, command.expr) !== 0n ? 0 : 1, errexit: true };
        } catch (error) {
          if (error instanceof ExpansionFailure) return { chunks: [{ fd: 2, text: `bash: ((: ${error.text.replace(/^bash: /, '')}` }], exitCode: 1 };
          throw error;
        }
      }
      case 'cond': {
        const over = this.spend();
        if (over) return over;
        const sub: Expansion = { side: [], exitCode: undefined, room: MAX_OUTPUT_CHARS };
        const result = this.evalCond(session, command.expr, sub);
        if (typeof result === 'string') return { chunks: [...sub.side, { fd: 2, text: result }], exitCode: 2 };
        return { chunks: sub.side, exitCode: result ? 0 : 1, errexit: true };
      }
    }
  }

  /** Runs a loop body once; says whether the loop goes on, and with what control. */
  private iteration(session: ShellSession, body: List, stdin: Input, total: Outcome): boolean {
    this.loopDepth++;
    const result = this.runList(session, body, stdin);
    this.loopDepth--;
    merge(total, result);
    if (result.stop || result.ret) return false;
    const control = result.loop;
    if (!control) return true;
    delete total.loop;
    if (control.levels > 1) {
      total.loop = { kind: control.kind, levels: control.levels - 1 }; // for an outer loop
      return false;
    }
    return control.kind === 'continue';
  }

  /** `for NAME in WORDS; do BODY; done`: the variable keeps the last value afterwards, as in bash. */
  private runFor(session: ShellSession, command: ForCommand, stdin: Input): Outcome {
    const sub: Expansion = { side: [], exitCode: undefined, room: MAX_OUTPUT_CHARS };
    const values = command.words === undefined ? [...this.positional.at(-1)!] : this.expandWords(session, command.words, sub);
    if (sub.room < 0) return { chunks: [{ fd: 2, text: `bash: expansion too large (over ${MAX_OUTPUT_CHARS} characters)\n` }], exitCode: 1 };
    const total: Outcome = { chunks: sub.side, exitCode: 0 };
    for (const value of values) {
      const over = this.spend();
      if (over) {
        merge(total, over);
        break;
      }
      const refused = setVar(session, command.name, value);
      if (refused) {
        merge(total, { chunks: [{ fd: 2, text: refused }], exitCode: 1 });
        break;
      }
      if (!this.iteration(session, command.body, stdin, total)) break;
    }
    return total;
  }

  private runArithFor(session: ShellSession, command: ArithForCommand, stdin: Input): Outcome {
    const total: Outcome = { chunks: [], exitCode: 0 };
    this.arith(session, command.init);
    for (;;) {
      const over = this.spend();
      if (over) {
        merge(total, over);
        break;
      }
      if (command.test.parts.length > 0 && this.arith(session, command.test) === 0n) break;
      if (!this.iteration(session, command.body, stdin, total)) break;
      this.arith(session, command.step);
    }
    return total;
  }

  /** `while`/`until`: the condition's failures do not stop a `set -e` line; the status is the body's. */
  private runWhile(session: ShellSession, command: WhileCommand, stdin: Input): Outcome {
    const total: Outcome = { chunks: [], exitCode: 0 };
    const place = this.slice?.places.get(command);
    for (;;) {
      // Paused: nothing after it runs in this slice (the next one goes on from this loop).
      if (place !== undefined && this.pauses(this.slice!, place)) return { ...total, stop: true };
      const over = this.spend();
      if (over) {
        merge(total, over);
        return total;
      }
      this.conditionDepth++;
      const tested = this.runList(session, command.condition, stdin);
      this.conditionDepth--;
      const status = total.exitCode;
      merge(total, tested);
      if (tested.stop || tested.loop || tested.ret) return total;
      total.exitCode = status;
      if ((tested.exitCode === 0) === command.until) return total;
      if (!this.iteration(session, command.body, stdin, total)) return total;
    }
  }

  /**
   * Before an iteration of a followed loop: pause here when its `pause` says so, or when the
   * steps or commands left would not cover twice the costliest iteration yet (an iteration cut
   * in the middle could not be resumed).
   */
  private pauses(slice: LoopSlice, place: number): boolean {
    const cost = { steps: this.budget.steps - slice.mark.steps, commands: this.commandsRun - slice.mark.commands };
    if (slice.iterations++ > 0) {
      slice.most.steps = Math.max(slice.most.steps, cost.steps);
      slice.most.commands = Math.max(slice.most.commands, cost.commands);
    }
    slice.mark = { steps: this.budget.steps, commands: this.commandsRun };
    const short = this.budget.remaining < 2 * slice.most.steps || MAX_COMMANDS_PER_LINE - this.commandsRun < 2 * slice.most.commands;
    if (!short && !slice.pause()) return false;
    slice.pausedAt = place;
    return true;
  }

  /**
   * A container's script followed in slices (exec/process.ts): a plain `while`/`until` loop of
   * the script's own list pauses before an iteration (`pausedAt`: its place in the list), and a
   * later run from that place (`from`) goes on with it, in the session the last one left.
   */
  runSlice(session: ShellSession, list: List, from: number, pause: (() => boolean) | undefined): Outcome & { pausedAt?: number; stoppedForWork: boolean } {
    const places = new Map<WhileCommand, number>();
    list.forEach((item, i) => {
      const loop = pause && resumableLoop(item);
      if (loop && i >= from) places.set(loop, i);
    });
    const slice: LoopSlice = { places, pause: pause ?? (() => false), pausedAt: undefined, iterations: 0, mark: { steps: 0, commands: 0 }, most: { steps: 0, commands: 0 } };
    this.slice = slice;
    const result = this.runTop(session, list.slice(from), Input.empty());
    return { ...result, ...(slice.pausedAt !== undefined ? { pausedAt: slice.pausedAt } : {}), stoppedForWork: this.overBudget || this.budget.exhausted };
  }

  /** `break [N]` / `continue [N]`, which only a loop can act on (bash's messages otherwise). */
  loopControl(argv: string[]): Outcome {
    const [kind, count, ...extra] = argv as ['break' | 'continue', ...string[]];
    const fail = (text: string, exitCode = 1): Outcome => outcome('', `bash: ${kind}: ${text}\n`, exitCode);
    if (extra.length > 0) return fail('too many arguments');
    if (count !== undefined && !/^-?\d+$/.test(count)) return fail(`${count}: numeric argument required`, 128);
    const levels = count === undefined ? 1 : Number(count);
    if (levels < 1) return fail(`${count}: loop count out of range`);
    if (this.loopDepth === 0) return fail("only meaningful in a `for', `while', or `until' loop", 0);
    return { chunks: [], exitCode: 0, loop: { kind, levels: Math.min(levels, this.loopDepth) } };
  }

  /** The body of the first branch whose condition succeeds, else the `else` part; status 0 if none ran. */
  private runIf(session: ShellSession, command: IfCommand, stdin: Input): Outcome {
    const total: Outcome = { chunks: [], exitCode: 0 };
    for (const { condition, body } of command.branches) {
      this.conditionDepth++;
      const tested = this.runList(session, condition, stdin);
      this.conditionDepth--;
      merge(total, tested);
      if (tested.stop || tested.loop || tested.ret) return total;
      if (tested.exitCode === 0) {
        merge(total, this.runList(session, body, stdin));
        return total;
      }
    }
    total.exitCode = 0;
    if (command.otherwise) merge(total, this.runList(session, command.otherwise, stdin));
    return total;
  }

  /** `case`: the first item with a matching pattern runs; `;&` runs the next body too, `;;&` tests on. */
  private runCase(session: ShellSession, command: CaseCommand, stdin: Input): Outcome {
    const over = this.spend();
    if (over) return over;
    const sub: Expansion = { side: [], exitCode: undefined, room: MAX_OUTPUT_CHARS };
    const word = this.expandWord(session, command.word, false, sub).join('');
    const total: Outcome = { chunks: sub.side, exitCode: 0 };
    let fallThrough = false;
    for (const item of command.items) {
      if (!fallThrough && !item.patterns.some((p) => matchGlob(this.expandPattern(session, p, sub), word, this.budget))) continue;
      const result = this.runList(session, item.body, stdin);
      merge(total, result);
      if (result.stop || result.loop || result.ret) return total;
      if (item.end === ';;') break;
      fallThrough = item.end === ';&';
    }
    return total;
  }

  /** Calls a function: its own positional parameters and locals, `return` ends it. */
  private callFunction(session: ShellSession, name: string, body: Command, argv: string[], stdin: Input): Outcome {
    if (this.positional.length > MAX_FUNCTION_DEPTH) return { ...outcome('', `bash: ${name}: maximum function nesting level exceeded (${MAX_FUNCTION_DEPTH})\n`, 1), stop: true };
    this.positional.push(argv.slice(1));
    this.locals.push(new Map());
    const depth = this.loopDepth;
    this.loopDepth = 0;
    // bash's RETURN trap: a function does not inherit its caller's; one it sets runs as it
    // returns, and stays set unless the caller had one, which comes back.
    const callers = session.traps?.RETURN;
    if (callers !== undefined) delete session.traps!.RETURN;
    try {
      const result = this.runCommand(session, body, stdin);
      delete result.ret;
      delete result.loop;
      const own = session.traps?.RETURN;
      if (own !== undefined) merge(result, { ...this.runText(session, own, stdin), exitCode: result.exitCode });
      return result;
    } finally {
      if (callers !== undefined) (session.traps ??= {}).RETURN = callers;
      this.loopDepth = depth;
      this.positional.pop();
      for (const restore of this.locals.pop()!.values()) restore();
    }
  }

  private runSimple(session: ShellSession, command: SimpleCommand, stdin: Input): Outcome {
    const over = this.spend();
    if (over) return over;
    if (command.line !== undefined) this.dashLine = command.line;
    // `$x$x$x…` multiplies text: all words of one command together get MAX_OUTPUT_CHARS.
    // The line's own stdin is the terminal: substitutions read nothing from it.
    const sub: Expansion = { side: [], exitCode: undefined, room: MAX_OUTPUT_CHARS, ...(stdin.terminal ? {} : { stdin }) };
    const side = sub.side; // stderr of command substitutions
    const argv = this.expandWords(session, command.words, sub);
    const prefix: Record<string, string> = {};
    if (argv.length > 0) for (const a of command.assignments) prefix[a.name] = this.expandWord(session, a.value, false, sub).join('');
    const io = this.applyRedirects(session, command.redirects, stdin, sub);
    if (sub.room < 0) return { chunks: [...side, { fd: 2, text: `bash: expansion too large (over ${MAX_OUTPUT_CHARS} characters)\n` }], exitCode: 1 };
    if ('error' in io) return { chunks: [...side, { fd: 2, text: io.error }], exitCode: 1 };

    if (argv.length === 0) {
      const error = this.assign(session, command.assignments, sub);
      if (error) return { chunks: [...side, { fd: 2, text: error }], exitCode: 1 };
      return { chunks: side, exitCode: sub.exitCode ?? 0, errexit: true };
    }
    if (session.options?.xtrace) side.push({ fd: 2, text: `+ ${argv.map(traceQuote).join(' ')}\n` });
    const result = this.offTerminalWhile(!onTerminal(io), () => this.dispatch(session, argv, prefix, io.stdin));
    delete session.fds; // the files of <(…) close with the command
    if (command.arrayArgs && result.exitCode === 0) this.assign(session, command.arrayArgs, sub);
    return { ...result, chunks: [...side, ...this.route(session, io, result.chunks)], errexit: true };
  }

  /** `NAME=value` alone: shell variables (and array elements) change. */
  private assign(session: ShellSession, assignments: Assignment[], sub: Expansion): string | undefined {
    for (const a of assignments) {
      if (a.array) {
        const values = this.expandWords(session, a.array, sub);
        const keyed = values.length > 0 && values.every((v) => /^\[[^\]]+\]=/.test(v));
        if (keyed) {
          if (!a.append) setArray(session, a.name, []);
          for (const v of values) {
            const close = v.indexOf(']=');
            const key = v.slice(1, close);
            const refused = setElement(session, a.name, isAssoc(session, a.name) ? key : String(this.arith(session, { parts: [{ kind: 'lit', text: key, quoted: false }] }, sub)), v.slice(close + 2));
            if (refused) return refused;
          }
          continue;
        }
        const refused = setArray(session, a.name, a.append ? [...(getElements(session, a.name)?.values ?? []), ...values] : values);
        if (refused) return refused;
        continue;
      }
      const value = this.expandWord(session, a.value, false, sub).join('');
      if (a.index) {
        const key = this.subscript(session, a.name, a.index, sub);
        const old = a.append ? (getElement(session, a.name, key) ?? '') : '';
        const error = setElement(session, a.name, key, old + value);
        if (error) return error;
      } else if (session.integers?.[a.name]) {
        // `declare -i`: the value is arithmetic, and `+=` adds.
        const n = this.arith(session, { parts: [{ kind: 'lit', text: a.append ? `${getVar(session, a.name) || 0}+(${value || 0})` : value || '0', quoted: false }] }, sub);
        const refused = setVar(session, a.name, String(n));
        if (refused) return refused;
      } else {
        const refused = setVar(session, a.name, a.append ? (getVar(session, a.name) ?? '') + value : value);
        if (refused) return refused;
      }
    }
    return undefined;
  }

  /** Functions, then the language's own builtins, then programs, like bash's lookup order. */
  private dispatch(session: ShellSession, argv: string[], prefix: Record<string, string>, stdin: Input): Outcome {
    const name = argv[0]!;
    const fn = ownValue(session.functions, name);
    if (name === 'printf' && argv[1] === '-v' && argv.length > 3 && !fn) {
      // `printf -v VAR FORMAT …`: the text goes to the variable.
      const printed = this.dispatch(session, ['printf', ...argv.slice(3)], prefix, stdin);
      setVar(session, argv[2]!, printed.chunks.filter((c) => c.fd === 1).map((c) => c.text).join(''));
      return { ...printed, chunks: printed.chunks.filter((c) => c.fd === 2) };
    }
    if (fn || (isLanguageBuiltin(name) && !(session.dash && BASH_ONLY_BUILTINS.has(name)))) {
      // `IFS=, read -a f`: the prefix holds while the builtin or function runs.
      this.budget.spend(STEPS_PER_COMMAND);
      const saved = Object.keys(prefix).map((k) => [k, Object.hasOwn(session.vars, k) ? session.vars[k] : undefined] as const);
      const refused = Object.entries(prefix).map(([k, v]) => assignVar(session, k, v)).filter((r) => r !== undefined);
      try {
        if (refused.length > 0) return { chunks: refused.map((text) => ({ fd: 2 as const, text })), exitCode: 1 };
        return fn ? this.callFunction(session, name, fn, argv, stdin) : this.runBuiltin(session, argv, stdin);
      } finally {
        for (const [k, v] of saved) {
          if (v === undefined) unsetScalar(session, k);
          else assignVar(session, k, v);
        }
      }
    }
    const collector = this.interest ? new RevealCollector(this.interest, this.reveals) : undefined;
    const ctx = this.context(session, stdin, prefix);
    if (collector) ctx.facts = collector;
    const result = this.exec(ctx, argv);
    // What the command read (unless it only prints its arguments) may show up in what it prints.
    const fed = PRINTERS.has(name) ? [] : stdin.feed;
    const own = collector?.reveals ?? [];
    const reveals = own.length > 0 ? (fed.length > 0 ? [...own, ...fed] : own) : fed;
    const chunks: Chunk[] = [];
    // One command's output is bounded, so the next pipeline stage's stdin is too (what the
    // line prints is cut again, to MAX_OUTPUT_CHARS, in capChunks).
    const route = (fd: 1 | 2, output: string, json?: StdoutJson): void => {
      if (output === '') return;
      const { text, cut } = capOutput(output, MAX_STAGE_CHARS);
      const chunk: Chunk = reveals.length > 0 ? { fd, text, reveals } : { fd, text };
      if (json && cut === 0) chunk.json = json;
      chunks.push(chunk);
      // `cut` keeps the count of the bytes cut (not of this line) when the line is capped again.
      if (cut > 0) chunks.push({ fd, text: truncationLine(cut), cut });
    };
    route(2, result.stderrFirst ?? '');
    if (result.written) for (const c of result.written) route(c.fd, c.text);
    else {
      route(1, result.stdout, result.json);
      route(2, result.stderr);
    }
    return {
      chunks,
      exitCode: result.exitCode,
      ...(result.stop ? { stop: true } : {}),
      ...(result.exitShell ? { exitShell: true } : {}),
      ...(result.clear ? { clear: true } : {}),
      ...(result.edit ? { edit: result.edit } : {}),
    };
  }

  /**
   * A language builtin, charged for what it prints: `declare -p` of a 10,000-element array
   * writes 138 KB, and a loop of them held the process 0.4 s within the steps of a line.
   */
  private runBuiltin(session: ShellSession, argv: string[], stdin: Input): Outcome {
    const outcome = runLanguageBuiltin(this, session, argv, stdin);
    for (const chunk of outcome.chunks) this.budget.spend(chunk.text.length);
    return outcome;
  }

  /** `command NAME …`: a program or builtin, never a function. */
  runProgram(session: ShellSession, argv: string[], stdin: Input): Outcome {
    if (isLanguageBuiltin(argv[0]!)) return this.runBuiltin(session, argv, stdin);
    const saved = session.functions;
    delete session.functions;
    try {
      return this.dispatch(session, argv, {}, stdin);
    } finally {
      if (saved) session.functions = saved;
    }
  }

  /** One step of the session's stream: its program again, from where it left off (ctx.resume), and the facts it tagged. */
  stepStream(session: ShellSession): { result: ProgramResult; reveals: readonly Reveal[] } {
    const stream = session.stream!;
    const ctx = this.context(session, Input.empty());
    ctx.resume = stream.cursor;
    const collector = this.interest ? new RevealCollector(this.interest, this.reveals) : undefined;
    if (collector) ctx.facts = collector;
    try {
      return { result: this.exec(ctx, stream.argv), reveals: collector?.reveals ?? [] };
    } catch (error) {
      if (!(error instanceof OverBudget)) throw error;
      return { result: { stdout: '', stderr: cpuLimitMessage(this.overStepsIn || undefined), exitCode: CPU_LIMIT_EXIT, streamEnded: true }, reveals: [] };
    }
  }

  dashWhere(): string {
    return `${this.arg0.at(-1) ?? 'sh'}: ${this.dashLine}: `;
  }

  /** A script for `source`. */
  readScript(session: ShellSession, path: string): { text: string } | { error: string } {
    const file = readFile(this.context(session, Input.empty()), 'bash', path);
    return file.ok ? { text: file.content } : { error: file.error };
  }

  private exec(ctx: CommandContext, argv: string[]): ProgramResult {
    const name = argv[0]!;
    const found = ctx.session.dash && BASH_ONLY_BUILTINS.has(name) ? undefined : this.find(ctx, name);
    if (found) {
      try {
        this.budget.spend(STEPS_PER_COMMAND);
        if (this.follow && ctx.session === this.topSession) {
          this.follow = false; // one stream a line
          ctx.follow = (cursor) => {
            if (ctx.session.stream) return;
            ctx.session.stream = { argv: [...argv], cursor, printed: 0 };
          };
        }
        const detaching = this.detaching;
        if (detaching && ctx.session === detaching.session && !detaching.started) {
          ctx.detach = (listeners) => (detaching.started = startJob(ctx.session, argv, listeners)).pid;
        }
        let result = found(ctx, argv, this);
        // dash's builtins say where the script was: `sh: 3: [: a: unexpected operator`.
        if (ctx.session.dash && DASH_BUILTINS.has(name)) result = { ...result, stderr: result.stderr.replace(/^bash: /gm, this.dashWhere()) };
        // What a command prints costs work to build, whichever program it is (kubectl -o json…).
        this.budget.spend(result.stdout.length + result.stderr.length + (result.stderrFirst?.length ?? 0));
        return result;
      } catch (error) {
        if (error instanceof OverBudget) this.overStepsIn ??= name;
        throw error;
      }
    }
    this.budget.spend(STEPS_PER_COMMAND);
    if (ctx.session.container) return { stdout: '', stderr: notFoundInContainer(this.state, ctx.session.container, name), exitCode: 127 };
    if (ctx.session.dash) return { stdout: '', stderr: `${this.dashWhere()}${name}: not found\n`, exitCode: 127 };
    if (name.includes('/')) return { stdout: '', stderr: `bash: ${name}: No such file or directory\n`, exitCode: 127 };
    return { stdout: '', stderr: `bash: ${name}: command not found\n`, exitCode: 127 };
  }

  /**
   * bash applies redirections left to right on a table of where fd 1 and 2 point; `>` empties
   * the file before the command runs, what the command prints is appended after (route).
   */
  private applyRedirects(session: ShellSession, redirects: Redirect[], stdin: Input, sub: Expansion): Redirected | { error: string } {
    const targets: Record<1 | 2, Target> = { 1: 'out', 2: 'err' };
    let input = stdin;
    for (const r of redirects) {
      const text = r.op === '<<<' || r.op === '<<';
      const words = text ? [this.expandWord(session, r.target, false, sub).join('')] : this.expandWords(session, [r.target], sub);
      const name = words.join(' ');
      if (!text && words.length !== 1) return { error: `bash: ${rawText(r.target)}: ambiguous redirect\n` };
      if (r.op === '<<<') {
        input = new Input(`${name}\n`);
        continue;
      }
      if (r.op === '<<') {
        input = new Input(name);
        continue;
      }
      if (r.op === '<') {
        const file = readFile(this.context(session, Input.empty()), 'bash', name);
        if (!file.ok) return { error: file.error };
        input = new Input(file.content);
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
      else {
        this.budget.spend(writeSteps(this.state, session, name));
        const error = writeFile(this.state, session, name, '', r.op === '>>');
        if (error) return { error: `bash: ${name}: ${error}\n` };
        target = { file: resolvePath(session, name) };
      }
      for (const fd of fds) targets[fd] = target;
    }
    return { stdin: input, targets };
  }

  /** Where a command's output goes: the terminal's streams, nowhere, or appended to files. */
  private route(session: ShellSession, io: Redirected, chunks: Chunk[]): Chunk[] {
    const shown: Chunk[] = [];
    const written = new Map<string, string>();
    for (const chunk of chunks) {
      const target = io.targets[chunk.fd];
      if (target === 'null') continue;
      if (typeof target === 'object') written.set(target.file, (written.get(target.file) ?? '') + chunk.text);
      else shown.push({ ...chunk, fd: target === 'out' ? 1 : 2 });
    }
    for (const [file, text] of written) {
      this.budget.spend(writeSteps(this.state, session, file));
      const error = writeFile(this.state, session, file, text, true);
      if (error) shown.push({ fd: 2, text: `bash: ${file}: write error: ${error}\n` });
    }
    return shown;
  }

  private context(session: ShellSession, stdin: Input, prefix: Record<string, string> = {}): CommandContext {
    const ctx: Omit<CommandContext, 'stdin'> = { state: this.state, session, env: commandEnv(session, prefix), budget: this.budget, stdoutIsTerminal: this.offTerminal === 0 };
    const advance = this.advance;
    if (advance) {
      ctx.passTime = (ms) => {
        const passed = Math.max(0, Math.min(Math.round(ms), this.sleepLeft));
        this.sleepLeft -= passed;
        if (passed > 0) advance(passed);
        return passed;
      };
    }
    return withLazyStdin(ctx, stdin);
  }

  /** Words after brace expansion, expansion and field splitting: a command's arguments. */
  expandWords(session: ShellSession, words: Word[], sub: Expansion): string[] {
    const fields: string[] = [];
    for (const word of words) {
      let expanded: Word[];
      try {
        expanded = session.dash ? [word] : expandBraces(word); // dash has no brace expansion
      } catch (error) {
        if (error instanceof BraceTooLarge) throw new ExpansionFailure('bash: brace expansion: too many words\n', 1);
        throw error;
      }
      for (const w of expanded) {
        // Plain text (what `{1..1000}` gives): nothing to expand, split or glob.
        const only = w.parts.length === 1 ? w.parts[0]! : undefined;
        if (only?.kind === 'lit' && !/[*?[~\s]/.test(only.text) && only.text !== '') {
          // What the line itself holds is bounded by MAX_LINE_CHARS; brace expansion multiplies it.
          if (expanded.length > 1) sub.room -= only.text.length;
          fields.push(only.text);
          continue;
        }
        // One by one: a `$(…)` may give more fields than a spread call takes arguments.
        for (const field of this.expandWord(session, w, true, sub)) fields.push(field);
      }
    }
    return fields;
  }

  /** A word as one string, without splitting (assignments, `case`, `[[`, here-strings). */
  expandString(session: ShellSession, word: Word): string {
    return this.expandWord(session, word, false, { side: [], exitCode: undefined, room: MAX_OUTPUT_CHARS }).join('');
  }

  /** A word as a glob pattern: what was quoted matches itself. */
  private expandPattern(session: ShellSession, word: Word, sub: Expansion): string {
    let pattern = '';
    for (const part of word.parts) {
      const text = this.expandWord(session, { parts: [part] }, false, sub).join('');
      pattern += part.quoted ? escapeGlob(text) : text;
    }
    return pattern;
  }

  /**
   * Expands one word into fields: tilde, parameters, substitutions, then (unquoted) field
   * splitting and pathname expansion (a pattern matching no file stays as it is).
   */
  private expandWord(session: ShellSession, word: Word, split: boolean, sub: Expansion): string[] {
    const fields: string[] = [];
    let current = '';
    let pieces: [string, boolean][] = []; // the field's text, quoted or not, for a glob
    let glob = false; // an unquoted * ? [ is in the field
    let has = false; // the current field exists even if empty (quotes, literal text)
    let emptyQuotes = false; // `""`: one empty field, unless "$@" vanished beside it
    let vanished = false;
    const ifs = split ? (getVar(session, 'IFS') ?? ' \t\n') : '';
    const white = [...ifs].filter((c) => c === ' ' || c === '\t' || c === '\n').join('');
    const ifsChar = new RegExp(`[${ifs.replace(/[\\\]^-]/g, '\\$&')}]`, 'g'); // finds the next IFS character fast
    const emit = (): void => {
      const matches = glob ? globPaths(this.state, session, this.budget, pieces.map(([text, quoted]) => (quoted ? escapeGlob(text) : text)).join('')) : undefined;
      if (matches && matches.length > 0) for (const m of matches) fields.push(m);
      else fields.push(current);
      current = '';
      if (pieces.length > 0) pieces = [];
      glob = false;
      has = false;
    };
    const end = (): void => {
      if (has) emit();
    };
    const append = (text: string, quoted: boolean): void => {
      const before = current;
      current += text;
      if (!split) return;
      // `pieces` stays empty while the field is plain unquoted text (the common case, kept cheap).
      const globby = !quoted && /[*?[]/.test(text);
      if (pieces.length === 0 && (globby || quoted) && before !== '') pieces.push([before, false]);
      if (globby) glob = true;
      if (pieces.length > 0 || globby || quoted) pieces.push([text, quoted]);
    };
    const addQuoted = (value: string): void => {
      if (value === '') emptyQuotes = true;
      else {
        append(value, true);
        has = true;
      }
    };
    const addSplittable = (value: string): void => {
      if (ifs === '') {
        append(value, false);
        has ||= value !== '';
        return;
      }
      let i = 0;
      while (i < value.length && white.includes(value[i]!)) i++;
      if (i > 0) end();
      while (i < value.length) {
        ifsChar.lastIndex = i;
        const j = ifsChar.exec(value)?.index ?? value.length;
        if (j > i) {
          append(value.slice(i, j), false);
          has = true;
          i = j;
          continue;
        }
        while (i < value.length && white.includes(value[i]!)) i++;
        if (i < value.length && ifs.includes(value[i]!) && !white.includes(value[i]!)) {
          emit();
          i++;
          while (i < value.length && white.includes(value[i]!)) i++;
        } else end();
      }
    };
    const add = (value: string, quoted: boolean): void => {
      sub.room -= value.length;
      if (sub.room < 0) return;
      this.budget.spend(value.length);
      if (quoted) addQuoted(value);
      else addSplittable(value);
    };
    word.parts.forEach((part, index) => {
      if (sub.room < 0) return; // too large already: the command will not run
      switch (part.kind) {
        case 'lit': {
          const value = index === 0 && !part.quoted ? this.expandTilde(session, part.text) : part.text;
          if (part.quoted) addQuoted(value);
          else {
            append(value, false);
            has ||= value !== '';
          }
          return;
        }
        case 'var': {
          const { values, multi } = this.expandParam(session, part, sub);
          if (!multi) {
            add(values.join(''), part.quoted);
            return;
          }
          if (values.length === 0) {
            vanished = true;
            return;
          }
          values.forEach((value, i) => {
            if (i > 0) {
              if (!split) append(' ', true);
              else if (part.quoted) emit();
              else end();
            }
            add(value, part.quoted);
          });
          return;
        }
        case 'arith':
          add(String(this.arith(session, part.expr, sub)), part.quoted);
          return;
        case 'cmdsub': {
          const result = this.offTerminalWhile(true, () => this.runList(forkSession(session), part.list, sub.stdin ?? Input.empty()));
          sub.side.splice(0, sub.side.length, ...capChunks([...sub.side, ...result.chunks.filter((c) => c.fd === 2)]));
          sub.exitCode = result.exitCode;
          add(result.chunks.filter((c) => c.fd === 1).map((c) => c.text).join('').replace(/\n+$/, ''), part.quoted);
          return;
        }
        case 'procsub': {
          // `diff <(a) <(b)`: each list's output becomes a file /dev/fd/63, 62, … while the command runs.
          const result = this.offTerminalWhile(true, () => this.runList(forkSession(session), part.list, sub.stdin ?? Input.empty()));
          sub.side.splice(0, sub.side.length, ...capChunks([...sub.side, ...result.chunks.filter((c) => c.fd === 2)]));
          const fds = (session.fds ??= {});
          const path = `/dev/fd/${63 - Object.keys(fds).length}`;
          fds[path] = result.chunks.filter((c) => c.fd === 1).map((c) => c.text).join('');
          add(path, true);
          return;
        }
      }
    });
    if (has || (emptyQuotes && !vanished) || !split) emit();
    return fields;
  }

  private expandTilde(session: ShellSession, text: string): string {
    if (text === '~' || text.startsWith('~/')) return baseEnv(session).HOME + text.slice(1);
    if (text === '~root' || text.startsWith('~root/')) return `/root${text.slice(5)}`;
    return text;
  }

  /** The value(s) of a `$…` / `${…}` expansion; `multi` when each element is a field of its own ("$@", "${a[@]}"). */
  private expandParam(session: ShellSession, part: ParamPart, sub: Expansion): { values: string[]; multi: boolean } {
    const indexText = part.index ? plainIndex(part.index) : undefined;
    const all = part.name === '@' || part.name === '*' || indexText === '@' || indexText === '*';
    const multi = all && (part.name === '@' || indexText === '@' || !part.quoted);
    let values: string[];
    let set: boolean;
    if (part.names && !session.dash) {
      const names = new Set([...Object.keys(baseEnv(session)), ...Object.keys(session.vars), ...Object.keys(session.arrays ?? {}), ...Object.keys(session.assoc ?? {})]);
      const found = [...names].filter((n) => n.startsWith(part.name) && getVar(session, n) !== undefined || (n.startsWith(part.name) && (ownValue(session.arrays, n) || ownValue(session.assoc, n)))).sort();
      return this.joined(session, found, true, part.names === '@' || !part.quoted, part.quoted);
    }
    if (part.indirect && indexText !== undefined && all && part.name !== '@') {
      return this.joined(session, getElements(session, part.name)?.keys ?? [], all, multi, part.quoted);
    }
    if (session.dash && (part.indirect || part.names || part.index || (part.op && !DASH_PARAM_OPS.has(part.op)))) {
      throw new ExpansionFailure(`${this.dashWhere()}Bad substitution\n`, 2);
    }
    const name = part.indirect ? (this.scalar(session, part.name) ?? '') : part.name;
    if (part.indirect && !/^[A-Za-z_]\w*(\[.*\])?$|^\d+$/.test(name)) throw new ExpansionFailure(`bash: ${name}: invalid indirect expansion\n`, 1);
    if (all) {
      values = part.name === '@' || part.name === '*' ? [...this.positional.at(-1)!] : (getElements(session, name)?.values ?? []);
      set = values.length > 0;
    } else if (part.index) {
      const value = getElement(session, name, this.subscript(session, name, part.index, sub));
      set = value !== undefined;
      values = [value ?? ''];
    } else {
      const value = this.scalar(session, name);
      set = value !== undefined;
      values = [value ?? ''];
    }
    if (part.length) {
      const count = all ? values.length : [...(values[0] ?? '')].length;
      return { values: [String(count)], multi: false };
    }
    const op = part.op;
    if (!set && !op && session.options?.nounset && part.name !== '@' && part.name !== '*') {
      throw new ExpansionFailure(`bash: ${name}: unbound variable\n`, 127);
    }
    if (!op) return this.joined(session, values, all, multi, part.quoted);
    const empty = !set || values.every((v) => v === '');
    const arg = (): string => (part.arg ? this.expandWord(session, part.arg, false, sub).join('') : '');
    const useArg = op.startsWith(':') ? empty : !set;
    switch (op) {
      case ':-':
      case '-':
        return useArg ? { values: [arg()], multi: false } : this.joined(session, values, all, multi, part.quoted);
      case ':=':
      case '=': {
        if (!useArg) return this.joined(session, values, all, multi, part.quoted);
        const value = arg();
        setVar(session, name, value);
        return { values: [value], multi: false };
      }
      case ':+':
      case '+':
        return { values: [useArg ? '' : arg()], multi: false };
      case ':?':
      case '?':
        if (!useArg) return this.joined(session, values, all, multi, part.quoted);
        throw new ExpansionFailure(`bash: ${name}: ${part.arg ? arg() : 'parameter null or not set'}\n`, 127);
      case ':': {
        const offset = Number(this.arith(session, part.arg!, sub));
        const length = part.arg2 ? Number(this.arith(session, part.arg2, sub)) : undefined;
        if (all) {
          const list = part.name === '@' || part.name === '*' ? ['bash', ...values] : values;
          const from = offset < 0 ? Math.max(0, list.length + offset) : offset;
          const to = length === undefined ? list.length : length < 0 ? list.length + length : from + length;
          return this.joined(session, list.slice(from, Math.max(from, to)), true, multi, part.quoted);
        }
        const chars = [...values[0]!];
        const from = offset < 0 ? Math.max(0, chars.length + offset) : Math.min(offset, chars.length);
        if (length !== undefined && length < 0 && chars.length + length < from) throw new ExpansionFailure(`bash: ${length}: substring expression < 0\n`, 1);
        const to = length === undefined ? chars.length : length < 0 ? chars.length + length : from + length;
        return { values: [chars.slice(from, to).join('')], multi: false };
      }
    }
    const pattern = part.arg ? this.expandPattern(session, part.arg, sub) : '';
    const each = (f: (v: string) => string): { values: string[]; multi: boolean } => this.joined(session, values.map(f), all, multi, part.quoted);
    switch (op) {
      case '#': return each((v) => removePrefix(v, pattern, false, this.budget));
      case '##': return each((v) => removePrefix(v, pattern, true, this.budget));
      case '%': return each((v) => removeSuffix(v, pattern, false, this.budget));
      case '%%': return each((v) => removeSuffix(v, pattern, true, this.budget));
      case '/':
      case '//':
      case '/#':
      case '/%': {
        const replacement = part.arg2 ? this.expandWord(session, part.arg2, false, sub).join('') : '';
        return each((v) => replaceGlob(v, pattern, replacement, op, this.budget));
      }
      case '@': {
        if (!set) return { values: all ? [] : [''], multi: all };
        const letter = (part.arg!.parts[0] as { text: string }).text;
        const quote = (v: string): string => (v === '' ? "''" : /[\x00-\x1f\x7f]/.test(v) ? ansiCQuote(v) : `'${v.replace(/'/g, "'\\''")}'`);
        const flags = `${ownValue(session.assoc, name) ? 'A' : ownValue(session.arrays, name) ? 'a' : ''}${ownValue(session.integers, name) ? 'i' : ''}${ownValue(session.exported, name) ? 'x' : ''}`;
        switch (letter) {
          case 'U': return each((v) => v.toUpperCase());
          case 'u': return each((v) => v.charAt(0).toUpperCase() + v.slice(1));
          case 'L': return each((v) => v.toLowerCase());
          case 'Q': return each(quote);
          case 'a': return each(() => flags);
          case 'A':
            if (ownValue(session.arrays, name) || ownValue(session.assoc, name)) return { values: [declareLine(session, name)!.slice(0, -1)], multi: false };
            return each((v) => `${flags ? `declare -${flags} ` : ''}${name}=${quote(v)}`);
          default: throw new ExpansionFailure(`bash: \${${part.name}@${letter}}: bad substitution\n`, 127);
        }
      }
      case '^^': return each((v) => v.toUpperCase());
      case ',,': return each((v) => v.toLowerCase());
      case '^': return each((v) => v.charAt(0).toUpperCase() + v.slice(1));
      case ',': return each((v) => v.charAt(0).toLowerCase() + v.slice(1));
    }
    return this.joined(session, values, all, multi, part.quoted);
  }

  /** "$*" / "${a[*]}" join their elements with the first character of IFS; the rest stay a list. */
  private joined(session: ShellSession, values: string[], all: boolean, multi: boolean, quoted: boolean): { values: string[]; multi: boolean } {
    if (!all || multi || !quoted) return { values, multi: all };
    const ifs = getVar(session, 'IFS');
    return { values: [values.join(ifs === undefined ? ' ' : ifs.slice(0, 1))], multi: false };
  }

  /** A scalar parameter: special ones, positional ones, then variables. */
  scalar(session: ShellSession, name: string): string | undefined {
    const args = this.positional.at(-1)!;
    switch (name) {
      case '?': return String(session.lastExitCode ?? 0);
      case '$': return '4242';
      case '#': return String(args.length);
      // A script's name; else the interactive shell's: `sh` (dash) typed at the terminal, a container's shell, bash.
      case '0': return this.arg0.at(-1) ?? (session.dash ? 'sh' : session.container?.shell ?? 'bash');
      case '!': return session.lastBackground === undefined ? undefined : String(session.lastBackground);
      case '-': return `${session.options?.errexit ? 'e' : ''}hB${session.options?.nounset ? 'u' : ''}${session.options?.xtrace ? 'x' : ''}`;
      case 'RANDOM': if (!session.dash) return String((this.commandsRun * 7919) % 32768); break;
      case 'LINENO': return session.dash ? String(this.dashLine) : '1';
    }
    if (/^\d+$/.test(name)) return args[Number(name) - 1];
    return getVar(session, name);
  }

  /** An array subscript: arithmetic for indexed arrays, text for associative ones. */
  private subscript(session: ShellSession, name: string, index: Word, sub: Expansion): string {
    if (isAssoc(session, name)) return this.expandWord(session, index, false, sub).join('').replace(/^(["'])(.*)\1$/, '$2');
    return String(this.arith(session, index, sub));
  }

  /** Evaluates an arithmetic expression (its text expanded first). */
  arith(session: ShellSession, expr: Word, sub?: Expansion): bigint {
    const text = this.expandWord(session, expr, false, sub ?? { side: [], exitCode: undefined, room: MAX_OUTPUT_CHARS }).join('');
    if (session.dash) return this.dashArith(session, text);
    try {
      return evaluateArith(text, {
        get: (name, index) => (index === undefined ? this.scalar(session, name) : getElement(session, name, String(index))) ?? '',
        set: (name, value, index) => {
          if (index === undefined) setVar(session, name, String(value));
          else setElement(session, name, String(index), String(value));
        },
      });
    } catch (error) {
      if (error instanceof ArithError) throw new ExpansionFailure(`bash: ${error.message}\n`, 1);
      throw error;
    }
  }

  /**
   * dash's arithmetic: no `**`, `++`, `--` (its lexer reads `x++` as `x + +`), `,` or `BASE#N`;
   * an error is its wording, and ends the script (status 2).
   */
  private dashArith(session: ShellSession, text: string): bigint {
    const fail = (what: string): never => {
      throw new ExpansionFailure(`${this.dashWhere()}arithmetic expression: ${what}: "${text}"\n`, 2);
    };
    if (/[#,]/.test(text)) fail('expecting EOF');
    try {
      return evaluateArith(text.replace(/([*+-])(?=\1)/g, '$1 '), {
        get: (name) => this.scalar(session, name) ?? '',
        set: (name, value) => setVar(session, name, String(value)),
      });
    } catch (error) {
      if (!(error instanceof ArithError)) throw error;
      if (/division by 0/.test(error.message)) return fail('division by zero');
      if (/`:' expected/.test(error.message)) return fail("expecting ':'");
      return fail(/syntax error in expression/.test(error.message) ? 'expecting EOF' : 'expecting primary');
    }
  }

  /** `[[ … ]]`: true/false, or the error text (status 2). */
  private evalCond(session: ShellSession, expr: CondExpr, sub: Expansion): boolean | string {
    switch (expr.kind) {
      case 'and': {
        const l = this.evalCond(session, expr.left, sub);
        return l === true ? this.evalCond(session, expr.right, sub) : l;
      }
      case 'or': {
        const l = this.evalCond(session, expr.left, sub);
        return l === false ? this.evalCond(session, expr.right, sub) : l;
      }
      case 'not': {
        const v = this.evalCond(session, expr.expr, sub);
        return typeof v === 'string' ? v : !v;
      }
      case 'word': return this.expandString(session, expr.word) !== '';
      case 'unary': {
        const arg = this.expandWord(session, expr.arg, false, sub).join('');
        return this.unaryTest(session, expr.op, arg);
      }
      case 'binary': {
        const left = this.expandWord(session, expr.left, false, sub).join('');
        switch (expr.op) {
          case '==':
          case '=':
            return matchGlob(this.expandPattern(session, expr.right, sub), left, this.budget);
          case '!=':
            return !matchGlob(this.expandPattern(session, expr.right, sub), left, this.budget);
          case '=~':
            return this.regexMatch(session, left, expr.right, sub);
          case '<':
            return left < this.expandString(session, expr.right);
          case '>':
            return left > this.expandString(session, expr.right);
        }
        const right = this.expandWord(session, expr.right, false, sub).join('');
        const l = this.arith(session, { parts: [{ kind: 'lit', text: left, quoted: false }] }, sub);
        const r = this.arith(session, { parts: [{ kind: 'lit', text: right, quoted: false }] }, sub);
        switch (expr.op) {
          case '-eq': return l === r;
          case '-ne': return l !== r;
          case '-lt': return l < r;
          case '-le': return l <= r;
          case '-gt': return l > r;
          case '-ge': return l >= r;
        }
        return false;
      }
    }
  }

  /** `-n`, `-z`, `-v` and the file tests (through `test`'s own checks). */
  private unaryTest(session: ShellSession, op: string, arg: string): boolean | string {
    if (op === '-n') return arg !== '';
    if (op === '-z') return arg === '';
    if (op === '-v') return getVar(session, arg) !== undefined;
    const test = findProgram(this.state, session, 'test');
    if (!test) return false;
    const result = test(this.context(session, Input.empty()), ['test', op, arg], this);
    if (result.exitCode > 1) return `bash: conditional binary operator expected\n`;
    return result.exitCode === 0;
  }

  /** `=~`: an extended regex (quoted parts literal); BASH_REMATCH holds the match and its groups. */
  private regexMatch(session: ShellSession, text: string, right: Word, sub: Expansion): boolean | string {
    let source = '';
    for (const part of right.parts) {
      const value = this.expandWord(session, { parts: [part] }, false, sub).join('');
      source += part.quoted ? value.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&') : value;
    }
    const matcher = compileRegex(source, { extended: true }, this.budget);
    if ('error' in matcher) return '';
    const match = matcher.matchAll(text)[0];
    if (!match) {
      setArray(session, 'BASH_REMATCH', []);
      return false;
    }
    setArray(session, 'BASH_REMATCH', [match.text, ...match.groups.map((g) => g ?? '')]);
    return true;
  }
}

/** A subscript that is `@` or `*`, or undefined. */
function plainIndex(index: Word): string | undefined {
  const only = index.parts[0];
  return index.parts.length === 1 && only?.kind === 'lit' && (only.text === '@' || only.text === '*') ? only.text : undefined;
}

/** How `set -x` shows an argument. */
function traceQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function merge(total: Outcome, next: Outcome): void {
  total.chunks = capChunks([...total.chunks, ...next.chunks]);
  total.exitCode = next.exitCode;
  total.errexit = next.errexit;
  if (next.stop) total.stop = true;
  if (next.loop) total.loop = next.loop;
  if (next.ret) total.ret = true;
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
      if (room > 0) kept.push({ fd: chunk.fd, text: chunk.text.slice(0, room), ...(chunk.reveals ? { reveals: chunk.reveals } : {}) });
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
