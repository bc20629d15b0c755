// `etcdctl` (v3.5) on a node: endpoint status / health, alarm list / disarm, member list,
// compact, defrag, get / put, snapshot save, version. Maintenance calls go to the cluster's
// etcd model (server/cluster/etcd.ts), so compact + defrag + disarm really end a NOSPACE outage.
import { commitWrite, NOSPACE_MESSAGE } from '../../cluster/api.js';
import { etcdCompact, etcdDefrag, etcdDisarm } from '../../cluster/etcd.js';
import { wallClock } from '../../cluster/logs.js';
import type { ClusterState } from '../../cluster/types.js';
import { toManifest } from '../kubectl/manifest.js';
import { parseFlags } from '../kubectl/flags.js';
import type { FlagSpec, ParsedFlags } from '../kubectl/types.js';
import type { CommandResult, ShellCommand } from '../types.js';
import { fail, ok } from '../types.js';
import { hash32, isResult, onNode, type NodeContext } from './common.js';
import { connect, DEFAULT_ENDPOINT, flagOrEnv, retryWarning } from './etcdctl-conn.js';
import { headerJson, humanizeBytes, printEndpointStatus, printMemberList, tableWriter, alarmText, type WriteOut } from './etcdctl-print.js';
import { registryKeys } from './etcd-keys.js';

const FLAGS: FlagSpec[] = [
  { name: 'endpoints', type: 'string', default: DEFAULT_ENDPOINT },
  { name: 'cacert', type: 'string' },
  { name: 'cert', type: 'string' },
  { name: 'key', type: 'string' },
  { name: 'write-out', short: 'w', type: 'string', default: 'simple' },
  { name: 'dial-timeout', type: 'string', default: '2s' },
  { name: 'command-timeout', type: 'string', default: '5s' },
  { name: 'keepalive-time', type: 'string' },
  { name: 'keepalive-timeout', type: 'string' },
  { name: 'insecure-transport', type: 'bool' },
  { name: 'insecure-skip-tls-verify', type: 'bool' },
  { name: 'insecure-discovery', type: 'bool' },
  { name: 'discovery-srv', short: 'd', type: 'string' },
  { name: 'user', type: 'string' },
  { name: 'password', type: 'string' },
  { name: 'hex', type: 'bool' },
  { name: 'debug', type: 'bool' },
  { name: 'help', short: 'h', type: 'bool' },
  // Local flags of the subcommands, accepted anywhere like cobra's merged flag set.
  { name: 'cluster', type: 'bool' },
  { name: 'prefix', type: 'bool' },
  { name: 'keys-only', type: 'bool' },
  { name: 'count-only', type: 'bool' },
  { name: 'print-value-only', type: 'bool' },
  { name: 'from-key', type: 'bool' },
  { name: 'limit', type: 'int', default: '0' },
  { name: 'rev', type: 'int', default: '0' },
  { name: 'physical', type: 'bool' },
];

const HELP = `NAME:
\tetcdctl - A simple command line client for etcd3.

USAGE:
\tetcdctl [flags]

VERSION:
\t{{version}}

API VERSION:
\t3.5


COMMANDS:
\talarm disarm\t\tDisarms all alarms
\talarm list\t\tLists all alarms
\tcompaction\t\tCompacts the event history in etcd
\tdefrag\t\t\tDefragments the storage of the etcd members with given endpoints
\tdel\t\t\tRemoves the specified key or range of keys [key, range_end)
\tendpoint hashkv\t\tPrints the KV history hash for each endpoint in --endpoints
\tendpoint health\t\tChecks the healthiness of endpoints specified in \`--endpoints\` flag
\tendpoint status\t\tPrints out the status of endpoints specified in \`--endpoints\` flag
\tget\t\t\tGets the key or a range of keys
\thelp\t\t\tHelp about any command
\tmember list\t\tLists all members in the cluster
\tput\t\t\tPuts the given key into the store
\tsnapshot save\t\tStores an etcd node backend snapshot to a given file
\tversion\t\t\tPrints the version of etcdctl

OPTIONS:
      --cacert=""\t\t\t\tverify certificates of TLS-enabled secure servers using this CA bundle
      --cert=""\t\t\t\t\tidentify secure client using this TLS certificate file
      --command-timeout=5s\t\t\ttimeout for short running command (excluding dial timeout)
      --dial-timeout=2s\t\t\t\tdial timeout for client connections
      --endpoints=[127.0.0.1:2379]\t\tgRPC endpoints
  -h, --help[=false]\t\t\t\thelp for etcdctl
      --insecure-skip-tls-verify[=false]\tskip server certificate verification (CAUTION: this option should be enabled only for testing purposes)
      --key=""\t\t\t\t\tidentify secure client using this TLS key file
  -w, --write-out="simple"\t\t\tset the output format (fields, json, protobuf, simple, table)
`;

