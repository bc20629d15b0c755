// `top -b` (procps-ng 3.3.17, Ubuntu 22.04) over the node's process table (procs.ts): the
// summary area (uptime's line, Tasks, %Cpu(s), MiB Mem / MiB Swap as free computes them) and
// the task area sorted by %CPU, columns PID USER PR NI VIRT RES SHR S %CPU %MEM TIME+ COMMAND;
// htop's one frame over the same figures.
import type { ShellCommand } from '../types.js';
import { fail, ok } from '../types.js';
import { bootTime, isResult, onNode } from './common.js';
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

/** htop's Process_printKBytes: KiB as they are below 100000, then M, then G with one decimal. */
function htopBytes(kib: number): string {
  if (kib < 100_000) return String(kib).padStart(5);
  const mib = Math.floor(kib / 1024);
  return mib < 10_000 ? `${mib}M`.padStart(5) : `${(kib / 2 ** 20).toFixed(1)}G`.padStart(5);
}

/** Meter_humanUnit: 1.23G, 512M, 0K. */
function htopUnit(bytes: number): string {
  const kib = bytes / 1024;
  if (kib < 1024) return `${Math.round(kib)}K`;
  if (kib < 2 ** 20) return `${Math.round(kib / 1024)}M`;
  return `${(kib / 2 ** 20).toFixed(2)}G`;
}

/** A bar meter (BarMeterMode_draw): caption, `[`, bars for the share, the value right-aligned, `]`. */
function bar(caption: string, share: number, text: string, width: number): string {
  const inner = width - caption.length - 2;
  const cells = Math.max(0, inner - text.length);
  const bars = Math.min(cells, Math.round(Math.max(0, Math.min(1, share)) * inner));
  return `${caption}[${'|'.repeat(bars)}${' '.repeat(inner - bars - text.length)}${text}]`;
}

/**
 * htop (3.0.5, Ubuntu 22.04) has no batch mode: it draws its full screen and waits for keys
 * (htop-dev/htop: CRT_init's initscr(), then ScreenManager_run), and its only failure there is
 * ncurses' "Error opening terminal" for an unknown $TERM. This terminal shows lines, not a
 * screen: htop prints the first frame it would draw, monochrome (as `htop -C`) on 80 columns,
 * and ends as if `q` was pressed. The frame is top's figures: per-CPU bars, Mem and Swp, Tasks,
 * Load average, Uptime, then the process list sorted by CPU% (Process.c's columns) and the
 * function bar.
 */
export const htop: ShellCommand = (ctx, argv) => {
  const n = onNode(ctx, 'htop');
  if (isResult(n)) return n;
  const bad = argv.slice(1).find((a) => !['-C', '--no-color', '-t', '--tree'].includes(a));
  if (bad !== undefined) return fail(`htop: unrecognized option '${bad}'\n`);
  const procs = processes(n).sort((a, b) => b.cpu - a.cpu || a.pid - b.pid);
  const mem = memory(n);
  const cores = Math.max(1, Math.round(n.node.status.capacity.cpu / 1000));
  const busy = Math.min(100, procs.reduce((t, p) => t + p.cpu, 0) / cores);
  const width = 39;
  const cpu = Array.from({ length: cores }, (_, i) => {
    const pct = Math.max(0, busy * (0.8 + ((i * 37) % 5) / 10));
    return bar(String(i).padStart(3), pct / 100, `${pct.toFixed(1)}%`, width);
  });
  const left = [...cpu.slice(0, Math.ceil(cores / 2)), bar('Mem', mem.used / mem.total, `${htopUnit(mem.used)}/${htopUnit(mem.total)}`, width), bar('Swp', mem.swap[0] ? mem.swap[1]! / mem.swap[0] : 0, `${htopUnit(mem.swap[1]!)}/${htopUnit(mem.swap[0]!)}`, width)];
  const load = /load average: (.*)$/.exec(uptimeLine(n))![1]!.replaceAll(',', '');
  const upSeconds = Math.floor((n.state.now - bootTime(n.node)) / 1000);
  const days = Math.floor(upSeconds / 86_400);
  const p2 = (x: number): string => String(x).padStart(2, '0');
  const clock = `${p2(Math.floor((upSeconds % 86_400) / 3600))}:${p2(Math.floor((upSeconds % 3600) / 60))}:${p2(upSeconds % 60)}`;
  const right = [
    ...cpu.slice(Math.ceil(cores / 2)),
    `Tasks: ${procs.length}, ${procs.length * 4} thr; 1 running`,
    `Load average: ${load}`,
    `Uptime: ${days > 0 ? `${days} day${days === 1 ? '' : 's'}, ` : ''}${clock}`,
  ];
  const meters = Array.from({ length: Math.max(left.length, right.length) }, (_, i) => ` ${(left[i] ?? '').padEnd(width)} ${right[i] ?? ''}`.trimEnd());
  const totalKb = mem.total / 1024;
  const rows = procs.map((p) => {
    // Process_printTime: M:SS.hh under an hour, then HhMM:SS, then Hh alone from 100 hours.
    const t = cpuTime(p, n.state.now);
    const hours = Math.floor(t / 3600);
    const time = hours >= 100 ? `${hours}h`.padStart(8) : hours > 0 ? `${String(hours).padStart(2)}h${p2(Math.floor((t % 3600) / 60))}:${p2(t % 60)}` : `${String(Math.floor(t / 60)).padStart(2)}:${p2(t % 60)}.${p2(Math.floor((t * 100) % 100))}`;
    return `${String(p.pid).padStart(7)} ${p.user.slice(0, 9).padEnd(9)}  20   0 ${htopBytes(p.rssKb * 9 + 700_000)} ${htopBytes(p.rssKb)} ${htopBytes(Math.round(p.rssKb * 0.6))} S ${p.cpu.toFixed(1).padStart(4)} ${((p.rssKb / totalKb) * 100).toFixed(1).padStart(4)} ${time} ${p.cmd}`;
  });
  const header = '    PID USER      PRI  NI  VIRT   RES   SHR S CPU% MEM%   TIME+  Command';
  const functionBar = 'F1Help  F2Setup F3SearchF4FilterF5Tree  F6SortByF7Nice -F8Nice +F9Kill  F10Quit';
  return ok(`${[...meters, '', header, ...rows, functionBar].join('\n')}\n`);
};
