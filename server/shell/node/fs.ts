// The small read-only filesystem a node shows: the files the cluster model keeps on the host
// (node.host.files), plus what follows from the model: /var/log/syslog from the host's syslog,
// kubeadm's PKI on control-plane nodes, etcd's data dir with its db file and WAL, and on the
// AWS VPC CNI ipamd's log and checkpoint.
import { ETCD_WAL_BYTES } from '../../cluster/host.js';
import { procSwaps } from '../../cluster/unit-start.js';
import { CNI_BIN_DIR } from '../../cluster/network/cni-config.js';
import { checkpointText, IPAM_CHECKPOINT, IPAMD_LOG } from '../../cluster/network/vpc-cni.js';
import type { ClusterState, Node } from '../../cluster/types.js';
import { hash32, syslogDate } from './common.js';
import { nodeImages } from './crictl.js';
import { cacheSplit, memory, procLoadavgUptime } from './procs.js';
import { sysctls } from './system.js';

export interface NodeFile {
  content: string;
  /** Bytes on disk when it differs from the content (etcd's db file). */
  size: number;
  /** `-rw-r--r--` style. */
  mode: string;
  /** When it was last written, if the model knows (data files); else ls derives a time. */
  modified?: number;
  owner: string;
  group: string;
}

const ETCD_PKI = ['ca', 'server', 'peer', 'healthcheck-client'];
const CLUSTER_PKI = ['ca', 'apiserver', 'apiserver-kubelet-client', 'apiserver-etcd-client', 'front-proxy-ca', 'front-proxy-client'];
const WAL_FILE = 2 ** 26; // 64 MiB, preallocated
/** An Ubuntu 22.04 cloud image's /etc/hosts (cloud-init's templates/hosts.debian.tmpl without manage_etc_hosts). */
const ETC_HOSTS = `127.0.0.1 localhost

# The following lines are desirable for IPv6 capable hosts
::1 ip6-localhost ip6-loopback
fe00::0 ip6-localnet
ff00::0 ip6-mcastprefix
ff02::1 ip6-allnodes
ff02::2 ip6-allrouters
ff02::3 ip6-allhosts
`;

/**
 * An Ubuntu 22.04 cloud image's /etc/passwd: the base-passwd and system users its packages add,
 * cloud-init's default user `ubuntu` (1000), the account the player logs in with.
 */
const ETC_PASSWD = `root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
bin:x:2:2:bin:/bin:/usr/sbin/nologin
sys:x:3:3:sys:/dev:/usr/sbin/nologin
sync:x:4:65534:sync:/bin:/bin/sync
games:x:5:60:games:/usr/games:/usr/sbin/nologin
man:x:6:12:man:/var/cache/man:/usr/sbin/nologin
lp:x:7:7:lp:/var/spool/lpd:/usr/sbin/nologin
mail:x:8:8:mail:/var/mail:/usr/sbin/nologin
news:x:9:9:news:/var/spool/news:/usr/sbin/nologin
uucp:x:10:10:uucp:/var/spool/uucp:/usr/sbin/nologin
proxy:x:13:13:proxy:/bin:/usr/sbin/nologin
www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin
backup:x:34:34:backup:/var/backups:/usr/sbin/nologin
list:x:38:38:Mailing List Manager:/var/list:/usr/sbin/nologin
irc:x:39:39:ircd:/run/ircd:/usr/sbin/nologin
gnats:x:41:41:Gnats Bug-Reporting System (admin):/var/lib/gnats:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
_apt:x:100:65534::/nonexistent:/usr/sbin/nologin
systemd-network:x:101:102:systemd Network Management,,,:/run/systemd:/usr/sbin/nologin
systemd-resolve:x:102:103:systemd Resolver,,,:/run/systemd:/usr/sbin/nologin
messagebus:x:103:104::/nonexistent:/usr/sbin/nologin
systemd-timesync:x:104:105:systemd Time Synchronization,,,:/run/systemd:/usr/sbin/nologin
syslog:x:105:111::/home/syslog:/usr/sbin/nologin
uuidd:x:106:112::/run/uuidd:/usr/sbin/nologin
tcpdump:x:107:113::/nonexistent:/usr/sbin/nologin
sshd:x:108:65534::/run/sshd:/usr/sbin/nologin
landscape:x:109:116::/var/lib/landscape:/usr/sbin/nologin
pollinate:x:110:1::/var/cache/pollinate:/bin/false
ec2-instance-connect:x:111:65534::/nonexistent:/usr/sbin/nologin
systemd-coredump:x:999:999:systemd Core Dumper:/:/usr/sbin/nologin
ubuntu:x:1000:1000:Ubuntu:/home/ubuntu:/bin/bash
lxd:x:998:100::/var/snap/lxd/common/lxd:/bin/false
_chrony:x:112:121:Chrony daemon,,,:/var/lib/chrony:/usr/sbin/nologin
`;

