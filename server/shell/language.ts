// The builtins that are part of the language itself, because they act on the running shell:
// variables and scopes (read, local, declare, unset, let, mapfile), options (set, shopt),
// control (return, shift, break, continue), other code (eval, source, command, trap) and
// aliases. They run inside the Runner (LanguageHost), with the stream of standard input.
import { ArithError, evaluateArith } from './arith.js';
import { Input } from './input.js';
import { MAX_VARIABLES } from './limits.js';
import type { Outcome } from './run.js';
import { aliasesOf, assignVar, exportVar, own, setOwn, unsetVar as unsetScalar } from './session.js';
import type { ShellSession } from './types.js';
import { declareLine, getElements, getVar, MAX_ARRAY_LENGTH, NAME_RE, newAssoc, restoreArrays, setArray, setVar, unsetElement, unsetVar } from './vars.js';

/** What these builtins need from the interpreter running them. */
export interface LanguageHost {
  loopDepth: number;
  /** Positional parameters per running function; the first entry is the line's (none). */
  positional: string[][];
  /** Per running function: how to restore each variable it made local. */
  locals: Map<string, () => void>[];
  runText(session: ShellSession, text: string, stdin: Input): Outcome;
  runProgram(session: ShellSession, argv: string[], stdin: Input): Outcome;
  loopControl(argv: string[]): Outcome;
  scalar(session: ShellSession, name: string): string | undefined;
  /** Reads a file the shell may source, or the error text. */
  readScript(session: ShellSession, path: string): { text: string } | { error: string };
  /** What starts dash's messages: its name or script, and the line (`sh: 2: `). */
  dashWhere(): string;
}

type Builtin = (host: LanguageHost, session: ShellSession, argv: string[], stdin: Input) => Outcome;

const result = (stdout: string, stderr = '', exitCode = 0): Outcome => {
  const chunks: Outcome['chunks'] = [];
  if (stdout !== '') chunks.push({ fd: 1, text: stdout });
  if (stderr !== '') chunks.push({ fd: 2, text: stderr });
  return { chunks, exitCode };
};

/** IFS whitespace and the other IFS characters. */
function ifsOf(session: ShellSession): { ifs: string; white: string } {
  const ifs = getVar(session, 'IFS') ?? ' \t\n';
  return { ifs, white: [...ifs].filter((c) => c === ' ' || c === '\t' || c === '\n').join('') };
}

/** Splits a line read by `read` into `count` values, the last one taking the rest, as bash does. */
export function splitForRead(line: string, ifs: string, white: string, count: number | undefined): string[] {
  const values: string[] = [];
  let i = 0;
  const skipWhite = (): void => {
    while (i < line.length && white.includes(line[i]!)) i++;
  };
  skipWhite();
  while (i < line.length && (count === undefined || values.length < count - 1)) {
    let field = '';
    while (i < line.length && !ifs.includes(line[i]!)) field += line[i++];
    values.push(field);
    skipWhite();
    if (i < line.length && ifs.includes(line[i]!) && !white.includes(line[i]!)) {
      i++;
      skipWhite();
    }
  }
  if (count === undefined) return values;
  let rest = line.slice(i);
  let end = rest.length;
  while (end > 0 && white.includes(rest[end - 1]!)) end--;
  rest = rest.slice(0, end);
  // A single field left with one delimiter after it: the delimiter goes.
  const last = rest.at(-1);
  if (last !== undefined && ifs.includes(last) && ![...rest.slice(0, -1)].some((c) => ifs.includes(c))) rest = rest.slice(0, -1);
  if (i < line.length || values.length < count) values.push(rest);
  return values;
}

