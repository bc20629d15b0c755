// What `ssh NODE` shows outside the Kubernetes API: systemd units and their journals,
// syslog, files (/etc/resolv.conf, static pod manifests), filesystems for `df -h`.
// Journal and syslog lines are stored as "<ident>[<pid>]: <message>"; the tool that prints
// them adds the date and hostname in front.
import { appendLog, klog } from './logs.js';
import { randomInt } from './rng.js';
import type { ClusterState, Filesystem, LogLine, Node, NodeHost, ServiceUnit } from './types.js';
import { CONTAINERD_CONFIG, RESTART_SEC, unitStartError } from './unit-start.js';

export const UNIT_DESCRIPTIONS: Record<string, string> = {
  kubelet: 'kubelet.service - kubelet: The Kubernetes Node Agent',
  containerd: 'containerd.service - containerd container runtime',
};

/** etcd's write-ahead log and snapshots next to the bbolt file. */
export const ETCD_WAL_BYTES = 64 * 2 ** 20 * 2;

/**
 * systemd-resolved's /run/systemd/resolve/stub-resolv.conf (systemd 249, resolved-resolv-conf.c),
 * which /etc/resolv.conf links to on Ubuntu: the stub and the search domains (`.` for none).
 */
export function stubResolvConf(search: string): string {
  return '# This is /run/systemd/resolve/stub-resolv.conf managed by man:systemd-resolved(8).\n# Do not edit.\n#\n' +
    '# This file might be symlinked as /etc/resolv.conf. If you\'re looking at\n# /etc/resolv.conf and seeing this text, you have followed the symlink.\n#\n' +
    '# This is a dynamic resolv.conf file for connecting local clients to the\n# internal DNS stub resolver of systemd-resolved. This file lists all\n# configured search domains.\n#\n' +
    '# Run "resolvectl status" to see details about the uplink DNS servers\n# currently in use.\n#\n' +
    '# Third party programs should typically not access this file directly, but only\n# through the symlink at /etc/resolv.conf. To manage man:resolv.conf(5) in a\n' +
    '# different way, replace this symlink by a static file or a different symlink.\n#\n' +
    '# See man:systemd-resolved.service(8) for details about the supported modes of\n# operation for /etc/resolv.conf.\n\n' +
    `nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch ${search}\n`;
}

function systemd(at: number, text: string): LogLine {
  return { at, text: `systemd[1]: ${text}` };
}

function unitStartLines(state: ClusterState, node: string, unit: string, at: number, version: string, error?: { klog: boolean; lines: string[] }): { pid: number; lines: LogLine[] } {
  const pid = randomInt(state.rng, 600, 4000);
  const lines = [systemd(at, `Started ${UNIT_DESCRIPTIONS[unit]}.`)];
  const say = (dt: number, sev: 'I' | 'W' | 'E', src: string, msg: string) => {
    const l = klog(state, at + dt, sev, src, msg, pid);
    lines.push({ at: l.at, text: `${unit}[${pid}]: ${l.text}` });
  };
  if (unit === 'kubelet') {
    say(300, 'I', 'server.go:487', `"Kubelet version" kubeletVersion="${version}"`);
    say(310, 'I', 'server.go:489', '"Golang settings" GOGC="" GOMAXPROCS="" GOTRACEBACK=""');
    if (!error) {
      say(900, 'I', 'kubelet.go:402', '"Attempting to sync node with API server"');
      say(1500, 'I', 'kubelet_node_status.go:73', `"Attempting to register node" node="${node}"`);
      say(1900, 'I', 'kubelet_node_status.go:76', `"Successfully registered node" node="${node}"`);
    }
  } else if (!error) {
    lines.push({ at: at + 200, text: `containerd[${pid}]: time="${new Date(state.epoch + at + 200).toISOString()}" level=info msg="starting containerd" revision=ae71819c4f5e67bb4d5ae76a6b735f29cc25774e version=v1.7.13` });
    lines.push({ at: at + 400, text: `containerd[${pid}]: time="${new Date(state.epoch + at + 400).toISOString()}" level=info msg="containerd successfully booted in 0.051234s"` });
  }
  if (error) {
    for (const text of error.lines) {
      if (error.klog) {
        const m = /^(\S+)\] (.*)$/.exec(text)!;
        say(400, 'E', m[1]!, m[2]!);
      } else lines.push({ at: at + 100, text: `${unit}[${pid}]: ${text}` });
    }
    lines.push(systemd(at + 500, `${unit}.service: Main process exited, code=exited, status=1/FAILURE`));
    lines.push(systemd(at + 500, `${unit}.service: Failed with result 'exit-code'.`));
  }
  return { pid, lines };
}

