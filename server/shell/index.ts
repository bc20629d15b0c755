// Public API of the shell: a session per terminal, one typed line at a time, the prompt, Tab.
import { registerShell } from './entry.js';
import type { Fact } from '../cluster/facts.js';
import type { ClusterState } from '../cluster/types.js';
import { LineBudget } from './budget.js';
import { capLineOutput, MAX_LINE_CHARS, MAX_OUTPUT_CHARS } from './limits.js';
import { parseLine, type List } from './parse.js';
import { distinctFacts, surviving } from './reveals.js';
import { closeEndedShells } from './exec/index.js';
import { Input } from './input.js';
import { leavePlace } from './login.js';
import { Runner } from './run.js';
import { aliasesOf, remember } from './session.js';
import { furnishWorkstation } from './vfs.js';
import { reapJobs } from './jobs.js';
import type { LineOptions, LineResult, ShellSession } from './types.js';

export type * from './types.js';
export { newSession, prompt } from './session.js';
export { complete } from './complete.js';
export { editLine, needsMoreInput, parseLine } from './parse.js';

/**
 * Runs one typed line: history expansion (`!!`, `!N`, `!-N`, `!prefix`, `!$`), history,
 * parsing, execution. The output holds stderr and stdout in the order a terminal shows them.
 */
export function runLine(state: ClusterState, session: ShellSession, line: string, options: LineOptions = {}): LineResult {
  const expanded = expandHistory(line, session.history, session.historyBase ?? 0);
  if ('error' in expanded) {
    if (line.trim() !== '') remember(session, line);
    return { output: expanded.error, exitCode: 1 };
  }
  const text = expanded.line;
  if (text.trim() !== '') remember(session, text);
  furnishWorkstation(state, session);
  // A container's shell ended with its container while the player was not typing.
  const ended = session.container ? closeEndedShells(state, session, leavePlace) : '';
  const echo = `${ended}${text !== line ? `${text}\n` : ''}`;
  try {
    return runText(state, session, text, echo, options);
  } catch (error) {
    // Last guard: `$($($(…)))` nested deep enough overflows the stack; answer, don't crash the room.
    if (!(error instanceof RangeError)) throw error;
    session.lastExitCode = 1;
    return { output: `${echo}bash: line too deeply nested or too large\n`, exitCode: 1 };
  }
}

/** Parses and runs a line after history expansion; `echo` is the expanded line when it changed. */
function runText(state: ClusterState, session: ShellSession, text: string, echo: string, options: LineOptions): LineResult {
  const parsed = parseLine(text, { aliases: aliasesOf(session), dash: session.dash === true });
  if (!parsed.ok) {
    session.lastExitCode = 2;
    // dash typed at the terminal names itself `sh` (login.ts enterNestedShell).
    return { output: echo + parsed.error.replace('$0', 'sh'), exitCode: 2 };
  }
  if (parsed.list.length === 0) return { output: echo, exitCode: session.lastExitCode ?? 0 };
  const { interest } = options;
  const runner = new Runner(state, interest, options.advance, options.budget ?? new LineBudget());
  runner.follow = options.interactive === true && printsToTerminal(parsed.list);
  delete session.stream;
  const outcome = runner.runTop(session, parsed.list, options.stdin !== undefined ? new Input(options.stdin) : Input.terminal());
  session.lastExitCode = outcome.exitCode;
  // Concatenated, not joined: a big listing is not copied again here.
  let output = echo;
  for (const chunk of outcome.chunks) output += chunk.text;
  // What the background jobs printed as they ended, before the next prompt.
  if (session.jobs) output += reapJobs(state, session);
  // A fact is observed when the text that shows it reached the terminal.
  const shown = interest ? distinctFacts(outcome.chunks.flatMap((c) => (c.reveals ? surviving(c.reveals, c.text) : []))) : [];
  return {
    output: capLineOutput(output),
    exitCode: outcome.exitCode,
    ...(interest ? { observed: shown } : {}),
    ...(outcome.clear ? { clear: true } : {}),
    ...(outcome.edit ? { edit: outcome.edit } : {}),
    ...(outcome.exitShell ? { exit: true } : {}),
    ...(session.stream ? { streaming: true } : {}),
  };
}

/**
 * A script a container runs as its own process (`sh -c '…'` in a pod's command): no history,
 * prompt or terminal. `advance` is the process's own clock (its `sleep`s pass up to
 * `sleepAllowanceMs` in all); the cluster's time does not move while it runs. With `pause`,
 * a loop of the script's list stops before an iteration once it says so (`pausedAt`, its
 * place), and a run `from` there goes on in the session it left (Runner.runSlice).
 */