const read: Builtin = (_host, session, argv, stdin) => {
  let raw = false;
  let arrayName: string | undefined;
  let delimiter = '\n';
  let chars: number | undefined;
  const names: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]!;
    if (names.length > 0 || !arg.startsWith('-') || arg === '-') {
      names.push(arg);
      continue;
    }
    if (arg === '--') {
      names.push(...argv.slice(i + 1));
      break;
    }
    for (let j = 1; j < arg.length; j++) {
      const flag = arg[j]!;
      if (flag === 'r') raw = true;
      else if (flag === 's' || flag === 'e') continue;
      else if ('adpntuN'.includes(flag)) {
        const value = j + 1 < arg.length ? arg.slice(j + 1) : argv[++i];
        if (value === undefined) return result('', `bash: read: -${flag}: option requires an argument\nread: usage: read [-ers] [-a array] [-d delim] [-i text] [-n nchars] [-N nchars] [-p prompt] [-t timeout] [-u fd] [name ...]\n`, 2);
        if (flag === 'a') arrayName = value;
        else if (flag === 'd') delimiter = value.slice(0, 1);
        else if (flag === 'n' || flag === 'N') chars = Number(value);
        break;
      } else return result('', `bash: read: -${flag}: invalid option\nread: usage: read [-ers] [-a array] [-d delim] [-i text] [-n nchars] [-N nchars] [-p prompt] [-t timeout] [-u fd] [name ...]\n`, 2);
    }
  }
  const bad = [...names, ...(arrayName ? [arrayName] : [])].find((n) => !NAME_RE.test(n));
  if (bad !== undefined) return result('', `bash: read: \`${bad}': not a valid identifier\n`, 1);
  let line: string;
  let ended: boolean;
  if (chars !== undefined) {
    line = stdin.take(chars);
    ended = line.length === chars;
  } else {
    let record = stdin.record(delimiter);
    if (!record) {
      for (const n of names.length > 0 ? names : ['REPLY']) setVar(session, n, '');
      if (arrayName) setArray(session, arrayName, []);
      return result('', '', 1);
    }
    line = record.text;
    ended = record.ended;
    // Without -r a backslash at the end joins the next line, and escapes the next character.
    while (!raw && ended && /(^|[^\\])(\\\\)*\\$/.test(line)) {
      record = stdin.record(delimiter);
      line = line.slice(0, -1) + (record?.text ?? '');
      ended = record?.ended ?? false;
    }
  }
  const { ifs, white } = ifsOf(session);
  const unescape = (s: string): string => (raw ? s : s.replace(/\\(.)/gs, '$1'));
  if (arrayName) {
    const refused = setArray(session, arrayName, splitForRead(raw ? line : line, ifs, white, undefined).map(unescape).slice(0, MAX_ARRAY_LENGTH));
    if (refused) return result('', refused, 1);
  } else if (names.length === 0) {
    setVar(session, 'REPLY', unescape(line));
  } else {
    const values = splitForRead(line, ifs, white, names.length);
    names.forEach((n, i) => setVar(session, n, unescape(values[i] ?? '')));
  }
  return result('', '', ended ? 0 : 1);
};

