// tcpdump 4.99 on a node or in a pod's network namespace (exec/net-tools.ts), summarised from
// the simulated flows: the DNS queries sent from there (cluster/network/dns.ts keeps the
// latest) and the TCP connections kube-proxy's NAT tracked (conntrack: a handshake each; a
// pod sees its own connections before the DNAT, to the Service's address, and those it served). Lines as tcpdump prints them (print-domain.c,
// print-tcp.c; `-i any` adds print-sll.c's interface and direction). Like the real one it runs
// until Ctrl-C (a stream at an interactive terminal) or -c packets; elsewhere simulated time
// passes, bounded (watching.ts). Filters: tcp, udp, [src|dst] port N, [src|dst] host IP, `and`.
import { wallClock } from '../../../cluster/logs.js';
import type { ClusterState, ConntrackEntry, DnsQuery, Node } from '../../../cluster/types.js';
import { MAX_WATCH_MS, watchFor } from '../../kubectl/watching.js';
import { fail, type CommandContext, type CommandResult, type ShellCommand, type StreamCursor } from '../../types.js';

interface Packet {
  at: number;
  /** When it crossed, in µs (packets of the same simulated ms keep their order). */
  us?: number;
  proto: 'tcp' | 'udp';
  src: string;
  sport: number;
  dst: string;
  dport: number;
  /** Out of this host (a query it sent), or in. */
  out: boolean;
  text: string;
}

type Term = { proto: 'tcp' | 'udp' } | { port: number; dir?: 'src' | 'dst' } | { host: string; dir?: 'src' | 'dst' };

const SERVICES: Record<number, string> = { 53: 'domain', 80: 'http', 443: 'https', 22: 'ssh' };
/** TCP entries stay in conntrack this long after their connection (TIME_WAIT): their start is expiresAt minus it. */
const TIME_WAIT_MS = 120_000;

/** A stable number from text, for ports, DNS ids and sequence numbers. */
function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h;
}

function parseFilter(words: string[]): Term[] | string {
  const terms: Term[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === 'and' || w === '&&') continue;
    if (w === 'tcp' || w === 'udp') {
      terms.push({ proto: w });
      continue;
    }
    const dir = w === 'src' || w === 'dst' ? w : undefined;
    const what = dir ? words[++i] : w;
    const value = words[++i];
    if (what === 'port' && value !== undefined && /^\d+$/.test(value) && Number(value) < 65536) terms.push({ port: Number(value), ...(dir ? { dir } : {}) });
    else if (what === 'host' && value !== undefined && /^\d+\.\d+\.\d+\.\d+$/.test(value)) terms.push({ host: value, ...(dir ? { dir } : {}) });
    else return 'tcpdump: can\'t parse filter expression: syntax error\n';
  }
  return terms;
}

function matches(p: Packet, terms: Term[]): boolean {
  return terms.every((t) => {
    if ('proto' in t) return p.proto === t.proto;
    if ('port' in t) return (t.dir !== 'dst' && p.sport === t.port) || (t.dir !== 'src' && p.dport === t.port);
    return (t.dir !== 'dst' && p.src === t.host) || (t.dir !== 'src' && p.dst === t.host);
  });
}

/** Where a capture listens: which DNS queries and tracked connections cross its interfaces, and which way. */
export interface Vantage {
  query(q: DnsQuery): boolean;
  /** A tracked connection as seen there: its SYN's addresses and whether the SYN leaves; undefined when it does not pass. */
  connection(c: ConntrackEntry): { src: string; sport: number; dst: string; dport: number; out: boolean } | undefined;
}

/** A node (and a hostNetwork pod) sees its pods' queries and the connections its NAT tracked (the SYN coming in from a pod). */
export function nodeVantage(node: Node): Vantage {
  const name = node.metadata.name;
  return {
    query: (q) => q.node === name,
    connection: (c) => (c.node === name ? { src: c.src, sport: c.sport, dst: c.dst, dport: c.dport, out: false } : undefined),
  };
}

