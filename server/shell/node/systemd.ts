// systemctl and journalctl for the node's systemd units (kubelet, containerd…). Start / stop /
// restart go through the cluster's setUnitActive, so a stopped kubelet takes its node NotReady.
// etcd and the apiserver are static pods on a kubeadm node, not units: `journalctl -u etcd`
// finds nothing, as on a real control-plane node.
import { setUnitActive, UNIT_DESCRIPTIONS, unitOf } from '../../cluster/host.js';
import type { ClusterState, LogLine, Node, ServiceUnit } from '../../cluster/types.js';
import { rebootNode } from '../../cluster/reboot.js';
import { dropConnection } from '../login.js';
import type { CommandContext, CommandResult, ShellCommand } from '../types.js';
import { fail, ok } from '../types.js';
import { bootTime, isResult, journalDate, lineCount, onNode, stableInt, systemdAgo, systemdDate, unitPid, type NodeContext } from './common.js';

const unitName = (arg: string): string => arg.replace(/\.service$/, '');

interface UnitInfo {
  path: string;
  docs: string;
  /** The unit file as its package ships it (`systemctl cat`). */
  file: string;
  dropIn?: { name: string; text: string };
  cmdline: string;
  tasks: number;
  memory: string;
}

// The kubelet's unit and kubeadm's drop-in as the pkgs.k8s.io kubelet package ships them
// (kubernetes/release, packages/deb), containerd's from its repository (containerd.service).
const KUBELET_SERVICE = `[Unit]
Description=kubelet: The Kubernetes Node Agent
Documentation=https://kubernetes.io/docs/
Wants=network-online.target
After=network-online.target

[Service]
ExecStart=/usr/bin/kubelet
Restart=always
StartLimitInterval=0
RestartSec=10

[Install]
WantedBy=multi-user.target
`;

const KUBEADM_DROP_IN = `# Note: This dropin only works with kubeadm and kubelet v1.11+
[Service]
Environment="KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf"
Environment="KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml"
# This is a file that "kubeadm init" and "kubeadm join" generates at runtime, populating the KUBELET_KUBEADM_ARGS variable dynamically
EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env
# This is a file that the user can use for overrides of the kubelet args as a last resort. Preferably, the user should use
# the .NodeRegistration.KubeletExtraArgs object in the configuration files instead. KUBELET_EXTRA_ARGS should be sourced from this file.
EnvironmentFile=-/etc/default/kubelet
ExecStart=
ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS
`;

const CONTAINERD_SERVICE = `# Copyright The containerd Authors.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.

[Unit]
Description=containerd container runtime
Documentation=https://containerd.io
After=network.target local-fs.target

[Service]
ExecStartPre=-/sbin/modprobe overlay
ExecStart=/usr/bin/containerd

Type=notify
Delegate=yes
KillMode=process
Restart=always
RestartSec=5

# Having non-zero Limit*s causes performance problems due to accounting overhead
# in the kernel. We recommend using cgroups to do container-local accounting.
LimitNPROC=infinity
LimitCORE=infinity

# Comment TasksMax if your systemd version does not supports it.
# Only systemd 226 and above support this version.
TasksMax=infinity
OOMScoreAdjust=-999

[Install]
WantedBy=multi-user.target
`;

export const UNIT_INFO: Record<string, UnitInfo> = {
  kubelet: {
    path: '/lib/systemd/system/kubelet.service', docs: 'https://kubernetes.io/docs/', file: KUBELET_SERVICE, dropIn: { name: '10-kubeadm.conf', text: KUBEADM_DROP_IN },
    cmdline: '/usr/bin/kubelet --bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf --config=/var/lib/kubelet/config.yaml --container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --pod-infra-container-image=registry.k8s.io/pause:3.9',
    tasks: 15, memory: '61.8M',
  },
  containerd: { path: '/lib/systemd/system/containerd.service', docs: 'https://containerd.io', file: CONTAINERD_SERVICE, cmdline: '/usr/bin/containerd', tasks: 124, memory: '1.1G' },
};

/** A journal line as journalctl's short format prints it. */
function journalLine(state: ClusterState, node: Node, l: LogLine): string {
  return `${journalDate(state, l.at)} ${node.metadata.name} ${l.text}\n`;
}

