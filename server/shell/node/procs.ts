// Processes and sockets of a node: `ps aux` / `ps -ef`, `lsof -i`, `free`, `uptime`.
// The process table follows the model: systemd units, and one process per running container
// of the pods bound here (static pods with the flags of their manifests).
import type { ClusterState, Pod, SwapArea } from '../../cluster/types.js';
import type { ShellCommand } from '../types.js';
import { fail, ok } from '../types.js';
import { bootTime, humanSize, isResult, onNode, psStart, stableInt, unitPid, type NodeContext } from './common.js';
import { internalIP } from '../session.js';
import { UNIT_INFO } from './systemd.js';

/** What the process table needs of a node (not the command's context: files are built without one). */
type NodeHost = Pick<NodeContext, 'state' | 'node' | 'name'>;

export interface Proc {
  user: string;
  pid: number;
  ppid: number;
  start: number;
  cpu: number; // percent
  rssKb: number;
  cmd: string;
  /** Short name lsof shows (first 9 characters of the program name). */
  comm: string;
  /** The terminal it runs on; daemons have none (`?`). */
  tty?: string;
}

/** The `command:` list of a static pod manifest, joined as its command line. */
function manifestCommand(yaml: string): string | undefined {
  const m = /  - command:\n((?:    - .*\n)+)/.exec(yaml);
  return m?.[1]!.split('\n').filter((l) => l !== '').map((l) => l.replace(/^    - /, '')).join(' ');
}

function containerCommand(n: NodeHost, pod: Pod, container: string): string {
  const spec = pod.spec.containers.find((c) => c.name === container);
  if (pod.static) {
    const manifest = Object.entries(n.node.host.files).find(([path]) => path === `/etc/kubernetes/manifests/${container}.yaml`)?.[1];
    const cmd = manifest ? manifestCommand(manifest) : undefined;
    if (cmd) return cmd;
  }
  if (spec?.command?.length) return [...spec.command, ...(spec.args ?? [])].join(' ');
  switch (pod.behavior[container]?.role) {
    case 'coredns': return '/coredns -conf /etc/coredns/Corefile';
    case 'kube-proxy': return `/usr/local/bin/kube-proxy --config=/var/lib/kube-proxy/config.conf --hostname-override=${n.name}`;
    case 'cni': return '/app/aws-k8s-agent';
    case 'node-local-dns': return ['/node-cache', ...(spec?.args ?? [])].join(' ');
  }
  const image = spec?.image ?? container;
  if (image.includes('nginx')) return 'nginx: master process nginx -g daemon off;';
  const base = image.split('/').at(-1)!.split(':')[0]!;
  return [`/usr/local/bin/${base}`, ...(spec?.args ?? [])].join(' ');
}

export function processes(n: NodeHost): Proc[] {
  const boot = bootTime(n.node);
  const procs: Proc[] = [
    { user: 'root', pid: 1, ppid: 0, start: boot, cpu: 0, rssKb: 13_120, cmd: '/sbin/init', comm: 'systemd' },
    { user: 'root', pid: 788, ppid: 1, start: boot, cpu: 0, rssKb: 7_904, cmd: 'sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups', comm: 'sshd' },
  ];
  for (const [unit, u] of Object.entries(n.node.host.units)) {
    if (!u.active) continue;
    const cmd = UNIT_INFO[unit]?.cmdline ?? `/usr/bin/${unit}`;
    procs.push({ user: 'root', pid: unitPid(n.node, unit), ppid: 1, start: u.since, cpu: unit === 'kubelet' ? 2.1 : 0.9, rssKb: unit === 'kubelet' ? 96_212 : 71_036, cmd, comm: unit });
  }
  const pods = Object.values(n.state.pods).filter((p) => p.spec.nodeName === n.name).sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
  for (const pod of pods) {
    const running = pod.status.containerStatuses.filter((c) => c.state.kind === 'running');
    if (running.length === 0) continue;
    const shim = stableInt(`shim/${pod.metadata.uid}`, 4000, 30000);
    const started = Math.min(...running.map((c) => (c.state.kind === 'running' ? c.state.startedAt : n.state.now)));
    procs.push({ user: 'root', pid: shim, ppid: 1, start: started, cpu: 0, rssKb: 12_400, comm: 'container',
      cmd: `/usr/bin/containerd-shim-runc-v2 -namespace k8s.io -id ${pod.status.containerStatuses[0]!.containerID.replace(/^[a-z]+:\/\//, '').slice(0, 64)} -address /run/containerd/containerd.sock` });
    for (const cs of running) {
      if (cs.state.kind !== 'running') continue;
      const b = pod.behavior[cs.name] ?? {};
      const cmd = containerCommand(n, pod, cs.name);
      const program = cmd.split(' ')[0]!.split('/').at(-1)!.replace(/:$/, '');
      procs.push({
        user: pod.static || b.role === 'kube-proxy' || b.role === 'cni' ? 'root' : program === 'nginx' ? 'root' : '65532',
        pid: stableInt(`pid/${cs.containerID}`, 4000, 60000), ppid: shim, start: cs.state.startedAt,
        cpu: (b.cpuUse ?? 1) / 10, rssKb: Math.round((b.memoryUse ?? 8 * 2 ** 20) / 1024), cmd, comm: program.slice(0, 15),
      });
    }
  }
  return procs.sort((a, b) => a.pid - b.pid);
}

