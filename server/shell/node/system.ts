// The node's identity and kernel: `uname` (coreutils), `hostnamectl` and `timedatectl`
// (systemd 249, Ubuntu 22.04), `dmesg` (util-linux 2.37) and `sysctl` (procps-ng 3.3.17),
// all from the node model: nodeInfo (kernel, OS image, architecture), capacity, the journal.
import { wallClock } from '../../cluster/logs.js';
import { kernelBuild } from '../../cluster/host.js';
import type { ClusterState, SimTime } from '../../cluster/types.js';
import type { ShellCommand } from '../types.js';
import { fail, ok } from '../types.js';
import { bootTime, isResult, onNode, stableHex, systemdDate, type NodeContext } from './common.js';

const machine = (n: NodeContext): string => (n.node.status.nodeInfo.architecture === 'arm64' ? 'aarch64' : 'x86_64');

/** coreutils uname.c: fields in the order s n r v m p i o; -a leaves out -p and -i when "unknown" (Ubuntu knows them). */
export const uname: ShellCommand = (ctx, argv) => {
  const n = onNode(ctx, 'uname');
  if (isResult(n)) return n;
  const info = n.node.status.nodeInfo;
  const fields: Record<string, string> = {
    s: 'Linux', n: n.name, r: info.kernelVersion, v: kernelBuild(info.kernelVersion), m: machine(n), p: machine(n), i: machine(n), o: 'GNU/Linux',
  };
  const LONG: Record<string, string> = {
    '--all': 'a', '--kernel-name': 's', '--nodename': 'n', '--kernel-release': 'r', '--kernel-version': 'v',
    '--machine': 'm', '--processor': 'p', '--hardware-platform': 'i', '--operating-system': 'o',
  };
  let flags = '';
  for (const a of argv.slice(1)) {
    if (a.startsWith('--')) {
      if (!LONG[a]) return fail(`uname: unrecognized option '${a}'\nTry 'uname --help' for more information.\n`);
      flags += LONG[a];
    } else if (a.startsWith('-') && a.length > 1) flags += a.slice(1);
    else return fail(`uname: extra operand '${a}'\nTry 'uname --help' for more information.\n`);
  }
  const bad = [...flags].find((f) => !'asnrvmpio'.includes(f));
  if (bad) return fail(`uname: invalid option -- '${bad}'\nTry 'uname --help' for more information.\n`);
  const wanted = flags.includes('a') ? 'snrvmpio' : flags === '' ? 's' : flags;
  return ok(`${[...'snrvmpio'].filter((f) => wanted.includes(f)).map((f) => fields[f]).join(' ')}\n`);
};

/** A stable 128-bit id (machine-id, boot id) for a node. */
const id128 = (seed: string): string => stableHex(seed, 32);

/** systemd 249 hostnamectl's status (print_status_info): labels right-aligned to "Operating System". */
export const hostnamectl: ShellCommand = (ctx, argv) => {
  const n = onNode(ctx, 'hostnamectl');
  if (isResult(n)) return n;
  const verb = argv[1] ?? 'status';
  if (verb === 'hostname') return ok(`${n.name}\n`);
  if (verb.startsWith('set-')) return fail(`hostnamectl: ${verb} is not part of this drill; the node's name is the Kubernetes node's\n`);
  if (verb !== 'status') return fail(`Unknown command verb ${verb}.\n`);
  const info = n.node.status.nodeInfo;
  const instanceType = n.node.metadata.labels?.['node.kubernetes.io/instance-type'];
  const rows: [string, string][] = [
    ['Static hostname', n.name], ['Icon name', 'computer-vm'], ['Chassis', 'vm'],
    ['Machine ID', id128(`${n.name}/machine-id`)], ['Boot ID', id128(`${n.name}/boot/${bootTime(n.node)}`)],
    ['Virtualization', 'amazon'], ['Operating System', info.osImage], ['Kernel', `Linux ${info.kernelVersion}`],
    ['Architecture', machine(n).replace('_', '-').replace('aarch64', 'arm64')], ['Hardware Vendor', 'Amazon EC2'],
  ];
  if (instanceType) rows.push(['Hardware Model', instanceType]);
  return ok(rows.map(([k, v]) => `${k.padStart(16)}: ${v}\n`).join(''));
};

/** systemd 249 timedatectl's status: the nodes keep UTC, synchronized by systemd-timesyncd. */
export const timedatectl: ShellCommand = (ctx, argv) => {
  const n = onNode(ctx, 'timedatectl');
  if (isResult(n)) return n;
  const verb = argv[1] ?? 'status';
  if (verb.startsWith('set-')) return fail(`timedatectl: ${verb} is not part of this drill; the nodes keep UTC from NTP\n`);
  if (verb !== 'status') return fail(`Unknown command verb ${verb}.\n`);
  const now = systemdDate(n.state, n.state.now);
  const rows: [string, string][] = [
    ['Local time', now], ['Universal time', now], ['RTC time', now.replace(/ UTC$/, '')], ['Time zone', 'Etc/UTC (UTC, +0000)'],
    ['System clock synchronized', 'yes'], ['NTP service', 'active'], ['RTC in local TZ', 'no'],
  ];
  return ok(rows.map(([k, v]) => `${k.padStart(25)}: ${v}\n`).join(''));
};