/** `a=(…)` handled by the runner arrives as a name; `x=v` and bare names otherwise. */
function declareNames(host: LanguageHost, session: ShellSession, argv: string[], tool: string, local: boolean): Outcome {
  let stderr = '';
  let assoc = false;
  let indexed = false;
  let print = false;
  let functions = false;
  let global = false;
  let exported = false;
  let integer = false;
  const args: string[] = [];
  for (const arg of argv.slice(1)) {
    if (/^[-+][a-zA-Z]+$/.test(arg) && args.length === 0) {
      if (arg.includes('g')) global = true;
      if (arg.includes('A')) assoc = true;
      if (arg.includes('a')) indexed = true;
      if (arg.includes('p')) print = true;
      if (arg.includes('f') || arg.includes('F')) functions = true;
      if (arg.startsWith('-') && arg.includes('x')) exported = true;
      if (arg.startsWith('-') && arg.includes('i')) integer = true;
      continue;
    }
    args.push(arg);
  }
  if (functions) return result(Object.keys(session.functions ?? {}).sort().map((f) => `declare -f ${f}\n`).join(''));
  if (print || args.length === 0) {
    const names = args.length > 0 ? args : Object.keys(session.vars).sort();
    let stdout = '';
    let stderr = '';
    for (const n of names) {
      const line = declareLine(session, n);
      if (line === undefined) stderr += `bash: ${tool}: ${n}: not found\n`;
      else stdout += line;
    }
    return result(stdout, stderr, stderr ? 1 : 0);
  }
  const frame = host.locals.at(-1);
  if (local && !frame) {
    // dash's `local` outside a function ends the script.
    if (session.dash) return { ...result('', `${host.dashWhere()}local: not in a function\n`, 2), stop: true };
    return result('', `bash: ${tool}: can only be used in a function\n`, 1);
  }
  // In a function, `declare` and `typeset` make locals too (unless -g).
  const scoped = frame !== undefined && (local || ((tool === 'declare' || tool === 'typeset') && !global));
  /** How many names are marked -i (counted once a call, when first needed). */
  let integers: number | undefined;
  for (const arg of args) {
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    if (!NAME_RE.test(name)) {
      stderr += `bash: ${tool}: \`${arg}': not a valid identifier\n`;
      continue;
    }
    if (scoped && !frame.has(name)) frame.set(name, saveVariable(session, name));
    const refused = assoc ? newAssoc(session, name) : indexed && !own(session.arrays, name) ? setArray(session, name, []) : undefined;
    if (refused) {
      stderr += refused;
      continue;
    }
    if (assoc) unsetScalar(session, name);
    let value = arg.slice(eq + 1);
    if (eq >= 0 && (integer || own(session.integers, name))) {
      try {
        value = String(evaluateArith(value || '0', arithEnv(host, session)));
      } catch (error) {
        if (!(error instanceof ArithError)) throw error;
        stderr += `bash: ${tool}: ${error.message}\n`;
        continue;
      }
    }
    if (eq >= 0) {
      const refused = setVar(session, name, value);
      if (refused) stderr += refused;
      else if (exported && !assoc && !indexed) exportVar(session, name);
    } else if (exported && !assoc && !indexed) exportVar(session, name);
    else if (scoped) {
      unsetVar(session, name);
      if (assoc) stderr += newAssoc(session, name) ?? '';
      else if (indexed) setArray(session, name, []);
    }
    if (integer && !own(session.integers, name)) {
      // Bounded like variables (a line of `declare -i` marked 27,000 names, and lines more without end).
      integers ??= Object.keys(session.integers ?? {}).length;
      if (integers >= MAX_VARIABLES) stderr += `bash: ${tool}: ${name}: cannot mark: a session holds at most ${MAX_VARIABLES} integer variables\n`;
      else {
        setOwn((session.integers ??= {}), name, true);
        integers++;
      }
    }
  }
  return result('', stderr, stderr ? 1 : 0);
}

/** How to put a variable back as it was (a function's `local` ends). */
function saveVariable(session: ShellSession, name: string): () => void {
  const scalar = Object.hasOwn(session.vars, name) ? session.vars[name] : undefined;
  const array = own(session.arrays, name);
  const assoc = own(session.assoc, name);
  return () => {
    unsetVar(session, name);
    if (scalar !== undefined) assignVar(session, name, scalar);
    restoreArrays(session, name, array, assoc);
  };
}

const SET_OPTIONS: Record<string, keyof NonNullable<ShellSession['options']>> = { e: 'errexit', u: 'nounset', x: 'xtrace' };
const LONG_OPTIONS = ['errexit', 'nounset', 'xtrace', 'pipefail'] as const;
/** dash 0.5.12 has no pipefail: `set -o pipefail` in a script run by sh is the classic line that works in bash only. */
const DASH_LONG_OPTIONS: ReadonlySet<string> = new Set(['errexit', 'nounset', 'xtrace']);