interface Run {
  n: NodeContext;
  flags: ParsedFlags;
  format: WriteOut;
  endpoints: string[];
}

export const etcdctl: ShellCommand = (ctx, argv) => {
  const api = ctx.env.ETCDCTL_API;
  if (api !== undefined && api !== '' && api !== '3') return fail(`unsupported API version: ${api}\n`);
  const parsed = parseFlags(argv.slice(1), FLAGS);
  if (!parsed.ok) return fail(`Error: ${parsed.error}\n`);
  const flags = parsed.flags;
  const [command, ...args] = flags.args;
  if (command === 'version') return ok(`etcdctl version: ${ctx.state.etcd.version}\nAPI version: 3.5\n`);
  if (command === undefined || command === 'help' || flags.bool('help')) return ok(HELP.replace('{{version}}', ctx.state.etcd.version));
  const n = onNode(ctx, 'etcdctl');
  if (isResult(n)) return n;
  const format = flagOrEnv(flags, ctx.env, 'write-out') ?? 'simple';
  if (!['simple', 'table', 'json', 'fields', 'protobuf'].includes(format)) return fail(`Error: unknown output format "${format}"\n`);
  const endpoints = (flagOrEnv(flags, ctx.env, 'endpoints') ?? DEFAULT_ENDPOINT).split(',').filter((e) => e !== '');
  const run: Run = { n, flags, format: format === 'protobuf' ? 'json' : (format as WriteOut), endpoints };
  switch (command) {
    case 'endpoint': return endpointCommand(run, args);
    case 'alarm': return alarmCommand(run, args);
    case 'member': return args[0] === 'list' ? connected(run, () => ok(printMemberList(n.state, run.format))) : ok(HELP);
    case 'compact':
    case 'compaction': return compact(run, args);
    case 'defrag': return defrag(run);
    case 'get': return get(run, args);
    case 'put': return put(run, args);
    case 'snapshot': return snapshot(run, args);
    default: return fail(`Error: unknown command "${command}" for "etcdctl"\nRun 'etcdctl --help' for usage.\n`);
  }
};

/** Runs `body` once the first endpoint answers; else prints how the dial failed. */
function connected(run: Run, body: () => CommandResult): CommandResult {
  const c = connect(run.n, run.flags, run.endpoints[0]!);
  if (c.ok) return body();
  if ('fatal' in c) return fail(c.fatal);
  return fail(`${c.warning}Error: context deadline exceeded\n`);
}

/** The endpoints a `--cluster` command talks to: every member's client URL. */
function targets(run: Run): string[] {
  return run.flags.bool('cluster') ? run.n.state.etcd.members.map((m) => m.clientURL) : run.endpoints;
}

function endpointCommand(run: Run, args: string[]): CommandResult {
  const { state } = run.n;
  const member = state.etcd.members.find((m) => m.id === state.etcd.leaderID) ?? state.etcd.members[0];
  if (args[0] === 'status') {
    let stderr = '';
    const statuses = [];
    for (const endpoint of targets(run)) {
      const c = connect(run.n, run.flags, endpoint);
      if (c.ok && member) statuses.push({ endpoint, member });
      else if (!c.ok && 'fatal' in c) return fail(c.fatal);
      else if (!c.ok) stderr += `${c.warning}Failed to get the status of endpoint ${endpoint} (context deadline exceeded)\n`;
    }
    const stdout = statuses.length > 0 || run.format === 'table' ? printEndpointStatus(state, statuses, run.format) : '';
    return { stdout, stderr, exitCode: stderr === '' ? 0 : 1 };
  }
  if (args[0] === 'health') return health(run);
  return ok(HELP);
}