/** The part of `containerd config default` (v1.7) kubeadm installs change: the CRI plugin with the systemd cgroup driver. */
const CONTAINERD_DEFAULT_CONFIG = `disabled_plugins = []
imports = []
oom_score = 0
plugin_dir = ""
required_plugins = []
root = "/var/lib/containerd"
state = "/run/containerd"
temp = ""
version = 2

[grpc]
  address = "/run/containerd/containerd.sock"
  gid = 0
  max_recv_message_size = 16777216
  max_send_message_size = 16777216
  uid = 0

[plugins]

  [plugins."io.containerd.grpc.v1.cri"]
    sandbox_image = "registry.k8s.io/pause:3.9"
    max_container_log_line_size = 16384

    [plugins."io.containerd.grpc.v1.cri".cni]
      bin_dir = "/opt/cni/bin"
      conf_dir = "/etc/cni/net.d"

    [plugins."io.containerd.grpc.v1.cri".containerd]
      default_runtime_name = "runc"
      snapshotter = "overlayfs"

      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes]

        [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
          runtime_type = "io.containerd.runc.v2"

          [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
            SystemdCgroup = true

    [plugins."io.containerd.grpc.v1.cri".registry]
      config_path = ""
`;

export interface HostOptions {
  nodeName: string;
  /** nodeInfo.kernelVersion: what the boot banner names. */
  kernel: string;
  created: number;
  version: string;
  diskSize: number;
  diskUsed: number;
  maxPodIPs: number;
  /** This node holds etcd's data dir (on its own disk if etcdDisk is set). */
  etcdHere: boolean;
  etcdDisk?: number;
  dnsServer: string;
  /** The kubelet's resolvConf file (see NodeSpec.resolvConf). */
  resolvConf: string;
  clusterDNS: string[];
  clusterDomain: string;
}

/** The nameserver lines of a resolv.conf text. */
function nameservers(text: string | undefined): string[] {
  return [...(text ?? '').matchAll(/^nameserver\s+(\S+)/gm)].map((m) => m[1]!);
}

/** kubeadm's /var/lib/kubelet/config.yaml (where an operator checks the kubelet's resolvConf). */
function kubeletConfig(o: HostOptions): string {
  return `apiVersion: kubelet.config.k8s.io/v1beta1
authentication:
  anonymous:
    enabled: false
  webhook:
    cacheTTL: 0s
    enabled: true
  x509:
    clientCAFile: /etc/kubernetes/pki/ca.crt
authorization:
  mode: Webhook
  webhook:
    cacheAuthorizedTTL: 0s
    cacheUnauthorizedTTL: 0s
cgroupDriver: systemd
clusterDNS:
${o.clusterDNS.map((ip) => `- ${ip}`).join('\n')}
clusterDomain: ${o.clusterDomain}
containerRuntimeEndpoint: ""
cpuManagerReconcilePeriod: 0s
evictionPressureTransitionPeriod: 0s
fileCheckFrequency: 0s
healthzBindAddress: 127.0.0.1
healthzPort: 10248
httpCheckFrequency: 0s
imageMinimumGCAge: 0s
kind: KubeletConfiguration
logging:
  flushFrequency: 0
  options:
    json:
      infoBufferSize: "0"
  verbosity: 0
memorySwap: {}
nodeStatusReportFrequency: 0s
nodeStatusUpdateFrequency: 0s
resolvConf: ${o.resolvConf}
rotateCertificates: true
runtimeRequestTimeout: 0s
shutdownGracePeriod: 0s
shutdownGracePeriodCriticalPods: 0s
staticPodPath: /etc/kubernetes/manifests
streamingConnectionIdleTimeout: 0s
syncFrequency: 0s
volumeStatsAggPeriod: 0s
`;
}

const UBUNTU_KERNEL = /^\d+\.\d+\.\d+-(\d+)-[a-z]+$/;

/**
 * The kernel's build string (`uname -v`): an Ubuntu kernel's upload number (a cloud flavour's ABI
 * counts from 1000: 6.5.0-1017-aws is upload 17) and, unless it is 22.04's own 5.15, its HWE
 * series; any other kernel a plain build.
 */