/**
 * /proc/cpuinfo (arch/x86/kernel/cpu/proc.c show_cpuinfo; arm64's cpuinfo.c c_show): one block
 * per CPU the node has (its capacity), as on EC2's Xeon Platinum 8259CL (m5) or Graviton2: two
 * hyperthreads a core on x86, so `cpu cores` is half the siblings.
 */
function procCpuinfo(node: Node): string {
  const cpus = Math.max(1, Math.round(node.status.capacity.cpu / 1000));
  const blocks: string[] = [];
  for (let i = 0; i < cpus; i++) {
    if (node.status.nodeInfo.architecture === 'arm64') {
      blocks.push(`processor\t: ${i}\nBogoMIPS\t: 243.75\nFeatures\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp ssbs\n` +
        'CPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x3\nCPU part\t: 0xd0c\nCPU revision\t: 1\n');
      continue;
    }
    const cores = Math.max(1, Math.floor(cpus / 2));
    const core = i % cores;
    const apic = core * 2 + Math.floor(i / cores);
    blocks.push([
      ['processor', i], ['vendor_id', 'GenuineIntel'], ['cpu family', 6], ['model', 85], ['model name', 'Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz'],
      ['stepping', 7], ['microcode', '0x5003604'], ['cpu MHz', '2499.998'], ['cache size', '36608 KB'], ['physical id', 0], ['siblings', cpus],
      ['core id', core], ['cpu cores', cores], ['apicid', apic], ['initial apicid', apic], ['fpu', 'yes'], ['fpu_exception', 'yes'], ['cpuid level', 13], ['wp', 'yes'],
      ['flags', 'fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ss ht syscall nx pdpe1gb rdtscp lm constant_tsc rep_good nopl xtopology nonstop_tsc cpuid tsc_known_freq pni pclmulqdq ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave avx f16c rdrand hypervisor lahf_lm abm 3dnowprefetch invpcid_single pti fsgsbase tsc_adjust bmi1 avx2 smep bmi2 erms invpcid mpx avx512f avx512dq rdseed adx smap clflushopt clwb avx512cd avx512bw avx512vl xsaveopt xsavec xgetbv1 xsaves ida arat pku ospke avx512_vnni'],
      ['bugs', 'cpu_meltdown spectre_v1 spectre_v2 spec_store_bypass l1tf mds swapgs itlb_multihit mmio_stale_data retbleed gds'], ['bogomips', '4999.99'],
      ['clflush size', 64], ['cache_alignment', 64], ['address sizes', '46 bits physical, 48 bits virtual'], ['power management', ''],
    ].map(([k, v]) => `${cpuinfoLabel(String(k))}:${v === '' ? '' : ` ${v}`}`).join('\n') + '\n');
  }
  return blocks.join('\n') + '\n';
}

/** A label tabbed to column 16, as the kernel's format strings are (`model\t\t: `, `power management:`). */
const cpuinfoLabel = (label: string): string => (label.length < 8 ? `${label}\t\t` : label.length < 16 ? `${label}\t` : label);

