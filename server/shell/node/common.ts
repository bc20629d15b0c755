// What every node tool needs: the node the session is on, privileges, stable pseudo-random
// numbers (PIDs, durations) derived from names so that reading never changes the state,
// and the date formats of syslog and journalctl.
import { wallClock } from '../../cluster/logs.js';
import { hash32 } from '../../cluster/rng.js';
import { unitOf } from '../../cluster/host.js';
import type { ClusterState, Node, SimTime } from '../../cluster/types.js';
import type { CommandContext, CommandResult } from '../types.js';
import { fail } from '../types.js';

export interface NodeContext {
  ctx: CommandContext;
  state: ClusterState;
  node: Node;
  name: string;
  root: boolean;
}

/** The node the session is on, or bash's error when a node tool is typed on the workstation. */
export function onNode(ctx: CommandContext, tool: string): NodeContext | CommandResult {
  const name = ctx.session.node;
  const node = name === undefined ? undefined : ctx.state.nodes[name];
  if (!node || name === undefined) return fail(`${tool}: command not found\n`, 127);
  return { ctx, state: ctx.state, node, name, root: ctx.session.root };
}

export function isResult(x: NodeContext | CommandResult): x is CommandResult {
  return 'exitCode' in x;
}

/** When the node last booted: its journal's latest kernel banner (a reboot logs a new one), else its first line. */
export function bootTime(node: Node): SimTime {
  const log = node.host.syslog;
  return log.findLast((l) => l.text.includes('] Linux version '))?.at ?? log[0]?.at ?? node.metadata.creationTimestamp;
}

export { hash32 };

/** A stable number in [lo, hi] for a name. */
export function stableInt(seed: string, lo: number, hi: number): number {
  return lo + (hash32(seed) % (hi - lo + 1));
}

/** `n` hex digits derived from a name (container / sandbox ids). */
export function stableHex(seed: string, n: number): string {
  let out = '';
  for (let i = 0; out.length < n; i++) out += hash32(`${seed}#${i}`).toString(16).padStart(8, '0');
  return out.slice(0, n);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const p2 = (n: number): string => String(n).padStart(2, '0');

function clock(d: Date): string {
  return `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
}

/** rsyslog's traditional format: `Jun  3 09:14:02` (day padded with a space). */
export function syslogDate(state: ClusterState, at: SimTime): string {
  const d = wallClock(state, at);
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${clock(d)}`;
}

/** journalctl's short format: `Jun 03 09:14:02`. */
export function journalDate(state: ClusterState, at: SimTime): string {
  const d = wallClock(state, at);
  return `${MONTHS[d.getUTCMonth()]} ${p2(d.getUTCDate())} ${clock(d)}`;
}

/** systemd's timestamp: `Mon 2024-06-03 09:00:04 UTC`. */
export function systemdDate(state: ClusterState, at: SimTime): string {
  const d = wallClock(state, at);
  return `${DAYS[d.getUTCDay()]} ${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())} ${clock(d)} UTC`;
}

/** ps's START column: `09:14` today, `Jun03` before. */
export function psStart(state: ClusterState, at: SimTime): string {
  const d = wallClock(state, at);
  const now = wallClock(state, state.now);
  if (state.now - at < 86_400_000 && d.getUTCDate() === now.getUTCDate()) return `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}`;
  return `${MONTHS[d.getUTCMonth()]}${p2(d.getUTCDate())}`;
}

/** systemd's relative time: `3 days ago`, `2h 5min ago`, `12s ago`. */
export function systemdAgo(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d >= 7) return `${Math.floor(d / 7)} week${d >= 14 ? 's' : ''} ${d % 7} day${d % 7 === 1 ? '' : 's'} ago`;
  if (d > 0) return `${d} day${d === 1 ? '' : 's'} ago`;
  if (h > 0) return `${h}h ${m}min ago`;
  if (m > 0) return `${m}min ${s % 60}s ago`;
  return `${s}s ago`;
}

/** The PID a unit's main process has: the one in its latest journal line, like `kubelet[2138]:`. */
export function unitPid(node: Node, unit: string): number {
  const journal = unitOf(node.host, unit)?.journal ?? [];
  const re = new RegExp(`^${unit}\\[(\\d+)\\]:`);
  for (let i = journal.length - 1; i >= 0; i--) {
    const m = re.exec(journal[i]!.text);
    if (m) return Number(m[1]);
  }
  return stableInt(`${node.metadata.name}/${unit}`, 600, 4000);
}

/** `-n 20`, `-n20`, `--lines=20`, `-20`: a line count flag's value, or undefined. */
export function lineCount(arg: string, next: string | undefined): { count: number; used: number } | undefined {
  const m = /^-n(\d+)$/.exec(arg) ?? /^--lines=(\d+)$/.exec(arg) ?? /^-(\d+)$/.exec(arg) ?? /^--tail=(-?\d+)$/.exec(arg);
  if (m) return { count: Number(m[1]), used: 1 };
  if ((arg === '-n' || arg === '--lines' || arg === '--tail') && next !== undefined && /^-?\d+$/.test(next)) return { count: Number(next), used: 2 };
  return undefined;
}

/** GNU coreutils' -h sizes (df, du, ls): powers of 1024, rounded up, one decimal below 10: `4.0G`, `167M`. */
export function humanSize(bytes: number): string {
  const units = ['K', 'M', 'G', 'T', 'P'];
  if (bytes < 1024) return String(Math.ceil(bytes));
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  if (v < 10) {
    const tenth = Math.ceil(v * 10) / 10;
    return tenth < 10 ? `${tenth.toFixed(1)}${units[i]}` : `10${units[i]}`;
  }
  return `${Math.ceil(v)}${units[i]}`;
}
