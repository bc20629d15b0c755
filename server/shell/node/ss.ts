// `ss` (iproute2 5.15, Ubuntu 22.04) on a node: the sockets of procs.ts (the ones lsof -i
// lists); in a pod (exec/net-tools.ts) the sockets of its network namespace. Laid out as ss.c does when its output is not a terminal: each column as wide as
// its widest cell plus its left delimiter, addresses right-aligned against their ports, and
// no delimiter before "Process" (hence the real header's glued `Peer Address:PortProcess`).
import type { CommandResult, ShellCommand } from '../types.js';
import { fail, ok } from '../types.js';
import { isResult, onNode, stableInt } from './common.js';
import { sockets, type Socket } from './procs.js';

interface Column {
  header: string;
  /** ss.c's ldelim: printed before the cell unless it starts the line. */
  delim: string;
  right: boolean;
}

const NETID: Column = { header: 'Netid', delim: '', right: false };
const COLUMNS: Column[] = [
  { header: 'State', delim: ' ', right: false },
  { header: 'Recv-Q', delim: ' ', right: false },
  { header: 'Send-Q', delim: ' ', right: false },
  { header: 'Local Address:', delim: ' ', right: true },
  { header: 'Port', delim: '', right: false },
  { header: 'Peer Address:', delim: ' ', right: true },
  { header: 'Port', delim: '', right: false },
  { header: 'Process', delim: '', right: false },
];

/** ss.c render() in compact mode: widths from the widest cell (plus ldelim after the first column). */
function render(columns: Column[], rows: string[][], header: boolean): string {
  const all = header ? [columns.map((c) => c.header), ...rows] : rows;
  if (all.length === 0) return '';
  const widths = columns.map((c, i) => {
    const max = Math.max(...all.map((r) => r[i]!.length));
    return i > 0 && max > 0 ? max + c.delim.length : max;
  });
  return all.map((r) => r.map((cell, i) => {
    const c = columns[i]!;
    const lead = i > 0 ? c.delim : '';
    return c.right ? lead + cell.padStart(widths[i]! - lead.length) : (lead + cell).padEnd(widths[i]!);
  }).join('') + '\n').join('');
}

/** /etc/services names ss prints without -n (ephemeral ports are never resolved). */
const SERVICES: Record<number, string> = { 22: 'ssh' };

function address(host: string, ipv6: boolean, listening: boolean): string {
  if (host !== '*') return host;
  // A wildcard IPv6 socket that also takes IPv4 prints as `*`; an IPv4 one as 0.0.0.0.
  return ipv6 ? '*' : listening ? '0.0.0.0' : host;
}

function row(s: Socket, o: Options): string[] {
  const listening = s.remote === undefined;
  const udp = s.proto === 'UDP';
  const port = (p: number): string => (o.numeric ? String(p) : SERVICES[p] ?? String(p));
  const cells = [
    udp ? 'UNCONN' : listening ? 'LISTEN' : s.timeWait ? 'TIME-WAIT' : 'ESTAB',
    String(0).padEnd(6),
    // A listening socket's Send-Q is its backlog: sshd's 128, Go servers' somaxconn (4096); UDP has none.
    String(listening && !udp ? (s.comm === 'sshd' ? 128 : 4096) : 0).padEnd(6),
    `${address(s.local[0], s.ipv6, listening)}:`, port(s.local[1]),
    s.remote ? `${s.remote[0]}:` : `${address('*', s.ipv6, true)}:`, s.remote ? port(s.remote[1]) : '*',
    // Without root, ss cannot read other users' /proc/PID/fd: no users:(...) at all; nor for a
    // socket in TIME-WAIT (no process holds it) or of a process in another PID namespace.
    o.processes && o.root && !s.timeWait && !s.unseen ? ` users:(("${s.comm}",pid=${s.pid},fd=${s.fd}))` : '',
  ];
  return o.netid ? [udp ? 'udp' : 'tcp', ...cells] : cells;
}