function statusBlock(n: NodeContext, unit: string): { text: string; active: boolean } | undefined {
  const u = unitOf(n.node.host, unit);
  const info = UNIT_INFO[unit];
  if (!u) return undefined;
  const desc = UNIT_DESCRIPTIONS[unit] ?? `${unit}.service`;
  const pid = unitPid(n.node, unit);
  const since = `since ${systemdDate(n.state, u.since)}; ${systemdAgo(n.state.now - u.since)}`;
  // A masked unit's file is /dev/null: systemd shows no description and the reason instead.
  const lines = u.masked
    ? [`${u.active ? '●' : '○'} ${unit}.service`, `     Loaded: masked (Reason: Unit ${unit}.service is masked.)`]
    : [`${u.active ? '●' : '○'} ${desc}`, `     Loaded: loaded (${info?.path ?? `/lib/systemd/system/${unit}.service`}; enabled; vendor preset: enabled)`];
  if (info?.dropIn) lines.push(`    Drop-In: ${DROP_IN_DIR}/${unit}.service.d`, `             └─${info.dropIn.name}`);
  lines.push(`     Active: ${activeState(u)} ${since}`);
  if (info) lines.push(`       Docs: ${info.docs}`);
  if (u.failed) lines.push(`    Process: ${pid} ExecStart=${info?.cmdline ?? `/usr/bin/${unit}`} (code=exited, status=${u.failed.exitCode}/FAILURE)`);
  const cpuMin = Math.max(1, Math.floor((n.state.now - u.since) / 60_000 / 40));
  const cpu = `${Math.floor(cpuMin / 60) > 0 ? `${Math.floor(cpuMin / 60)}h ` : ''}${cpuMin % 60}min ${stableInt(`${unit}${u.since}`, 0, 59)}.${stableInt(unit, 100, 999)}s`;
  if (u.active) {
    lines.push(
      `   Main PID: ${pid} (${unit})`,
      `      Tasks: ${info?.tasks ?? 8} (limit: ${stableInt(n.name, 9000, 9500)})`,
      `     Memory: ${info?.memory ?? '12.4M'}`,
      `        CPU: ${cpu}`,
      `     CGroup: /system.slice/${unit}.service`,
      `             └─${pid} ${info?.cmdline ?? `/usr/bin/${unit}`}`,
    );
  } else {
    const status = u.failed ? `${u.failed.exitCode}/FAILURE` : '0/SUCCESS';
    lines.push(`   Main PID: ${pid} (code=exited, status=${status})`, `        CPU: ${u.failed ? `${stableInt(`${unit}${u.since}`, 60, 180)}ms` : cpu}`);
  }
  const tail = u.journal.slice(-10).map((l) => journalLine(n.state, n.node, l)).join('');
  return { text: `${lines.join('\n')}\n${tail ? `\n${tail}` : ''}`, active: u.active };
}

/** systemctl's Active: line: a unit whose process exits at start waits for its next restart. */
function activeState(u: ServiceUnit): string {
  if (u.active) return 'active (running)';
  return u.failed ? 'activating (auto-restart) (Result: exit-code)' : 'inactive (dead)';
}

/** Where the kubelet package puts kubeadm's drop-in. */
const DROP_IN_DIR = '/usr/lib/systemd/system';

/**
 * `systemctl cat UNIT…` (systemd's verb_cat, systemctl-edit.c): each unit's file, then its
 * drop-ins, each after a `# PATH` line (cat_files), units apart by a blank line; a masked unit
 * is one line, a unit with no file is an error on stderr and the rest still print.
 */