const set: Builtin = (host, session, argv) => {
  const options = (session.options ??= {});
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--' || (!arg.startsWith('-') && !arg.startsWith('+'))) {
      host.positional[host.positional.length - 1] = argv.slice(arg === '--' ? i + 1 : i);
      return result('');
    }
    const on = arg.startsWith('-');
    for (const letter of arg.slice(1)) {
      if (letter === 'o') {
        const name = argv[++i];
        if (name === undefined) {
          return result(LONG_OPTIONS.map((o) => `${o.padEnd(15)}\t${options[o] ? 'on' : 'off'}\n`).join(''));
        }
        // set is a special builtin: its error ends a non-interactive dash (the rest of the line here).
        if (session.dash && !DASH_LONG_OPTIONS.has(name)) return { ...result('', `${host.dashWhere()}set: Illegal option -o ${name}\n`, 2), stop: true };
        if (!(LONG_OPTIONS as readonly string[]).includes(name)) return result('', `bash: set: ${name}: invalid option name\n`, 1);
        options[name as (typeof LONG_OPTIONS)[number]] = on;
      } else if (SET_OPTIONS[letter]) options[SET_OPTIONS[letter]] = on;
      else if (!'hBHmbfnvkPCaT'.includes(letter)) {
        return result('', `bash: set: ${arg[0]}${letter}: invalid option\nset: usage: set [-abefhkmnptuvxBCEHPT] [-o option-name] [--] [-] [arg ...]\n`, 2);
      }
    }
  }
  if (argv.length === 1) {
    const names = Object.keys(session.vars).sort();
    return result(names.map((n) => `${n}=${session.vars[n]}\n`).join(''));
  }
  return result('');
};

const shift: Builtin = (host, _session, argv) => {
  const n = argv[1] === undefined ? 1 : Number(argv[1]);
  if (!Number.isInteger(n) || n < 0) return result('', `bash: shift: ${argv[1]}: numeric argument required\n`, 1);
  const args = host.positional.at(-1)!;
  if (n > args.length) return result('', '', 1);
  host.positional[host.positional.length - 1] = args.slice(n);
  return result('');
};

const returnCmd: Builtin = (host, session, argv) => {
  if (host.positional.length <= 1) return result('', "bash: return: can only `return' from a function or sourced script\n", 1);
  const arg = argv[1];
  if (arg !== undefined && !/^-?\d+$/.test(arg)) return { ...result('', `bash: return: ${arg}: numeric argument required\n`, 2), ret: true };
  const code = arg === undefined ? (session.lastExitCode ?? 0) : ((Number(arg) % 256) + 256) % 256;
  return { chunks: [], exitCode: code, ret: true };
};

const SIGNALS = ['EXIT', 'HUP', 'INT', 'QUIT', 'TERM', 'ERR', 'DEBUG', 'RETURN', 'USR1', 'USR2', 'PIPE', 'ALRM', 'CHLD'];
const SIGNAL_NUMBERS: Record<string, string> = { '0': 'EXIT', '1': 'HUP', '2': 'INT', '3': 'QUIT', '15': 'TERM' };