interface Options {
  tcp: boolean;
  udp: boolean;
  listening: boolean;
  all: boolean;
  numeric: boolean;
  processes: boolean;
  summary: boolean;
  noHeader: boolean;
  family?: 4 | 6;
  netid: boolean;
  root: boolean;
  /** `sport = :N` / `dport = :N` filter. */
  filter?: { side: 'sport' | 'dport'; port: number };
  /** `state NAME` / `exclude NAME`: the SS_* states shown (a bit each), instead of -l/-a's. */
  states?: number;
}

// ss.c's SS_* states (the kernel's TCP states) the model's sockets can be in.
const SS_ESTABLISHED = 1 << 1;
const SS_SYN_SENT = 1 << 2;
const SS_SYN_RECV = 1 << 3;
const SS_TIME_WAIT = 1 << 6;
const SS_CLOSE = 1 << 7;
const SS_LISTEN = 1 << 10;
const SS_ALL = (1 << 12) - 1;
const STATE_NAMES = ['unknown', 'established', 'syn-sent', 'syn-recv', 'fin-wait-1', 'fin-wait-2', 'time-wait', 'closed', 'close-wait', 'last-ack', 'listening', 'closing'];

/** ss.c scan_state(): a state's name, or one of its groups, as a set of SS_* bits; undefined when unknown. */
function scanState(name: string): number | undefined {
  const n = name.toLowerCase();
  if (n === 'close' || n === 'closed') return SS_CLOSE;
  if (n === 'syn-rcv') return SS_SYN_RECV;
  if (n === 'all') return SS_ALL;
  if (n === 'connected') return SS_ALL & ~(SS_CLOSE | SS_LISTEN);
  if (n === 'synchronized') return SS_ALL & ~(SS_CLOSE | SS_LISTEN | SS_SYN_SENT);
  if (n === 'bucket') return SS_SYN_RECV | SS_TIME_WAIT;
  if (n === 'big') return SS_ALL & ~(SS_SYN_RECV | SS_TIME_WAIT);
  const i = STATE_NAMES.indexOf(n);
  return i > 0 ? 1 << i : undefined;
}

function stateOf(s: Socket): number {
  if (s.timeWait) return SS_TIME_WAIT;
  if (s.remote) return SS_ESTABLISHED;
  return s.proto === 'UDP' ? SS_CLOSE : SS_LISTEN;
}

const USAGE = 'Usage: ss [ OPTIONS ]\n       ss [ OPTIONS ] [ FILTER ]\n';
const LONG: Record<string, string> = {
  '--tcp': 't', '--udp': 'u', '--listening': 'l', '--all': 'a', '--numeric': 'n', '--processes': 'p',
  '--summary': 's', '--no-header': 'H', '--ipv4': '4', '--ipv6': '6',
};

function parse(root: boolean, args: string[]): Options | string {
  let flags = '';
  const rest: string[] = [];
  for (const a of args) {
    if (a.startsWith('--')) {
      const f = LONG[a];
      if (!f) return `ss: unrecognized option '${a}'\n${USAGE}`;
      flags += f;
    } else if (a.startsWith('-') && a.length > 1) flags += a.slice(1);
    else rest.push(a);
  }
  const bad = [...flags].find((f) => !'tulanpsH46rew'.includes(f));
  if (bad) return `ss: invalid option -- '${bad}'\n${USAGE}`;
  const o: Options = {
    tcp: flags.includes('t'), udp: flags.includes('u'), listening: flags.includes('l'), all: flags.includes('a'),
    numeric: flags.includes('n'), processes: flags.includes('p'), summary: flags.includes('s'), noHeader: flags.includes('H'),
    netid: false, root,
  };
  if (flags.includes('4')) o.family = 4;
  if (flags.includes('6')) o.family = 6;
  // The Netid column shows unless exactly one socket table is asked for.
  o.netid = o.tcp === o.udp;
  // `state established`, `exclude listening`: the first sets the states, each next one adds (or takes away).
  const words: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i]!;
    if (w !== 'state' && w !== 'exclude' && w !== 'excl') {
      words.push(w);
      continue;
    }
    const name = rest[++i];
    if (name === undefined) return `ss: ${w}: missing argument\n`;
    const bits = scanState(name);
    if (bits === undefined) return `ss: wrong state name: ${name}\n`;
    o.states = w === 'state' ? (o.states ?? 0) | bits : (o.states ?? SS_ALL) & ~bits;
  }
  rest.splice(0, rest.length, ...words);
  if (rest.length > 0) {
    const text = rest.join(' ').replace(/[()]/g, ' ').trim();
    const m = /^(sport|dport)\s*(?:=|==|eq)?\s*:(\d+)$/.exec(text);
    if (!m) return `Error: an inet prefix is expected rather than "${rest.at(-1)}".\n`;
    o.filter = { side: m[1] as 'sport' | 'dport', port: Number(m[2]) };
  }
  return o;
}

