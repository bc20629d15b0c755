// `top -b` (procps-ng 3.3.17, Ubuntu 22.04) over the node's process table (procs.ts): the
// summary area (uptime's line, Tasks, %Cpu(s), MiB Mem / MiB Swap as free computes them) and
// the task area sorted by %CPU, columns PID USER PR NI VIRT RES SHR S %CPU %MEM TIME+ COMMAND.
import type { ShellCommand } from '../types.js';
import { fail, ok } from '../types.js';
import { isResult, onNode } from './common.js';
import { cpuTime, memory, processes, uptimeLine } from './procs.js';

/** TIME+: minutes:seconds.hundredths of CPU time. */
function timePlus(seconds: number): string {
  return `${Math.floor(seconds / 60)}:${String(Math.floor(seconds % 60)).padStart(2, '0')}.${String(Math.floor((seconds * 100) % 100)).padStart(2, '0')}`;
}

export const top: ShellCommand = (ctx, argv) => {
  const n = onNode(ctx, 'top');
  if (isResult(n)) return n;
  const args = argv.slice(1).join(' ');
  // Without -b, top draws a full screen and needs the terminal's size, which it cannot read here.
  if (!/(^|\s)-[a-zA-Z]*b/.test(args)) return fail('top: failed tty get\n');
  if (/-n\s*(\d+)/.test(args) && Number(/-n\s*(\d+)/.exec(args)![1]) > 1) return fail('top: only one iteration (-n 1) is available here\n');
  const procs = processes(n).sort((a, b) => b.cpu - a.cpu || a.pid - b.pid);
  const mem = memory(n);
  const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(1).padStart(9);
  const busy = Math.min(100, procs.reduce((t, p) => t + p.cpu, 0) / Math.max(1, n.node.status.capacity.cpu / 1000));
  const us = busy * 0.7;
  const sy = busy * 0.3;
  const cpu = [us, sy, 0, 100 - us - sy, 0, 0, 0, 0].map((x) => x.toFixed(1).padStart(5));
  const head = [
    `top -${uptimeLine(n)}`,
    `Tasks: ${String(procs.length).padStart(3)} total,   0 running, ${String(procs.length).padStart(3)} sleeping,   0 stopped,   0 zombie`,
    `%Cpu(s):${cpu[0]} us,${cpu[1]} sy,${cpu[2]} ni,${cpu[3]} id,${cpu[4]} wa,${cpu[5]} hi,${cpu[6]} si,${cpu[7]} st`,
    `MiB Mem :${mib(mem.total)} total,${mib(mem.freeMem)} free,${mib(mem.used)} used,${mib(mem.buffCache)} buff/cache`,
    `MiB Swap:${mib(mem.swap[0]!)} total,${mib(mem.swap[2]!)} free,${mib(mem.swap[1]!)} used.${mib(mem.available)} avail Mem `,
    '',
    '    PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND',
  ];
  const totalKb = mem.total / 1024;
  const rows = procs.map((p) => {
    const user = p.user.length > 8 ? `${p.user.slice(0, 7)}+` : p.user;
    const virt = p.rssKb * 9 + 700_000;
    const shr = Math.round(p.rssKb * 0.6);
    return `${String(p.pid).padStart(7)} ${user.padEnd(8)}  20   0 ${String(virt).padStart(7)} ${String(p.rssKb).padStart(6)} ${String(shr).padStart(6)} S ${p.cpu.toFixed(1).padStart(5)} ${((p.rssKb / totalKb) * 100).toFixed(1).padStart(5)} ${timePlus(cpuTime(p, n.state.now)).padStart(9)} ${p.comm}`;
  });
  return ok(`${[...head, ...rows].join('\n')}\n\n`);
};

/** htop draws a full-screen ncurses view, which this terminal cannot show: it says so and points to top's batch mode. */
export const htop: ShellCommand = (ctx) => {
  const n = onNode(ctx, 'htop');
  if (isResult(n)) return n;
  return fail('htop: the full-screen view cannot be drawn in this terminal; top -b -n 1 lists the same processes\n');
};