export function kernelBuild(kernel: string): string {
  const ubuntu = UBUNTU_KERNEL.exec(kernel);
  if (!ubuntu) return '#1 SMP';
  return `#${Number(ubuntu[1]) % 1000}${kernel.startsWith('5.15.') ? '' : '~22.04.1'}-Ubuntu SMP`;
}

/** The first line a booting kernel logs (init/version.c linux_banner), as the journal keeps it. */
export function kernelBanner(kernel: string): string {
  const builder = UBUNTU_KERNEL.test(kernel) ? '(buildd@lcy02-amd64-028) (x86_64-linux-gnu-gcc-12 (Ubuntu 12.3.0-1ubuntu1~22.04) 12.3.0) ' : '';
  return `kernel: [    0.000000] Linux version ${kernel} ${builder}${kernelBuild(kernel)}`;
}

export function newHost(state: ClusterState, o: HostOptions): NodeHost {
  const units: Record<string, ServiceUnit> = {};
  for (const unit of ['containerd', 'kubelet']) {
    const since = o.created + (unit === 'kubelet' ? 4000 : 0);
    const { pid, lines } = unitStartLines(state, o.nodeName, unit, since, o.version);
    units[unit] = { active: true, since, journal: lines, pid };
  }
  const root: Filesystem = { source: '/dev/nvme0n1p1', mount: '/', size: o.diskSize, used: o.diskUsed };
  const filesystems: Filesystem[] = [
    root,
    { source: 'tmpfs', mount: '/dev/shm', size: 4 * 2 ** 30, used: 0 },
    { source: 'tmpfs', mount: '/run', size: 1.6 * 2 ** 30, used: 1.2 * 2 ** 20 },
    { source: '/dev/nvme0n1p15', mount: '/boot/efi', size: 105 * 2 ** 20, used: 6.1 * 2 ** 20 },
  ];
  if (o.etcdHere) {
    if (o.etcdDisk) {
      filesystems.push({ source: '/dev/nvme1n1', mount: state.etcd.dataDir, size: o.etcdDisk, used: 0, etcdBaseUsed: 24 * 2 ** 20 });
    } else {
      root.etcdBaseUsed = o.diskUsed;
    }
  }
  const syslog: LogLine[] = [
    { at: o.created, text: kernelBanner(o.kernel) },
    systemd(o.created + 2500, 'Started containerd.service - containerd container runtime.'),
    systemd(o.created + 4000, 'Started kubelet.service - kubelet: The Kubernetes Node Agent.'),
  ];
  const files: Record<string, string> = {
      '/etc/hostname': `${o.nodeName}\n`,
      '/etc/resolv.conf': stubResolvConf('ec2.internal'),
      '/run/systemd/resolve/resolv.conf': `nameserver ${o.dnsServer}\nsearch ec2.internal\n`,
      '/var/lib/kubelet/config.yaml': kubeletConfig(o),
      '/etc/fstab': 'LABEL=cloudimg-rootfs\t/\t ext4\tdiscard,errors=remount-ro\t0 1\nLABEL=UEFI\t/boot/efi\tvfat\tumask=0077\t0 1\n',
      [CONTAINERD_CONFIG]: CONTAINERD_DEFAULT_CONFIG,
  };
  return {
    units,
    filesystems: filesystems.map((f) => ({ ...f, size: Math.round(f.size), used: Math.round(f.used) })),
    files,
    syslog,
    usage: { cpu: 0, memory: 0 },
    resolvConfNameservers: nameservers(files[o.resolvConf]),
    maxPodIPs: o.maxPodIPs,
    images: [],
    kubeletSync: { dirtyRevision: 0, syncedRevision: -1, wakeAt: o.created },
  };
}

/** The filesystem a path lives on: the one with the longest mount point that holds it. */
export function filesystemOf(host: NodeHost, path: string): Filesystem | undefined {
  return host.filesystems.filter((f) => path === f.mount || path.startsWith(f.mount === '/' ? '/' : `${f.mount}/`))
    .sort((a, b) => b.mount.length - a.mount.length)[0];
}

/** Bytes etcd's data dir needs on its filesystem (the db file and the WAL). */
const etcdData = (state: ClusterState): number => (state.etcd.dataLost ? 0 : state.etcd.dbSize + ETCD_WAL_BYTES);