function summary(all: Socket[], unixSockets: number): string {
  const list = all.filter((s) => !s.timeWait);
  const v4 = list.filter((s) => !s.ipv6).length;
  const v6 = list.length - v4;
  const estab = list.filter((s) => s.remote).length;
  const timewait = all.length - list.length;
  // Unix sockets (systemd, containerd, dbus on a node) count in the total; the model keeps no list of them.
  const total = list.length + unixSockets;
  const line = (name: string, t: number, a: number, b: number): string => `${name}\t  ${String(t).padEnd(9)} ${String(a).padEnd(9)} ${String(b).padEnd(9)}\n`;
  return `Total: ${total}\nTCP:   ${all.length} (estab ${estab}, closed 0, orphaned 0, timewait ${timewait})\n\nTransport Total     IP        IPv6\n` +
    line('RAW', 0, 0, 0) + line('UDP', 0, 0, 0) + line('TCP', list.length, v4, v6) + line('INET', list.length, v4, v6) + line('FRAG', 0, 0, 0) + '\n';
}

export const ss: ShellCommand = (ctx, argv) => {
  const n = onNode(ctx, 'ss');
  if (isResult(n)) return n;
  return ssReport(argv, sockets(n), { root: n.root, unixSockets: stableInt(`${n.name}/unix-sockets`, 180, 420) });
};

/** ss over a network namespace's sockets: its options, filters and layout. */
export function ssReport(argv: string[], all: Socket[], where: { root: boolean; unixSockets: number }): CommandResult {
  const o = parse(where.root, argv.slice(1));
  if (typeof o === 'string') return fail(o, o.startsWith('Error') ? 1 : 255);
  if (o.summary) return ok(summary(all, where.unixSockets));
  // -t and -u pick the protocols (both, or neither: all).
  const list = all.filter((s) => {
    if (o.tcp !== o.udp && (s.proto === 'UDP') !== o.udp) return false;
    const listening = s.remote === undefined;
    if (o.states !== undefined) {
      if ((stateOf(s) & o.states) === 0) return false;
    // Without -a, ss shows connected sockets (SS_CONN: not LISTEN, CLOSE, TIME-WAIT or SYN-RECV).
    } else if (!o.all && (listening !== o.listening || (s.timeWait && !o.listening))) return false;
    if (o.family === 4 && s.ipv6) return false;
    if (o.family === 6 && !s.ipv6) return false;
    if (o.filter) return (o.filter.side === 'sport' ? s.local[1] : s.remote?.[1]) === o.filter.port;
    return true;
  });
  // One state asked for: ss.c disables the State column (`!(states & (states - 1))`).
  const single = o.states !== undefined && (o.states & (o.states - 1)) === 0;
  const columns = (o.netid ? [NETID, ...COLUMNS] : COLUMNS).filter((c) => !single || c.header !== 'State');
  const rows = list.map((s) => {
    const cells = row(s, o);
    if (single) cells.splice(o.netid ? 1 : 0, 1);
    return cells;
  });
  return ok(render(columns, rows, !o.noHeader));
}