function cat(n: NodeContext, units: string[]): CommandResult {
  if (units.length === 0) return fail('Too few arguments.\n');
  let stdout = '';
  let stderr = '';
  for (const arg of units) {
    const unit = unitName(arg);
    const u = unitOf(n.node.host, unit);
    if (!u) {
      stderr += `No files found for ${unit}.service.\n`;
      continue;
    }
    // A masked unit prints its line without counting as the first file (no blank line before the next).
    if (u.masked) {
      stdout += `# Unit ${unit}.service is masked.\n`;
      continue;
    }
    if (/^# \//m.test(stdout)) stdout += '\n';
    const info = UNIT_INFO[unit];
    const desc = (UNIT_DESCRIPTIONS[unit] ?? unit).replace(/^\S+ - /, '');
    stdout += `# ${info?.path ?? `/lib/systemd/system/${unit}.service`}\n${info?.file ?? `[Unit]\nDescription=${desc}\n\n[Service]\nExecStart=/usr/bin/${unit}\nRestart=always\n\n[Install]\nWantedBy=multi-user.target\n`}`;
    if (info?.dropIn) stdout += `\n# ${DROP_IN_DIR}/${unit}.service.d/${info.dropIn.name}\n${info.dropIn.text}`;
  }
  return { stdout, stderr, exitCode: stderr ? 1 : 0 };
}

/** is-active's word for a unit. */
const isActiveWord = (u: ServiceUnit | undefined): string => (u?.active ? 'active' : u?.failed ? 'activating' : 'inactive');

const MUTATING = new Set(['reboot', 'start', 'stop', 'restart', 'reload', 'try-restart', 'reload-or-restart', 'enable', 'disable', 'mask', 'unmask', 'daemon-reload', 'kill']);

export const systemctl: ShellCommand = (ctx, argv) => {
  const n = onNode(ctx, 'systemctl');
  if (isResult(n)) return n;
  const args = argv.slice(1).filter((a) => !a.startsWith('-'));
  const [verb = 'list-units', ...units] = args;
  if (MUTATING.has(verb) && verb !== 'daemon-reload' && verb !== 'reboot' && units.length === 0) return fail('Too few arguments.\n');
  if (MUTATING.has(verb) && !n.root) {
    if (verb === 'daemon-reload') return fail('Failed to reload daemon: Interactive authentication required.\n');
    if (verb === 'reboot') return fail(REBOOT_DENIED);
    const first = `${unitName(units[0]!)}.service`;
    const hint = verb === 'stop' ? '' : `See system logs and 'systemctl status ${first}' for details.\n`;
    return fail(`Failed to ${verb} ${first}: Interactive authentication required.\n${hint}`);
  }
  switch (verb) {
    case 'status': return status(n, units);
    case 'is-active': {
      const states = units.map((u) => isActiveWord(unitOf(n.node.host, unitName(u))));
      return { stdout: states.map((s) => `${s}\n`).join(''), stderr: '', exitCode: states.every((s) => s === 'active') ? 0 : 3 };
    }
    case 'is-enabled': {
      const found = units.map((u) => unitOf(n.node.host, unitName(u)));
      const missing = found.indexOf(undefined);
      // systemctl(1): "masked" exits non-zero, like a missing unit file.
      const stdout = found.map((u) => (u ? (u.masked ? 'masked\n' : 'enabled\n') : '')).join('');
      const stderr = missing < 0 ? '' : `Failed to get unit file state for ${unitName(units[missing]!)}.service: No such file or directory\n`;
      return { stdout, stderr, exitCode: found.every((u) => u && !u.masked) ? 0 : 1 };
    }
    case 'start':
    case 'stop':
    case 'restart':
    case 'try-restart':
    case 'reload-or-restart':
      return control(n, verb, units);
    case 'reload':
      return fail(`Failed to reload ${unitName(units[0]!)}.service: Job type reload is not applicable for unit ${unitName(units[0]!)}.service.\n`);
    case 'reboot':
      return reboot(ctx, n);
    case 'mask':
    case 'unmask':
      return mask(n, verb === 'mask', units);
    case 'enable':
    case 'disable':
    case 'daemon-reload':
      return ok();
    case 'list-units':
      return ok(listUnits(n, unitStateFilter(argv.slice(1))));
    case 'cat':
      return cat(n, units);
    default:
      return fail(`Unknown command verb ${verb}.\n`);
  }
};

function status(n: NodeContext, units: string[]): CommandResult {
  if (units.length === 0) return ok(`● ${n.name}\n    State: running\n     Jobs: 0 queued\n   Failed: 0 units\n    Since: ${systemdDate(n.state, n.node.metadata.creationTimestamp)}; ${systemdAgo(n.state.now - n.node.metadata.creationTimestamp)}\n`);
  let stdout = '';
  let stderr = '';
  let exitCode = 0;
  for (const arg of units) {
    const block = statusBlock(n, unitName(arg));
    if (!block) {
      stderr += `Unit ${unitName(arg)}.service could not be found.\n`;
      exitCode = 4;
      continue;
    }
    stdout += (stdout ? '\n' : '') + block.text;
    if (!block.active && exitCode === 0) exitCode = 3;
  }
  return { stdout, stderr, exitCode };
}

function control(n: NodeContext, verb: string, units: string[]): CommandResult {
  for (const arg of units) {
    const unit = unitName(arg);
    if (!unitOf(n.node.host, unit)) return fail(`Failed to ${verb} ${unit}.service: Unit ${unit}.service not found.\n`, 5);
  }
  // systemd refuses a job on a masked unit (stopping it is still allowed).
  const masked = verb === 'stop' ? undefined : units.map(unitName).find((u) => unitOf(n.node.host, u)!.masked);
  if (masked) return fail(`Failed to ${verb} ${masked}.service: Unit ${masked}.service is masked.\n`);
  for (const arg of units) {
    const unit = unitName(arg);
    const active = unitOf(n.node.host, unit)!.active;
    if (verb === 'stop') setUnitActive(n.state, n.name, unit, false);
    else if (verb === 'start') setUnitActive(n.state, n.name, unit, true);
    else if (verb !== 'try-restart' || active) {
      setUnitActive(n.state, n.name, unit, false);
      setUnitActive(n.state, n.name, unit, true);
    }
  }
  return ok();
}

const REBOOT_DENIED = 'Failed to set wall message, ignoring: Interactive authentication required.\nCall to Reboot failed: Interactive authentication required.\n';

/**
 * `reboot` / `systemctl reboot` as root: the node reboots (cluster/reboot.ts) and the ssh
 * connection drops, as it does when the remote host goes down (ssh exits 255). `sudo`
 * carries the closed connection back to the session.
 */
function reboot(ctx: CommandContext, n: NodeContext): CommandResult {
  rebootNode(n.state, n.name);
  dropConnection(ctx.session, n.name);
  return fail(`Connection to ${n.name} closed by remote host.\nConnection to ${n.name} closed.\n`, 255);
}

export const rebootCommand: ShellCommand = (ctx, argv) => {
  const n = onNode(ctx, argv[0]!);
  if (isResult(n)) return n;
  if (argv[0] === 'shutdown' && !argv.includes('-r') && !argv.includes('--reboot')) return fail('shutdown: only a reboot (-r) is possible on this node\n');
  if (!n.root) return fail(REBOOT_DENIED);
  return reboot(ctx, n);
};

/** `systemctl mask|unmask`: the unit file linked to /dev/null in /etc/systemd/system, or the link removed (systemd 249's messages). */
function mask(n: NodeContext, on: boolean, units: string[]): CommandResult {
  let stdout = '';
  for (const arg of units) {
    const unit = unitName(arg);
    const u = unitOf(n.node.host, unit);
    if (!u) return fail(`Failed to ${on ? 'mask' : 'unmask'} unit: Unit file ${unit}.service does not exist.\n`);
    if (!!u.masked === on) continue;
    u.masked = on;
    stdout += on ? `Created symlink /etc/systemd/system/${unit}.service → /dev/null.\n` : `Removed /etc/systemd/system/${unit}.service.\n`;
  }
  // systemctl prints these on stderr.
  return { stdout: '', stderr: stdout, exitCode: 0 };
}

/** `--failed` / `--state=a,b`: the ACTIVE or SUB states list-units keeps (undefined: all loaded units). */
function unitStateFilter(args: string[]): string[] | undefined {
  const states: string[] = [];
  args.forEach((a, i) => {
    if (a === '--failed') states.push('failed');
    else if (a.startsWith('--state=')) states.push(...a.slice(8).split(','));
    else if (a === '--state' && args[i + 1] !== undefined) states.push(...args[i + 1]!.split(','));
  });
  return states.length > 0 ? states : undefined;
}

function listUnits(n: NodeContext, states: string[] | undefined): string {
  // A unit the kubelet-style Restart=always keeps retrying is "activating auto-restart", never "failed".
  const units = Object.entries(n.node.host.units).sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, u]) => {
    const [active, sub] = u.active ? ['active', 'running'] : u.failed ? ['activating', 'auto-restart'] : ['inactive', 'dead'];
    return { name, active, sub, row: `  ${`${name}.service`.padEnd(28)} loaded ${active.padEnd(8)} ${sub.padEnd(7)} ${(UNIT_DESCRIPTIONS[name] ?? name).replace(/^[^ ]+ - /, '')}` };
  });
  const rows = units.filter((u) => states === undefined || states.includes(u.active) || states.includes(u.sub)).map((u) => u.row);
  // systemd 249 (Ubuntu 22.04) with nothing to list: a bare header and the count, no legend.
  if (rows.length === 0) return '  UNIT LOAD ACTIVE SUB DESCRIPTION\n0 loaded units listed.\n';
  return `  UNIT                         LOAD   ACTIVE   SUB     DESCRIPTION\n${rows.join('\n')}\n\nLOAD   = Reflects whether the unit definition was properly loaded.\nACTIVE = The high-level unit activation state, i.e. generalization of SUB.\nSUB    = The low-level unit activation state, values depend on unit type.\n${rows.length} loaded units listed.\n`;
}