/** The client certificate pairs etcd (client-cert-auth, CA etcd/ca.crt) accepts. */
export const ETCD_CLIENT_PAIRS: [string, string][] = [
  ...['server', 'peer', 'healthcheck-client'].map((n): [string, string] => [`/etc/kubernetes/pki/etcd/${n}.crt`, `/etc/kubernetes/pki/etcd/${n}.key`]),
  ['/etc/kubernetes/pki/apiserver-etcd-client.crt', '/etc/kubernetes/pki/apiserver-etcd-client.key'],
];
export const ETCD_CA = '/etc/kubernetes/pki/etcd/ca.crt';

/**
 * PEMs already made, by label, seed and length: a node's files are built again for every read,
 * and making a control plane's 21 PEMs (a hash a character) took ~5 ms of each of its `cat`s,
 * so `ssh cp-1 'for i in $(seq 999); do cat /x; done'` held the event loop 2.8 s. Bounded: the
 * seeds are node names, a few per room.
 */
const pems = new Map<string, string>();
const MAX_PEMS = 2000;

function pem(label: string, seed: string, lines: number): string {
  const key = `${label}\n${seed}\n${lines}`;
  const kept = pems.get(key);
  if (kept !== undefined) return kept;
  if (pems.size >= MAX_PEMS) pems.clear();
  const made = makePem(label, seed, lines);
  pems.set(key, made);
  return made;
}

function makePem(label: string, seed: string, lines: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let body = '';
  for (let l = 0; l < lines; l++) {
    let line = '';
    for (let i = 0; i < 64; i++) line += alphabet[hash32(`${seed}:${l}:${i}`) % 64];
    body += `${line}\n`;
  }
  return `-----BEGIN ${label}-----\nMIID${body.slice(4)}-----END ${label}-----\n`;
}

function file(content: string, mode = '-rw-r--r--', owner = 'root', group = 'root', size = content.length): NodeFile {
  return { content, size, mode, owner, group };
}

export const isControlPlaneHost = (node: Node): boolean => '/etc/kubernetes/manifests/etcd.yaml' in node.host.files ||
  Object.keys(node.host.files).some((f) => f.startsWith('/etc/kubernetes/manifests/kube-apiserver'));

