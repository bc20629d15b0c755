// `iptables [-t TABLE] -L|-S [CHAIN] [-n] [-v] [-x] [--line-numbers]` and `iptables-save`,
// printed the way iptables v1.8.7 (legacy) prints them.
import { wallClock } from '../../../cluster/logs.js';
import { filterTable, natTable, rawTable, references, type Rule, type Table } from '../../../cluster/network/iptables.js';
import type { ClusterState } from '../../../cluster/types.js';
import { fail, ok, type CommandContext, type CommandResult } from '../../types.js';

const VERSION = 'iptables v1.8.7 (legacy)';

function tableOf(state: ClusterState, node: string, name: string): Table | undefined {
  if (name === 'nat') return natTable(state, node);
  if (name === 'filter') return filterTable(state, node);
  if (name === 'raw') return rawTable(state, node);
  if (name === 'mangle') return { name: 'filter', chains: [] };
  return undefined;
}

/** xtables_print_num: 5-wide, K/M/G above 99999 unless -x. */
function num(n: number, exact: boolean, width: number): string {
  if (exact) return String(n).padStart(width);
  if (n <= 99999) return String(n).padStart(5);
  let v = n;
  for (const unit of ['K', 'M', 'G', 'T']) {
    v = Math.floor((v + 500) / 1000);
    if (v <= 9999) return `${String(v).padStart(4)}${unit}`;
  }
  return String(v);
}

const portNames: Record<string, string> = { '80': 'http', '443': 'https', '53': 'domain', '9153': '9153' };

function ruleSave(chain: string, r: Rule): string {
  const parts = ['-A', chain];
  if (r.src) parts.push(...(r.srcNot ? ['!'] : []), '-s', r.src);
  if (r.dst) parts.push('-d', r.dst);
  parts.push(...(r.pre ?? []));
  if (r.prot !== 'all') parts.push('-p', r.prot);
  if (r.comment) parts.push('-m', 'comment', '--comment', `"${r.comment}"`);
  for (const m of r.matches) parts.push(...m.save);
  parts.push('-j', r.target, ...r.target_.save);
  return parts.join(' ');
}

interface ListOptions {
  numeric: boolean;
  verbose: boolean;
  exact: boolean;
  lineNumbers: boolean;
}

function addr(cidr: string | undefined, numeric: boolean): string {
  if (!cidr) return numeric ? '0.0.0.0/0' : 'anywhere';
  return cidr.endsWith('/32') ? cidr.slice(0, -3) : cidr;
}

function ruleLine(r: Rule, i: number, o: ListOptions): string {
  let s = '';
  if (o.lineNumbers) s += `${String(i + 1).padEnd(4)} `;
  if (o.verbose) s += `${num(r.packets, o.exact, 8)} ${num(r.bytes, o.exact, 8)} `;
  s += `${r.target.padEnd(9)}  ${r.prot.padEnd(5)}-- `;
  if (o.verbose) {
    const any = o.numeric ? '*' : 'any';
    const outIdx = r.pre?.indexOf('-o') ?? -1;
    const out = outIdx >= 0 ? `${r.pre![outIdx - 1] === '!' ? '!' : ''}${r.pre![outIdx + 1]}` : any;
    s += ` ${any.padEnd(6)} ${out.padEnd(6)} `;
  }
  s += `${r.srcNot ? '!' : ' '}${addr(r.src, o.numeric).padEnd(19)} `;
  s += ` ${addr(r.dst, o.numeric).padEnd(19)} `;
  const extras: string[] = [];
  if (r.comment) extras.push(`/* ${r.comment} */`);
  for (const m of r.matches) extras.push(o.numeric ? m.list : m.list.replace(/dpt:(\d+)/, (_x, p: string) => `dpt:${portNames[p] ?? p}`));
  if (r.target_.list) extras.push(r.target_.list);
  // Every match prints with a leading space after the padded destination column.
  return extras.length ? `${s} ${extras.join(' ')}` : s;
}

function listTable(t: Table, chain: string | undefined, o: ListOptions): CommandResult {
  const chains = chain ? t.chains.filter((c) => c.name === chain) : t.chains;
  if (chain && chains.length === 0) return fail('iptables: No chain/target/match by that name.\n', 1);
  let header = o.lineNumbers ? 'num  ' : '';
  if (o.verbose) header += o.exact ? `${'pkts'.padStart(8)} ${'bytes'.padStart(10)} ` : ' pkts bytes ';
  header += `${'target'.padEnd(9)}  prot opt`;
  if (o.verbose) header += ` ${'in'.padEnd(6)} ${'out'.padEnd(6)} `;
  header += ` ${'source'.padEnd(19)}  ${'destination'.padEnd(19)} `;
  const blocks = chains.map((c) => {
    const title = c.policy
      ? `Chain ${c.name} (policy ${c.policy}${o.verbose ? ` ${num(0, o.exact, 0).trim()} packets, ${num(0, o.exact, 0).trim()} bytes` : ''})`
      : `Chain ${c.name} (${references(t, c.name)} references)`;
    return [title, header, ...c.rules.map((r, i) => ruleLine(r, i, o))].join('\n') + '\n';
  });
  return ok(blocks.join('\n'));
}