/** Seconds of CPU a process has used since it started. */
export function cpuTime(p: Proc, now: number): number {
  return Math.floor(((now - p.start) / 1000) * (p.cpu / 100));
}

export const ps: ShellCommand = (ctx, argv) => {
  const n = onNode(ctx, 'ps');
  if (isResult(n)) return n;
  const shell = stableInt(`${n.name}/bash`, 3000, 3999);
  const mine = [{ pid: shell, cmd: 'bash' }, { pid: shell + 11, cmd: 'ps' }];
  const table = psTable(n.state, argv, processes(n), mine, n.node.status.capacity.memory / 1024);
  return typeof table === 'string' ? ok(table) : fail(table.error);
};

/**
 * procps-ng's `ps` over a process table: no options lists the terminal's own processes
 * (`mine`), BSD options (`aux`) the USER/%CPU/%MEM layout, others (`-ef`) the UID/PPID one.
 */
export function psTable(state: ClusterState, argv: string[], procs: Proc[], mine: { pid: number; cmd: string }[], totalKb: number): string | { error: string } {
  const args = argv.slice(1);
  const sortAt = args.findIndex((a) => a === '--sort' || a.startsWith('--sort='));
  if (sortAt >= 0) procs = sortProcs(state, procs, (args[sortAt] === '--sort' ? args[sortAt + 1] ?? '' : args[sortAt]!.slice(7)).split(','), totalKb);
  const custom = userFormat(state, args, procs, mine, totalKb);
  if (custom !== undefined) return custom;
  // procps cuts a user name longer than its 8-column field to 7 characters and a '+'.
  const user = (p: Proc): string => (p.user.length > 8 ? `${p.user.slice(0, 7)}+` : p.user).padEnd(8);
  if (args.length === 0) return `    PID TTY          TIME CMD\n${mine.map((p) => `${String(p.pid).padStart(7)} pts/0    00:00:00 ${p.cmd}\n`).join('')}`;
  const bsd = args.some((a) => /^[a-zA-Z]+$/.test(a) || a === '-aux');
  if (!bsd) {
    const rows = procs.map((p) => {
      const t = cpuTime(p, state.now);
      const time = `${String(Math.floor(t / 3600)).padStart(2, '0')}:${String(Math.floor((t % 3600) / 60)).padStart(2, '0')}:${String(t % 60).padStart(2, '0')}`;
      return `${user(p)} ${String(p.pid).padStart(7)} ${String(p.ppid).padStart(7)} ${String(Math.floor(p.cpu)).padStart(2)} ${psStart(state, p.start).padEnd(5)} ${(p.tty ?? '?').padEnd(8)} ${time} ${p.cmd}\n`;
    });
    return `UID          PID    PPID  C STIME TTY          TIME CMD\n${rows.join('')}`;
  }
  const rows = procs.map((p) => {
    const t = cpuTime(p, state.now);
    const vsz = p.rssKb * 9 + 700_000;
    const stat = p.tty ? (p.cmd.startsWith('ps ') ? 'R+' : p.cmd === '-bash' ? 'Ss' : 'Sl') : p.pid === 1 || p.ppid === 1 ? 'Ssl' : 'Sl';
    return `${user(p)} ${String(p.pid).padStart(7)} ${p.cpu.toFixed(1).padStart(4)} ${((p.rssKb / totalKb) * 100).toFixed(1).padStart(4)} ${String(vsz).padStart(6)} ${String(p.rssKb).padStart(5)} ${(p.tty ?? '?').padEnd(8)} ${stat.padEnd(4)} ${psStart(state, p.start).padStart(5)} ${`${Math.floor(t / 60)}:${String(t % 60).padStart(2, '0')}`.padStart(6)} ${p.cmd}\n`;
  });
  return `USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\n${rows.join('')}`;
}

