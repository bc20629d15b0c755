// File tools on a node: ls, du, df, rm, and readNodeFile for the text tools (cat, head, grep…).
// They read the node's filesystem (fs.ts); `rm` of etcd's data dir is the one destructive act the model knows.
import { etcdDeleteDataDir } from '../../cluster/etcd.js';
import { removeDataFile } from '../../cluster/host.js';
import { CNI_CONF_DIR } from '../../cluster/network/cni-config.js';
import { wallClock } from '../../cluster/logs.js';
import { tagLines } from '../reveals.js';
import type { ClusterState } from '../../cluster/types.js';
import type { CommandContext, ShellCommand } from '../types.js';
import { humanSize, isResult, onNode } from './common.js';
import { modifiedAt } from '../vfs.js';
import { isPrivateDir, listDir, nodeFiles, normalizePath, usageOf, type NodeFile } from './fs.js';

/**
 * What one read of a node's file costs: its ~100 files are built for each (fs.ts nodeFiles,
 * ~0.3-0.7 ms). Charged a command's 1000 steps, `cat` with 3000 paths on a node held the event
 * loop 1.1 s at a third of a line's budget.
 */
const STEPS_PER_NODE_FILE_READ = 40_000;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function cwd(ctx: CommandContext): string {
  return ctx.env.PWD ?? (ctx.session.root ? '/root' : '/home/ubuntu');
}

function readable(f: NodeFile, root: boolean): boolean {
  // The login user (ubuntu) is in group adm, which may read /var/log/syslog.
  return root || f.mode[7] === 'r' || (f.group === 'adm' && f.mode[4] === 'r');
}

export type ReadResult = { ok: true; content: string } | { ok: false; error: string };

/**
 * A file's text as `tool PATH` would read it on the session's node, or the tool's error line
 * (`cat: x: No such file or directory`). The shell's text tools (cat, grep, wc…) use this for file arguments.
 */
export function readNodeFile(ctx: CommandContext, tool: string, path: string): ReadResult {
  const n = onNode(ctx, tool);
  if (isResult(n)) return { ok: false, error: n.stderr };
  ctx.budget.spend(STEPS_PER_NODE_FILE_READ);
  const files = nodeFiles(n.state, n.node);
  const abs = normalizePath(path, cwd(n.ctx));
  const f = files[abs];
  if (isPrivateDir(n.state, abs) && !n.root && abs !== n.state.etcd.dataDir) return { ok: false, error: `${tool}: ${path}: Permission denied\n` };
  if (f && readable(f, n.root)) {
    tagLines(ctx.facts, { source: 'host', node: n.name, field: 'file', name: abs }, f.content);
    return { ok: true, content: f.content };
  }
  if (f) return { ok: false, error: `${tool}: ${path}: Permission denied\n` };
  if (listDir(files, abs)) return { ok: false, error: `${tool}: ${path}: Is a directory\n` };
  return { ok: false, error: `${tool}: ${path}: No such file or directory\n` };
}

