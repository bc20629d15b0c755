// swapon / swapoff (util-linux 2.37) on a node. Swap is kernel state
// (host.swaps, listed in /proc/swaps); /etc/fstab says what comes back on at boot, so
// `swapoff -a` lasts until the next reboot unless the fstab line goes too.
import { fstabSwaps, swapOn } from '../../cluster/host.js';
import type { SwapArea } from '../../cluster/types.js';
import { procSwaps } from '../../cluster/unit-start.js';
import type { ShellCommand } from '../types.js';
import { fail, ok } from '../types.js';
import { humanSize, isResult, onNode } from './common.js';

const NOT_ROOT = (tool: string, path: string) => `${tool}: ${path}: ${tool} failed: Operation not permitted\n`;

/** `swapon --show`'s table (NAME TYPE SIZE USED PRIO), sizes as util-linux prints them (4G, 0B). */
function showTable(swaps: SwapArea[]): string {
  if (swaps.length === 0) return '';
  const size = (kib: number) => (kib === 0 ? '0B' : humanSize(kib * 1024).replace(/\.0(?=[KMGT])/, ''));
  const rows = [['NAME', 'TYPE', 'SIZE', 'USED', 'PRIO'], ...swaps.map((s) => [s.path, s.type, size(s.sizeKiB), size(s.usedKiB), String(s.priority)])];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 || c === 1 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join(' ').trimEnd() + '\n').join('');
}

export const swapon: ShellCommand = (ctx, argv) => {
  const n = onNode(ctx, 'swapon');
  if (isResult(n)) return n;
  const args = argv.slice(1);
  const swaps = n.node.host.swaps ?? [];
  if (args.length === 0 || args.includes('--show') || args.some((a) => a.startsWith('--show='))) return ok(showTable(swaps));
  if (args.includes('-s') || args.includes('--summary')) return ok(swaps.length > 0 ? procSwaps(swaps) : '');
  const all = args.includes('-a') || args.includes('--all');
  const paths = all ? fstabSwaps(n.node.host).filter((p) => !swaps.some((s) => s.path === p)) : args.filter((a) => !a.startsWith('-'));
  if (paths.length === 0 && !all) return fail('swapon: bad usage\nTry \'swapon --help\' for more information.\n', 1);
  let stderr = '';
  for (const path of paths) {
    if (!n.root) {
      stderr += NOT_ROOT('swapon', path);
      continue;
    }
    stderr += swapOn(n.node.host, path) ?? '';
  }
  return { stdout: '', stderr, exitCode: stderr ? (all ? 4 : 255) : 0 };
};

export const swapoff: ShellCommand = (ctx, argv) => {
  const n = onNode(ctx, 'swapoff');
  if (isResult(n)) return n;
  const args = argv.slice(1);
  const host = n.node.host;
  const swaps = host.swaps ?? [];
  const all = args.includes('-a') || args.includes('--all');
  const paths = all ? swaps.map((s) => s.path) : args.filter((a) => !a.startsWith('-'));
  if (paths.length === 0 && !all) return fail('swapoff: bad usage\nTry \'swapoff --help\' for more information.\n', 1);
  let stderr = '';
  for (const path of paths) {
    if (!n.root) stderr += NOT_ROOT('swapoff', path);
    else if (!swaps.some((s) => s.path === path)) stderr += `swapoff: ${path}: swapoff failed: Invalid argument\n`;
    else host.swaps = (host.swaps ?? []).filter((s) => s.path !== path);
  }
  return { stdout: '', stderr, exitCode: stderr ? (all ? 4 : 255) : 0 };
};
