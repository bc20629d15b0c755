// The node's mounts and block devices: `mount` and `findmnt` (util-linux 2.37, reading
// /proc/self/mounts) and `lsblk`, from the filesystems the model keeps (df's list), the kernel's
// pseudo filesystems, and for each running pod its service-account token tmpfs and each
// container's overlay root.
import type { Filesystem } from '../../cluster/types.js';
import type { ShellCommand } from '../types.js';
import { fail, ok } from '../types.js';
import { isResult, onNode, stableInt, type NodeContext } from './common.js';

interface Mount {
  source: string;
  target: string;
  type: string;
  options: string;
}

const SNAPSHOTS = '/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots';

function fsMount(f: Filesystem): Mount {
  if (f.source === 'tmpfs') {
    const size = `size=${Math.round(f.size / 1024)}k`;
    return { source: 'tmpfs', target: f.mount, type: 'tmpfs', options: f.mount === '/run' ? `rw,nosuid,nodev,noexec,relatime,${size},mode=755,inode64` : 'rw,nosuid,nodev,inode64' };
  }
  if (f.mount === '/boot/efi') return { source: f.source, target: f.mount, type: 'vfat', options: 'rw,relatime,fmask=0077,dmask=0077,codepage=437,iocharset=iso8859-1,shortname=mixed,errors=remount-ro' };
  return { source: f.source, target: f.mount, type: 'ext4', options: f.mount === '/' ? 'rw,relatime,discard,errors=remount-ro' : 'rw,relatime' };
}

/** /proc/self/mounts in mount order: the kernel's and systemd's pseudo filesystems, the disks, then the pods'. */
function mounts(n: NodeContext): Mount[] {
  const fs = n.node.host.filesystems;
  const byTarget = (t: string): Mount[] => fs.filter((f) => f.mount === t).map(fsMount);
  const list: Mount[] = [
    { source: 'sysfs', target: '/sys', type: 'sysfs', options: 'rw,nosuid,nodev,noexec,relatime' },
    { source: 'proc', target: '/proc', type: 'proc', options: 'rw,nosuid,nodev,noexec,relatime' },
    { source: 'udev', target: '/dev', type: 'devtmpfs', options: `rw,nosuid,relatime,size=${Math.round(n.node.status.capacity.memory / 2048)}k,nr_inodes=${Math.round(n.node.status.capacity.memory / 8192)},mode=755,inode64` },
    { source: 'devpts', target: '/dev/pts', type: 'devpts', options: 'rw,nosuid,noexec,relatime,gid=5,mode=620,ptmxmode=000' },
    ...byTarget('/run'),
    ...byTarget('/'),
    ...byTarget('/dev/shm'),
    { source: 'cgroup2', target: '/sys/fs/cgroup', type: 'cgroup2', options: 'rw,nosuid,nodev,noexec,relatime,nsdelegate,memory_recursiveprot' },
    ...fs.filter((f) => !['/', '/run', '/dev/shm'].includes(f.mount)).map(fsMount),
  ];
  const pods = Object.values(n.state.pods).filter((p) => p.spec.nodeName === n.name && p.status.containerStatuses.some((c) => c.state.kind === 'running'))
    .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
  for (const pod of pods) {
    if (!pod.static) {
      const token = `/var/lib/kubelet/pods/${pod.metadata.uid}/volumes/kubernetes.io~projected/kube-api-access-${pod.metadata.uid.slice(0, 5)}`;
      list.push({ source: 'tmpfs', target: token, type: 'tmpfs', options: 'rw,relatime,size=1048576k,inode64' });
    }
    for (const cs of pod.status.containerStatuses) {
      if (cs.state.kind !== 'running') continue;
      const id = cs.containerID.replace(/^[a-z]+:\/\//, '');
      const upper = stableInt(`snapshot/${id}`, 40, 900);
      list.push({
        source: 'overlay', target: `/run/containerd/io.containerd.runtime.v2.task/k8s.io/${id}/rootfs`, type: 'overlay',
        options: `rw,relatime,lowerdir=${SNAPSHOTS}/${upper - 1}/fs:${SNAPSHOTS}/${upper - 2}/fs,upperdir=${SNAPSHOTS}/${upper}/fs,workdir=${SNAPSHOTS}/${upper}/work`,
      });
    }
  }
  return list;
}

/** `mount` [-t TYPE]: `SOURCE on TARGET type TYPE (OPTIONS)`; mounting is refused without root. */
export const mount: ShellCommand = (ctx, argv) => {
  const n = onNode(ctx, 'mount');
  if (isResult(n)) return n;
  const args = argv.slice(1);
  const t = args.indexOf('-t');
  const types = t >= 0 ? (args[t + 1] ?? '').split(',') : undefined;
  const rest = args.filter((a, i) => a !== '-t' && i !== t + 1 && a !== '-l');
  if (rest.length > 0) return fail(n.root ? 'mount: mounting filesystems is not part of this drill\n' : 'mount: only root can do that\n', n.root ? 32 : 1);
  return ok(mounts(n).filter((m) => !types || types.includes(m.type)).map((m) => `${m.source} on ${m.target} type ${m.type} (${m.options})\n`).join(''));
};

/** `findmnt [TARGET]`: the mounts as a list (findmnt -l's columns: TARGET SOURCE FSTYPE OPTIONS). */
export const findmnt: ShellCommand = (ctx, argv) => {
  const n = onNode(ctx, 'findmnt');
  if (isResult(n)) return n;
  const target = argv.slice(1).find((a) => !a.startsWith('-'));
  const list = mounts(n).filter((m) => target === undefined || m.target === target || m.source === target);
  if (list.length === 0) return { stdout: '', stderr: '', exitCode: 1 };
  const rows = [['TARGET', 'SOURCE', 'FSTYPE', 'OPTIONS'], ...list.map((m) => [m.target, m.source, m.type, m.options])];
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c]!.length)));
  return ok(rows.map((r) => `${r.map((cell, c) => (c < 3 ? cell.padEnd(widths[c]!) : cell)).join(' ')}\n`).join(''));
};