export function runScript(
  state: ClusterState, session: ShellSession, text: string,
  options: { advance: (ms: number) => void; budget: LineBudget; sleepAllowanceMs: number; pause?: () => boolean; from?: number },
): { output: string; exitCode: number; tooDeep?: true; pausedAt?: number; stoppedForWork?: true } {
  const parsed = parseLine(text);
  if (!parsed.ok) return { output: parsed.error, exitCode: 2 };
  let outcome;
  try {
    outcome = new Runner(state, undefined, options.advance, options.budget, options.sleepAllowanceMs).runSlice(session, parsed.list, options.from ?? 0, options.pause);
  } catch (error) {
    // As runLine's last guard: `eval` nested past the JS stack is answered, not thrown into a tick.
    if (!(error instanceof RangeError)) throw error;
    return { output: 'sh: line too deeply nested or too large\n', exitCode: 2, tooDeep: true };
  }
  let output = '';
  for (const chunk of outcome.chunks) output += chunk.text;
  return { output: capLineOutput(output), exitCode: outcome.exitCode, ...(outcome.pausedAt !== undefined ? { pausedAt: outcome.pausedAt } : {}), ...(outcome.stoppedForWork ? { stoppedForWork: true as const } : {}) };
}

registerShell({ runLine, runScript });

/** One command, not piped, redirected or in the background: what it prints goes to the terminal as it comes. */
function printsToTerminal(list: List): boolean {
  const only = list.length === 1 && list[0]!.rest.length === 0 && !list[0]!.background ? list[0]!.first : undefined;
  const command = only && !only.negated && only.commands.length === 1 ? only.commands[0] : undefined;
  return command?.kind === 'simple' && command.redirects.length === 0;
}

/** Most characters one stream prints: then it stops, as if interrupted, saying so. */
export const MAX_STREAM_CHARS = MAX_OUTPUT_CHARS;

/**
 * The session's stream goes on: simulated time passed, its program prints what is new. Its
 * own line budget, so a step is bounded like a typed line; `ended` when nothing more will come.
 */
export function continueStream(state: ClusterState, session: ShellSession, options: Pick<LineOptions, 'budget' | 'interest'> = {}): { output: string; ended: boolean; observed?: Fact[] } {
  const stream = session.stream;
  if (!stream) return { output: '', ended: true };
  const { interest } = options;
  const { result, reveals } = new Runner(state, interest, undefined, options.budget ?? new LineBudget()).stepStream(session);
  let output = capLineOutput(`${result.stdout}${result.stderr}`);
  let ended = result.streamEnded === true || result.exitCode !== 0 || session.stream === undefined;
  stream.printed += output.length;
  if (!ended && stream.printed > MAX_STREAM_CHARS) {
    output += `kubedrill: this command printed ${MAX_STREAM_CHARS} characters; stopped (run it again to go on)\n`;
    ended = true;
  }
  if (ended) delete session.stream;
  return { output, ended, ...(interest ? { observed: distinctFacts(surviving(reveals, output)) } : {}) };
}

/** Ctrl-C: the stream stops; the terminal shows `^C` and the prompt again, status 130. */
export function interruptStream(session: ShellSession): string {
  if (!session.stream) return '';
  delete session.stream;
  session.lastExitCode = 130;
  return '^C\n';
}

/** bash's history expansion for the common designators, outside single quotes. */
function expandHistory(line: string, history: string[], base: number): { line: string } | { error: string } {
  if (!line.includes('!')) return { line };
  let out = '';
  let inSingle = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'" ) inSingle = !inSingle;
    if (c === '\\' && line[i + 1] === '!') {
      out += '\\!';
      i++;
      continue;
    }
    // `${!name}` is indirection, not history (bash checks for it too).
    if (c !== '!' || inSingle || line.slice(i - 2, i) === '${') {
      out += c;
      continue;
    }
    const rest = line.slice(i + 1);
    const m = /^(!|\$|-?\d+|[A-Za-z_.\/][^\s;|&]*)/.exec(rest);
    if (!m) {
      out += c;
      continue;
    }
    const designator = m[1]!;
    let event: string | undefined;
    if (designator === '!' || designator === '$') event = history.at(-1);
    else if (/^-\d+$/.test(designator)) event = history.at(Number(designator));
    else if (/^\d+$/.test(designator)) event = history[Number(designator) - 1 - base];
    else event = [...history].reverse().find((h) => h.startsWith(designator));
    if (event === undefined) return { error: `bash: !${designator}: event not found\n` };
    out += designator === '$' ? (event.trim().split(/\s+/).at(-1) ?? '') : event;
    // `!! !!` doubles the line each time it is run again: stop before it grows without bound.
    if (out.length > MAX_LINE_CHARS) return { error: 'bash: line too long\n' };
    i += designator.length;
  }
  return { line: out };
}