/** What crossed the interfaces in (from, to]. */
function packets(state: ClusterState, where: Vantage, from: number, to: number): Packet[] {
  const out: Packet[] = [];
  for (const q of state.network.dnsQueries ?? []) {
    if (!where.query(q) || q.at <= from || q.at > to) continue;
    const key = `${q.at}|${q.src}|${q.name}|${q.type}`;
    const sport = 32768 + (hash(key) % 28232);
    const id = hash(`id|${key}`) % 65536;
    const qlen = 12 + q.name.length + 1 + 4;
    out.push({ at: q.at, proto: 'udp', src: q.src, sport, dst: q.server, dport: 53, out: true, text: `${id}+ ${q.type}? ${q.name} (${qlen})` });
    if (q.rcode === 'timeout') continue;
    const rcode = q.rcode === 'NOERROR' ? '' : q.rcode === 'NXDOMAIN' ? ' NXDomain' : ' ServFail';
    const flags = q.authoritative ? '*-' : '';
    const authority = q.rcode === 'NXDOMAIN' || (q.rcode === 'NOERROR' && q.answers.length === 0) ? 1 : 0;
    const answers = q.answers.length > 0 ? ` ${q.answers.join(', ')}` : '';
    const len = qlen + q.answers.length * 16 + authority * 93;
    out.push({ at: q.at, proto: 'udp', src: q.server, sport: 53, dst: q.src, dport: sport, out: false, text: `${id}${rcode}${flags} ${q.answers.length}/${authority}/0${answers} (${len})` });
  }
  for (const c of state.network.conntrack) {
    const at = c.expiresAt - TIME_WAIT_MS;
    if (c.protocol !== 'tcp' || at <= from || at > to) continue;
    const seen = where.connection(c);
    if (!seen) continue;
    const seq = hash(`${seen.src}.${seen.sport}>${seen.dst}.${seen.dport}`);
    const ack = hash(`${seen.dst}.${seen.dport}>${seen.src}.${seen.sport}`);
    const ts = (at >>> 0) % 4_000_000_000;
    const syn = { proto: 'tcp' as const, src: seen.src, sport: seen.sport, dst: seen.dst, dport: seen.dport, out: seen.out };
    const back = { proto: 'tcp' as const, src: seen.dst, sport: seen.dport, dst: seen.src, dport: seen.sport, out: !seen.out };
    out.push({ ...syn, at, text: `Flags [S], seq ${seq}, win 64240, options [mss 1460,sackOK,TS val ${ts} ecr 0,nop,wscale 7], length 0` });
    out.push({ ...back, at, text: `Flags [S.], seq ${ack}, ack ${(seq + 1) >>> 0}, win 65160, options [mss 1460,sackOK,TS val ${ts + 1} ecr ${ts},nop,wscale 7], length 0` });
    out.push({ ...syn, at, text: `Flags [.], ack 1, win 502, options [nop,nop,TS val ${ts + 2} ecr ${ts + 1}], length 0` });
  }
  out.sort((a, b) => a.at - b.at);
  let k = 0;
  out.forEach((p, i) => {
    k = i > 0 && out[i - 1]!.at === p.at ? k + 1 : 0;
    p.us = p.at * 1000 + Math.min(999, (hash(`${p.at}`) % 200) + k * 31);
  });
  return out;
}

interface Options {
  iface: string;
  numericPorts: boolean;
  count: number | undefined;
  terms: Term[];
}

function line(state: ClusterState, o: Options, p: Packet): string {
  const us = p.us ?? p.at * 1000;
  const when = wallClock(state, Math.floor(us / 1000)).toISOString().slice(11, 19);
  const micro = String(((Math.floor(us / 1000) % 1000) * 1000) + (us % 1000)).padStart(6, '0');
  const port = (n: number): string => (o.numericPorts ? String(n) : SERVICES[n] ?? String(n));
  // -i any: the cooked header's interface and direction (print-sll.c: "%-5s " then "In  "/"Out ").
  const where = o.iface === 'any' ? `${'eth0'.padEnd(5)} ${p.out ? 'Out' : 'In '} ` : '';
  return `${when}.${micro} ${where}IP ${p.src}.${port(p.sport)} > ${p.dst}.${port(p.dport)}: ${p.text}\n`;
}

const stats = (n: number): string => `${n} packet${n === 1 ? '' : 's'} captured\n${n} packet${n === 1 ? '' : 's'} received by filter\n0 packets dropped by kernel\n`;

/** What `-i` may name on a node. */
export const NODE_INTERFACES = ['eth0', 'any', 'lo', 'ens5', 'cni0'];