/** The kernel's lines in the journal, with their seconds since boot (printk's `[%5lu.%06lu]`). */
function kernelLines(n: NodeContext): { at: SimTime; uptime: number; text: string }[] {
  const boot = bootTime(n.node);
  return n.node.host.syslog.filter((l) => l.at >= boot && l.text.startsWith('kernel: ')).map((l) => {
    const text = l.text.slice('kernel: '.length);
    const stamped = /^\[\s*(\d+)\.(\d+)\] (.*)$/.exec(text);
    if (stamped) return { at: l.at, uptime: Number(stamped[1]) + Number(`0.${stamped[2]}`), text: stamped[3]! };
    return { at: l.at, uptime: (l.at - boot) / 1000, text };
  });
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** dmesg -T's stamp: strftime "%a %b %e %H:%M:%S %Y" (util-linux sys-utils/dmesg.c, ctime-like). */
function ctimeStamp(state: ClusterState, at: SimTime): string {
  const d = wallClock(state, at);
  const p2 = (x: number): string => String(x).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2)} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

/**
 * util-linux dmesg: the kernel ring buffer since boot. Ubuntu 22.04 sets kernel.dmesg_restrict=1,
 * so without root it fails the way syslog(2) does.
 */
export const dmesg: ShellCommand = (ctx, argv) => {
  const n = onNode(ctx, 'dmesg');
  if (isResult(n)) return n;
  const args = argv.slice(1);
  const bad = args.find((a) => !['-T', '--ctime', '-H', '--human', '-L', '--color=never', '-x', '--decode', '-w', '--follow', '-l', 'err', 'warn', 'crit'].includes(a));
  if (bad !== undefined) return fail(bad.startsWith('--') ? `dmesg: unrecognized option '${bad}'\nTry 'dmesg --help' for more information.\n` : `dmesg: invalid option -- '${bad.replace(/^-+/, '').replace(/^([A-Za-z]).*/, '$1')}'\nTry 'dmesg --help' for more information.\n`);
  if (!n.root) return fail('dmesg: read kernel buffer failed: Operation not permitted\n');
  const ctime = args.includes('-T') || args.includes('--ctime');
  return ok(kernelLines(n).map((l) => {
    const stamp = ctime ? ctimeStamp(n.state, l.at) : `${String(Math.floor(l.uptime)).padStart(5)}.${String(Math.round((l.uptime % 1) * 1e6)).padStart(6, '0')}`;
    return `[${stamp}] ${l.text}\n`;
  }).join(''));
};

/**
 * The kernel parameters an SRE reads on a Kubernetes node, with the values the model implies:
 * the ones the kubelet sets (pkg/kubelet/cm/container_manager_linux.go setupKernelTunables),
 * kube-proxy's conntrack sizing (max(32768 × cores, 131072), hashsize max/4, its TCP timeouts),
 * and the kernel / Ubuntu 22.04 defaults for the rest.
 */
export function sysctls(n: Pick<NodeContext, 'state' | 'node' | 'name'>): Record<string, string> {
  const cores = Math.max(1, Math.round(n.node.status.capacity.cpu / 1000));
  const conntrackMax = Math.max(32_768 * cores, 131_072);
  const major = Number(n.node.status.nodeInfo.kernelVersion.split('.')[0]);
  const entries = n.state.network.conntrack.filter((c) => c.node === n.name && c.expiresAt > n.state.now).length;
  return {
    'fs.file-max': '9223372036854775807',
    'fs.inotify.max_user_instances': '128',
    'fs.nr_open': '1048576',
    'kernel.dmesg_restrict': '1',
    'kernel.hostname': n.name,
    'kernel.keys.root_maxbytes': '25000000',
    'kernel.keys.root_maxkeys': '1000000',
    'kernel.osrelease': n.node.status.nodeInfo.kernelVersion,
    'kernel.ostype': 'Linux',
    'kernel.panic': '10',
    'kernel.panic_on_oops': '1',
    'kernel.pid_max': '4194304',
    'net.bridge.bridge-nf-call-ip6tables': '1',
    'net.bridge.bridge-nf-call-iptables': '1',
    // Linux 5.4 raised SOMAXCONN to 4096 (the Send-Q `ss -l` shows for Go servers).
    'net.core.somaxconn': major >= 5 ? '4096' : '128',
    'net.ipv4.conf.all.forwarding': '1',
    'net.ipv4.conf.all.rp_filter': '2',
    'net.ipv4.ip_forward': '1',
    'net.ipv4.ip_local_port_range': '32768\t60999',
    'net.ipv4.tcp_keepalive_time': '7200',
    'net.netfilter.nf_conntrack_buckets': String(conntrackMax / 4),
    'net.netfilter.nf_conntrack_count': String(entries),
    'net.netfilter.nf_conntrack_max': String(conntrackMax),
    'net.netfilter.nf_conntrack_tcp_timeout_close_wait': '3600',
    'net.netfilter.nf_conntrack_tcp_timeout_established': '86400',
    'net.nf_conntrack_max': String(conntrackMax),
    'vm.max_map_count': '65530',
    'vm.overcommit_memory': '1',
    'vm.panic_on_oom': '0',
    'vm.swappiness': '60',
  };
}