/** Every file of the node by absolute path (built on demand; nothing here is stored). */
export function nodeFiles(state: ClusterState, node: Node): Record<string, NodeFile> {
  const name = node.metadata.name;
  const files: Record<string, NodeFile> = {};
  for (const [path, content] of Object.entries(node.host.files)) {
    const secret = path.startsWith('/etc/kubernetes/manifests/') || path.endsWith('.conf') && path.startsWith('/etc/kubernetes/');
    files[path] = file(content, secret ? '-rw-------' : '-rw-r--r--');
  }
  for (const [path, f] of Object.entries(node.host.dataFiles ?? {})) files[path] = { ...file('', '-rw-r--r--', 'root', 'root', f.size), modified: f.modified };
  files['/proc/swaps'] = file(procSwaps(node.host.swaps ?? []), '-r--r--r--', 'root', 'root', 0);
  // What sysctl reads: /proc/sys/net/netfilter/nf_conntrack_max and the rest.
  for (const [key, value] of Object.entries(sysctls({ state, node, name }))) files[`/proc/sys/${key.replace(/\./g, '/')}`] = file(`${value}\n`, '-rw-r--r--', 'root', 'root', 0);
  for (const [bin, size] of Object.entries(node.host.cniBin ?? {})) files[`${CNI_BIN_DIR}/${bin}`] = file('', '-rwxr-xr-x', 'root', 'root', size);
  const vpc = node.host.vpc;
  if (vpc && state.network.cni.name === 'aws-node') {
    // ipamd's log and checkpoint (network/vpc-cni.ts); the log is root's, like the real 0600 file.
    files[IPAMD_LOG] = file(vpc.ipamdLog.map((l) => `${l.text}\n`).join(''), '-rw-------');
    const pods = Object.values(state.pods).filter((p) => p.spec.nodeName === name);
    files[IPAM_CHECKPOINT] = file(checkpointText(node, pods), '-rw-------');
  }
  // kubeadm join writes the cluster CA on every node; the kubelet's kubeconfig points at its rotated certificate.
  const ca = pem('CERTIFICATE', `${state.etcd.nodeName}/ca`, 17);
  files['/etc/kubernetes/pki/ca.crt'] = file(ca);
  files['/etc/kubernetes/kubelet.conf'] = file(kubeletConf(state, node, ca), '-rw-------');
  files['/proc/meminfo'] = file(procMeminfo(node), '-r--r--r--', 'root', 'root', 0);
  const proc = procLoadavgUptime({ state, node, name });
  files['/proc/loadavg'] = file(proc.loadavg, '-r--r--r--', 'root', 'root', 0);
  files['/proc/uptime'] = file(proc.uptime, '-r--r--r--', 'root', 'root', 0);
  files['/proc/cpuinfo'] = file(procCpuinfo(node), '-r--r--r--', 'root', 'root', 0);
  files['/etc/passwd'] ??= file(ETC_PASSWD);
  files['/etc/hostname'] ??= file(`${name}\n`);
  files['/etc/hosts'] ??= file(ETC_HOSTS);
  files['/etc/os-release'] = file(OS_RELEASE);
  files['/usr/lib/os-release'] = file(OS_RELEASE);
  Object.assign(files, containerdRoot(state, node));
  files['/var/log/syslog'] = file(node.host.syslog.map((l) => `${syslogDate(state, l.at)} ${name} ${l.text}\n`).join(''), '-rw-r-----', 'syslog', 'adm');
  if (isControlPlaneHost(node)) {
    for (const n of ETCD_PKI) {
      files[`/etc/kubernetes/pki/etcd/${n}.crt`] = file(pem('CERTIFICATE', `${name}/etcd/${n}`, 17));
      files[`/etc/kubernetes/pki/etcd/${n}.key`] = file(pem('RSA PRIVATE KEY', `${name}/etcd/${n}.key`, 25), '-rw-------');
    }
    for (const n of CLUSTER_PKI) {
      files[`/etc/kubernetes/pki/${n}.crt`] = file(pem('CERTIFICATE', `${name}/${n}`, 17));
      files[`/etc/kubernetes/pki/${n}.key`] = file(pem('RSA PRIVATE KEY', `${name}/${n}.key`, 25), '-rw-------');
    }
  }
  const etcd = state.etcd;
  if (etcd.nodeName === name && !etcd.dataLost) {
    const dir = etcd.dataDir;
    files[`${dir}/member/snap/db`] = file('', '-rw-------', 'root', 'root', etcd.dbSize);
    const walCount = Math.max(1, Math.round(ETCD_WAL_BYTES / WAL_FILE));
    for (let i = 0; i < walCount; i++) {
      const seq = i.toString(16).padStart(16, '0');
      const index = Math.max(0, etcd.raftIndex - (walCount - i) * 10_000).toString(16).padStart(16, '0');
      files[`${dir}/member/wal/${seq}-${index}.wal`] = file('', '-rw-------', 'root', 'root', WAL_FILE);
    }
  }
  return files;
}

/**
 * /etc/kubernetes/kubelet.conf: on the node kubeadm init ran on, kubeadm's (user
 * system:node:NAME, context system:node:NAME@CLUSTER); on a joined node, the one the kubelet
 * writes after TLS bootstrap (default-cluster, default-context, default-auth). Both read the
 * client certificate from /var/lib/kubelet/pki/kubelet-client-current.pem.
 */
