// coreutils and findutils on paths, beside the text tools: find, stat, basename, dirname,
// realpath and readlink -f, id. They read the files where the session is (vfs.placeTree), so
// they answer alike on the workstation, on a node, in a container and under /host.
// Formats are GNU's (findutils 4.9, coreutils 9.1 in C.UTF-8), checked in the differential corpus.
import { wallClock } from '../cluster/logs.js';
import { STEPS_PER_COMMAND } from './budget.js';
import { matchGlob } from './pattern.js';
import type { ProgramResult, ShellProgram } from './program.js';
import { userOf } from './session.js';
import type { CommandContext, CommandResult, ShellCommand } from './types.js';
import { ok } from './types.js';
import { modifiedAt, placeTree, resolvePath, type FileMeta } from './vfs.js';
import { MAX_STAGE_CHARS } from './limits.js';

type Tree = ReturnType<typeof placeTree>;

interface Entry {
  /** The path as find prints it (from the starting point as typed). */
  shown: string;
  abs: string;
  depth: number;
  dir: boolean;
  meta: FileMeta | undefined;
}

const DIR_META: Omit<FileMeta, 'modified'> = { size: 4096, mode: 'drwxr-xr-x', owner: 'root', group: 'root' };

/** Children of each directory, sorted (the C locale's byte order, as our ls lists them). */
function childrenIndex(tree: Tree): Map<string, string[]> {
  const index = new Map<string, string[]>();
  for (const path of [...tree.dirs, ...tree.files.keys()]) {
    if (path === '/') continue;
    const parent = path.slice(0, path.lastIndexOf('/')) || '/';
    const list = index.get(parent) ?? [];
    list.push(path.slice(path.lastIndexOf('/') + 1));
    index.set(parent, list);
  }
  for (const list of index.values()) list.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return index;
}

function metaOf(ctx: CommandContext, tree: Tree, abs: string): FileMeta | undefined {
  if (tree.dirs.has(abs)) {
    const privateDir = tree.private.has(abs);
    const owner = abs === `/home/${userOf(ctx.session)}` || abs.startsWith('/tmp/') || abs.startsWith(`/home/${userOf(ctx.session)}/`) ? userOf(ctx.session) : 'root';
    return { ...DIR_META, mode: privateDir ? 'drwx------' : abs === '/tmp' ? 'drwxrwxrwt' : 'drwxr-xr-x', owner, group: owner, modified: modifiedAt(ctx.state, ctx.session, abs) };
  }
  return tree.files.get(abs);
}

// ---- find ----------------------------------------------------------------------------------

type Expr =
  | { op: 'and' | 'or'; left: Expr; right: Expr }
  | { op: 'not'; expr: Expr }
  | { op: 'test'; test: (e: Entry) => boolean }
  | { op: 'action'; run: (e: Entry) => boolean };

class FindError extends Error {}

const quoted = (s: string): string => `‘${s}’`;

/** `-size [+-]N[cwbkMG]`: GNU rounds the size up to the unit before comparing. */
function sizeTest(arg: string): (e: Entry) => boolean {
  const m = /^([+-]?)(\d+)([cwbkMG]?)$/.exec(arg);
  if (!m) throw new FindError(`find: invalid -size type ${quoted(arg)}\n`);
  const unit = { c: 1, w: 2, b: 512, k: 1024, M: 1024 ** 2, G: 1024 ** 3, '': 512 }[m[3]!]!;
  const n = Number(m[2]);
  return (e) => {
    const size = Math.ceil((e.meta?.size ?? 0) / unit);
    return m[1] === '+' ? size > n : m[1] === '-' ? size < n : size === n;
  };
}

/**
 * `-mtime [+-]N`: whole days since the last write, rounded down; `-mmin [+-]N` compares the exact
 * age with N minutes, and N alone means more than N-1 and at most N (findutils 4.9, as checked:
 * a file written 30 s ago is `-mmin 1` and `-mmin -1`, not `-mmin 0`).
 */