export const tcpdump: ShellCommand = (ctx, argv) => {
  const node = ctx.session.node ? ctx.state.nodes[ctx.session.node] : undefined;
  if (!node) return fail('tcpdump: command not found\n', 127);
  return capture(ctx, argv, nodeVantage(node), NODE_INTERFACES);
};

/** tcpdump's options, filter and output over what `where` sees on `interfaces`. */
export function capture(ctx: CommandContext, argv: string[], where: Vantage, interfaces: string[]): CommandResult {
  const o: Options = { iface: 'eth0', numericPorts: false, count: undefined, terms: [] };
  const rest: string[] = [];
  const args = argv.slice(1);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-i' || a.startsWith('-i') && a.length > 2) o.iface = a === '-i' ? (args[++i] ?? '') : a.slice(2);
    else if (a === '-c' || /^-c\d+$/.test(a)) {
      const n = a === '-c' ? args[++i] : a.slice(2);
      if (n === undefined || !/^\d+$/.test(n) || Number(n) === 0) return fail(`tcpdump: invalid packet count ${n ?? ''}\n`);
      o.count = Number(n);
    } else if (a === '-nn') o.numericPorts = true;
    else if (/^-[nlvqtSK]+$/.test(a)) continue; // -n (ports named still), -l, -v… change nothing here
    else if (a.startsWith('-')) return fail(`tcpdump: option ${a} is not available in this drill (try -i, -n, -nn, -c)\n`);
    else rest.push(a);
  }
  if (!interfaces.includes(o.iface)) return fail(`tcpdump: ${o.iface}: No such device exists\n(No such device exists)\n`);
  const terms = parseFilter(rest);
  if (typeof terms === 'string') return fail(terms);
  o.terms = terms;
  if (!ctx.session.root) return fail(`tcpdump: ${o.iface}: You don't have permission to perform this capture on that device\n(socket: Operation not permitted)\n`);
  const seen = (from: number, to: number): Packet[] => (o.iface === 'lo' ? [] : packets(ctx.state, where, from, to).filter((p) => matches(p, o.terms)));

  const resume = ctx.resume?.kind === 'tcpdump' ? ctx.resume : undefined;
  if (resume) return step(ctx, o, resume, seen);
  const header = `${o.iface === 'any' ? 'tcpdump: data link type LINUX_SLL2\n' : ''}tcpdump: verbose output suppressed, use -v[v]... for full protocol decode\nlistening on ${o.iface}, link-type ${o.iface === 'any' ? 'LINUX_SLL2 (Linux cooked v2)' : o.iface === 'lo' ? 'EN10MB (Ethernet)' : 'EN10MB (Ethernet)'}, snapshot length 262144 bytes\n`;
  const cursor: Extract<StreamCursor, { kind: 'tcpdump' }> = { kind: 'tcpdump', lastAt: ctx.state.now, seen: 0 };
  if (ctx.follow) {
    ctx.follow(cursor);
    return { stdout: '', stderr: header, exitCode: 0 };
  }
  let stdout = '';
  let ended = false;
  watchFor(ctx.passTime, () => {
    const more = step(ctx, o, cursor, seen);
    stdout += more.stdout;
    ended = more.streamEnded === true;
    return ended;
  }, MAX_WATCH_MS);
  // Ended by -c: tcpdump's own count; else the bound stands for the Ctrl-C a terminal would send.
  return { stdout, stderr: `${header}${ended ? '' : '^C'}\n${stats(cursor.seen)}`, exitCode: 0 };
}

/** The packets since the cursor (which moves on); with -c, the end once that many were printed. */
function step(ctx: CommandContext, o: Options, cursor: Extract<StreamCursor, { kind: 'tcpdump' }>, seen: (from: number, to: number) => Packet[]): CommandResult {
  let fresh = seen(cursor.lastAt, ctx.state.now);
  cursor.lastAt = ctx.state.now;
  if (o.count !== undefined) fresh = fresh.slice(0, o.count - cursor.seen);
  cursor.seen += fresh.length;
  const stdout = fresh.map((p) => line(ctx.state, o, p)).join('');
  if (o.count !== undefined && cursor.seen >= o.count) return { stdout, stderr: `\n${stats(cursor.seen)}`, exitCode: 0, streamEnded: true };
  return { stdout, stderr: '', exitCode: 0 };
}
