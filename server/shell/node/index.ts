// The programs a player finds on a node after `ssh NODE` (besides the shell's own builtins
// and text tools, and the network tools in ./network/). `ctx.session.node` is the node.
// cat / head / tail are the shell's text tools, which read node files through readNodeFile.
import type { ShellCommand } from '../types.js';
import { crictl } from './crictl.js';
import { etcdctl } from './etcdctl.js';
import { etcdutl } from './etcdutl.js';
import { findmnt, lsblk, mount } from './disks.js';
import { df, du, ls, rm } from './files.js';
import { free, lsof, ps, uptime } from './procs.js';
import { kubeadm, openssl } from './pki-tools.js';
import { netstat } from './netstat.js';
import { ss } from './ss.js';
import { swapoff, swapon } from './swap.js';
import { htop, top } from './top.js';
import { pingFrom } from '../workstation/tools.js';
import { dmesg, hostnamectl, lsbRelease, nproc, sysctl, timedatectl, uname } from './system.js';
import { last, w, who } from './logins.js';
import { vmstat } from './vmstat.js';
import { journalctl, rebootCommand, systemctl } from './systemd.js';

export { readNodeFile, type ReadResult } from './files.js';

export const nodeTools: Record<string, ShellCommand> = {
  etcdctl,
  etcdutl,
  crictl,
  journalctl,
  systemctl,
  reboot: rebootCommand,
  shutdown: rebootCommand,
  df,
  du,
  ls,
  rm,
  ps,
  lsof,
  ss,
  netstat,
  free,
  uptime,
  nproc,
  swapon,
  swapoff,
  kubeadm,
  openssl,
  uname,
  hostnamectl,
  timedatectl,
  dmesg,
  sysctl,
  lsb_release: lsbRelease,
  who,
  w,
  last,
  vmstat,
  top,
  htop,
  mount,
  findmnt,
  lsblk,
  ping: pingFrom(0),
};