/** procps-ng sysctl: `KEY = VALUE` (-n: the value, -a: every key); `/` may stand for `.`. */
export const sysctl: ShellCommand = (ctx, argv) => {
  const n = onNode(ctx, 'sysctl');
  if (isResult(n)) return n;
  const values = sysctls(n);
  let valueOnly = false;
  let all = false;
  const keys: string[] = [];
  for (const a of argv.slice(1)) {
    if (a === '-a' || a === '-A' || a === '-X' || a === '--all') all = true;
    else if (a === '-n' || a === '--values') valueOnly = true;
    else if (a === '-w' || a === '--write' || a.includes('=')) return fail(`sysctl: setting ${a === '-w' || a === '--write' ? 'keys' : a.split('=')[0]} is not part of this drill; kernel parameters are read-only here\n`);
    else if (a.startsWith('-')) return fail(`sysctl: invalid option -- '${a.slice(1, 2)}'\nUsage:\n sysctl [options] [variable[=value] ...]\n`);
    else keys.push(a.replace(/\//g, '.'));
  }
  const line = (k: string): string => (valueOnly ? `${values[k]}\n` : `${k} = ${values[k]}\n`);
  if (all) return ok(Object.keys(values).map(line).join(''));
  if (keys.length === 0) return fail("sysctl: no variables specified\nTry `sysctl --help' for more information.\n");
  let stdout = '';
  let stderr = '';
  for (const k of keys) {
    if (Object.hasOwn(values, k)) stdout += line(k);
    else stderr += `sysctl: cannot stat /proc/sys/${k.replace(/\./g, '/')}: No such file or directory\n`;
  }
  return { stdout, stderr, exitCode: stderr === '' ? 0 : 255 };
};

/** coreutils nproc: the processing units available (the node's CPU capacity); --all counts the same here. */
export const nproc: ShellCommand = (ctx, argv) => {
  const n = onNode(ctx, 'nproc');
  if (isResult(n)) return n;
  const bad = argv.slice(1).find((a) => a !== '--all');
  if (bad !== undefined) return fail(bad.startsWith('-') ? `nproc: unrecognized option '${bad}'\nTry 'nproc --help' for more information.\n` : `nproc: extra operand '${bad}'\nTry 'nproc --help' for more information.\n`);
  return ok(`${Math.max(1, Math.round(n.node.status.capacity.cpu / 1000))}\n`);
};

/**
 * `lsb_release` (Ubuntu 22.04's lsb-release 11.1.0, from /usr/lib/os-release): -a prints every
 * field, after "No LSB modules are available." on stderr; -s leaves the labels out, a value a line.
 */
export const lsbRelease: ShellCommand = (ctx, argv) => {
  const n = onNode(ctx, 'lsb_release');
  if (isResult(n)) return n;
  const os = n.node.status.nodeInfo.osImage;
  const fields: [string, string, string][] = [['i', 'Distributor ID', 'Ubuntu'], ['d', 'Description', os], ['r', 'Release', '22.04'], ['c', 'Codename', 'jammy']];
  const flags = argv.slice(1).map((a) => ({ '--all': '-a', '--id': '-i', '--description': '-d', '--release': '-r', '--codename': '-c', '--short': '-s' })[a] ?? a).join('').replace(/-/g, '');
  const bad = flags.replace(/[aidrcsv]/g, '');
  if (bad) return fail(`Usage: lsb_release [options]\n\nlsb_release: error: no such option: -${bad[0]}\n`, 2);
  const all = flags.includes('a');
  const chosen = fields.filter(([f]) => all || flags.includes(f));
  const short = flags.includes('s');
  const stdout = chosen.map(([, label, v]) => (short ? `${v}\n` : `${label}:\t${v}\n`)).join('');
  if (!all && !flags.includes('v') && chosen.length > 0) return ok(stdout);
  return { stdout, stderr: '', stderrFirst: 'No LSB modules are available.\n', exitCode: 0 };
};
