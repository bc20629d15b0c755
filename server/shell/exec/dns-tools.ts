// nslookup (busybox and bind flavours) and dig inside a pod, over the simulated DNS.
import { wallClock } from '../../cluster/logs.js';
import { randomInt } from '../../cluster/rng.js';
import type { ClusterState, Pod } from '../../cluster/types.js';
import { askServers, authoritativeName, lookupName, podResolvConf, type DnsOutcome, type DnsType, type Sent } from '../../cluster/network/dns.js';
import type { CommandResult } from '../types.js';

/** A program's result and the simulated time it took (a lookup that waited out a timeout). */
export type Timed = CommandResult & { elapsedMs?: number };

export type Flavor = 'busybox' | 'bind';

const TIMEOUT = ';; connection timed out; no servers could be reached\n\n';
const bare = (fqdn: string) => fqdn.replace(/\.$/, '');

/**
 * busybox nslookup sends A and AAAA together (like glibc's getaddrinfo); bind's asks one
 * type at a time. Both walk the search list and the nameservers of resolv.conf.
 */
/** How a client's stub resolver looks a name up (the search list, its servers): a pod's, the workstation's. */
export type Resolver = (name: string, type: DnsType, opts: { server?: string; parallel?: boolean }) => { outcome: DnsOutcome; ms: number };

/** A pod's (or a node's host network) resolver: its resolv.conf. */
export const podResolver = (state: ClusterState, pod: Pod): Resolver => (name, type, opts) => lookupName(state, pod, name, type, opts);

export function nslookup(state: ClusterState, pod: Pod, argv: string[], flavor: Flavor): Timed {
  return nslookupWith(state, podResolver(state, pod), argv, flavor);
}

export function nslookupWith(state: ClusterState, resolve: Resolver, argv: string[], flavor: Flavor): Timed {
  const args = argv.slice(1).filter((a) => !a.startsWith('-'));
  const typeFlag = argv.find((a) => /^-(type|query|q)=/i.test(a))?.split('=')[1]?.toUpperCase();
  const name = args[0];
  if (!name) return { stdout: '', stderr: flavor === 'busybox' ? 'BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n\nQuery DNS about HOST\n' : '', exitCode: 1 };
  const isIP = /^\d+\.\d+\.\d+\.\d+$/.test(name);
  const type: DnsType = isIP ? 'PTR' : typeFlag === 'SRV' || typeFlag === 'AAAA' || typeFlag === 'PTR' ? typeFlag : 'A';
  const looked = resolve(name, type, { server: args[1], parallel: flavor === 'busybox' && type !== 'PTR' });
  const out = looked.outcome;
  const elapsedMs = looked.ms;
  if (out.kind === 'timeout') return { stdout: TIMEOUT, stderr: '', exitCode: 1, elapsedMs };
  const server = out.server;
  const header = `Server:\t\t${server}\nAddress:\t${server}${flavor === 'busybox' ? ':53' : '#53'}\n\n`;
  if (out.kind !== 'answer') {
    const what = out.kind === 'nodata' ? (flavor === 'bind' ? `*** Can't find ${name}: No answer` : `*** Can't find ${name}: No answer`) : `** server can't find ${isIP ? bare(out.name) : name}: ${out.kind.toUpperCase()}`;
    return { stdout: `${header}${what}\n\n`, stderr: '', exitCode: out.kind === 'nodata' ? 0 : 1, elapsedMs };
  }
  let body = authoritativeName(state, out.name) ? '' : 'Non-authoritative answer:\n';
  for (const r of out.records) {
    if (r.type === 'A') body += `Name:\t${bare(r.name)}\nAddress: ${r.data}\n`;
    else if (r.type === 'PTR') body += `${bare(r.name)}\tname = ${r.data}\n`;
    else if (r.type === 'SRV') body += `${bare(r.name)}\tservice = ${r.data}\n`;
  }
  return { stdout: `${header}${body}\n`, stderr: '', exitCode: 0, elapsedMs };
}

/**
 * BIND 9.18 `host [-t TYPE] NAME [SERVER]` (bin/dig/host.c): the search list like nslookup,
 * "has address" / "domain name pointer" / "has SRV record" lines, "Host N not found: 3(NXDOMAIN)".
 */
