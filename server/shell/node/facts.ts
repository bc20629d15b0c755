// What the node tools showed of the world (cluster/facts.ts): a wrapper tags each line a
// tool printed with the fact it stands for — the etcd alarms, a filesystem's usage, a unit's
// state or journal, a container's state or log, the NAT rules and conntrack entries; any
// other tool's lines as `host` facts under the tool's name (`field: du`, `ls`, `ps`…).
// The runner then keeps those whose line reached the terminal.
import type { FactSink, PartialFact } from '../../cluster/facts.js';
import { tagLines } from '../reveals.js';
import type { CommandContext, CommandResult, ShellCommand } from '../types.js';

type Tagger = (sink: FactSink, node: string, args: string[], out: CommandResult) => void;

const words = (args: string[]): string[] => args.filter((a) => !a.startsWith('-'));
const unitOf = (name: string): string => name.replace(/\.service$/, '');

/** Lines as `{ ...partial, value: line }` for each line of stdout and stderr. */
const lines = (sink: FactSink, partial: PartialFact & { field: string }, out: CommandResult): void => {
  tagLines(sink, partial, out.stdout);
  tagLines(sink, partial, out.stderr);
};

/**
 * Kernel and driver counters (`conntrack -S`, `ethtool -S`): each one above zero is a fact
 * `{ field: 'counter', name: counter, value: 'nonzero' }` shown by its `name=N` / `name: N` text.
 */
const counters = (sink: FactSink, node: string, out: CommandResult): void => {
  if (!sink.wants({ source: 'host', node, field: 'counter' })) return;
  for (const m of out.stdout.matchAll(/([a-z_0-9]+)(=|: )(\d+)/g)) {
    if (m[3] !== '0') sink.add({ fact: { source: 'host', node, field: 'counter', name: m[1]!, value: 'nonzero' }, text: m[0] });
  }
};

const ETCD_FIELDS: [string[], string][] = [[['alarm', 'list'], 'alarms'], [['endpoint', 'status'], 'status'], [['endpoint', 'health'], 'health']];

const TAGGERS: Record<string, Tagger> = {
  etcdctl: (sink, node, args, out) => {
    const w = words(args);
    const field = ETCD_FIELDS.find(([cmd]) => cmd.every((c, i) => w[i] === c))?.[1] ?? w[0] ?? 'etcdctl';
    lines(sink, { source: 'etcd', node, field }, out);
  },
  df: (sink, node, _args, out) => {
    if (!sink.wants({ source: 'host', node, field: 'disk' })) return;
    for (const raw of out.stdout.split('\n').slice(1)) {
      const line = raw.trim();
      const mount = line.split(/\s+/).at(-1);
      if (mount) sink.add({ fact: { source: 'host', node, field: 'disk', name: mount, value: line }, text: line });
    }
  },
  systemctl: (sink, node, args, out) => {
    const [verb, ...units] = words(args);
    if (verb === 'is-active') {
      out.stdout.split('\n').forEach((state, i) => {
        if (state && units[i]) sink.add({ fact: { source: 'host', node, field: 'unit', name: unitOf(units[i]!), value: state }, text: state });
      });
      return;
    }
    if (verb !== 'status') return;
    // Each unit's block starts with `● kubelet.service - …`; its journal tail follows.
    let unit: string | undefined;
    for (const raw of out.stdout.split('\n')) {
      const head = /^[●○×] (\S+?)(?:\.service)?(?: |$)/.exec(raw);
      if (head) unit = head[1];
      const line = raw.trim();
      if (!unit || line === '') continue;
      const active = /^Active: (\S+(?: \([^)]*\))?)/.exec(line);
      if (active) sink.add({ fact: { source: 'host', node, field: 'unit', name: unit, value: active[1]! }, text: active[1]! });
      else if (!head) sink.add({ fact: { source: 'host', node, field: 'journal', name: unit, value: line }, text: line });
    }
  },
  journalctl: (sink, node, args, out) => {
    const units = args.flatMap((a, i) => (a === '-u' || a === '--unit' ? [args[i + 1] ?? ''] : a.startsWith('--unit=') ? [a.slice(7)] : a.startsWith('-u') && a.length > 2 ? [a.slice(2)] : []));
    lines(sink, { source: 'host', node, field: 'journal', name: units.length === 1 ? unitOf(units[0]!) : 'syslog' }, out);
  },
  crictl: (sink, node, args, out) => {
    const [verb] = words(args);
    if (verb === 'logs') return lines(sink, { source: 'log', node, field: 'container' }, out);
    if (verb !== 'ps' || !sink.wants({ source: 'host', node, field: 'container' })) return;
    const [header, ...rows] = out.stdout.split('\n');
    const cols = (header ?? '').split(/\s{2,}/);
    const state = cols.indexOf('STATE');
    const name = cols.indexOf('NAME');
    if (state < 0 || name < 0) return;
    for (const row of rows) {
      const cells = row.split(/\s{2,}/);
      if (cells[state] && cells[name]) sink.add({ fact: { source: 'host', node, field: 'container', name: cells[name]!, value: cells[state]! }, text: cells[state]! });
    }
  },
  // What lies where on the disk: each line of `du` names its path; `ls` lines stand for the listed path.
  du: (sink, node, _args, out) => {
    if (!sink.wants({ source: 'host', node, field: 'file' })) return;
    for (const line of out.stdout.split('\n')) {
      const path = line.split('\t')[1];
      if (path) sink.add({ fact: { source: 'host', node, field: 'file', name: path, value: line }, text: line });
    }
  },
  ls: (sink, node, args, out) => {
    const paths = words(args);
    if (paths.length === 1) lines(sink, { source: 'host', node, field: 'file', name: paths[0]! }, out);
  },
  iptables: (sink, node, _args, out) => lines(sink, { source: 'nat', node, field: 'rules' }, out),
  'iptables-save': (sink, node, _args, out) => lines(sink, { source: 'nat', node, field: 'rules' }, out),
  ipvsadm: (sink, node, _args, out) => lines(sink, { source: 'nat', node, field: 'rules' }, out),
  conntrack: (sink, node, args, out) => {
    if (args.includes('-S') || args.includes('--stats')) counters(sink, node, out);
    else lines(sink, { source: 'nat', node, field: 'conntrack' }, out);
  },
  ethtool: (sink, node, _args, out) => counters(sink, node, out),
};

/** Any other tool (du, ls, ps, free, lsof, ip…): each line it printed, under the tool's name. */
const byLine = (name: string): Tagger => (sink, node, _args, out) => lines(sink, { source: 'host', node, field: name }, out);

/** The tools with their output tagged (when the line is scored). */
export function withFacts(tools: Record<string, ShellCommand>): Record<string, ShellCommand> {
  return Object.fromEntries(Object.entries(tools).map(([name, tool]) => {
    const tagger = TAGGERS[name] ?? byLine(name);
    const tagged: ShellCommand = (ctx: CommandContext, argv) => {
      const out = tool(ctx, argv);
      if (ctx.facts && ctx.session.node !== undefined) tagger(ctx.facts, ctx.session.node, argv.slice(1), out);
      return out;
    };
    return [name, tagged];
  }));
}