/** `took` of a health check: a few milliseconds, stable for a given state. */
function took(state: ClusterState, endpoint: string): string {
  const micros = 6_000 + (hash32(`${endpoint}@${state.etcd.revision}`) % 9_000_000) / 1000;
  return `${(micros / 1000).toFixed(6).replace(/0+$/, '')}ms`;
}

function health(run: Run): CommandResult {
  const { state } = run.n;
  const rows: { ep: string; health: boolean; took: string; error?: string }[] = [];
  let warnings = '';
  for (const ep of targets(run)) {
    const c = connect(run.n, run.flags, ep);
    if (!c.ok && 'fatal' in c) return fail(c.fatal);
    if (!c.ok) {
      warnings += c.warning;
      rows.push({ ep, health: false, took: '5.001948173s', error: 'context deadline exceeded' });
      continue;
    }
    const alarms = state.etcd.alarms.map((a) => `${a.alarm} `).join('');
    rows.push(alarms === '' ? { ep, health: true, took: took(state, ep) } : { ep, health: false, took: took(state, ep), error: `Active Alarm(s): ${alarms}` });
  }
  const unhealthy = rows.some((r) => !r.health);
  let stdout = '';
  let stderr = warnings;
  if (run.format === 'table') {
    stdout = tableWriter(['ENDPOINT', 'HEALTH', 'TOOK', 'ERROR'], rows.map((r) => [r.ep, String(r.health), r.took, r.error ?? '']));
  } else if (run.format === 'json') {
    stdout = `[${rows.map((r) => JSON.stringify({ endpoint: r.ep, health: r.health, took: r.took, ...(r.error ? { error: r.error } : {}) })).join(',')}]\n`;
  } else {
    for (const r of rows) {
      if (r.health) stdout += `${r.ep} is healthy: successfully committed proposal: took = ${r.took}\n`;
      else stderr += `${r.ep} is unhealthy: failed to commit proposal: ${r.error}\n`;
    }
  }
  if (unhealthy) stderr += 'Error: unhealthy cluster\n';
  return { stdout, stderr, exitCode: unhealthy ? 1 : 0 };
}

function alarmCommand(run: Run, args: string[]): CommandResult {
  const { state } = run.n;
  if (args[0] === 'list') return connected(run, () => ok(state.etcd.alarms.map((a) => `${alarmText(a)}\n`).join('')));
  if (args[0] === 'disarm') return connected(run, () => ok(etcdDisarm(state).map((a) => `${alarmText(a)}\n`).join('')));
  return ok(HELP);
}

function compact(run: Run, args: string[]): CommandResult {
  if (args.length !== 1) return fail('Error: compact command needs 1 argument\n');
  const text = args[0]!;
  if (!/^-?\d+$/.test(text)) return fail(`Error: strconv.ParseInt: parsing "${text}": invalid syntax\n`);
  return connected(run, () => {
    const r = etcdCompact(run.n.state, Number(text));
    if (r.ok) return ok(`compacted revision ${r.value.revision}\n`);
    const warning = retryWarning(run.n.state, run.endpoints[0]!, `rpc error: code = OutOfRange desc = ${r.error.message}`, 2);
    return fail(`${warning}Error: ${r.error.message}\n`);
  });
}

function defrag(run: Run): CommandResult {
  let stdout = '';
  let stderr = '';
  let done = false;
  for (const ep of targets(run)) {
    const c = connect(run.n, run.flags, ep);
    if (!c.ok && 'fatal' in c) return fail(c.fatal);
    if (!c.ok) {
      stderr += `${c.warning}Failed to defragment etcd member[${ep}] (context deadline exceeded)\n`;
      continue;
    }
    // Every endpoint names the same single member: defragment it once.
    if (!done) {
      const r = etcdDefrag(run.n.state);
      if (!r.ok) {
        stderr += `Failed to defragment etcd member[${ep}] (${r.error.message})\n`;
        continue;
      }
      done = true;
    }
    stdout += `Finished defragmenting etcd member[${ep}]\n`;
  }
  return { stdout, stderr, exitCode: stderr === '' ? 0 : 1 };
}