/**
 * procps-ng's user-defined formats (`-o|o|--format`), with `--sort`, `--no-headers`, `-p`, `-C`:
 * each specifier's header and width as ps/output.c's format table has them, right-aligned
 * numbers, left-aligned text, the last column unpadded; `key=` empties its header (and a
 * header line of only empty ones is not printed). Undefined when no format is given.
 */
function userFormat(state: ClusterState, args: string[], procs: Proc[], mine: { pid: number; cmd: string }[], totalKb: number): string | { error: string } | undefined {
  const keys: { key: string; header?: string }[] = [];
  let sort: string[] = [];
  let all = false;
  let noHeaders = false;
  let pids: number[] | undefined;
  let names: string[] | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = (): string => args[++i] ?? '';
    // `-eo FORMAT`: short options run together, the `o` last taking the next word.
    const cluster = /^-([A-Za-z]*)o$/.exec(a);
    if (cluster && /[eA]/.test(cluster[1]!)) all = true;
    if (cluster || a === 'o' || a === '--format' || a === '-O') for (const spec of splitFormat(value())) keys.push(spec);
    else if (a.startsWith('--format=') || a.startsWith('-o')) for (const spec of splitFormat(a.replace(/^--format=|^-o/, ''))) keys.push(spec);
    else if (a === '--sort' || a === 'k') sort = value().split(',');
    else if (a.startsWith('--sort=')) sort = a.slice(7).split(',');
    else if (a === '--no-headers' || a === '--no-heading' || a === 'h') noHeaders = true;
    else if (a === '-p' || a === '--pid' || a === 'p') pids = value().split(',').map(Number);
    else if (a === '-C') names = value().split(',');
    else if (/^-[eA]+$/.test(a) || /^a?x$|^ax$/.test(a) || a === 'aux' || a === '-aux' || a === 'ax' || a === '-ax') all = true;
  }
  if (keys.length === 0) return undefined;
  const terminal: Proc[] = mine.map((p) => ({ user: procs.find((q) => q.tty)?.user ?? 'root', pid: p.pid, ppid: 1, start: state.now, cpu: 0, rssKb: 5_200, cmd: p.cmd, comm: p.cmd.split(' ')[0]!, tty: 'pts/0' }));
  let rows = pids || names || all ? [...procs, ...terminal.filter((t) => !procs.some((p) => p.pid === t.pid))] : terminal;
  if (pids) rows = rows.filter((p) => pids!.includes(p.pid));
  if (names) rows = rows.filter((p) => names!.includes(p.comm));
  const columns = keys.map(({ key, header }) => ({ field: FORMAT[key.toLowerCase()], key, header }));
  const unknown = columns.find((c) => c.field === undefined);
  if (unknown) return { error: `error: unknown user-defined format specifier "${unknown.key}"\n\nUsage:\n ps [options]\n\n Try 'ps --help <simple|list|output|threads|misc|all>'\n  or 'ps --help <s|l|o|t|m|a>'\n for additional help text.\n\nFor more details see ps(1).\n` };
  rows = sortProcs(state, rows, sort, totalKb);
  const line = (cells: string[]): string => columns.map((c, i) => {
    const last = i === columns.length - 1;
    const cell = cells[i]!;
    return c.field!.right ? cell.padStart(c.field!.width) : last ? cell : cell.padEnd(c.field!.width);
  }).join(' ').trimEnd();
  const headers = columns.map((c) => c.header ?? c.field!.header);
  const head = noHeaders || headers.every((h) => h === '') ? '' : `${line(headers)}\n`;
  return head + rows.map((p) => `${line(columns.map((c) => c.field!.value(p, state, totalKb)))}\n`).join('');
}