function kubeletConf(state: ClusterState, node: Node, ca: string): string {
  const name = node.metadata.name;
  const init = name === state.etcd.nodeName;
  const cluster = init ? state.clusterName : 'default-cluster';
  const user = init ? `system:node:${name}` : 'default-auth';
  const context = init ? `${user}@${cluster}` : 'default-context';
  return `apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: ${Buffer.from(ca).toString('base64')}\n    server: ${state.controlPlane.apiserver.endpoint}\n  name: ${cluster}\n` +
    `contexts:\n- context:\n    cluster: ${cluster}\n${init ? '' : '    namespace: default\n'}    user: ${user}\n  name: ${context}\ncurrent-context: ${context}\nkind: Config\npreferences: {}\n` +
    `users:\n- name: ${user}\n  user:\n    client-certificate: /var/lib/kubelet/pki/kubelet-client-current.pem\n    client-key: /var/lib/kubelet/pki/kubelet-client-current.pem\n`;
}

/**
 * /proc/meminfo (kernel 6.5 fs/proc/meminfo.c: each label padded to 16 columns, the value in
 * 8, then " kB"), from the same figures as free: procps' used = MemTotal - MemFree - Buffers
 * - Cached - SReclaimable, buff/cache the sum of the last three, available = MemAvailable.
 */
function procMeminfo(node: Node): string {
  const m = memory({ node });
  const kb = (bytes: number) => Math.floor(bytes / 1024);
  const { buffers, cached, reclaimable } = cacheSplit(m.buffCache);
  const [swapTotal = 0, , swapFree = 0] = m.swap;
  const anon = kb(m.used) - 120_000;
  const rows: [string, number, boolean?][] = [
    ['MemTotal', kb(m.total)], ['MemFree', kb(m.freeMem)], ['MemAvailable', kb(m.available)], ['Buffers', buffers], ['Cached', cached], ['SwapCached', 0],
    ['Active', Math.round(anon * 0.2 + cached * 0.6)], ['Inactive', Math.round(anon * 0.8 + cached * 0.4)], ['Active(anon)', Math.round(anon * 0.2)], ['Inactive(anon)', Math.round(anon * 0.8)],
    ['Active(file)', Math.round(cached * 0.6)], ['Inactive(file)', Math.round(cached * 0.4)], ['Unevictable', 30_720], ['Mlocked', 27_648], ['SwapTotal', kb(swapTotal)], ['SwapFree', kb(swapFree)],
    ['Zswap', 0], ['Zswapped', 0], ['Dirty', 412], ['Writeback', 0], ['AnonPages', anon], ['Mapped', 402_116], ['Shmem', kb(m.shared)], ['KReclaimable', reclaimable],
    ['Slab', reclaimable + 98_304], ['SReclaimable', reclaimable], ['SUnreclaim', 98_304], ['KernelStack', 12_896], ['PageTables', 9_844], ['SecPageTables', 0], ['NFS_Unstable', 0], ['Bounce', 0],
    ['WritebackTmp', 0], ['CommitLimit', kb(m.total / 2 + swapTotal)], ['Committed_AS', kb(m.used * 2.4)], ['VmallocTotal', 34_359_738_367], ['VmallocUsed', 35_612], ['VmallocChunk', 0],
    ['Percpu', 3_456], ['HardwareCorrupted', 0], ['AnonHugePages', 0], ['ShmemHugePages', 0], ['ShmemPmdMapped', 0], ['FileHugePages', 0], ['FilePmdMapped', 0],
    ['HugePages_Total', 0, true], ['HugePages_Free', 0, true], ['HugePages_Rsvd', 0, true], ['HugePages_Surp', 0, true], ['Hugepagesize', 2048], ['Hugetlb', 0],
    ['DirectMap4k', 157_696], ['DirectMap2M', kb(m.total) - 157_696], ['DirectMap1G', 0],
  ];
  return rows.map(([label, value, count]) => `${`${label}:`.padEnd(16)}${String(Math.max(0, value)).padStart(8)}${count ? '' : ' kB'}\n`).join('');
}

