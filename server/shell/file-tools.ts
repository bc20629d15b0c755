// coreutils over the files a player writes (vfs.ts): mkdir, rmdir, touch, cp, mv, rm, and ls on the
// workstation (a node has its own ls, which shows modes and sizes of the host's files).
import { lsTime, rm as nodeRm } from './node/files.js';
import type { CommandContext, CommandResult, ShellCommand } from './types.js';
import { ok } from './types.js';
import { isDirectory, listDirectory, makeDirectory, modifiedAt, moveDirectory, readFile, removePath, resolvePath, writeFileCharged } from './vfs.js';
import { WORKSTATION_SYSTEM_FILES } from './workstation/etc.js';

/** Clustered short flags (`-rf`) and the operands; `--` ends the flags. */
function split(argv: string[]): { flags: Set<string>; operands: string[] } {
  const flags = new Set<string>();
  const operands: string[] = [];
  let done = false;
  for (const arg of argv.slice(1)) {
    if (!done && arg === '--') done = true;
    else if (!done && arg.startsWith('--')) flags.add(arg);
    else if (!done && arg.startsWith('-') && arg.length > 1) for (const c of arg.slice(1)) flags.add(c);
    else operands.push(arg);
  }
  return { flags, operands };
}

const missing = (tool: string): CommandResult => ({ stdout: '', stderr: `${tool}: missing operand\nTry '${tool} --help' for more information.\n`, exitCode: 1 });
const done = (stderr: string): CommandResult => ({ stdout: '', stderr, exitCode: stderr === '' ? 0 : 1 });

export const mkdir: ShellCommand = (ctx, argv) => {
  const { flags, operands } = split(argv);
  if (operands.length === 0) return missing('mkdir');
  let stderr = '';
  for (const dir of operands) {
    const error = makeDirectory(ctx.state, ctx.session, dir, flags.has('p') || flags.has('--parents'));
    if (error) stderr += `mkdir: cannot create directory '${dir}': ${error}\n`;
  }
  return done(stderr);
};

/** rmdir: empty directories only (coreutils' messages). */
export const rmdir: ShellCommand = (ctx, argv) => {
  const { flags, operands } = split(argv);
  if (operands.length === 0) return missing('rmdir');
  let stderr = '';
  for (const dir of operands) {
    const abs = resolvePath(ctx.session, dir);
    let error: string | undefined;
    if (!isDirectory(ctx.state, ctx.session, abs)) error = readFile(ctx, 'rmdir', dir).ok ? 'Not a directory' : 'No such file or directory';
    else if (listDirectory(ctx.state, ctx.session, abs).length > 0) error = 'Directory not empty';
    else error = removePath(ctx.state, ctx.session, dir, true);
    if (error && !(flags.has('--ignore-fail-on-non-empty') && error === 'Directory not empty')) stderr += `rmdir: failed to remove '${dir}': ${error}\n`;
  }
  return done(stderr);
};

export const touch: ShellCommand = (ctx, argv) => {
  const { operands } = split(argv);
  if (operands.length === 0) return missing('touch');
  let stderr = '';
  for (const file of operands) {
    if (isDirectory(ctx.state, ctx.session, resolvePath(ctx.session, file))) continue;
    const error = writeFileCharged(ctx, file, '', true);
    if (error) stderr += `touch: cannot touch '${file}': ${error}\n`;
  }
  return done(stderr);
};

/** The destination of `cp`/`mv SRC DEST`: inside DEST when it is a directory. */
function destination(ctx: CommandContext, source: string, dest: string, many: boolean): string | undefined {
  const abs = resolvePath(ctx.session, dest);
  if (isDirectory(ctx.state, ctx.session, abs)) return `${abs === '/' ? '' : abs}/${source.split('/').filter(Boolean).at(-1)}`;
  return many ? undefined : abs;
}

function copy(tool: 'cp' | 'mv', ctx: CommandContext, argv: string[]): CommandResult {
  const { flags, operands } = split(argv);
  if (operands.length === 0) return missing(tool);
  if (operands.length === 1) return { stdout: '', stderr: `${tool}: missing destination file operand after '${operands[0]}'\nTry '${tool} --help' for more information.\n`, exitCode: 1 };
  const dest = operands.at(-1)!;
  const sources = operands.slice(0, -1);
  let stderr = '';
  for (const source of sources) {
    const target = destination(ctx, source, dest, sources.length > 1);
    if (target === undefined) return { stdout: '', stderr: `${tool}: target '${dest}' is not a directory\n`, exitCode: 1 };
    if (isDirectory(ctx.state, ctx.session, resolvePath(ctx.session, source))) {
      if (tool === 'mv') {
        const error = moveDirectory(ctx.state, ctx.session, resolvePath(ctx.session, source), target);
        if (error) stderr += `mv: cannot move '${source}' to '${target}': ${error}\n`;
        continue;
      }
      if (!(flags.has('r') || flags.has('R'))) {
        stderr += `cp: -r not specified; omitting directory '${source}'\n`;
        continue;
      }
    }
    const read = readFile(ctx, tool, source);
    if (!read.ok) {
      stderr += read.error.replace(`${tool}: ${source}: `, `${tool}: cannot stat '${source}': `);
      continue;
    }
    const error = writeFileCharged(ctx, target, read.content);
    if (error) {
      stderr += `${tool}: cannot create regular file '${dest}': ${error}\n`;
      continue;
    }
    if (tool === 'mv') {
      const removed = removePath(ctx.state, ctx.session, source, false);
      if (removed) stderr += `mv: cannot remove '${source}': ${removed}\n`;
    }
  }
  return done(stderr);
}