export function host(state: ClusterState, pod: Pod, argv: string[]): Timed {
  return hostWith(podResolver(state, pod), argv);
}

export function hostWith(resolve: Resolver, argv: string[]): Timed {
  const args = argv.slice(1);
  const t = args.indexOf('-t');
  const typeArg = t >= 0 ? args[t + 1]?.toUpperCase() : undefined;
  const words = args.filter((a, i) => !a.startsWith('-') && (t < 0 || i !== t + 1));
  const [name, server] = words;
  if (name === undefined) return { stdout: '', stderr: 'Usage: host [-aCdilrTvVw] [-c class] [-N ndots] [-t type] [-W time]\n            [-R number] [-m flag] [-p port] hostname [server]\n', exitCode: 1 };
  const isIP = /^\d+\.\d+\.\d+\.\d+$/.test(name);
  const type: DnsType = isIP ? 'PTR' : typeArg === 'SRV' || typeArg === 'AAAA' || typeArg === 'PTR' ? typeArg : 'A';
  const looked = resolve(name, type, { server });
  const out = looked.outcome;
  const using = server === undefined ? '' : `Using domain server:\nName: ${server}\nAddress: ${server}#53\nAliases: \n\n`;
  if (out.kind === 'timeout') return { stdout: `${using};; connection timed out; no servers could be reached\n`, stderr: '', exitCode: 1, elapsedMs: looked.ms };
  if (out.kind === 'nxdomain' || out.kind === 'servfail') {
    return { stdout: `${using}Host ${isIP ? bare(out.name) : name} not found: ${out.kind === 'nxdomain' ? '3(NXDOMAIN)' : '2(SERVFAIL)'}\n`, stderr: '', exitCode: 1, elapsedMs: looked.ms };
  }
  if (out.kind !== 'answer') return { stdout: `${using}${typeArg ? `${bare(out.name)} has no ${type} record\n` : ''}`, stderr: '', exitCode: 0, elapsedMs: looked.ms };
  const what = { A: 'has address', AAAA: 'has IPv6 address', PTR: 'domain name pointer', SRV: 'has SRV record' } as Record<string, string>;
  const lines = out.records.map((r) => `${bare(r.name)} ${what[r.type] ?? `has ${r.type} record`} ${r.data}\n`);
  return { stdout: using + lines.join(''), stderr: '', exitCode: 0, elapsedMs: looked.ms };
}

/** glibc `getent hosts|ahosts NAME`: getaddrinfo (A and AAAA together), `%-15s %s` per address; 2 when not found. */
export function getent(state: ClusterState, pod: Pod, argv: string[]): Timed {
  const db = argv[1];
  const name = argv[2];
  if (db !== 'hosts' && db !== 'ahosts' && db !== 'ahostsv4') return { stdout: '', stderr: `Unknown database: ${db ?? ''}\nTry \`getent --help' or \`getent --usage' for more information.\n`, exitCode: 1 };
  if (name === undefined) return { stdout: '', stderr: '', exitCode: 0 };
  const looked = lookupName(state, pod, name, 'A', { parallel: db !== 'ahostsv4' });
  const out = looked.outcome;
  if (out.kind !== 'answer') return { stdout: '', stderr: '', exitCode: 2, elapsedMs: looked.ms };
  const shown = bare(out.records[0]?.name ?? name);
  const lines = db === 'hosts'
    ? out.records.map((r) => `${r.data.padEnd(15)} ${shown}`)
    : out.records.flatMap((r, i) => [`${r.data.padEnd(15)} STREAM ${i === 0 ? shown : ''}`.trimEnd(), `${r.data.padEnd(15)} DGRAM  `, `${r.data.padEnd(15)} RAW    `]);
  return { stdout: `${lines.join('\n')}\n`, stderr: '', exitCode: 0, elapsedMs: looked.ms };
}