/** Ubuntu 22.04.4's /usr/lib/os-release (/etc/os-release links to it), the nodes' osImage. */
export const OS_RELEASE = `PRETTY_NAME="Ubuntu 22.04.4 LTS"
NAME="Ubuntu"
VERSION_ID="22.04"
VERSION="22.04.4 LTS (Jammy Jellyfish)"
VERSION_CODENAME=jammy
ID=ubuntu
ID_LIKE=debian
HOME_URL="https://www.ubuntu.com/"
SUPPORT_URL="https://help.ubuntu.com/"
BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"
PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"
UBUNTU_CODENAME=jammy
`;

/**
 * containerd's root (/var/lib/containerd, containerd 1.7's plugin directories): each image's
 * compressed blobs in the content store and its unpacked layers in the overlayfs snapshotter,
 * sized from the images the node holds (crictl images), so du and ls see where the room goes.
 */
function containerdRoot(state: ClusterState, node: Node): Record<string, NodeFile> {
  const root = '/var/lib/containerd';
  const files: Record<string, NodeFile> = {
    [`${root}/io.containerd.metadata.v1.bolt/meta.db`]: file('', '-rw-r--r--', 'root', 'root', 2 ** 20 * (1 + nodeImages(state, node).length / 8)),
    [`${root}/io.containerd.grpc.v1.introspection/uuid`]: file(`${uuidOf(`containerd/${node.metadata.name}`)}`),
    [`${root}/io.containerd.snapshotter.v1.overlayfs/metadata.db`]: file('', '-rw-r--r--', 'root', 'root', 64 * 2 ** 10),
  };
  nodeImages(state, node).forEach(({ image, id, mb }, i) => {
    const bytes = Math.round(mb * 1e6);
    files[`${root}/io.containerd.content.v1.content/blobs/sha256/${id}`] = file('', '-r--r--r--', 'root', 'root', bytes);
    // The unpacked layer (about twice the compressed size), shown as the image's program.
    const program = image.slice(image.lastIndexOf('/') + 1).split(':')[0]!;
    files[`${root}/io.containerd.snapshotter.v1.overlayfs/snapshots/${i + 1}/fs/usr/local/bin/${program}`] = file('', '-rwxr-xr-x', 'root', 'root', bytes * 2);
  });
  return files;
}

const uuidOf = (seed: string): string => {
  const h = Array.from({ length: 4 }, (_, i) => hash32(`${seed}:${i}`).toString(16).padStart(8, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

/** Directories only root may enter (kubeadm creates etcd's data dir 0700). */
export function isPrivateDir(state: ClusterState, path: string): boolean {
  return path === state.etcd.dataDir || path.startsWith(`${state.etcd.dataDir}/`);
}

/** Absolute path with `.`/`..`/`//` resolved; relative paths are taken from `cwd`. */
export function normalizePath(path: string, cwd: string): string {
  const parts: string[] = [];
  for (const part of (path.startsWith('/') ? path : `${cwd}/${path}`).split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

export interface DirEntry {
  name: string;
  dir: boolean;
  file?: NodeFile;
}

/** The entries of a directory (sorted), or undefined if no known file lives under it. */
export function listDir(files: Record<string, NodeFile>, dir: string): DirEntry[] | undefined {
  const prefix = dir === '/' ? '/' : `${dir}/`;
  const entries = new Map<string, DirEntry>();
  for (const [path, f] of Object.entries(files)) {
    if (!path.startsWith(prefix)) continue;
    const rest = path.slice(prefix.length);
    const slash = rest.indexOf('/');
    const name = slash < 0 ? rest : rest.slice(0, slash);
    if (!entries.has(name)) entries.set(name, slash < 0 ? { name, dir: false, file: f } : { name, dir: true });
  }
  if (entries.size === 0) return undefined;
  return [...entries.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Total bytes under a path (a file or a directory). */
export function usageOf(files: Record<string, NodeFile>, path: string): number {
  let total = 0;
  for (const [p, f] of Object.entries(files)) if (p === path || p.startsWith(`${path}/`)) total += f.size;
  return total;
}
