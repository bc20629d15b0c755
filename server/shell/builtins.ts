// bash builtins and the small coreutils a player reaches for: echo, export, history, date…
import { wallClock } from '../cluster/logs.js';
import { parseDate } from './date-parse.js';
import { strftime } from './strftime.js';
import { escapedByte, settleBytes } from './bytes.js';
import { cd } from './file-tools.js';
import { assignVar, exportVar, hostOf, currentNode, internalIP, own, userOf } from './session.js';
import { declareLine } from './vars.js';
import { cwdOf } from './vfs.js';
import type { CommandContext, ShellCommand } from './types.js';
import { fail, ok } from './types.js';
import { MAX_SLEEP_PER_LINE_MS } from './limits.js';
import { processClockMark } from './process-clock.js';
import { bracketCommand, testCommand } from './test-command.js';

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

const echo: ShellCommand = (ctx, argv) => {
  // dash's echo takes one option, exactly `-n`, and always reads escapes (no `\x`; `\101` is octal too).
  const dash = ctx.session.dash === true;
  let newline = true;
  let escapes = dash;
  let i = 1;
  if (dash && argv[1] === '-n') {
    newline = false;
    i = 2;
  }
  for (; !dash && i < argv.length; i++) {
    const arg = argv[i]!;
    if (!/^-[neE]+$/.test(arg)) break;
    for (const f of arg.slice(1)) {
      if (f === 'n') newline = false;
      else escapes = f === 'e';
    }
  }
  let text = argv.slice(i).join(' ');
  if (escapes) {
    const cut = text.indexOf('\\c');
    if (cut >= 0) {
      text = text.slice(0, cut);
      newline = false;
    }
    text = unescapeEcho(text, dash);
  }
  return ok(newline ? `${text}\n` : text);
};

function unescapeEcho(s: string, dash: boolean): string {
  const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', a: '\x07', b: '\b', e: '\x1b', f: '\f', v: '\v' };
  const escape = dash ? /\\(0[0-7]{0,3}|[1-7][0-7]{0,2}|.)/g : /\\(0[0-7]{0,3}|x[0-9a-fA-F]{1,2}|.)/g;
  return settleBytes(s.replace(escape, (all, c: string) => {
    if (/^[0-7]/.test(c)) return escapedByte(parseInt(c.startsWith('0') ? c.slice(1) || '0' : c, 8));
    if (c.startsWith('x') && c.length > 1) return escapedByte(parseInt(c.slice(1), 16));
    return map[c] ?? all;
  }));
}

const EXPORT_USAGE = 'export: usage: export [-fn] [name[=value] ...] or export -p\n';

const exportCmd: ShellCommand = (ctx, argv) => {
  const { session } = ctx;
  let unmark = false;
  let functions = false;
  let i = 1;
  for (; i < argv.length && /^-./.test(argv[i]!) && argv[i] !== '--'; i++) {
    for (const letter of argv[i]!.slice(1)) {
      if (letter === 'n') unmark = true;
      else if (letter === 'f') functions = true;
      else if (letter !== 'p') return fail(`bash: export: -${letter}: invalid option\n${EXPORT_USAGE}`, 2);
    }
  }
  if (argv[i] === '--') i++;
  const args = argv.slice(i);
  if (args.length === 0) {
    if (functions) return ok();
    // The environment's variables with their attributes, and the names only marked (`export X`), sorted together.
    const names = new Set([...Object.keys(ctx.env), ...Object.keys(session.exported ?? {})]);
    return ok([...names].sort().map((n) => declareLine(session, n, ctx.env)).join(''));
  }
  let stderr = '';
  for (const arg of args) {
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    if (functions) {
      // `export -f NAME`: a child bash gets the function (dash does not read them).
      if (eq >= 0 || !own(session.functions, name)) stderr += `bash: export: ${arg}: not a function\n`;
      else if (unmark) delete session.exportedFunctions?.[name];
      else (session.exportedFunctions ??= {})[name] = true;
      continue;
    }
    if (!NAME_RE.test(name)) {
      stderr += `bash: export: \`${arg}': not a valid identifier\n`;
      continue;
    }
    if (unmark) {
      if (session.exported) delete session.exported[name];
      if (eq >= 0) stderr += assignVar(session, name, arg.slice(eq + 1)) ?? '';
      continue;
    }
    // An array is marked but, as in bash, never reaches a program's environment.
    const array = own(session.arrays, name) !== undefined || own(session.assoc, name) !== undefined;
    // `export NAME` of an unset name only marks it: it stays unset (and out of the environment) until assigned.
    const value = eq >= 0 ? arg.slice(eq + 1) : (own(session.vars, name) ?? own(ctx.env, name));
    const refused = value === undefined || (array && eq < 0) ? undefined : assignVar(session, name, value);
    if (refused) stderr += refused;
    else if (!array) exportVar(session, name);
  }
  return { stdout: '', stderr, exitCode: stderr ? 1 : 0 };
};