/** `ls -l`'s time: `%b %e %H:%M`, or `%b %e  %Y` when over six months old or in the future (ls.c). */
export function lsTime(state: ClusterState, at: number): string {
  const d = wallClock(state, at);
  const p2 = (x: number): string => String(x).padStart(2, '0');
  const recent = at <= state.now && state.now - at < (365.2425 * 86_400_000) / 2;
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${recent ? `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}` : ` ${d.getUTCFullYear()}`}`;
}

function shortFlags(args: string[]): { flags: Set<string>; rest: string[] } {
  const flags = new Set<string>();
  const rest: string[] = [];
  for (const a of args) {
    if (a.startsWith('--')) flags.add(a);
    else if (a.startsWith('-') && a.length > 1) for (const c of a.slice(1)) flags.add(c);
    else rest.push(a);
  }
  return { flags, rest };
}

export const ls: ShellCommand = (ctx, argv) => {
  const n = onNode(ctx, 'ls');
  if (isResult(n)) return n;
  const { flags, rest } = shortFlags(argv.slice(1));
  const long = flags.has('l');
  const human = flags.has('h');
  const files = nodeFiles(n.state, n.node);
  const targets = rest.length > 0 ? rest : ['.'];
  let stdout = '';
  let stderr = '';
  let exitCode = 0;
  const line = (mode: string, owner: string, group: string, size: number, at: number, name: string): string[] =>
    [mode, '1', owner, group, human ? humanSize(size) : String(size), lsTime(n.state, at), name];
  const render = (rows: string[][]): string => {
    const widths = [1, 2, 3, 4].map((c) => Math.max(...rows.map((r) => r[c]!.length)));
    return rows.map((r) => `${r[0]} ${r[1]!.padStart(widths[0]!)} ${r[2]!.padEnd(widths[1]!)} ${r[3]!.padEnd(widths[2]!)} ${r[4]!.padStart(widths[3]!)} ${r[5]} ${r[6]}\n`).join('');
  };
  targets.forEach((target, i) => {
    const abs = normalizePath(target, cwd(ctx));
    const f = files[abs];
    if (f) {
      stdout += long ? render([line(f.mode, f.owner, f.group, f.size, modifiedAt(n.state, ctx.session, abs), target)]) : `${target}\n`;
      return;
    }
    const entries = listDir(files, abs);
    const isHome = abs === cwd(ctx);
    if (!entries && !isHome) {
      stderr += `ls: cannot access '${target}': No such file or directory\n`;
      exitCode = 2;
      return;
    }
    if (isPrivateDir(n.state, abs) && !n.root) {
      stderr += `ls: cannot open directory '${target}': Permission denied\n`;
      exitCode = 2;
      return;
    }
    if (targets.length > 1) stdout += `${i > 0 ? '\n' : ''}${target}:\n`;
    const list = entries ?? [];
    if (!long) {
      const names = list.map((e) => e.name);
      // GNU ls: -C (columns) on a terminal, one name a line into a pipe or a file (or with -1).
      stdout += ctx.stdoutIsTerminal && !flags.has('1') ? lsColumns(names, terminalWidth(ctx)) : names.map((x) => `${x}\n`).join('');
      return;
    }
    const blocks = list.reduce((sum, e) => sum + Math.ceil((e.file?.size ?? 4096) / 4096) * 4, 0);
    stdout += `total ${human ? humanSize(blocks * 1024) : blocks}\n`;
    stdout += render(list.map((e) => e.dir
      ? line(isPrivateDir(n.state, `${abs}/${e.name}`) ? 'drwx------' : 'drwxr-xr-x', 'root', 'root', 4096, modifiedAt(n.state, ctx.session, `${abs}/${e.name}`), e.name)
      : line(e.file!.mode, e.file!.owner, e.file!.group, e.file!.size, modifiedAt(n.state, ctx.session, `${abs}/${e.name}`), e.name)));
  });
  return { stdout, stderr, exitCode };
};

/** The terminal's width ls fits columns to: $COLUMNS when set, else 80. */
function terminalWidth(ctx: CommandContext): number {
  const columns = Number(ctx.env.COLUMNS);
  return Number.isInteger(columns) && columns > 0 ? columns : 80;
}

/**
 * `ls -C`: names down the columns, as many columns as fit in `width` (coreutils ls.c
 * calculate_columns and print_many_per_line): each column as wide as its longest name plus
 * two spaces (at least MIN_COLUMN_WIDTH 3), except the last; the layout is kept while its
 * line stays shorter than `width`. The gaps are filled as indent() does, with tabs to tab
 * stops of 8 (ls's default tabsize) and spaces.
 */
export function lsColumns(names: string[], width: number): string {
  const n = names.length;
  if (n === 0) return '';
  const maxCols = Math.max(1, Math.min(n, Math.floor(width / 3)));
  let chosen: number[] = [Math.max(...names.map((x) => x.length))];
  for (let cols = maxCols; cols > 1; cols--) {
    const rows = Math.ceil(n / cols);
    const widths = new Array<number>(cols).fill(3);
    names.forEach((name, i) => {
      const col = Math.floor(i / rows);
      widths[col] = Math.max(widths[col]!, name.length + (col === cols - 1 ? 0 : 2));
    });
    if (widths.reduce((a, b) => a + b, 0) < width) {
      chosen = widths;
      break;
    }
  }
  const rows = Math.ceil(n / chosen.length);
  let out = '';
  for (let row = 0; row < rows; row++) {
    let line = '';
    let pos = 0;
    for (let i = row, col = 0; i < n; i += rows, col++) {
      line += names[i]!;
      if (i + rows >= n) break;
      line += indent(pos + names[i]!.length, pos + chosen[col]!);
      pos += chosen[col]!;
    }
    out += `${line}\n`;
  }
  return out;
}

/** ls.c indent(): from one column to another with tabs (stops every 8) where a tab fits, else spaces. */
function indent(from: number, to: number): string {
  let gap = '';
  while (from < to) {
    if (Math.floor(to / 8) > Math.floor((from + 1) / 8)) {
      gap += '\t';
      from += 8 - (from % 8);
    } else {
      gap += ' ';
      from++;
    }
  }
  return gap;
}

export const du: ShellCommand = (ctx, argv) => {
  const n = onNode(ctx, 'du');
  if (isResult(n)) return n;
  const { flags, rest } = shortFlags(argv.slice(1));
  const human = flags.has('h');
  const files = nodeFiles(n.state, n.node);
  const show = (bytes: number): string => (human ? humanSize(bytes) : String(Math.ceil(bytes / 1024)));
  let stdout = '';
  let stderr = '';
  for (const target of rest.length > 0 ? rest : ['.']) {
    const abs = normalizePath(target, cwd(ctx));
    const exists = files[abs] !== undefined || listDir(files, abs) !== undefined || abs === cwd(ctx);
    if (!exists) {
      stderr += `du: cannot access '${target}': No such file or directory\n`;
      continue;
    }
    if (isPrivateDir(n.state, abs) && !n.root) {
      stderr += `du: cannot read directory '${target}': Permission denied\n`;
      stdout += `${show(4096)}\t${target}\n`;
      continue;
    }
    stdout += `${show(usageOf(files, abs) + (files[abs] ? 0 : 4096))}\t${target}\n`;
  }
  return { stdout, stderr, exitCode: stderr === '' ? 0 : 1 };
};

export const df: ShellCommand = (ctx, argv) => {
  const n = onNode(ctx, 'df');
  if (isResult(n)) return n;
  const { flags, rest } = shortFlags(argv.slice(1));
  const human = flags.has('h');
  let filesystems = n.node.host.filesystems;
  let stderr = '';
  if (rest.length > 0) {
    filesystems = [];
    for (const target of rest) {
      const abs = normalizePath(target, cwd(ctx));
      const files = nodeFiles(n.state, n.node);
      if (!files[abs] && !listDir(files, abs) && !n.node.host.filesystems.some((f) => f.mount === abs)) {
        stderr += `df: ${target}: No such file or directory\n`;
        continue;
      }
      const fs = [...n.node.host.filesystems].filter((f) => abs === f.mount || abs.startsWith(f.mount === '/' ? '/' : `${f.mount}/`))
        .sort((a, b) => b.mount.length - a.mount.length)[0];
      if (fs) filesystems.push(fs);
    }
  }
  const size = (bytes: number): string => (human ? (bytes === 0 ? '0' : humanSize(bytes)) : String(Math.ceil(bytes / 1024)));
  const rows = [[human ? 'Filesystem' : 'Filesystem', human ? 'Size' : '1K-blocks', 'Used', human ? 'Avail' : 'Available', 'Use%', 'Mounted on']];
  for (const f of filesystems) {
    const avail = Math.max(0, f.size - f.used);
    const pct = f.size === 0 ? '-' : `${Math.ceil((f.used * 100) / (f.used + avail || 1))}%`;
    rows.push([f.source, size(f.size), size(f.used), size(avail), pct, f.mount]);
  }
  // GNU df: minimum widths 14/5/5/5/4, first column left-aligned, numbers right-aligned.
  const mins = [14, 5, 5, 5, 4];
  const widths = mins.map((min, c) => Math.max(min, ...rows.map((r) => r[c]!.length)));
  const stdout = rows.map((r) => [r[0]!.padEnd(widths[0]!), ...[1, 2, 3, 4].map((c) => r[c]!.padStart(widths[c]!)), r[5]].join(' ') + '\n').join('');
  return { stdout, stderr, exitCode: stderr === '' ? 0 : 1 };
};

export const rm: ShellCommand = (ctx, argv) => {
  const n = onNode(ctx, 'rm');
  if (isResult(n)) return n;
  const { flags, rest } = shortFlags(argv.slice(1));
  const recursive = flags.has('r') || flags.has('R') || flags.has('--recursive');
  const force = flags.has('f') || flags.has('--force');
  if (rest.length === 0) return { stdout: '', stderr: "rm: missing operand\nTry 'rm --help' for more information.\n", exitCode: 1 };
  const files = nodeFiles(n.state, n.node);
  let stderr = '';
  for (const target of rest) {
    const abs = normalizePath(target, cwd(ctx));
    const isDir = listDir(files, abs) !== undefined;
    const exists = isDir || files[abs] !== undefined;
    if (!exists) {
      if (!force) stderr += `rm: cannot remove '${target}': No such file or directory\n`;
      continue;
    }
    if (isDir && !recursive) {
      stderr += `rm: cannot remove '${target}': Is a directory\n`;
      continue;
    }
    const etcdData = n.state.etcd.nodeName === n.name && isPrivateDir(n.state, abs);
    if (etcdData && n.root) {
      etcdDeleteDataDir(n.state);
      continue;
    }
    // CNI network configs may go too (a leftover that sorts first is a classic): the runtime reads the directory again.
    if (abs.startsWith(CNI_CONF_DIR) && abs in n.node.host.files) {
      if (!n.root) stderr += `rm: cannot remove '${target}': Permission denied\n`;
      else delete n.node.host.files[abs];
      continue;
    }
    // Data files (backups, dumps) are the only other files the model lets go.
    const data = Object.keys(n.node.host.dataFiles ?? {}).filter((p) => p === abs || p.startsWith(`${abs}/`));
    const others = Object.keys(files).some((p) => (p === abs || p.startsWith(`${abs}/`)) && !data.includes(p));
    if (data.length > 0 && n.root && !others) {
      for (const p of data) removeDataFile(n.state, n.name, p);
      continue;
    }
    stderr += `rm: cannot remove '${target}': ${etcdData || (data.length > 0 && !n.root) ? 'Permission denied' : 'Operation not permitted'}\n`;
  }
  return { stdout: '', stderr, exitCode: stderr === '' ? 0 : 1 };
};