/** Keep the filesystem that holds etcd's data dir in step with the database size. */
export function syncEtcdDisk(state: ClusterState): void {
  const node = state.nodes[state.etcd.nodeName];
  if (!node) return;
  for (const fs of node.host.filesystems) {
    if (fs.etcdBaseUsed === undefined) continue;
    fs.used = Math.min(fs.size, fs.etcdBaseUsed + etcdData(state));
  }
}

/**
 * The filesystem under etcd's data dir has no room left: the WAL cannot be appended, so
 * every write times out (reads still answer).
 */
export function etcdDiskFull(state: ClusterState): boolean {
  const fs = state.nodes[state.etcd.nodeName]?.host.filesystems.find((f) => f.etcdBaseUsed !== undefined);
  return !!fs && !state.etcd.dataLost && fs.etcdBaseUsed! + etcdData(state) >= fs.size;
}

/** Add (bytes > 0) or remove (bytes < 0) space a data file takes on its filesystem. */
function chargeFile(state: ClusterState, host: NodeHost, path: string, bytes: number): void {
  const fs = filesystemOf(host, path);
  if (!fs) return;
  if (fs.etcdBaseUsed !== undefined) {
    fs.etcdBaseUsed = Math.max(0, fs.etcdBaseUsed + bytes);
    syncEtcdDisk(state);
  } else {
    fs.used = Math.min(fs.size, Math.max(0, fs.used + bytes));
  }
}

/** Free bytes on a filesystem. */
function freeOn(state: ClusterState, fs: Filesystem): number {
  const used = fs.etcdBaseUsed !== undefined ? fs.etcdBaseUsed + etcdData(state) : fs.used;
  return Math.max(0, fs.size - used);
}

/**
 * A large file written on a node (a backup, a dump): it takes its room on the filesystem;
 * a write that runs out of room stops there (ENOSPC), leaving the file short.
 */
export function writeDataFile(state: ClusterState, nodeName: string, path: string, bytes: number, modified = state.now): void {
  const host = state.nodes[nodeName]?.host;
  const fs = host && filesystemOf(host, path);
  if (!host || !fs) return;
  const files = (host.dataFiles ??= {});
  const before = files[path]?.size ?? 0;
  const size = Math.min(bytes, before + freeOn(state, fs));
  chargeFile(state, host, path, size - before);
  files[path] = { size, modified };
}

/** `rm` of a data file: its room comes back. */
export function removeDataFile(state: ClusterState, nodeName: string, path: string): boolean {
  const host = state.nodes[nodeName]?.host;
  const file = host?.dataFiles?.[path];
  if (!host || file === undefined) return false;
  delete host.dataFiles![path];
  chargeFile(state, host, path, -file.size);
  return true;
}

/**
 * A host's unit by the name typed (`systemctl stop constructor`), only if it has one: an
 * inherited key found Object itself, and stopping it wrote `active` and `since` on it.
 */
export function unitOf(host: NodeHost | undefined, name: string): ServiceUnit | undefined {
  return host && Object.hasOwn(host.units, name) ? host.units[name] : undefined;
}

/** Append a line to a node's journal for a unit (also mirrored into syslog, like rsyslog does). */
export function journal(state: ClusterState, nodeName: string, unit: string, line: LogLine): void {
  const host = state.nodes[nodeName]?.host;
  const u = unitOf(host, unit);
  if (!host || !u) return;
  appendLog(u.journal, line);
  appendLog(host.syslog, line);
}

/**
 * Start or stop a systemd unit (what `systemctl start|stop|restart` does). Returns false
 * if the node or unit does not exist. Stopping the kubelet freezes that node's pods and
 * the node goes NotReady once its heartbeat is 40 s old. A start whose process exits at once
 * (unit-start.ts) leaves the unit activating (auto-restart): systemd tries again every
 * RestartSec (restartFailedUnits), as long as nobody stops it.
 */
export function setUnitActive(state: ClusterState, nodeName: string, unit: string, active: boolean): boolean {
  const node = state.nodes[nodeName];
  const u = unitOf(node?.host, unit);
  if (!node || !u) return false;
  const desc = UNIT_DESCRIPTIONS[unit] ?? `${unit}.service`;
  if (!active) {
    if (u.active) {
      journal(state, nodeName, unit, systemd(state.now, `Stopping ${desc}...`));
      journal(state, nodeName, unit, systemd(state.now, `${unit}.service: Deactivated successfully.`));
      journal(state, nodeName, unit, systemd(state.now, `Stopped ${desc}.`));
    } else if (u.failed) journal(state, nodeName, unit, systemd(state.now, `Stopped ${desc}.`));
    u.active = false;
    delete u.failed;
    u.since = state.now;
    if (unit === 'kubelet') silentSince(node, state.now);
    return true;
  }
  // A masked unit never starts (systemctl refuses the job; see shell/node/systemd.ts).
  if (u.active || u.masked) return true;
  startAttempt(state, nodeName, unit, state.now);
  return true;
}