function ageTest(ctx: CommandContext, arg: string, unitMs: number, flag: string): (e: Entry) => boolean {
  const m = /^([+-]?)(\d+)$/.exec(arg);
  if (!m) throw new FindError(`find: invalid argument ${quoted(arg)} to ${quoted(flag)}\n`);
  const n = Number(m[2]);
  const minutes = flag === '-mmin';
  return (e) => {
    const ms = ctx.state.now - (e.meta?.modified ?? ctx.state.now);
    if (minutes) return m[1] === '+' ? ms > n * unitMs : m[1] === '-' ? ms < n * unitMs : Math.ceil(ms / unitMs) === n;
    const age = Math.floor(ms / unitMs);
    return m[1] === '+' ? age > n : m[1] === '-' ? age < n : age === n;
  };
}

interface FindOutput {
  print: (e: Entry, end: string) => void;
  printf: (e: Entry, format: string) => void;
  exec: (argv: string[]) => number;
}

interface FindPlan {
  expr: Expr | undefined;
  hasAction: boolean;
  maxDepth: number;
  minDepth: number;
  /** `-exec … {} +` batches, run once the walk is done. */
  batches: { argv: string[]; paths: string[] }[];
}

/** Parses find's expression (after the starting points) into a tree with GNU's precedence. */
function parseFind(args: string[], out: FindOutput, ctx: CommandContext, tree: Tree, children: Map<string, string[]>): FindPlan {
  let at = 0;
  const plan: FindPlan = { expr: undefined, hasAction: false, maxDepth: Infinity, minDepth: 0, batches: [] };
  const need = (flag: string): string => {
    const value = args[at++];
    if (value === undefined) throw new FindError(`find: missing argument to ${quoted(flag)}\n`);
    return value;
  };
  const primary = (): Expr | undefined => {
    const token = args[at++]!;
    switch (token) {
      case '(': {
        const inner = or();
        if (args[at++] !== ')') throw new FindError('find: invalid expression; I was expecting to find a \')\' somewhere but did not see one.\n');
        return inner;
      }
      case '!': case '-not': return { op: 'not', expr: primary() ?? { op: 'test', test: () => true } };
      case '-name': case '-iname': {
        const pattern = need(token);
        const fold = token === '-iname';
        return { op: 'test', test: (e) => matchGlob(fold ? pattern.toLowerCase() : pattern, fold ? base(e.abs).toLowerCase() : base(e.abs), ctx.budget) };
      }
      case '-path': case '-wholename': case '-ipath': {
        const pattern = need(token);
        const fold = token === '-ipath';
        return { op: 'test', test: (e) => matchGlob(fold ? pattern.toLowerCase() : pattern, fold ? e.shown.toLowerCase() : e.shown, ctx.budget) };
      }
      case '-type': {
        const type = need(token);
        if (!['f', 'd', 'l', 'b', 'c', 'p', 's'].includes(type)) throw new FindError(`find: Unknown argument to -type: ${type}\n`);
        return { op: 'test', test: (e) => (type === 'd' ? e.dir : type === 'f' ? !e.dir : false) };
      }
      case '-size': return { op: 'test', test: sizeTest(need(token)) };
      case '-empty': return { op: 'test', test: (e) => (e.dir ? !children.has(e.abs) : (e.meta?.size ?? 0) === 0) };
      case '-mmin': return { op: 'test', test: ageTest(ctx, need(token), 60_000, token) };
      case '-mtime': return { op: 'test', test: ageTest(ctx, need(token), 86_400_000, token) };
      case '-newer': {
        const ref = need(token);
        const meta = metaOf(ctx, tree, resolvePath(ctx.session, ref));
        if (!meta) throw new FindError(`find: ${quoted(ref)}: No such file or directory\n`);
        return { op: 'test', test: (e) => (e.meta?.modified ?? 0) > meta.modified };
      }
      case '-user': { const user = need(token); return { op: 'test', test: (e) => e.meta?.owner === user }; }
      case '-maxdepth': case '-mindepth': {
        const value = need(token);
        if (!/^\d+$/.test(value)) throw new FindError(`find: Expected a positive decimal integer argument to ${token}, but got ${quoted(value)}\n`);
        if (token === '-maxdepth') plan.maxDepth = Number(value);
        else plan.minDepth = Number(value);
        return undefined;
      }
      case '-print': case '-print0': {
        plan.hasAction = true;
        const end = token === '-print0' ? '\0' : '\n';
        return { op: 'action', run: (e) => (out.print(e, end), true) };
      }
      case '-printf': {
        plan.hasAction = true;
        const format = need(token);
        return { op: 'action', run: (e) => (out.printf(e, format), true) };
      }
      case '-exec': case '-ok': {
        const start = at;
        while (at < args.length && args[at] !== ';' && !(args[at] === '+' && args[at - 1] === '{}')) at++;
        if (at >= args.length) throw new FindError(`find: missing argument to ${quoted(token)}\n`);
        const command = args.slice(start, at);
        const batch = args[at++] === '+';
        plan.hasAction = true;
        if (command.length === 0) throw new FindError(`find: missing argument to ${quoted(token)}\n`);
        if (batch) {
          const entry = { argv: command.slice(0, -1), paths: [] as string[] };
          plan.batches.push(entry);
          return { op: 'action', run: (e) => (entry.paths.push(e.shown), true) };
        }
        return { op: 'action', run: (e) => out.exec(command.map((a) => a.replaceAll('{}', e.shown))) === 0 };
      }
      case '-true': return { op: 'test', test: () => true };
      case '-false': return { op: 'test', test: () => false };
      case '-prune': return { op: 'test', test: () => true };
      default:
        if (token.startsWith('-')) throw new FindError(`find: unknown predicate \`${token}'\n`);
        throw new FindError(`find: paths must precede expression: ${quoted(token)}\n`);
    }
  };
  const and = (): Expr | undefined => {
    let left = primary();
    while (at < args.length && args[at] !== ')' && args[at] !== '-o' && args[at] !== '-or' && args[at] !== ',') {
      if (args[at] === '-a' || args[at] === '-and') at++;
      const right = primary();
      left = left === undefined ? right : right === undefined ? left : { op: 'and', left, right };
    }
    return left;
  };
  const or = (): Expr | undefined => {
    let left = and();
    while (args[at] === '-o' || args[at] === '-or') {
      at++;
      const right = and();
      if (left === undefined || right === undefined) throw new FindError('find: invalid expression; you have used a binary operator \'-o\' with nothing before it.\n');
      left = { op: 'or', left, right };
    }
    return left;
  };
  if (args.length > 0) plan.expr = or();
  if (at < args.length) throw new FindError(`find: paths must precede expression: ${quoted(args[at]!)}\n`);
  return plan;
}