function saveTable(t: Table, chain?: string): string[] {
  const lines: string[] = [];
  for (const c of t.chains) {
    if (chain && c.name !== chain) continue;
    lines.push(c.policy ? `-P ${c.name} ${c.policy}` : `-N ${c.name}`);
  }
  for (const c of t.chains) {
    if (chain && c.name !== chain) continue;
    for (const r of c.rules) lines.push(ruleSave(c.name, r));
  }
  return lines;
}

function stamp(state: ClusterState): string {
  return wallClock(state, state.now).toUTCString().replace(/^(\w+), (\d+) (\w+) (\d+) ([\d:]+) GMT$/, (_m, d: string, day: string, mon: string, y: string, t: string) => `${d} ${mon} ${day.replace(/^0/, ' ')} ${t} ${y}`);
}

export function iptablesSave(ctx: CommandContext, argv: string[]): CommandResult {
  const node = ctx.session.node ?? '';
  const tIdx = argv.findIndex((a) => a === '-t' || a === '--table');
  const names = tIdx >= 0 ? [argv[tIdx + 1] ?? ''] : [...(ctx.state.nodes[node]?.host.links?.nodelocaldns ? ['raw'] : []), 'filter', 'nat'];
  let text = '';
  for (const name of names) {
    const t = tableOf(ctx.state, node, name);
    if (!t) return fail(`iptables-save v1.8.7 (legacy): Cannot initialize: Table does not exist (do you need to insmod?)\n`, 1);
    text += `# Generated by iptables-save v1.8.7 on ${stamp(ctx.state)}\n*${name}\n`;
    for (const c of t.chains) text += `:${c.name} ${c.policy ?? '-'} [0:0]\n`;
    for (const c of t.chains) for (const r of c.rules) text += `${ruleSave(c.name, r)}\n`;
    text += `COMMIT\n# Completed on ${stamp(ctx.state)}\n`;
  }
  return ok(text);
}

/**
 * `iptables -t nat -F [CHAIN]`: the rules are gone until kube-proxy writes them again (its
 * restart, or its next full sync): Services stop answering through this node
 * (cluster/network/pod-lookup.ts), which scoring charges as damage. Only the nat table's
 * flush is modelled; the filter table's rules cannot be changed here.
 */
function flush(ctx: CommandContext, node: string, name: string, t: Table, chain: string | undefined): CommandResult {
  if (!ctx.session.root) return fail(`${VERSION}: can't initialize iptables table \`${name}': Permission denied (you must be root)\nPerhaps iptables or your kernel needs to be upgraded.\n`, 3);
  if (name !== 'nat') return fail(`${VERSION}: changing rules is not possible in this drill (kube-proxy owns them); use -L or -S to read\n`, 1);
  if (chain && !t.chains.some((c) => c.name === chain)) return fail('iptables: No chain/target/match by that name.\n', 1);
  (ctx.state.network.natFlushed ??= {})[node] = ctx.state.now;
  return ok('');
}

export function iptables(ctx: CommandContext, argv: string[]): CommandResult {
  const node = ctx.session.node ?? '';
  let table = 'filter';
  let action: 'L' | 'S' | 'F' | undefined;
  let chain: string | undefined;
  const o: ListOptions = { numeric: false, verbose: false, exact: false, lineNumbers: false };
  const args = argv.slice(1);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-t' || a === '--table') table = args[++i] ?? '';
    else if (a === '--list' || a === '--list-rules' || a === '--flush') action = a === '--list' ? 'L' : a === '--flush' ? 'F' : 'S';
    else if (a === '--numeric') o.numeric = true;
    else if (a === '--verbose') o.verbose = true;
    else if (a === '--exact') o.exact = true;
    else if (a === '--line-numbers') o.lineNumbers = true;
    else if (/^-[A-Za-z]+$/.test(a)) {
      for (const f of a.slice(1)) {
        if (f === 'L' || f === 'S' || f === 'F') action = f;
        else if (f === 'n') o.numeric = true;
        else if (f === 'v') o.verbose = true;
        else if (f === 'x') o.exact = true;
        else if (f === 't') table = args[++i] ?? '';
        else if (f === 'A' || f === 'I' || f === 'D' || f === 'X' || f === 'N' || f === 'P' || f === 'R' || f === 'Z') {
          return fail(`${VERSION}: changing rules is not possible in this drill (kube-proxy owns them); use -L or -S to read\n`, 1);
        } else return fail(`${VERSION}: unknown option "-${f}"\nTry \`iptables -h' or 'iptables --help' for more information.\n`, 2);
      }
    } else if (a.startsWith('-')) return fail(`${VERSION}: unknown option "${a}"\nTry \`iptables -h' or 'iptables --help' for more information.\n`, 2);
    else chain = a;
  }
  if (!action) return fail(`${VERSION}: no command specified\nTry \`iptables -h' or 'iptables --help' for more information.\n`, 2);
  const t = tableOf(ctx.state, node, table);
  if (!t) return fail(`${VERSION}: can't initialize iptables table \`${table}': Table does not exist (do you need to insmod?)\nPerhaps iptables or your kernel needs to be upgraded.\n`, 3);
  if (action === 'L') return listTable(t, chain, o);
  if (action === 'F') return flush(ctx, node, table, t, chain);
  if (chain && !t.chains.some((c) => c.name === chain)) return fail('iptables: No chain/target/match by that name.\n', 1);
  return ok(`${saveTable(t, chain).join('\n')}\n`);
}
