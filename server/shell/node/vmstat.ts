// `vmstat [DELAY [COUNT]]` (procps-ng 3.3.17, Ubuntu 22.04): memory from the figures free and
// /proc/meminfo show (procs.ts), the CPU split from the load average over the node's cores, the
// rest steady rates derived from the node's name. The first line is the averages since boot;
// each later one lets DELAY seconds of simulated time pass, as ping does. Without a COUNT it
// would run until Ctrl-C: a line's vmstat stops after MAX_LINES.
import type { ShellCommand } from '../types.js';
import { fail, ok } from '../types.js';
import { isResult, onNode, stableInt, type NodeContext } from './common.js';
import { cacheSplit, loadAverages, memory } from './procs.js';

const MAX_LINES = 60;
const HEADER = 'procs -----------memory---------- ---swap-- -----io---- -system-- ------cpu-----\n r  b   swpd   free   buff  cache   si   so    bi    bo   in   cs us sy id wa st\n';

/** One line (vmstat.c's format: `%2u %2u %6lu %6lu %6lu %6lu %4u %4u %5u %5u %4u %4u %2u %2u %2u %2u %2u`). */
function line(n: NodeContext, sample: number): string {
  const m = memory(n);
  const { buffers, cached, reclaimable } = cacheSplit(m.buffCache);
  const kb = (bytes: number): number => Math.floor(bytes / 1024);
  const cores = Math.max(1, Math.round(n.node.status.capacity.cpu / 1000));
  const busy = Math.min(100, Math.round((loadAverages(n)[0] / cores) * 100));
  const us = Math.round(busy * 0.7);
  const sy = busy - us;
  const jitter = (what: string, lo: number, hi: number): number => stableInt(`${n.name}/vmstat/${what}/${sample}`, lo, hi);
  const wa = jitter('wa', 0, 1);
  const cells: [number, number][] = [
    [Math.max(1, Math.round(loadAverages(n)[0])), 2], [0, 2], [kb(m.swap[1] ?? 0), 6], [kb(m.freeMem), 6], [buffers, 6], [cached + reclaimable, 6],
    [0, 4], [0, 4], [jitter('bi', 2, 40), 5], [jitter('bo', 20, 90), 5], [jitter('in', 300, 900), 4], [jitter('cs', 600, 1800), 4],
    [us, 2], [sy, 2], [Math.max(0, 100 - us - sy - wa), 2], [wa, 2], [0, 2],
  ];
  return `${cells.map(([v, width]) => String(v).padStart(width)).join(' ')}\n`;
}

export const vmstat: ShellCommand = (ctx, argv) => {
  const n = onNode(ctx, 'vmstat');
  if (isResult(n)) return n;
  const numbers = argv.slice(1).filter((a) => !a.startsWith('-'));
  const option = argv.slice(1).find((a) => a.startsWith('-'));
  if (option !== undefined) return fail(`vmstat: invalid option -- '${option.slice(1, 2)}'\n\nUsage:\n vmstat [options] [delay [count]]\n`, 1);
  const [delay, count] = numbers.map(Number);
  if (numbers.some((x) => !/^\d+$/.test(x))) return fail('vmstat: failed to parse argument: \'' + numbers.find((x) => !/^\d+$/.test(x)) + "'\n", 1);
  if (delay === 0) return fail('vmstat: delay must be positive integer\n', 1);
  const lines = delay === undefined ? 1 : Math.min(count ?? MAX_LINES, MAX_LINES);
  let out = HEADER;
  for (let i = 0; i < lines; i++) {
    if (i > 0) ctx.passTime?.(delay! * 1000);
    out += line(n, i);
  }
  return ok(out);
};