function evaluate(expr: Expr, e: Entry): boolean {
  switch (expr.op) {
    case 'and': return evaluate(expr.left, e) && evaluate(expr.right, e);
    case 'or': return evaluate(expr.left, e) || evaluate(expr.right, e);
    case 'not': return !evaluate(expr.expr, e);
    case 'test': return expr.test(e);
    case 'action': return expr.run(e);
  }
}

const base = (path: string): string => (path === '/' ? '/' : path.slice(path.lastIndexOf('/') + 1));

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', '\\': '\\' };
const backslashEscapes = (text: string): string => text.replace(/\\([ntr0\\])/g, (_, c: string) => ESCAPES[c]!);

/** `-printf`: the common directives (%p %f %s %d %y %h %m %u %g %P %TY…) and backslash escapes. */
function findPrintf(ctx: CommandContext, e: Entry, format: string, start: string): string {
  const mtime = wallClock(ctx.state, e.meta?.modified ?? ctx.state.now);
  return backslashEscapes(format)
    .replace(/%(T[YmdHMS@]|[pfsdyhmugP%])/g, (_, d: string) => {
      switch (d) {
        case 'p': return e.shown;
        case 'f': return base(e.shown);
        case 's': return String(e.meta?.size ?? 0);
        case 'd': return String(e.depth);
        case 'y': return e.dir ? 'd' : 'f';
        case 'h': return e.shown.includes('/') ? e.shown.slice(0, e.shown.lastIndexOf('/')) || '/' : '.';
        case 'm': return octalMode(e.meta?.mode ?? '-rw-r--r--').replace(/^0/, '');
        case 'u': return e.meta?.owner ?? 'root';
        case 'g': return e.meta?.group ?? 'root';
        case 'P': return e.shown === start ? '' : e.shown.slice(start.length).replace(/^\//, '');
        case '%': return '%';
        case 'T@': return `${Math.floor(mtime.getTime() / 1000)}.0000000000`;
        default: {
          const iso = mtime.toISOString();
          return { TY: iso.slice(0, 4), Tm: iso.slice(5, 7), Td: iso.slice(8, 10), TH: iso.slice(11, 13), TM: iso.slice(14, 16), TS: `${iso.slice(17, 19)}.0000000000` }[d] ?? '';
        }
      }
    });
}

export const find: ShellProgram = (ctx, argv, shell) => {
  const args = argv.slice(1);
  let at = 0;
  while (at < args.length && (args[at] === '-H' || args[at] === '-L' || args[at] === '-P')) at++;
  const starts: string[] = [];
  while (at < args.length && !args[at]!.startsWith('-') && args[at] !== '(' && args[at] !== '!') starts.push(args[at++]!);
  if (starts.length === 0) starts.push('.');
  const result: ProgramResult = { stdout: '', stderr: '', exitCode: 0 };
  const tree = placeTree(ctx.state, ctx.session);
  const children = childrenIndex(tree);
  let startShown = '.';
  const out: FindOutput = {
    print: (e: Entry, end: string) => { result.stdout += e.shown + end; },
    printf: (e: Entry, format: string) => { result.stdout += findPrintf(ctx, e, format, startShown); },
    exec: (command: string[]): number => {
      ctx.budget.spend(STEPS_PER_COMMAND);
      const found = shell.find(ctx, command[0]!, true);
      if (!found) {
        result.stderr += `find: ‘${command[0]}’: No such file or directory\n`;
        return 1;
      }
      const r = found({ ...ctx, stdin: '' }, command, shell);
      result.stdout += r.stdout;
      result.stderr += r.stderr;
      return r.exitCode;
    },
  };
  let plan: FindPlan;
  try {
    plan = parseFind(args.slice(at), out, ctx, tree, children);
  } catch (error) {
    if (error instanceof FindError) return { stdout: '', stderr: error.message, exitCode: 1 };
    throw error;
  }
  const visit = (e: Entry): void => {
    ctx.budget.spend(1 + e.abs.length);
    if (result.stdout.length > MAX_STAGE_CHARS) return;
    if (e.depth >= plan.minDepth) {
      const matched = plan.expr ? evaluate(plan.expr, e) : true;
      if (matched && !plan.hasAction) out.print(e, '\n');
    }
    if (!e.dir || e.depth >= plan.maxDepth) return;
    if (tree.private.has(e.abs)) {
      result.stderr += `find: ${quoted(e.shown)}: Permission denied\n`;
      result.exitCode = 1;
      return;
    }
    for (const name of children.get(e.abs) ?? []) {
      const abs = e.abs === '/' ? `/${name}` : `${e.abs}/${name}`;
      const shown = e.shown.endsWith('/') ? `${e.shown}${name}` : `${e.shown}/${name}`;
      visit({ shown, abs, depth: e.depth + 1, dir: tree.dirs.has(abs), meta: metaOf(ctx, tree, abs) });
    }
  };
  for (const start of starts) {
    const abs = resolvePath(ctx.session, start);
    const meta = metaOf(ctx, tree, abs);
    if (!meta) {
      result.stderr += `find: ${quoted(start)}: No such file or directory\n`;
      result.exitCode = 1;
      continue;
    }
    startShown = start;
    visit({ shown: start, abs, depth: 0, dir: tree.dirs.has(abs), meta });
  }
  for (const batch of plan.batches) {
    if (batch.paths.length > 0 && out.exec([...batch.argv, ...batch.paths]) !== 0) result.exitCode = 1;
  }
  return result;
};

// ---- stat ----------------------------------------------------------------------------------

function octalMode(mode: string): string {
  let value = 0;
  for (const [i, c] of [...mode.slice(1, 10)].entries()) if (c !== '-') value |= 1 << (8 - i);
  if (mode[9] === 't') value |= 0o1000;
  return `0${value.toString(8).padStart(3, '0')}`;
}

const ids: Record<string, number> = { root: 0, player: 1000, ubuntu: 1000, syslog: 104, adm: 4 };

function statTime(ctx: CommandContext, at: number): string {
  const iso = wallClock(ctx.state, at).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.000000000 +0000`;
}

function statFormat(ctx: CommandContext, path: string, meta: FileMeta, dir: boolean, format: string): string {
  const at = meta.modified;
  const kind = dir ? 'directory' : meta.size === 0 ? 'regular empty file' : 'regular file';
  return format.replace(/%([nsUGuagAFyYbBhixXzZo%])/g, (_, d: string) => {
    switch (d) {
      case 'n': return path;
      case 's': return String(meta.size);
      case 'U': return meta.owner;
      case 'G': return meta.group;
      case 'u': return String(ids[meta.owner] ?? 0);
      case 'g': return String(ids[meta.group] ?? 0);
      case 'a': return octalMode(meta.mode).replace(/^0(?=\d{3}$)/, '');
      case 'A': return meta.mode;
      case 'F': return kind;
      case 'y': case 'x': case 'z': return statTime(ctx, at);
      case 'Y': case 'X': case 'Z': return String(Math.floor(wallClock(ctx.state, at).getTime() / 1000));
      case 'b': return String(Math.ceil(meta.size / 4096) * 8);
      case 'B': return '512';
      case 'o': return '4096';
      case 'h': return dir ? '2' : '1';
      case 'i': return String(inode(path));
      case '%': return '%';
      default: return '';
    }
  });
}

/** A stable inode number for a path. */
function inode(path: string): number {
  let h = 2166136261;
  for (let i = 0; i < path.length; i++) h = Math.imul(h ^ path.charCodeAt(i), 16777619) >>> 0;
  return 100_000 + (h % 3_000_000);
}

export const stat: ShellCommand = (ctx, argv) => {
  const args = argv.slice(1);
  let format: string | undefined;
  let terse = false;
  const paths: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const long = /^--(format|printf)=/.exec(a);
    if (a === '-c' || a === '--format' || a === '--printf' || long) {
      const value = long ? a.slice(long[0].length) : args[++i];
      if (value === undefined) return { stdout: '', stderr: `stat: option requires an argument -- 'c'\nTry 'stat --help' for more information.\n`, exitCode: 1 };
      // --printf reads backslash escapes and adds no newline; -c/--format add one.
      format = a.startsWith('--printf') ? backslashEscapes(value) : `${value}\n`;
    } else if (a === '-t' || a === '--terse') terse = true;
    else if (a !== '-L' && a !== '--dereference') paths.push(a);
  }
  if (paths.length === 0) return { stdout: '', stderr: "stat: missing operand\nTry 'stat --help' for more information.\n", exitCode: 1 };
  const tree = placeTree(ctx.state, ctx.session);
  let stdout = '';
  let stderr = '';
  for (const path of paths) {
    const abs = resolvePath(ctx.session, path);
    const meta = metaOf(ctx, tree, abs);
    if (!meta) {
      stderr += `stat: cannot statx '${path}': No such file or directory\n`;
      continue;
    }
    const dir = tree.dirs.has(abs);
    if (format !== undefined) stdout += statFormat(ctx, path, meta, dir, format);
    else if (terse) stdout += statFormat(ctx, path, meta, dir, '%n %s %b %f %u %g 103 %i %h 0 0 %X %Y %Z 0 4096\n').replace(' %f ', dir ? ' 41ed ' : ' 81a4 ');
    else {
      stdout += statFormat(ctx, path, meta, dir, [
        '  File: %n',
        `  Size: ${String(meta.size).padEnd(10)}\tBlocks: ${String(Math.ceil(meta.size / 4096) * 8).padEnd(10)} IO Block: 4096   %F`,
        `Device: 259,1\tInode: ${String(inode(abs)).padEnd(11)} Links: %h`,
        `Access: (%a/%A)  Uid: (${String(ids[meta.owner] ?? 0).padStart(5)}/${meta.owner.padStart(8)})   Gid: (${String(ids[meta.group] ?? 0).padStart(5)}/${meta.group.padStart(8)})`,
        'Access: %x', 'Modify: %y', 'Change: %z', ' Birth: %w', '',
      ].join('\n').replace('%a', octalMode(meta.mode)).replace('%w', statTime(ctx, meta.modified)));
    }
  }
  return { stdout, stderr, exitCode: stderr === '' ? 0 : 1 };
};

// ---- basename, dirname, realpath, readlink, id -------------------------------------------

const usage = (tool: string): CommandResult => ({ stdout: '', stderr: `${tool}: missing operand\nTry '${tool} --help' for more information.\n`, exitCode: 1 });

function basenameOf(path: string, suffix = ''): string {
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '') return path === '' ? '' : '/';
  const name = trimmed.slice(trimmed.lastIndexOf('/') + 1);
  return suffix !== '' && name !== suffix && name.endsWith(suffix) ? name.slice(0, -suffix.length) : name;
}

export const basename: ShellCommand = (_ctx, argv) => {
  const args = argv.slice(1);
  let multiple = false;
  let suffix: string | undefined;
  const names: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-a' || a === '--multiple') multiple = true;
    else if (a === '-s' || a === '--suffix') { suffix = args[++i]; multiple = true; }
    else if (a.startsWith('--suffix=')) { suffix = a.slice(9); multiple = true; }
    else if (a === '--') names.push(...args.slice(i + 1)), i = args.length;
    else names.push(a);
  }
  if (names.length === 0) return usage('basename');
  if (!multiple) {
    if (names.length > 2) return { stdout: '', stderr: `basename: extra operand '${names[2]}'\nTry 'basename --help' for more information.\n`, exitCode: 1 };
    return ok(`${basenameOf(names[0]!, names[1])}\n`);
  }
  return ok(names.map((n) => `${basenameOf(n, suffix)}\n`).join(''));
};

function dirnameOf(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '') return path.startsWith('/') ? '/' : '.';
  const at = trimmed.lastIndexOf('/');
  if (at < 0) return '.';
  return trimmed.slice(0, at).replace(/\/+$/, '') || '/';
}

export const dirname: ShellCommand = (_ctx, argv) => {
  const names = argv.slice(1).filter((a) => a !== '--');
  if (names.length === 0) return usage('dirname');
  return ok(names.map((n) => `${dirnameOf(n)}\n`).join(''));
};

/** `realpath` / `readlink -f`: the absolute path (no symlinks here); -e wants it to exist. */
export const realpath: ShellCommand = (ctx, argv) => {
  const tool = argv[0] === 'readlink' ? 'readlink' : 'realpath';
  const flags = argv.slice(1).filter((a) => a.startsWith('-') && a !== '-');
  const names = argv.slice(1).filter((a) => !a.startsWith('-') || a === '-');
  if (tool === 'readlink' && !flags.some((f) => /^-[a-z]*[fem]/.test(f) || f === '--canonicalize')) {
    // Plain readlink only reads symbolic links, and there are none here.
    return { stdout: '', stderr: '', exitCode: 1 };
  }
  if (names.length === 0) return usage(tool);
  const tree = placeTree(ctx.state, ctx.session);
  const mustExist = flags.some((f) => /e/.test(f));
  let stdout = '';
  let stderr = '';
  for (const name of names) {
    const abs = resolvePath(ctx.session, name);
    const parent = abs.slice(0, abs.lastIndexOf('/')) || '/';
    if ((mustExist || tool === 'realpath') && !tree.dirs.has(abs) && !tree.files.has(abs) && (mustExist || !tree.dirs.has(parent))) {
      if (tool === 'realpath') stderr += `realpath: ${name}: No such file or directory\n`;
      continue;
    }
    stdout += `${abs}\n`;
  }
  return { stdout, stderr, exitCode: stdout.split('\n').length - 1 === names.length ? 0 : 1 };
};

/** The groups of each login: Ubuntu's default user is in adm and sudo. */
const GROUPS: Record<string, string> = {
  root: 'groups=0(root)',
  ubuntu: 'groups=1000(ubuntu),4(adm),24(cdrom),27(sudo),30(dip),105(lxd)',
  player: 'groups=1000(player)',
};

export const id: ShellCommand = (ctx, argv) => {
  const user = userOf(ctx.session);
  const uid = ids[user] ?? 1000;
  const flag = argv[1];
  if (flag === '-u') return ok(`${uid}\n`);
  if (flag === '-g') return ok(`${uid}\n`);
  if (flag === '-un' || flag === '-nu' || flag === '-n') return ok(`${user}\n`);
  if (flag === '-G') return ok(`${(GROUPS[user] ?? `groups=${uid}(${user})`).replace('groups=', '').split(',').map((g) => g.replace(/\(.*\)/, '')).join(' ')}\n`);
  if (flag === '-Gn') return ok(`${(GROUPS[user] ?? `groups=${uid}(${user})`).replace('groups=', '').split(',').map((g) => g.replace(/^\d+\((.*)\)$/, '$1')).join(' ')}\n`);
  return ok(`uid=${uid}(${user}) gid=${uid}(${user}) ${GROUPS[user] ?? `groups=${uid}(${user})`}\n`);
};