const history: ShellCommand = (ctx, argv) => {
  const arg = argv[1];
  if (arg === '-c') {
    ctx.session.history.length = 0;
    ctx.session.historyBase = 0;
    return ok();
  }
  const all = ctx.session.history;
  let from = 0;
  if (arg !== undefined) {
    if (!/^\d+$/.test(arg)) return fail(`bash: history: ${arg}: numeric argument required\n`);
    from = Math.max(0, all.length - Number(arg));
  }
  const base = ctx.session.historyBase ?? 0;
  return ok(all.slice(from).map((line, i) => `${String(base + from + i + 1).padStart(5)}  ${line}\n`).join(''));
};

const pwd: ShellCommand = (ctx) => ok(`${cwdOf(ctx.session)}\n`);

const whoami: ShellCommand = (ctx) => ok(`${userOf(ctx.session)}\n`);

const hostname: ShellCommand = (ctx, argv) => {
  if (argv[1] === '-I' || argv[1] === '-i') {
    const node = currentNode(ctx.state, ctx.session);
    return ok(`${node ? internalIP(node) ?? '' : '10.0.0.5'} \n`);
  }
  return ok(`${hostOf(ctx.session)}\n`);
};

/** date's -I and --rfc-3339 layouts, by the argument that names them (an unambiguous prefix will do). */
const ISO_FORMATS: Record<string, string> = { hours: '%Y-%m-%dT%H%:z', minutes: '%Y-%m-%dT%H:%M%:z', date: '%Y-%m-%d', seconds: '%Y-%m-%dT%H:%M:%S%:z', ns: '%Y-%m-%dT%H:%M:%S,%N%:z' };
const RFC_3339_FORMATS: Record<string, string> = { date: '%Y-%m-%d', seconds: '%Y-%m-%d %H:%M:%S%:z', ns: '%Y-%m-%d %H:%M:%S.%N%:z' };
const DATE_HELP = "Try 'date --help' for more information.\n";

/** coreutils' argmatch: an exact name or an unambiguous prefix, else its message. */
function argmatch(formats: Record<string, string>, arg: string, option: string): string | { error: string } {
  const names = Object.keys(formats);
  const found = names.includes(arg) ? [arg] : names.filter((n) => arg !== '' && n.startsWith(arg));
  if (found.length === 1) return formats[found[0]!]!;
  const what = found.length ? 'ambiguous' : 'invalid';
  return { error: `date: ${what} argument ‘${arg}’ for ‘${option}’\nValid arguments are:\n${names.map((n) => `  - ‘${n}’\n`).join('')}${DATE_HELP}` };
}

/** coreutils `date` in the C locale, UTC: `Mon Jun  3 09:00:00 UTC 2024`, `+FORMAT`, -I, -R, --rfc-3339. */
const date: ShellCommand = (ctx, argv) => {
  // In a container's process, its own clock: a loop's `date; sleep 1` prints each second.
  const clock = ctx.session.processClock;
  let when = wallClock(ctx.state, clock ? clock.startedAt + clock.elapsed : ctx.state.now);
  let format: string | undefined;
  let plus: string | undefined;
  const args = argv.slice(1);
  const setFormat = (f: string | { error: string }): string | undefined => {
    if (typeof f !== 'string') return f.error;
    if (format !== undefined) return 'date: multiple output formats specified\n';
    format = f;
    return undefined;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const dateFlag = /^(?:-d|--date)(?:=(.*))?$/s.exec(arg) ?? (arg.startsWith('-d') && arg.length > 2 ? [arg, arg.slice(2)] : null);
    const iso = /^(?:-I(.*)|--iso-8601(?:=(.*))?)$/s.exec(arg);
    const rfc = /^--rfc-3339(?:=(.*))?$/s.exec(arg);
    let error: string | undefined;
    if (arg.startsWith('+')) {
      if (plus !== undefined) return fail(`date: extra operand ‘${arg}’\n${DATE_HELP}`);
      plus = arg.slice(1);
    } else if (dateFlag) {
      const text = dateFlag[1] ?? args[++i];
      if (text === undefined) return fail(`date: option requires an argument -- 'd'\n${DATE_HELP}`);
      const parsed = parseDate(text, wallClock(ctx.state, ctx.state.now));
      if (!parsed) return fail(`date: invalid date ‘${text}’\n`);
      when = parsed;
    } else if (arg === '-u' || arg === '--utc' || arg === '--universal') continue;
    else if (arg === '-R' || arg === '--rfc-email') error = setFormat('%a, %d %b %Y %H:%M:%S %z');
    else if (iso) {
      const which = iso[1] ?? iso[2];
      error = setFormat(which ? argmatch(ISO_FORMATS, which, '--iso-8601') : ISO_FORMATS.date!);
    } else if (rfc) {
      if (rfc[1] === undefined) return fail(`date: option '--rfc-3339' requires an argument\n${DATE_HELP}`);
      error = setFormat(argmatch(RFC_3339_FORMATS, rfc[1], '--rfc-3339'));
    } else if (arg.startsWith('--')) return fail(`date: unrecognized option '${arg}'\n${DATE_HELP}`);
    else if (arg.startsWith('-') && arg.length > 1) return fail(`date: invalid option -- '${arg[1]}'\n${DATE_HELP}`);
    else return fail(`date: invalid date ‘${arg}’\n`);
    if (error) return fail(error);
  }
  if (plus !== undefined && format !== undefined) return fail('date: multiple output formats specified\n');
  return ok(`${strftime(when, plus ?? format ?? '%a %b %e %H:%M:%S %Z %Y')}\n`);
};