/** `--since` / `--until` values journalctl understands; undefined if it cannot parse it. */
export function parseJournalTime(state: ClusterState, text: string): number | undefined {
  const nowWall = state.epoch + state.now;
  const dayStart = (ms: number): number => ms - (ms % 86_400_000);
  const t = text.trim().toLowerCase();
  if (t === 'now') return state.now;
  if (t === 'today') return dayStart(nowWall) - state.epoch;
  if (t === 'yesterday') return dayStart(nowWall) - 86_400_000 - state.epoch;
  const units: Record<string, number> = { s: 1000, sec: 1000, second: 1000, seconds: 1000, m: 60_000, min: 60_000, minute: 60_000, minutes: 60_000, mins: 60_000, h: 3_600_000, hour: 3_600_000, hours: 3_600_000, d: 86_400_000, day: 86_400_000, days: 86_400_000 };
  const rel = /^-?(\d+)\s*([a-z]+)(?:\s+ago)?$/.exec(t);
  if (rel && units[rel[2]!] !== undefined && (t.startsWith('-') || t.endsWith('ago'))) return state.now - Number(rel[1]) * units[rel[2]!]!;
  const abs = /^(\d{4})-(\d{2})-(\d{2})(?:[ t](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(t);
  if (abs) return Date.UTC(Number(abs[1]), Number(abs[2]) - 1, Number(abs[3]), Number(abs[4] ?? 0), Number(abs[5] ?? 0), Number(abs[6] ?? 0)) - state.epoch;
  const clock = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(t);
  if (clock) return dayStart(nowWall) + (Number(clock[1]) * 3600 + Number(clock[2]) * 60 + Number(clock[3] ?? 0)) * 1000 - state.epoch;
  return undefined;
}

/** syslog(3) priorities, the names journalctl -p takes. */
const PRIORITIES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];

/**
 * The priority journald stored a line with. A service's own output (the kubelet's klog `E0603`
 * lines, containerd's `level=error`) arrives on its stdout/stderr stream at the default
 * SyslogLevel=info; only systemd's messages and the kernel's printk levels carry others:
 * systemd 249 logs "Failed with result" at warning and a failed "Main process exited" at
 * notice; the OOM killer uses pr_err, conntrack's "table full" net_warn_ratelimited, the
 * boot banner KERN_NOTICE.
 */
function priority(text: string): number {
  if (text.startsWith('kernel: ')) {
    if (/out of memory: Killed process/i.test(text)) return 3;
    if (text.includes('table full, dropping packet')) return 4;
    return text.includes('] Linux version ') ? 5 : 6;
  }
  if (text.startsWith('systemd[1]: ')) {
    if (text.includes(': Failed to start ')) return 3;
    if (text.includes(': Failed with result ')) return 4;
    if (text.includes(': Main process exited, ') && !text.includes('status=0/SUCCESS')) return 5;
  }
  return 6;
}

/** `-p err`, `-p 3`, `-p warning..err`: the highest priority number kept (journalctl shows that one and above). */
function parsePriority(value: string): number | undefined {
  const level = (word: string): number | undefined => (/^[0-7]$/.test(word) ? Number(word) : PRIORITIES.indexOf(word) >= 0 ? PRIORITIES.indexOf(word) : undefined);
  const range = value.split('..');
  const levels = range.map(level);
  if (levels.some((l) => l === undefined) || range.length > 2) return undefined;
  return Math.max(...(levels as number[]));
}

/**
 * What the node's journal files hold, in systemd's format_bytes (1024s, one decimal: `56.0M`):
 * journald allocates 8 MiB files and the node fills about one every 12 hours since boot,
 * kept within SystemMaxUse's 4 GiB ceiling.
 */
function journalBytes(n: NodeContext): string {
  const files = Math.min(512, 1 + Math.floor((n.state.now - bootTime(n.node)) / 43_200_000));
  const bytes = files * 8 * 2 ** 20;
  const units = ['B', 'K', 'M', 'G'];
  let i = 0;
  while (i < units.length - 1 && bytes >= 1024 ** (i + 1)) i++;
  const whole = Math.floor(bytes / 1024 ** i);
  const tenth = Math.floor(((bytes % 1024 ** i) * 10) / 1024 ** i);
  return `${whole}.${tenth}${units[i]}`;
}

export const journalctl: ShellCommand = (ctx, argv) => {
  const n = onNode(ctx, 'journalctl');
  if (isResult(n)) return n;
  const units: string[] = [];
  let count: number | undefined;
  let follow = false;
  let end = false;
  let kernel = false;
  let since: number | undefined;
  let until: number | undefined;
  let maxPriority: number | undefined;
  const args = argv.slice(1);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = (flag: string): string | undefined => (a === flag ? args[++i] : a.startsWith(`${flag}=`) ? a.slice(flag.length + 1) : undefined);
    const lines = lineCount(a, args[i + 1]);
    if (lines) {
      count = lines.count;
      i += lines.used - 1;
      continue;
    }
    const unit = value('-u') ?? value('--unit') ?? (a.startsWith('-u') && a.length > 2 && !a.startsWith('--') ? a.slice(2) : undefined);
    if (unit !== undefined) {
      units.push(unitName(unit));
      continue;
    }
    const p = value('-p') ?? value('--priority') ?? (a.startsWith('-p') && a.length > 2 && !a.startsWith('--') ? a.slice(2) : undefined);
    if (p !== undefined) {
      maxPriority = parsePriority(p);
      if (maxPriority === undefined) return fail(`Failed to parse priority value: ${p}\n`);
      continue;
    }
    const s = value('--since') ?? value('-S');
    const u = s === undefined ? value('--until') ?? value('-U') : undefined;
    if (s !== undefined || u !== undefined) {
      const parsed = parseJournalTime(n.state, (s ?? u)!);
      if (parsed === undefined) return fail(`Failed to parse timestamp: ${s ?? u}\n`);
      if (s !== undefined) since = parsed;
      else until = parsed;
      continue;
    }
    if (a === '--disk-usage') return ok(`Archived and active journals take up ${journalBytes(n)} in the file system.\n`);
    if (a === '--no-pager' || a === '-b' || a === '--boot' || a === '-l' || a === '--full' || a === '-a' || a === '--all' || a === '-q') continue;
    if (a === '-f' || a === '--follow') follow = true;
    else if (a === '-k' || a === '--dmesg') kernel = true;
    else if (/^-[xef]+$/.test(a)) {
      follow ||= a.includes('f');
      end ||= a.includes('e');
    } else if (a === '--pager-end') end = true;
    else return fail(`journalctl: unrecognized option '${a}'\n`);
  }
  // -f at a terminal: the lines written after the last step (a stream, until Ctrl-C).
  if (ctx.resume?.kind === 'journal') since = ctx.resume.lastAt + 1;
  let lines: LogLine[];
  if (units.length > 0) {
    lines = units.flatMap((u) => unitOf(n.node.host, u)?.journal ?? []).sort((a, b) => a.at - b.at);
  } else {
    lines = n.node.host.syslog.filter((l) => !kernel || l.text.startsWith('kernel:'));
  }
  lines = lines.filter((l) => (since === undefined || l.at >= since) && (until === undefined || l.at <= until) && (maxPriority === undefined || priority(l.text) <= maxPriority));
  if (ctx.resume?.kind === 'journal') {
    ctx.resume.lastAt = n.state.now;
    return ok(lines.map((l) => journalLine(n.state, n.node, l)).join(''));
  }
  if (follow && ctx.follow) ctx.follow({ kind: 'journal', lastAt: n.state.now });
  const limit = count ?? (follow ? 10 : end ? 1000 : undefined);
  if (limit !== undefined) lines = limit === 0 ? [] : lines.slice(-limit);
  const all = n.node.host.syslog;
  const first = all[0]?.at ?? n.node.metadata.creationTimestamp;
  const header = `-- Journal begins at ${systemdDate(n.state, first)}, ends at ${systemdDate(n.state, all.at(-1)?.at ?? n.state.now)}. --\n`;
  const body = lines.length === 0 ? '-- No entries --\n' : lines.map((l) => journalLine(n.state, n.node, l)).join('');
  return ok(header + body);
};