/** util-linux size_to_human_string (SIZE_SUFFIX_1LETTER): powers of 1024, one decimal rounded, dropped when 0. */
function lsblkSize(bytes: number): string {
  const units = ['B', 'K', 'M', 'G', 'T', 'P'];
  let i = 0;
  while (i < units.length - 1 && bytes >= 1024 ** (i + 1)) i++;
  const value = bytes / 1024 ** i;
  let whole = Math.floor(value);
  let tenth = Math.round((value - whole) * 10);
  if (tenth === 10) {
    whole++;
    tenth = 0;
  }
  return `${whole}${tenth ? `.${tenth}` : ''}${units[i]}`;
}

/** lsblk (util-linux 2.37, MAJ:MIN as "%3u:%-3u"): the NVMe disks and partitions the filesystems live on, as a tree. */
export const lsblk: ShellCommand = (ctx) => {
  const n = onNode(ctx, 'lsblk');
  if (isResult(n)) return n;
  const fs = n.node.host.filesystems.filter((f) => f.source.startsWith('/dev/'));
  const MiB = 2 ** 20;
  const GiB = 2 ** 30;
  const root = fs.find((f) => f.mount === '/');
  const efi = fs.find((f) => f.mount === '/boot/efi');
  const rows: string[][] = [['NAME', 'MAJ:MIN', 'RM', 'SIZE', 'RO', 'TYPE', 'MOUNTPOINTS']];
  let minor = 0;
  const add = (name: string, size: number, type: string, mountpoint: string): void => {
    rows.push([name, `259:${String(minor++).padEnd(3)}`, '0', lsblkSize(size), '0', type, mountpoint]);
  };
  if (root) {
    // The partition holds the filesystem plus its journal and reserved blocks; the disk adds BIOS boot (p14) and EFI (p15).
    const part = Math.ceil(root.size / MiB / 0.97) * MiB;
    const disk = Math.ceil((part + 111 * MiB) / GiB) * GiB;
    add('nvme0n1', disk, 'disk', '');
    add(`├─nvme0n1p1`, disk - 111 * MiB, 'part', '/');
    add(`├─nvme0n1p14`, 4 * MiB, 'part', '');
    add(`└─nvme0n1p15`, 106 * MiB, 'part', efi?.mount ?? '');
  }
  for (const f of fs.filter((x) => x !== root && x !== efi)) add(f.source.slice('/dev/'.length), Math.ceil(f.size / GiB) * GiB, 'disk', f.mount);
  // libsmartcols pads every cell but the last; RM, SIZE and RO are right-aligned.
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => [...r[c]!].length)));
  const right = new Set([2, 3, 4]);
  return ok(rows.map((r) => `${r.map((cell, c) => {
    if (c === r.length - 1) return cell;
    const pad = ' '.repeat(widths[c]! - [...cell].length);
    return right.has(c) ? pad + cell : cell + pad;
  }).join(' ')}\n`).join(''));
};