const SLEEP_UNITS: Record<string, number> = { '': 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `N[smhd]` durations as sleep and timeout read them: milliseconds, or the word that is not one. */
export function durationMs(args: string[]): number | { bad: string } {
  const bad = args.find((a) => !/^(\d+(\.\d*)?|\.\d+)[smhd]?$/.test(a));
  if (bad !== undefined) return { bad };
  return args.reduce((sum, a) => sum + Number(a.replace(/[smhd]$/, '')) * SLEEP_UNITS[/[smhd]$/.exec(a)?.[0] ?? '']!, 0);
}

/**
 * `sleep N[smhd]…`: the room's simulated clock advances (at most MAX_SLEEP_PER_LINE_MS a line).
 * `sleep infinity` (coreutils and busybox read it as strtod does: inf, infinity, any case)
 * never ends: a container's process waits there for good (its script is followed no further);
 * typed alone at an interactive terminal it blocks until Ctrl-C, as bash would, while the
 * room's clock goes on; anywhere else it lets the line's allowance pass, like a long sleep.
 */
const sleep: ShellCommand = (ctx, argv) => {
  const args = argv.slice(1);
  if (args.length === 0) return fail("sleep: missing operand\nTry 'sleep --help' for more information.\n");
  const forever = args.some((a) => /^inf(inity)?$/i.test(a));
  const ms = durationMs(args.filter((a) => !/^inf(inity)?$/i.test(a)));
  if (typeof ms !== 'number') return fail(`sleep: invalid time interval '${ms.bad}'\nTry 'sleep --help' for more information.\n`);
  const clock = ctx.session.processClock;
  if (forever && ctx.resume) return ok();
  if (forever && ctx.follow && !clock) {
    ctx.follow({ kind: 'sleep' });
    return ok();
  }
  const wanted = forever ? Infinity : ms;
  const passed = ctx.passTime?.(wanted) ?? wanted;
  // In a container's process, the output is marked with its clock: lines are timed by it.
  if (clock) return ok(processClockMark(clock.elapsed));
  if (passed < wanted) return { stdout: '', stderr: `sleep: simulated time passes at most ${MAX_SLEEP_PER_LINE_MS / 60_000} minutes per line\n`, exitCode: 0 };
  return ok();
};

const clear: ShellCommand = () => ({ stdout: '', stderr: '', exitCode: 0, clear: true });

const trueCmd: ShellCommand = () => ok();
const falseCmd: ShellCommand = () => ({ stdout: '', stderr: '', exitCode: 1 });

/** The environment, `NAME=value` a line (or each ended by NUL, `env -0`). */
export const environment = (vars: Record<string, string | undefined>, end = '\n'): string =>
  Object.entries(vars).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}${end}`).join('');

/** `printenv [NAME…]`: the whole environment, or each value; 1 if one is not set. */
const printenv: ShellCommand = (ctx, argv) => {
  const names = argv.slice(1);
  if (names.length === 0) return ok(environment(ctx.env));
  const found = names.filter((n) => own(ctx.env, n) !== undefined);
  return { stdout: found.map((n) => `${ctx.env[n]}\n`).join(''), stderr: '', exitCode: found.length === names.length ? 0 : 1 };
};

/** Shell builtins proper: they change the shell itself, so `sudo` and `xargs` cannot run them. */
export const shellBuiltins: Record<string, ShellCommand> = { export: exportCmd, history, cd };

/** Builtins that also exist as programs, and the coreutils the shell provides everywhere. */
export const utilities: Record<string, ShellCommand> = {
  echo, pwd, true: trueCmd, false: falseCmd, whoami, hostname, date, sleep, clear, test: testCommand, '[': bracketCommand, printenv,
};