function get(run: Run, args: string[]): CommandResult {
  if (args.length === 0) return fail('Error: get command needs one argument as key and an optional argument as range_end\n');
  return connected(run, () => {
    const { state } = run.n;
    const key = args[0]!;
    const prefix = run.flags.bool('prefix');
    const all = registryKeys(state);
    let matches = all.filter((k) => (prefix ? k.key.startsWith(key) : run.flags.bool('from-key') ? k.key >= key : k.key === key));
    const count = matches.length;
    const limit = run.flags.int('limit') ?? 0;
    if (limit > 0) matches = matches.slice(0, limit);
    const keysOnly = run.flags.bool('keys-only');
    if (run.format === 'json') {
      const kvs = matches.map((k) => {
        const value = keysOnly ? '' : `,"value":"${Buffer.from(valueOf(state, k)).toString('base64')}"`;
        return `{"key":"${Buffer.from(k.key).toString('base64')}","create_revision":${k.createRevision},"mod_revision":${k.modRevision},"version":${k.version}${value}}`;
      });
      const more = limit > 0 && count > limit ? ',"more":true' : '';
      return ok(`{"header":${headerJson(state, state.etcd.leaderID)},"kvs":[${kvs.join(',')}]${more},"count":${count}}\n`);
    }
    if (run.flags.bool('count-only')) return ok('');
    const valueOnly = run.flags.bool('print-value-only');
    return ok(matches.map((k) => `${valueOnly ? '' : `${k.key}\n`}${keysOnly ? '' : valueOf(state, k)}\n`).join(''));
  });
}

/**
 * What the value of a registry key prints as. The apiserver stores protobuf (`k8s\0` and
 * binary); printing that would garble the terminal, so the object is shown as its JSON.
 */
function valueOf(state: ClusterState, k: ReturnType<typeof registryKeys>[number]): string {
  if (k.value !== undefined) return k.value;
  return k.object ? `k8s${JSON.stringify(toManifest(state, k.object.kind, k.object.obj))}` : '';
}

function put(run: Run, args: string[]): CommandResult {
  if (args.length < 2) return fail('Error: put command needs 1 argument and input from stdin or 2 arguments\n');
  return connected(run, () => {
    const { state } = run.n;
    if (state.etcd.alarms.some((a) => a.alarm === 'NOSPACE')) {
      const warning = retryWarning(state, run.endpoints[0]!, `rpc error: code = ResourceExhausted desc = ${NOSPACE_MESSAGE}`, 3);
      return fail(`${warning}Error: ${NOSPACE_MESSAGE}\n`);
    }
    commitWrite(state, args[0]!.length + args[1]!.length + 64);
    return ok('OK\n');
  });
}

function snapshot(run: Run, args: string[]): CommandResult {
  if (args[0] !== 'save') return ok(HELP);
  const path = args[1];
  if (path === undefined) return fail('Error: snapshot save expects one argument\n');
  return connected(run, () => {
    const { state } = run.n;
    const ts = (dt: number) => wallClock(state, state.now + dt).toISOString().replace('Z', '123Z');
    const client = `v3@v${state.etcd.version}`;
    const ep = run.endpoints[0]!;
    const lines = [
      { level: 'info', ts: ts(0), caller: 'snapshot/v3_snapshot.go:65', msg: 'created temporary db file', path: `${path}.part` },
      { level: 'info', ts: ts(3), logger: 'client', caller: `${client}/maintenance.go:212`, msg: 'opened snapshot stream; downloading' },
      { level: 'info', ts: ts(3), caller: 'snapshot/v3_snapshot.go:73', msg: 'fetching snapshot', endpoint: ep },
      { level: 'info', ts: ts(900), logger: 'client', caller: `${client}/maintenance.go:220`, msg: 'completed snapshot read; closing' },
      { level: 'info', ts: ts(950), caller: 'snapshot/v3_snapshot.go:88', msg: 'fetched snapshot', endpoint: ep, size: humanizeBytes(state.etcd.dbSize), took: '1 second ago' },
      { level: 'info', ts: ts(960), caller: 'snapshot/v3_snapshot.go:97', msg: 'saved', path },
    ];
    return ok(`${lines.map((l) => JSON.stringify(l)).join('\n')}\nSnapshot saved at ${path}\n`);
  });
}
