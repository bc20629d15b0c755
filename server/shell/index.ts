// Public API of the shell: a session per terminal, one typed line at a time, the prompt, Tab.
import type { ClusterState } from '../cluster/types.js';
import { LineBudget } from './budget.js';
import { capLineOutput, MAX_LINE_CHARS } from './limits.js';
import { parseLine } from './parse.js';
import { distinctFacts, surviving } from './reveals.js';
import { closeEndedShells } from './exec/index.js';
import { Input } from './input.js';
import { leavePlace } from './login.js';
import { Runner } from './run.js';
import { aliasesOf, remember } from './session.js';
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
  const parsed = parseLine(text, { aliases: aliasesOf(session) });
  if (!parsed.ok) {
    session.lastExitCode = 2;
    return { output: echo + parsed.error, exitCode: 2 };
  }
  if (parsed.list.length === 0) return { output: echo, exitCode: session.lastExitCode ?? 0 };
  const { interest } = options;
  const outcome = new Runner(state, interest, options.advance, options.budget ?? new LineBudget()).runTop(session, parsed.list, Input.terminal());
  session.lastExitCode = outcome.exitCode;
  // Concatenated, not joined: a big listing is not copied again here.
  let output = echo;
  for (const chunk of outcome.chunks) output += chunk.text;
  // A fact is observed when the text that shows it reached the terminal.
  const shown = interest ? distinctFacts(outcome.chunks.flatMap((c) => (c.reveals ? surviving(c.reveals, c.text) : []))) : [];
  return {
    output: capLineOutput(output),
    exitCode: outcome.exitCode,
    ...(interest ? { observed: shown } : {}),
    ...(outcome.clear ? { clear: true } : {}),
    ...(outcome.edit ? { edit: outcome.edit } : {}),
    ...(outcome.exitShell ? { exit: true } : {}),
  };
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