/** A kubelet that is not running posted its node's status at the latest when it stopped. */
function silentSince(node: Node, at: number): void {
  for (const c of node.status.conditions) c.lastHeartbeatTime = Math.min(c.lastHeartbeatTime, at);
}

/** systemd runs the unit's process at `at`: it keeps running, or exits and is scheduled again. */
function startAttempt(state: ClusterState, nodeName: string, unit: string, at: number): void {
  const node = state.nodes[nodeName]!;
  const u = node.host.units[unit]!;
  const error = unitStartError(node.host, unit);
  const { pid, lines } = unitStartLines(state, nodeName, unit, at, node.status.nodeInfo.kubeletVersion, error);
  for (const line of lines) journal(state, nodeName, unit, line);
  u.pid = pid;
  u.since = at;
  if (error) {
    if (unit === 'kubelet') silentSince(node, at);
    u.active = false;
    u.failed = { exitCode: 1, restartAt: at + (RESTART_SEC[unit] ?? 10) * 1000, restarts: u.failed?.restarts ?? 0, firstAt: u.failed?.firstAt ?? at };
  } else {
    u.active = true;
    delete u.failed;
  }
}

/** Restart attempts systemd makes per unit and call at most (a long catch-up stays bounded). */
const MAX_CATCH_UP = 200;

/** systemd's Restart=always: every failed unit whose RestartSec has passed is started again. */
export function restartFailedUnits(state: ClusterState): void {
  for (const nodeName in state.nodes) {
    const units = state.nodes[nodeName]!.host.units;
    for (const unit in units) {
      const u = units[unit]!;
      for (let i = 0; u.failed && u.failed.restartAt <= state.now && i < MAX_CATCH_UP; i++) {
        const at = u.failed.restartAt;
        u.failed.restarts++;
        journal(state, nodeName, unit, systemd(at, `${unit}.service: Scheduled restart job, restart counter is at ${u.failed.restarts}.`));
        journal(state, nodeName, unit, systemd(at, `Stopped ${UNIT_DESCRIPTIONS[unit] ?? `${unit}.service`}.`));
        startAttempt(state, nodeName, unit, at);
      }
    }
  }
}

/** A line the running kubelet logs now (klog, under its PID), into its journal and syslog. */
export function kubeletSay(state: ClusterState, nodeName: string, severity: 'I' | 'W' | 'E', source: string, message: string): void {
  const pid = state.nodes[nodeName]?.host.units.kubelet?.pid ?? 1;
  const l = klog(state, state.now, severity, source, message, pid);
  journal(state, nodeName, 'kubelet', { at: l.at, text: `kubelet[${pid}]: ${l.text}` });
}

/** The kubelet can do its job: its unit and the container runtime both run. */
export function kubeletWorking(host: NodeHost): boolean {
  return host.units.kubelet?.active === true && host.units.containerd?.active === true;
}

/** Swap files and partitions /etc/fstab lists (what `swapon -a` and a boot turn on). */
export function fstabSwaps(host: NodeHost): string[] {
  return (host.files['/etc/fstab'] ?? '').split('\n')
    .map((l) => l.replace(/#.*$/, '').trim().split(/\s+/))
    .filter((f) => f.length >= 3 && f[2] === 'swap')
    .map((f) => f[0]!);
}

/**
 * `swapon PATH`: the kernel starts using a swap file (its size is the file's on disk).
 * Returns swapon's error text, or undefined when the area is on.
 */
export function swapOn(host: NodeHost, path: string): string | undefined {
  const size = host.dataFiles?.[path]?.size;
  if (size === undefined) return `swapon: cannot open ${path}: No such file or directory\n`;
  const swaps = (host.swaps ??= []);
  if (swaps.some((s) => s.path === path)) return `swapon: ${path}: swapon failed: Device or resource busy\n`;
  swaps.push({ path, type: 'file', sizeKiB: Math.floor(size / 1024) - 4, usedKiB: 0, priority: -2 - swaps.length });
  return undefined;
}
