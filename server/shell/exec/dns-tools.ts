// nslookup (busybox and bind flavours) and dig inside a pod, over the simulated DNS.
import { wallClock } from '../../cluster/logs.js';
import { randomInt } from '../../cluster/rng.js';
import type { ClusterState, Pod } from '../../cluster/types.js';
import { authoritativeName, podResolvConf, queryServer, resolveName, type DnsOutcome, type DnsType } from '../../cluster/network/dns.js';
import type { CommandResult } from '../types.js';

export type Flavor = 'busybox' | 'bind';

const TIMEOUT = ';; connection timed out; no servers could be reached\n\n';
const bare = (fqdn: string) => fqdn.replace(/\.$/, '');

export function nslookup(state: ClusterState, pod: Pod, argv: string[], flavor: Flavor): CommandResult {
  const args = argv.slice(1).filter((a) => !a.startsWith('-'));
  const typeFlag = argv.find((a) => /^-(type|query|q)=/i.test(a))?.split('=')[1]?.toUpperCase();
  const name = args[0];
  if (!name) return { stdout: '', stderr: flavor === 'busybox' ? 'BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n\nQuery DNS about HOST\n' : '', exitCode: 1 };
  const isIP = /^\d+\.\d+\.\d+\.\d+$/.test(name);
  const type: DnsType = isIP ? 'PTR' : typeFlag === 'SRV' || typeFlag === 'AAAA' || typeFlag === 'PTR' ? typeFlag : 'A';
  const server = args[1] ?? podResolvConf(state, pod).nameservers[0] ?? '';
  const out = resolveName(state, pod, name, type, { server });
  if (out.kind === 'timeout') return { stdout: TIMEOUT, stderr: '', exitCode: 1 };
  const header = `Server:\t\t${server}\nAddress:\t${server}${flavor === 'busybox' ? ':53' : '#53'}\n\n`;
  if (out.kind !== 'answer') {
    const what = out.kind === 'nodata' ? (flavor === 'bind' ? `*** Can't find ${name}: No answer` : `*** Can't find ${name}: No answer`) : `** server can't find ${isIP ? bare(out.name) : name}: ${out.kind.toUpperCase()}`;
    return { stdout: `${header}${what}\n\n`, stderr: '', exitCode: out.kind === 'nodata' ? 0 : 1 };
  }
  let body = authoritativeName(state, out.name) ? '' : 'Non-authoritative answer:\n';
  for (const r of out.records) {
    if (r.type === 'A') body += `Name:\t${bare(r.name)}\nAddress: ${r.data}\n`;
    else if (r.type === 'PTR') body += `${bare(r.name)}\tname = ${r.data}\n`;
    else if (r.type === 'SRV') body += `${bare(r.name)}\tservice = ${r.data}\n`;
  }
  return { stdout: `${header}${body}\n`, stderr: '', exitCode: 0 };
}

function digTime(state: ClusterState): string {
  const d = wallClock(state, state.now);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

/** `dig [@server] NAME [TYPE] [+short] [+search]` — no search list unless +search, like real dig. */
export function dig(state: ClusterState, pod: Pod, argv: string[]): CommandResult {
  const args = argv.slice(1);
  const short = args.includes('+short');
  const search = args.includes('+search');
  const server = args.find((a) => a.startsWith('@'))?.slice(1) ?? podResolvConf(state, pod).nameservers[0] ?? '';
  const plain = args.filter((a) => !a.startsWith('@') && !a.startsWith('+') && !a.startsWith('-'));
  const typeArg = plain.find((a) => ['A', 'AAAA', 'SRV', 'PTR'].includes(a.toUpperCase()));
  const reverse = args.indexOf('-x') >= 0 ? args[args.indexOf('-x') + 1] : undefined;
  const name = reverse ?? plain.find((a) => a !== typeArg) ?? '.';
  const type: DnsType = reverse ? 'PTR' : ((typeArg?.toUpperCase() as DnsType | undefined) ?? 'A');
  const fqdn = reverse ? `${reverse.split('.').reverse().join('.')}.in-addr.arpa.` : name.endsWith('.') ? name : `${name}.`;
  const out: DnsOutcome = search || reverse ? resolveName(state, pod, reverse ?? name, type, { server }) : queryServer(state, pod, server, fqdn.toLowerCase(), type);
  const banner = `\n; <<>> DiG 9.18.24 <<>> ${args.join(' ')}\n`;
  if (out.kind === 'timeout') {
    const err = `;; communications error to ${server}#53: timed out\n`;
    return { stdout: short ? `${err.repeat(3)};; no servers could be reached\n` : `${err.repeat(3)}${banner};; global options: +cmd\n;; no servers could be reached\n`, stderr: '', exitCode: 9 };
  }
  const records = out.kind === 'answer' ? out.records : [];
  if (short) return { stdout: records.map((r) => `${r.data}\n`).join(''), stderr: '', exitCode: 0 };
  const status = out.kind === 'answer' || out.kind === 'nodata' ? 'NOERROR' : out.kind.toUpperCase();
  const aa = authoritativeName(state, out.name) ? ' aa' : '';
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
  lines.push(';; Query time: 0 msec', `;; SERVER: ${server}#53(${server}) (UDP)`, `;; WHEN: ${digTime(state)}`, `;; MSG SIZE  rcvd: ${60 + qname.length * 2 + records.length * 16}`, '', '');
  return { stdout: `\n${lines.join('\n')}`, stderr: '', exitCode: 0 };
}