export const cp: ShellCommand = (ctx, argv) => copy('cp', ctx, argv);
export const mv: ShellCommand = (ctx, argv) => copy('mv', ctx, argv);

/** rm of written files; on a node, the host's own files go to the node's rm (etcd's data dir…). */
export const rm: ShellCommand = (ctx, argv) => {
  const { flags, operands } = split(argv);
  if (operands.length === 0) return missing('rm');
  const recursive = flags.has('r') || flags.has('R') || flags.has('--recursive');
  const force = flags.has('f') || flags.has('--force');
  let stderr = '';
  const forNode: string[] = [];
  for (const target of operands) {
    const error = removePath(ctx.state, ctx.session, target, recursive);
    if (!error) continue;
    if (ctx.session.node !== undefined && error !== 'No such file or directory' && error !== 'Is a directory') forNode.push(target);
    else if (!(force && error === 'No such file or directory')) stderr += `rm: cannot remove '${target}': ${error}\n`;
  }
  if (forNode.length > 0) {
    const flagArgs = argv.slice(1).filter((a) => a.startsWith('-') && a !== '--');
    const result = nodeRm(ctx, ['rm', ...flagArgs, '--', ...forNode]);
    stderr += result.stderr;
  }
  return done(stderr);
};

/** `ls` on the workstation: names in columns of one per line (a pipe), -l, -a, -d, -1. */
export const ls: ShellCommand = (ctx, argv) => {
  const { flags, operands } = split(argv);
  const all = flags.has('a') || flags.has('A');
  const long = flags.has('l');
  const targets = operands.length > 0 ? operands : ['.'];
  let stdout = '';
  let stderr = '';
  const line = (name: string, dir: boolean, path: string): string => {
    if (!long) return `${name}\n`;
    const read = dir ? undefined : readFile(ctx, 'ls', path);
    const size = read?.ok ? Buffer.byteLength(read.content) : 4096;
    const owner = ctx.session.container || path in WORKSTATION_SYSTEM_FILES ? 'root' : 'player';
    return `${dir ? 'drwxr-xr-x' : '-rw-r--r--'} 1 ${owner} ${owner} ${String(size).padStart(5)} ${lsTime(ctx.state, modifiedAt(ctx.state, ctx.session, path))} ${name}\n`;
  };
  const files: string[] = [];
  const dirs: string[] = [];
  for (const target of targets) {
    const abs = resolvePath(ctx.session, target);
    if (isDirectory(ctx.state, ctx.session, abs) && !flags.has('d')) dirs.push(target);
    else if (readFile(ctx, 'ls', target).ok || isDirectory(ctx.state, ctx.session, abs)) files.push(target);
    else stderr += `ls: cannot access '${target}': No such file or directory\n`;
  }
  for (const f of files.sort()) stdout += line(f, isDirectory(ctx.state, ctx.session, resolvePath(ctx.session, f)), resolvePath(ctx.session, f));
  dirs.sort().forEach((dir, i) => {
    const abs = resolvePath(ctx.session, dir);
    if (targets.length > 1) stdout += `${files.length > 0 || i > 0 ? '\n' : ''}${dir}:\n`;
    const entries = listDirectory(ctx.state, ctx.session, abs).filter((e) => all || !e.name.startsWith('.'));
    if (long) stdout += `total ${entries.length * 4}\n`;
    for (const e of entries) stdout += line(e.name, e.dir, `${abs === '/' ? '' : abs}/${e.name}`);
  });
  return { stdout, stderr, exitCode: stderr === '' ? 0 : 2 };
};

/** `cd DIR`: any directory where the session is; `cd` / `cd ~` go home, `cd -` back. */
export const cd: ShellCommand = (ctx, argv) => {
  const arg = argv[1];
  const session = ctx.session;
  const previous = ctx.env.PWD ?? '';
  if (arg === undefined || arg === '~') {
    delete session.cwd;
  } else {
    const target = arg === '-' ? (session.vars.OLDPWD ?? previous) : arg;
    const abs = resolvePath(session, target);
    if (!isDirectory(ctx.state, session, abs)) {
      const isFile = readFile(ctx, 'cd', target).ok;
      return { stdout: '', stderr: `bash: cd: ${arg}: ${isFile ? 'Not a directory' : 'No such file or directory'}\n`, exitCode: 1 };
    }
    session.cwd = abs;
    if (arg === '-') {
      session.vars.OLDPWD = previous;
      return ok(`${abs}\n`);
    }
  }
  session.vars.OLDPWD = previous;
  return ok();
};