/** `--sort=[+|-]key,…`: a stable sort by each key, the first the most significant. */
function sortProcs(state: ClusterState, procs: Proc[], keys: string[], totalKb: number): Proc[] {
  let rows = procs;
  for (const raw of [...keys].reverse()) {
    const desc = raw.startsWith('-');
    const field = FORMAT[raw.replace(/^[-+]/, '').toLowerCase()];
    if (!field) continue;
    rows = [...rows].sort((a, b) => {
      const x = field.sort(a, state, totalKb);
      const y = field.sort(b, state, totalKb);
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0;
      return desc ? -c : c;
    });
  }
  return rows;
}

/** `-o pid,user,cmd` or `-o "pid user"`; `key=HEADER` names a header (the rest of the spec). */
function splitFormat(spec: string): { key: string; header?: string }[] {
  const eq = spec.indexOf('=');
  const head = eq < 0 ? spec : spec.slice(0, eq);
  const keys = head.split(/[,\s]+/).filter((k) => k !== '');
  const out: { key: string; header?: string }[] = keys.map((key) => ({ key }));
  if (eq >= 0 && out.length > 0) out[out.length - 1] = { key: keys.at(-1)!, header: spec.slice(eq + 1) };
  return out;
}

interface FormatField {
  header: string;
  width: number;
  right: boolean;
  value: (p: Proc, state: ClusterState, totalKb: number) => string;
  sort: (p: Proc, state: ClusterState, totalKb: number) => number | string;
}

