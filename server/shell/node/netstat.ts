// `netstat` (net-tools 2.10, Ubuntu 22.04) on a node: the sockets `ss` and `lsof -i` list
// (procs.ts), in netstat.c's layout: tcp_do_one's "%-4s  %6ld %6ld %-*s %-*s %-11s" (addresses
// at least 23 wide, cut by addr_do_one to fit 22), udp_do_one's "%-5s …", and with -p
// finish_this_one's " %-20s" of "PID/program" (prg_cache_load: the cmdline's basename when it
// starts with '/', else the whole process title, cut to 19 characters).
import type { ShellCommand } from '../types.js';
import { fail } from '../types.js';
import { internalIP } from '../session.js';
import { isResult, onNode } from './common.js';
import { processes, sockets, type Socket } from './procs.js';

/** /etc/services names netstat prints without -n (netbase 6.3). */
const SERVICES: Record<number, string> = { 22: 'ssh', 53: 'domain' };

const NOT_ROOT = '(Not all processes could be identified, non-owned process info\n will not be shown, you would have to be root to see it all.)\n';

/** addr_do_one: `addr:port`, the address cut so that both fit in 22 characters (unless -W). */
function endpoint(host: string, port: string, wide: boolean): string {
  if (wide || host.length + port.length <= 22) return `${host}:${port}`;
  const portLen = Math.min(port.length, 18);
  return `${host.slice(0, 22 - portLen)}:${port.slice(0, portLen)}`;
}

export const netstat: ShellCommand = (ctx, argv) => {
  const n = onNode(ctx, 'netstat');
  if (isResult(n)) return n;
  const LONG: Record<string, string> = { '--tcp': 't', '--udp': 'u', '--listening': 'l', '--all': 'a', '--numeric': 'n', '--program': 'p', '--wide': 'W' };
  let flags = '';
  for (const a of argv.slice(1)) {
    if (LONG[a]) flags += LONG[a];
    else if (/^-[a-zA-Z]+$/.test(a)) flags += a.slice(1);
    else return fail(`netstat: unrecognized option '${a}'\n`);
  }
  const bad = [...flags].find((f) => !'tulanpW46'.includes(f));
  if (bad) return fail(`netstat: invalid option -- '${bad}'\n`);
  const has = (f: string): boolean => flags.includes(f);
  const [tcp, udp] = has('t') || has('u') ? [has('t'), has('u')] : [true, true];
  const numeric = has('n');
  const ip = internalIP(n.node);
  const host = (h: string, ipv6: boolean): string => {
    if (h === '*') return ipv6 ? '::' : '0.0.0.0';
    if (numeric) return h;
    return h === '127.0.0.1' ? 'localhost' : h === ip ? n.name : h;
  };
  const port = (p: number): string => (numeric ? String(p) : SERVICES[p] ?? String(p));
  const procs = processes(n);
  const program = (s: Socket): string => {
    if (!n.root) return '-';
    const cmd = procs.find((p) => p.pid === s.pid)?.cmd ?? s.comm;
    const first = cmd.startsWith('sshd:') ? cmd : cmd.split(' ')[0]!;
    return `${s.pid}/${first.startsWith('/') ? first.split('/').at(-1) : first}`.slice(0, 19);
  };
  // /proc/net/tcp, tcp6, then udp, udp6.
  const order = (s: Socket): number => (s.proto === 'UDP' ? 2 : 0) + (s.ipv6 ? 1 : 0);
  const list = sockets(n)
    .filter((s) => (s.proto === 'TCP' ? tcp : udp) && (has('a') || (s.remote === undefined) === has('l')))
    .filter((s) => !(has('4') && !has('6') && s.ipv6) && !(has('6') && !has('4') && !s.ipv6))
    .map((s, i) => ({ s, i })).sort((a, b) => order(a.s) - order(b.s) || a.i - b.i).map(({ s }) => s);
  const title = has('a') ? 'servers and established' : has('l') ? 'only servers' : 'w/o servers';
  let out = `Active Internet connections (${title})\nProto Recv-Q Send-Q Local Address           Foreign Address         State      ${has('p') ? ` ${'PID/Program name'.padEnd(20)}` : ''}\n`;
  for (const s of list) {
    const local = endpoint(host(s.local[0], s.ipv6), port(s.local[1]), has('W'));
    const remote = s.remote ? endpoint(host(s.remote[0], s.ipv6), port(s.remote[1]), has('W')) : `${host('*', s.ipv6)}:*`;
    const proto = `${s.proto.toLowerCase()}${s.ipv6 ? '6' : ''}`;
    const state = s.proto === 'UDP' ? '' : s.remote ? 'ESTABLISHED' : 'LISTEN';
    const head = s.proto === 'UDP' ? `${proto.padEnd(5)} ` : `${proto.padEnd(4)}  `;
    out += `${head}${'0'.padStart(6)} ${'0'.padStart(6)} ${local.padEnd(23)} ${remote.padEnd(23)} ${state.padEnd(11)}${has('p') ? ` ${program(s).padEnd(20)}` : ''}\n`;
  }
  // prg_cache_load warns (on stderr, before the table) when it could not read other users' /proc/PID/fd.
  return { stdout: out, stderr: '', exitCode: 0, stderrFirst: has('p') && !n.root ? NOT_ROOT : undefined };
};