function digTime(state: ClusterState): string {
  const d = wallClock(state, state.now);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

/** What a dig line asks: the name, its type, the server given with @, +short, +search. */
export interface DigQuery {
  args: string[];
  name: string;
  fqdn: string;
  type: DnsType;
  reverse: string | undefined;
  explicit: string | undefined;
  short: boolean;
  search: boolean;
}

export function parseDig(argv: string[]): DigQuery {
  const args = argv.slice(1);
  const plain = args.filter((a) => !a.startsWith('@') && !a.startsWith('+') && !a.startsWith('-'));
  const typeArg = plain.find((a) => ['A', 'AAAA', 'SRV', 'PTR'].includes(a.toUpperCase()));
  const reverse = args.indexOf('-x') >= 0 ? args[args.indexOf('-x') + 1] : undefined;
  const name = reverse ?? plain.find((a) => a !== typeArg) ?? '.';
  const type: DnsType = reverse ? 'PTR' : ((typeArg?.toUpperCase() as DnsType | undefined) ?? 'A');
  const fqdn = reverse ? `${reverse.split('.').reverse().join('.')}.in-addr.arpa.` : name.endsWith('.') ? name : `${name}.`;
  return { args, name, fqdn, type, reverse, explicit: args.find((a) => a.startsWith('@'))?.slice(1), short: args.includes('+short'), search: args.includes('+search') };
}

/** `dig [@server] NAME [TYPE] [+short] [+search]` — no search list unless +search, like real dig. */
export function dig(state: ClusterState, pod: Pod, argv: string[]): Timed {
  const q = parseDig(argv);
  const servers = q.explicit !== undefined ? [q.explicit] : podResolvConf(state, pod).nameservers;
  // dig asks one type at a time, three tries over its servers (+tries=3), each timing out after 5 s.
  const sent = q.search || q.reverse
    ? { ...lookupName(state, pod, q.reverse ?? q.name, q.type, { server: q.explicit }), failures: [], answerMs: 0 }
    : askServers(state, pod, servers, q.fqdn.toLowerCase(), q.type, false, Math.ceil(3 / Math.max(1, servers.length)));
  return digOutput(state, q, sent);
}

/** dig's output (BIND 9.18) for what its queries got; `recursive`: a recursive resolver answered, never authoritative. */
export function digOutput(state: ClusterState, q: DigQuery, sent: Sent, recursive = false): Timed {
  const { args, short, type } = q;
  const out = sent.outcome;
  const elapsedMs = sent.ms;
  const errors = sent.failures.map((f) => `;; communications error to ${f.server}#53: ${f.error}\n`).join('');
  const banner = `\n; <<>> DiG 9.18.24 <<>> ${args.join(' ')}\n`;
  if (out.kind === 'timeout') {
    return { stdout: short ? `${errors};; no servers could be reached\n` : `${errors}${banner};; global options: +cmd\n;; no servers could be reached\n`, stderr: '', exitCode: 9, elapsedMs };
  }
  const server = out.server;
  const records = out.kind === 'answer' ? out.records : [];
  if (short) return { stdout: `${errors}${records.map((r) => `${r.data}\n`).join('')}`, stderr: '', exitCode: 0, elapsedMs };
  const status = out.kind === 'answer' || out.kind === 'nodata' ? 'NOERROR' : out.kind.toUpperCase();
  const aa = !recursive && authoritativeName(state, out.name) ? ' aa' : '';
  const qname = out.name;
  const lines = [
    banner.slice(1) + ';; global options: +cmd',
    ';; Got answer:',
    `;; ->>HEADER<<- opcode: QUERY, status: ${status}, id: ${randomInt(state.rng, 1, 65535)}`,
    `;; flags: qr${aa} rd${aa ? '' : ' ra'}; QUERY: 1, ANSWER: ${records.length}, AUTHORITY: 0, ADDITIONAL: 1`,
    ...(aa ? [';; WARNING: recursion requested but not available'] : []),
    '',
    ';; OPT PSEUDOSECTION:',
    '; EDNS: version: 0, flags:; udp: 1232',
    ';; QUESTION SECTION:',
    `;${qname}\t\t\tIN\t${type}`,
    '',
  ];
  if (records.length > 0) {
    lines.push(';; ANSWER SECTION:');
    for (const r of records) lines.push(`${r.name}\t${r.ttl}\tIN\t${r.type}\t${r.data}`);
    lines.push('');
  }
  lines.push(`;; Query time: ${sent.answerMs} msec`, `;; SERVER: ${server}#53(${server}) (UDP)`, `;; WHEN: ${digTime(state)}`, `;; MSG SIZE  rcvd: ${60 + qname.length * 2 + records.length * 16}`, '', '');
  return { stdout: `${errors}\n${lines.join('\n')}`, stderr: '', exitCode: 0, elapsedMs };
}