const clock = (s: number, days: boolean): string => {
  const d = Math.floor(s / 86_400);
  const hms = `${String(Math.floor((s % 86_400) / 3600)).padStart(2, '0')}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  if (days) return d > 0 ? `${d}-${hms}` : hms;
  // etime: [[dd-]hh:]mm:ss
  return d > 0 ? `${d}-${hms}` : s >= 3600 ? hms : hms.slice(3);
};
const elapsed = (p: Proc, state: ClusterState): number => Math.max(0, Math.floor((state.now - p.start) / 1000));
const text = (header: string, width: number, value: (p: Proc, state: ClusterState) => string): FormatField => ({ header, width, right: false, value, sort: value });
const num = (header: string, width: number, value: (p: Proc, state: ClusterState, totalKb: number) => number, shown?: (n: number) => string): FormatField => ({
  header, width, right: true, value: (p, s, t) => (shown ?? String)(value(p, s, t)), sort: value,
});
const pmem = (p: Proc, _s: ClusterState, totalKb: number): number => Math.round((p.rssKb / totalKb) * 1000) / 10;
const FORMAT: Record<string, FormatField> = {
  pid: num('PID', 7, (p) => p.pid),
  ppid: num('PPID', 7, (p) => p.ppid),
  user: text('USER', 8, (p) => (p.user.length > 8 ? `${p.user.slice(0, 7)}+` : p.user)),
  uid: num('UID', 5, (p) => (p.user === 'root' ? 0 : /^\d+$/.test(p.user) ? Number(p.user) : 1000)),
  comm: text('COMMAND', 15, (p) => p.comm),
  ucmd: text('CMD', 15, (p) => p.comm),
  cmd: text('CMD', 27, (p) => p.cmd),
  args: text('COMMAND', 27, (p) => p.cmd),
  command: text('COMMAND', 27, (p) => p.cmd),
  '%cpu': num('%CPU', 4, (p) => p.cpu, (n) => n.toFixed(1)),
  pcpu: num('%CPU', 4, (p) => p.cpu, (n) => n.toFixed(1)),
  '%mem': num('%MEM', 4, pmem, (n) => n.toFixed(1)),
  pmem: num('%MEM', 4, pmem, (n) => n.toFixed(1)),
  rss: num('RSS', 5, (p) => p.rssKb),
  rssize: num('RSS', 5, (p) => p.rssKb),
  rsz: num('RSZ', 5, (p) => p.rssKb),
  vsz: num('VSZ', 6, (p) => p.rssKb * 9 + 700_000),
  tty: text('TT', 8, (p) => p.tty ?? '?'),
  stat: text('STAT', 4, (p) => (p.tty ? 'Ss' : p.pid === 1 || p.ppid === 1 ? 'Ssl' : 'Sl')),
  stime: text('STIME', 5, (p, s) => psStart(s, p.start)),
  etime: { header: 'ELAPSED', width: 11, right: true, value: (p, s) => clock(elapsed(p, s), false), sort: (p, s) => elapsed(p, s) },
  etimes: num('ELAPSED', 7, (p, s) => elapsed(p, s)),
  time: { header: 'TIME', width: 8, right: true, value: (p, s) => clock(cpuTime(p, s.now), true), sort: (p, s) => cpuTime(p, s.now) },
  cputime: { header: 'TIME', width: 8, right: true, value: (p, s) => clock(cpuTime(p, s.now), true), sort: (p, s) => cpuTime(p, s.now) },
};
// `start` and `start_time`: the time of day (or the date) it started, as STIME shows it.
FORMAT.start = { header: 'STARTED', width: 8, right: true, value: (p, s) => psStart(s, p.start), sort: (p) => p.start };
FORMAT.start_time = { header: 'START', width: 5, right: true, value: (p, s) => psStart(s, p.start), sort: (p) => p.start };

/** A TCP socket of the node's processes: what lsof -i and ss list. */
export interface Socket {
  comm: string;
  pid: number;
  fd: number;
  ipv6: boolean;
  proto: 'TCP' | 'UDP';
  local: [string, number];
  remote?: [string, number];
  /** A connection this side closed first, waiting out TIME-WAIT (no process holds it). */
  timeWait?: boolean;
  /** Its process is in another PID namespace (another container of the pod): ss -p cannot name it. */
  unseen?: boolean;
}

export function sockets(n: NodeContext): Socket[] {
  const procs = processes(n);
  const ip = internalIP(n.node) ?? '0.0.0.0';
  const out: Socket[] = [];
  const find = (program: string): Proc | undefined => procs.find((p) => p.cmd.split(' ')[0]!.endsWith(program));
  const listen = (p: Proc | undefined, fd: number, host: string, port: number, ipv6 = false): void => {
    if (p) out.push({ comm: p.comm, pid: p.pid, fd, ipv6, proto: 'TCP', local: [host, port] });
  };
  listen(find('sshd:'), 3, '*', 22);
  listen(find('containerd'), 11, '127.0.0.1', 35000 + stableInt(n.name, 0, 4000));
  const kubelet = find('kubelet');
  listen(kubelet, 18, '127.0.0.1', 10248);
  listen(kubelet, 24, '*', 10250, true);
  const proxy = find('kube-proxy');
  listen(proxy, 10, '127.0.0.1', 10249);
  listen(proxy, 13, '*', 10256, true);
  const etcd = find('etcd');
  listen(etcd, 7, ip, 2380);
  listen(etcd, 8, '127.0.0.1', 2379);
  listen(etcd, 9, ip, 2379);
  listen(etcd, 10, '127.0.0.1', 2381);
  const apiserver = find('kube-apiserver');
  listen(apiserver, 7, '*', 6443, true);
  listen(find('kube-scheduler'), 7, '127.0.0.1', 10259);
  // NodeLocal DNSCache answers on its link-local address (the nodelocaldns interface).
  const cache = find('/node-cache');
  const local = n.node.host.links?.nodelocaldns?.split('/')[0];
  if (cache && local) {
    out.push({ comm: cache.comm, pid: cache.pid, fd: 7, ipv6: false, proto: 'UDP', local: [local, 53] });
    listen(cache, 8, local, 53);
    listen(cache, 9, local, 8080);
  }
  listen(find('kube-controller-manager'), 7, '127.0.0.1', 10257);
  if (apiserver && etcd) {
    for (let i = 0; i < 3; i++) {
      const port = 41000 + stableInt(`${n.name}/etcd-conn/${i}`, 0, 20000);
      out.push({ comm: apiserver.comm, pid: apiserver.pid, fd: 11 + i, ipv6: false, proto: 'TCP', local: ['127.0.0.1', port], remote: ['127.0.0.1', 2379] });
      out.push({ comm: etcd.comm, pid: etcd.pid, fd: 14 + i, ipv6: false, proto: 'TCP', local: ['127.0.0.1', 2379], remote: ['127.0.0.1', port] });
    }
  }
  const cp = Object.values(n.state.nodes).find((x) => x.host.files['/etc/kubernetes/manifests/kube-apiserver.yaml'] !== undefined);
  const cpIP = cp ? internalIP(cp) : undefined;
  if (kubelet && cpIP) out.push({ comm: kubelet.comm, pid: kubelet.pid, fd: 27, ipv6: false, proto: 'TCP', local: [ip, 50000 + stableInt(n.name, 0, 9000)], remote: [cpIP, 6443] });
  return out;
}

export const lsof: ShellCommand = (ctx, argv) => {
  const n = onNode(ctx, 'lsof');
  if (isResult(n)) return n;
  const args = argv.slice(1);
  const numericHosts = args.some((a) => /^-[a-zA-Z]*n/.test(a));
  const i = args.findIndex((a) => a.startsWith('-i'));
  if (i < 0) return fail('lsof: only the network form is available here: lsof -i [:PORT]\n');
  const spec = args[i]!.length > 2 ? args[i]!.slice(2) : args[i + 1]?.startsWith('-') === false ? args[i + 1]! : '';
  const m = /^(?:(tcp|udp|TCP|UDP|4|6))?(?:@([^:]+))?(?::(\d+))?$/.exec(spec);
  if (!m) return fail(`lsof: unacceptable Internet address: ${spec}\n`);
  const port = m[3] ? Number(m[3]) : undefined;
  // Without root, lsof only sees the user's own processes: none of these.
  const list = n.root ? sockets(n).filter((s) => port === undefined || s.local[1] === port || s.remote?.[1] === port) : [];
  if (m[1]?.toLowerCase() === 'udp') list.length = 0;
  if (list.length === 0) return { stdout: '', stderr: '', exitCode: 1 };
  const ip = internalIP(n.node);
  const host = (h: string): string => (numericHosts ? h : h === '127.0.0.1' ? 'localhost' : h === ip ? n.name : h);
  const addr = ([h, p]: [string, number]): string => `${host(h)}:${p === 22 ? 'ssh' : p}`;
  const rows = list.map((s) => [
    s.comm.slice(0, 9), String(s.pid), 'root', `${s.fd}u`, s.ipv6 ? 'IPv6' : 'IPv4', String(stableInt(`${s.pid}/${s.fd}`, 20000, 99999)), '0t0', s.proto,
    s.remote ? `${addr(s.local)}->${addr(s.remote)} (ESTABLISHED)` : s.proto === 'UDP' ? addr(s.local) : `${addr(s.local)} (LISTEN)`,
  ]);
  const header = ['COMMAND', 'PID', 'USER', 'FD', 'TYPE', 'DEVICE', 'SIZE/OFF', 'NODE', 'NAME'];
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => r[c]!.length)));
  const right = new Set([1, 3, 5, 6]);
  return ok(all.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : right.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join(' ') + '\n').join(''));
};

/** free's Swap row: total, used, free in bytes. */
function swapRow(swaps: SwapArea[]): number[] {
  const total = swaps.reduce((t, s) => t + s.sizeKiB * 1024, 0);
  const used = swaps.reduce((t, s) => t + s.usedKiB * 1024, 0);
  return [total, used, total - used];
}

/** buff/cache as /proc/meminfo splits it (kB): Buffers, Cached, SReclaimable; vmstat's `cache` is the last two. */
export function cacheSplit(buffCache: number): { buffers: number; cached: number; reclaimable: number } {
  const kb = Math.floor(buffCache / 1024);
  const buffers = Math.floor((buffCache * 0.05) / 1024);
  const reclaimable = Math.floor((buffCache * 0.1) / 1024);
  return { buffers, cached: kb - buffers - reclaimable, reclaimable };
}

/** The node's memory as free and top show it (bytes). */
export function memory(n: Pick<NodeContext, 'node'>): { total: number; used: number; freeMem: number; shared: number; buffCache: number; available: number; swap: number[] } {
  const total = n.node.status.capacity.memory;
  const used = Math.min(total, n.node.host.usage.memory || total * 0.25);
  const buffCache = Math.round((total - used) * 0.35);
  const shared = 1_800_000;
  return { total, used, freeMem: total - used - buffCache, shared, buffCache, available: total - used - shared, swap: swapRow(n.node.host.swaps ?? []) };
}

export const free: ShellCommand = (ctx, argv) => {
  const n = onNode(ctx, 'free');
  if (isResult(n)) return n;
  const flags = argv.slice(1).join('');
  const { total, used, freeMem, shared, buffCache, available, swap } = memory(n);
  const show = (bytes: number): string => {
    if (flags.includes('h')) return bytes === 0 ? '0B' : `${humanSize(bytes)}i`.replace(/(\d)i$/, '$1B');
    if (flags.includes('g')) return String(Math.floor(bytes / 2 ** 30));
    if (flags.includes('m')) return String(Math.floor(bytes / 2 ** 20));
    return String(Math.floor(bytes / 1024));
  };
  const row = (label: string, values: number[]): string => `${label.padEnd(8)}${values.map((v) => show(v).padStart(12)).join('')}\n`;
  return ok(`${' '.repeat(8)}${['total', 'used', 'free', 'shared', 'buff/cache', 'available'].map((h) => h.padStart(12)).join('')}\n${row('Mem:', [total, used, freeMem, shared, buffCache, available])}${row('Swap:', swap)}`);
};

export const uptime: ShellCommand = (ctx) => {
  const n = onNode(ctx, 'uptime');
  if (isResult(n)) return n;
  return ok(`${uptimeLine(n)}\n`);
};

/** The 1, 5 and 15 minute load averages uptime, top and /proc/loadavg show: the node's CPU use in cores. */
export function loadAverages(n: NodeHost): [number, number, number] {
  const load = (n.node.host.usage.cpu || 200) / 1000;
  return [load * 1.1, load, load * 0.9];
}

/**
 * /proc/loadavg (fs/proc/loadavg.c: `%lu.%02lu` three times, running/total tasks, the last pid)
 * and /proc/uptime (seconds up and idle summed over the CPUs, two decimals each).
 */
export function procLoadavgUptime(n: NodeHost): { loadavg: string; uptime: string } {
  const procs = processes(n);
  const loads = loadAverages(n).map((x) => x.toFixed(2)).join(' ');
  const up = Math.max(0, (n.state.now - bootTime(n.node)) / 1000);
  const cores = Math.max(1, Math.round(n.node.status.capacity.cpu / 1000));
  const busy = Math.min(1, loadAverages(n)[1] / cores);
  return {
    loadavg: `${loads} 1/${procs.length} ${Math.max(...procs.map((p) => p.pid))}\n`,
    uptime: `${up.toFixed(2)} ${(up * cores * (1 - busy)).toFixed(2)}\n`,
  };
}

/** uptime's line (procps): ` 09:14:02 up 3 days,  2:11,  1 user,  load average: …`; top's first line after `top -`. */
export function uptimeLine(n: NodeContext): string {
  const boot = bootTime(n.node);
  const d = new Date(n.state.epoch + n.state.now);
  const p2 = (x: number): string => String(x).padStart(2, '0');
  const minutes = Math.floor((n.state.now - boot) / 60_000);
  const days = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  const up = `${days > 0 ? `${days} day${days === 1 ? '' : 's'}, ` : ''}${h > 0 ? `${String(h).padStart(2)}:${p2(m)}` : `${m} min`}`;
  const loads = loadAverages(n).map((x) => x.toFixed(2)).join(', ');
  return ` ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} up ${up},  1 user,  load average: ${loads}`;
}