const trap: Builtin = (_host, session, argv) => {
  const args = argv.slice(1);
  const traps = (session.traps ??= {});
  if (args.length === 0 || args[0] === '-p') {
    const wanted = args.slice(1).map((s) => signalName(s) ?? s);
    return result(Object.entries(traps).filter(([s]) => wanted.length === 0 || wanted.includes(s))
      .map(([s, cmd]) => `trap -- '${cmd.replace(/'/g, `'\\''`)}' ${s}\n`).join(''));
  }
  if (args[0] === '-l') return result(SIGNALS.map((s, i) => `${i + 1}) SIG${s}`).join('\n') + '\n');
  const [action, ...signals] = args[0] === '--' ? args.slice(1) : args;
  let stderr = '';
  for (const s of signals) {
    const name = signalName(s);
    if (!name) {
      stderr += `bash: trap: ${s}: invalid signal specification\n`;
      continue;
    }
    if (action === '-') delete traps[name];
    else traps[name] = action!;
  }
  return result('', stderr, stderr ? 1 : 0);
};

function signalName(s: string): string | undefined {
  const upper = s.toUpperCase().replace(/^SIG/, '');
  if (SIGNAL_NUMBERS[upper]) return SIGNAL_NUMBERS[upper];
  return SIGNALS.includes(upper) ? upper : undefined;
}

const source: Builtin = (host, session, argv, stdin) => {
  const path = argv[1];
  if (path === undefined) return result('', `bash: ${argv[0]}: filename argument required\n${argv[0]}: usage: ${argv[0]} filename [arguments]\n`, 2);
  const script = host.readScript(session, path);
  if ('error' in script) return result('', script.error, 1);
  host.positional.push(argv.slice(2).length > 0 ? argv.slice(2) : [...host.positional.at(-1)!]);
  try {
    const ran = host.runText(session, script.text, stdin);
    delete ran.ret;
    return ran;
  } finally {
    host.positional.pop();
  }
};

const evalCmd: Builtin = (host, session, argv, stdin) => host.runText(session, argv.slice(1).join(' '), stdin);

/** The shell's variables as arithmetic reads and writes them. */
const arithEnv = (host: LanguageHost, session: ShellSession): Parameters<typeof evaluateArith>[1] => ({
  get: (name, index) => (index === undefined ? host.scalar(session, name) : getElements(session, name)?.values[Number(index)]) ?? '',
  set: (name, value) => setVar(session, name, String(value)),
});

const letCmd: Builtin = (host, session, argv) => {
  if (argv.length < 2) return result('', 'bash: let: expression expected\n', 1);
  let last = 0n;
  for (const expr of argv.slice(1)) {
    try {
      last = evaluateArith(expr, arithEnv(host, session));
    } catch (error) {
      if (error instanceof ArithError) return result('', `bash: let: ${error.message}\n`, 1);
      throw error;
    }
  }
  return result('', '', last === 0n ? 1 : 0);
};

const unset: Builtin = (_host, session, argv) => {
  let functionsOnly = false;
  for (const name of argv.slice(1)) {
    if (name === '-f') functionsOnly = true;
    else if (name === '-v') functionsOnly = false;
    else if (functionsOnly) delete session.functions?.[name];
    else {
      const element = /^([A-Za-z_]\w*)\[(.+)\]$/.exec(name);
      if (element) {
        unsetElement(session, element[1]!, element[2]!);
      } else if (getVar(session, name) !== undefined || !own(session.functions, name)) unsetVar(session, name);
      else delete session.functions![name];
    }
  }
  return result('');
};

const alias: Builtin = (_host, session, argv) => {
  const args = argv.slice(1).filter((a) => a !== '-p');
  const aliases = aliasesOf(session);
  if (args.length === 0) return result(Object.keys(aliases).sort().map((k) => `alias ${k}='${aliases[k]}'\n`).join(''));
  let stdout = '';
  let stderr = '';
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq > 0) {
      if (session.node !== undefined) {
        stderr += `bash: alias: aliases are kept on your workstation only\n`;
        continue;
      }
      session.aliases = { ...aliases, [arg.slice(0, eq)]: arg.slice(eq + 1) };
    } else if (own(aliases, arg) !== undefined) stdout += `alias ${arg}='${aliases[arg]}'\n`;
    else stderr += `bash: alias: ${arg}: not found\n`;
  }
  return result(stdout, stderr, stderr ? 1 : 0);
};

const unalias: Builtin = (_host, session, argv) => {
  const aliases = { ...aliasesOf(session) };
  let stderr = '';
  for (const name of argv.slice(1)) {
    if (name === '-a') Object.keys(aliases).forEach((k) => delete aliases[k]);
    else if (own(aliases, name) === undefined) stderr += `bash: unalias: ${name}: not found\n`;
    else delete aliases[name];
  }
  if (session.node === undefined) session.aliases = aliases;
  return result('', stderr, stderr ? 1 : 0);
};

const mapfile: Builtin = (_host, session, argv, stdin) => {
  let strip = false;
  let delimiter = '\n';
  let name = 'MAPFILE';
  let count = MAX_ARRAY_LENGTH;
  let skip = 0;
  // Options as bash's internal getopt reads them: clustered (`-td,`), a value attached or next.
  let i = 1;
  for (; i < argv.length && /^-./.test(argv[i]!) && argv[i] !== '--'; i++) {
    const arg = argv[i]!;
    for (let j = 1; j < arg.length; j++) {
      const flag = arg[j]!;
      if (flag === 't') {
        strip = true;
        continue;
      }
      if (!'dnsuCcO'.includes(flag)) return result('', `bash: ${argv[0]}: -${flag}: invalid option\n${argv[0]}: usage: ${argv[0]} [-d delim] [-n count] [-O origin] [-s count] [-t] [-u fd] [-C callback] [-c quantum] [array]\n`, 2);
      const value = j + 1 < arg.length ? arg.slice(j + 1) : argv[++i];
      if (value === undefined) return result('', `bash: ${argv[0]}: -${flag}: option requires an argument\n${argv[0]}: usage: ${argv[0]} [-d delim] [-n count] [-O origin] [-s count] [-t] [-u fd] [-C callback] [-c quantum] [array]\n`, 2);
      if (flag === 'd') delimiter = value.slice(0, 1);
      else if (flag === 'n' || flag === 's') {
        if (!/^\d+$/.test(value)) return result('', `bash: ${argv[0]}: ${value}: invalid line count\n`, 1);
        if (flag === 'n' && Number(value) > 0) count = Math.min(count, Number(value));
        if (flag === 's') skip = Math.min(Number(value), MAX_ARRAY_LENGTH);
      }
      break;
    }
  }
  if (argv[i] === '--') i++;
  if (argv[i] !== undefined) name = argv[i]!;
  for (let n = 0; n < skip && stdin.record(delimiter); n++);
  const lines: string[] = [];
  for (let record = lines.length < count ? stdin.record(delimiter) : undefined; record; record = lines.length < count ? stdin.record(delimiter) : undefined) {
    lines.push(strip || !record.ended ? record.text : record.text + (delimiter || '\0'));
  }
  const refused = setArray(session, name, lines);
  return refused ? result('', refused, 1) : result('');
};

/**
 * `getopts OPTSTRING NAME [ARG…]`: the next option of ARG… or the positional parameters, by OPTIND
 * and the place inside a cluster (`-ab`), setting NAME and OPTARG as bash does; a leading `:` in
 * OPTSTRING (or OPTERR=0) keeps it quiet. dash words its complaints its own way.
 */
const getopts: Builtin = (host, session, argv) => {
  const [, optstring, name] = argv;
  if (optstring === undefined || name === undefined) return result('', `getopts: usage: getopts optstring name [arg ...]\n`, 2);
  if (!NAME_RE.test(name)) return result('', `bash: getopts: \`${name}': not a valid identifier\n`, 1);
  const args = argv.length > 3 ? argv.slice(3) : host.positional.at(-1)!;
  const optindText = getVar(session, 'OPTIND') ?? '1';
  let optind = /^\d+$/.test(optindText) && Number(optindText) > 0 ? Number(optindText) : 1;
  // A script that set OPTIND itself starts a fresh argument.
  let char = session.getopts && session.getopts.optind === optindText ? session.getopts.char : 1;
  const done = (code: number, stderr = ''): Outcome => {
    setVar(session, 'OPTIND', String(optind));
    session.getopts = { optind: String(optind), char };
    return result('', stderr, code);
  };
  const arg = args[optind - 1];
  if (char <= 1 || arg === undefined || char >= arg.length) char = 1;
  if (arg === undefined || !arg.startsWith('-') || arg === '-') {
    setVar(session, name, '?');
    return done(1);
  }
  if (arg === '--') {
    optind++;
    setVar(session, name, '?');
    return done(1);
  }
  const letter = arg[char]!;
  char++;
  const next = (): void => {
    if (char >= arg.length) {
      optind++;
      char = 1;
    }
  };
  const silent = optstring.startsWith(':');
  const quiet = silent || getVar(session, 'OPTERR') === '0';
  const at = optstring.indexOf(letter);
  if (letter === ':' || at < 0) {
    next();
    setVar(session, name, '?');
    if (silent) setVar(session, 'OPTARG', letter);
    else unsetVar(session, 'OPTARG');
    return done(0, quiet ? '' : session.dash ? `Illegal option -${letter}\n` : `bash: illegal option -- ${letter}\n`);
  }
  if (optstring[at + 1] !== ':') {
    next();
    setVar(session, name, letter);
    unsetVar(session, 'OPTARG');
    return done(0);
  }
  let value: string | undefined;
  if (char < arg.length) value = arg.slice(char);
  else value = args[optind];
  if (value === undefined) {
    optind++;
    char = 1;
    if (silent) {
      setVar(session, name, ':');
      setVar(session, 'OPTARG', letter);
      return done(0);
    }
    setVar(session, name, '?');
    unsetVar(session, 'OPTARG');
    return done(0, quiet ? '' : session.dash ? `No arg for -${letter} option\n` : `bash: option requires an argument -- ${letter}\n`);
  }
  optind += char < arg.length ? 1 : 2;
  char = 1;
  setVar(session, name, letter);
  setVar(session, 'OPTARG', value);
  return done(0);
};

const command: Builtin = (host, session, argv, stdin) => {
  const args = argv.slice(1);
  if (args[0] === '-v' || args[0] === '-V') {
    const names = args.slice(1);
    let stdout = '';
    for (const n of names) {
      if (own(session.functions, n) || isLanguageBuiltin(n) || own(aliasesOf(session), n) !== undefined) stdout += args[0] === '-v' ? `${own(aliasesOf(session), n) !== undefined ? `alias ${n}='${own(aliasesOf(session), n)}'` : n}\n` : `${n} is a shell builtin\n`;
      else {
        const found = host.runProgram(session, ['which', n], Input.empty());
        stdout += found.chunks.filter((c) => c.fd === 1).map((c) => c.text).join('');
      }
    }
    return result(stdout, '', stdout ? 0 : 1);
  }
  if (args.length === 0) return result('');
  return host.runProgram(session, args, stdin);
};

const noop: Builtin = () => result('');

/** `wait [PID…]`: background jobs have ended already (the shell runs them at once); the last PID's status, or bash's errors. */
const wait: Builtin = (_host, session, argv) => {
  let stderr = '';
  let status = 0;
  for (const arg of argv.slice(1)) {
    const isPid = /^\d+$/.test(arg);
    const ended = isPid ? session.finished?.find(([pid]) => pid === Number(arg))?.[1] : undefined;
    if (ended !== undefined) {
      status = ended;
    } else if (isPid || arg.startsWith('%')) {
      stderr += isPid ? `bash: wait: pid ${arg} is not a child of this shell\n` : `bash: wait: ${arg}: no such job\n`;
      status = 127;
    } else {
      stderr += `bash: wait: \`${arg}': not a pid or valid job spec\n`;
      status = 1;
    }
  }
  return result('', stderr, status);
};

const builtins: Record<string, Builtin> = {
  ':': noop, read, local: (h, s, a) => declareNames(h, s, a, 'local', true), declare: (h, s, a) => declareNames(h, s, a, 'declare', false),
  typeset: (h, s, a) => declareNames(h, s, a, 'typeset', false), readonly: (h, s, a) => declareNames(h, s, a, 'readonly', false),
  set, shift, return: returnCmd, trap, source, '.': source, eval: evalCmd, let: letCmd, unset, alias, unalias,
  mapfile, readarray: mapfile, getopts, command, builtin: command, wait, shopt: noop,
  // The terminal completes every command and alias already (complete.ts): `complete -F … k` has nothing to add.
  complete: noop,
  break: (h, _s, a) => h.loopControl(a), continue: (h, _s, a) => h.loopControl(a),
};

export function isLanguageBuiltin(name: string): boolean {
  return Object.hasOwn(builtins, name);
}

export function languageBuiltinNames(): string[] {
  return Object.keys(builtins);
}

export function runLanguageBuiltin(host: LanguageHost, session: ShellSession, argv: string[], stdin: Input): Outcome {
  return builtins[argv[0]!]!(host, session, argv, stdin);
}
