// The node's system tools after `ssh NODE`, from the node model. Formats: coreutils uname.c
// (fields s n r v m p i o; -a prints all known), systemd 249 hostnamectl/timedatectl status
// (labels right-aligned to the longest), util-linux 2.37 dmesg (printk's `[%5lu.%06lu]`, -T
// strftime "%a %b %e %H:%M:%S %Y"; Ubuntu's kernel.dmesg_restrict=1 refuses non-root with
// "read kernel buffer failed: Operation not permitted"), procps-ng 3.3.17 sysctl (`key = value`,
// "cannot stat /proc/sys/…" and exit 255 for an unknown key).
import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec } from '../../server/cluster/index.js';
import { newSession, runLine } from '../../server/shell/index.js';
import { sshTo } from '../helpers/node-shell.js';

describe('uname, hostnamectl, timedatectl', () => {
  it('uname prints the kernel of nodeInfo in coreutils field order', () => {
    const { sh, state } = sshTo('worker-1', false);
    const kernel = state.nodes['worker-1']!.status.nodeInfo.kernelVersion;
    expect(sh('uname').output).toBe('Linux\n');
    expect(sh('uname -r').output).toBe(`${kernel}\n`);
    expect(sh('uname -a').output).toBe(`Linux worker-1 ${kernel} #17~22.04.1-Ubuntu SMP x86_64 x86_64 x86_64 GNU/Linux\n`);
    expect(sh('uname -mn').output).toBe('worker-1 x86_64\n');
    const bad = sh('uname -x');
    expect(bad.output).toContain("uname: invalid option -- 'x'");
    expect(bad.exitCode).toBe(1);
  });

  it('hostnamectl and timedatectl show the OS image, kernel and the simulated clock', () => {
    const { sh } = sshTo('cp-1', false);
    const host = sh('hostnamectl').output;
    expect(host).toMatch(/^ Static hostname: cp-1\n/);
    expect(host).toContain('Operating System: Ubuntu 22.04.4 LTS\n');
    expect(host).toContain('          Kernel: Linux 6.5.0-1017-aws\n');
    expect(host).toContain('    Architecture: x86-64\n');
    const time = sh('timedatectl').output.split('\n');
    expect(time[0]).toMatch(/^ {15}Local time: \w{3} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    expect(time).toContain('System clock synchronized: yes');
    expect(sh('date +%H:%M').output.trim()).toBe(time[0]!.slice(-12, -7));
  });
});

describe('dmesg', () => {
  it('needs root, then prints the kernel lines of the journal since boot, relative or with -T', () => {
    const { sh, state } = sshTo('worker-1');
    const node = state.nodes['worker-1']!;
    expect(sh('exit').exitCode).toBe(0);
    const denied = sh('dmesg');
    expect(denied.output).toBe('dmesg: read kernel buffer failed: Operation not permitted\n');
    expect(denied.exitCode).toBe(1);
    sh('sudo -i');
    const boot = node.host.syslog[0]!.at;
    node.host.syslog.push({ at: boot + 3_723_500, text: 'kernel: Memory cgroup out of memory: Killed process 4242 (app) total-vm:90000kB, anon-rss:10000kB' });
    node.host.syslog.push({ at: boot + 3_724_000, text: 'systemd[1]: not a kernel line' });
    const lines = sh('dmesg').output.split('\n');
    expect(lines[0]).toBe(`[    0.000000] Linux version ${node.status.nodeInfo.kernelVersion} (buildd@lcy02-amd64-028) (x86_64-linux-gnu-gcc-12 (Ubuntu 12.3.0-1ubuntu1~22.04) 12.3.0) #17~22.04.1-Ubuntu SMP`);
    expect(lines[1]).toBe('[ 3723.500000] Memory cgroup out of memory: Killed process 4242 (app) total-vm:90000kB, anon-rss:10000kB');
    expect(lines).toHaveLength(3);
    expect(sh('dmesg -T').output.split('\n')[1]).toMatch(/^\[\w{3} \w{3} [ \d]\d 10:02:03 \d{4}\] Memory cgroup out of memory/);
  });

  it('starts again after a reboot, and uptime counts from it', () => {
    const { sh } = sshTo('worker-1');
    sh('reboot');
    sh('ssh worker-1');
    sh('sudo -i');
    expect(sh('dmesg').output).toMatch(/^\[    0\.000000\] Linux version/);
    expect(sh('uptime').output).toMatch(/ up 0 min,/);
  });
});

// fs/proc/loadavg.c (three `%lu.%02lu`, running/total tasks, the last pid) and fs/proc/uptime.c
// agree with uptime; /etc/hostname and an Ubuntu cloud image's /etc/hosts are there to read.
describe('/proc/loadavg, /proc/uptime, /etc/hostname, /etc/hosts', () => {
  it('agree with uptime and the node', () => {
    const { sh } = sshTo('worker-1', false);
    const [loadavg, uptime] = sh('cat /proc/loadavg /proc/uptime').output.split('\n');
    expect(loadavg).toMatch(/^\d+\.\d\d \d+\.\d\d \d+\.\d\d 1\/\d+ \d+$/);
    expect(sh('uptime').output).toContain(`load average: ${loadavg!.split(' ').slice(0, 3).join(', ')}\n`);
    const days = Number(/up (\d+) days/.exec(sh('uptime').output)![1]);
    expect(Math.floor(Number(uptime!.split(' ')[0]) / 86_400)).toBe(days);
    expect(sh('cat /etc/hostname').output).toBe('worker-1\n');
    expect(sh('head -1 /etc/hosts').output).toBe('127.0.0.1 localhost\n');
  });
});

describe('sysctl', () => {
  it('prints the kernel parameters the kubelet and kube-proxy set, consistent with the node', () => {
    const { sh, state } = sshTo('worker-1', false);
    const cores = state.nodes['worker-1']!.status.capacity.cpu / 1000;
    const max = Math.max(32768 * cores, 131072);
    expect(sh('sysctl net.netfilter.nf_conntrack_max').output).toBe(`net.netfilter.nf_conntrack_max = ${max}\n`);
    expect(sh('sysctl -n net/ipv4/ip_forward vm.overcommit_memory kernel.panic').output).toBe('1\n1\n10\n');
    // ss shows a listening Go server's backlog (Send-Q) as somaxconn.
    expect(sh('sysctl -n net.core.somaxconn').output).toBe('4096\n');
    expect(sh('sysctl net.ipv4.ip_local_port_range').output).toBe('net.ipv4.ip_local_port_range = 32768\t60999\n');
    const all = sh('sysctl -a').output.split('\n').filter(Boolean);
    expect(all).toContain('fs.file-max = 9223372036854775807');
    expect([...all].sort()).toEqual(all);
    // sysctl reads /proc/sys; the entry count is conntrack's.
    expect(sh('cat /proc/sys/net/netfilter/nf_conntrack_max').output).toBe(`${max}\n`);
    expect(sh('sysctl -n net.netfilter.nf_conntrack_count').output).toBe(sh('conntrack -C').output);
    const missing = sh('sysctl net.nope');
    expect(missing.output).toBe('sysctl: cannot stat /proc/sys/net/nope: No such file or directory\n');
    expect(missing.exitCode).toBe(255);
  });
});

// net-tools 2.10 netstat.c: the header "State      " + " %-20s" banner, tcp_do_one's
// "%-4s  %6ld %6ld %-23s %-23s %-11s", " %-20s" of "PID/program" cut to 19 characters, and
// prg_cache_load's warning for a non-root -p.
describe('netstat', () => {
  it('lists the listening sockets ss knows, in net-tools columns', () => {
    const { sh } = sshTo('cp-1');
    const lines = sh('netstat -tulnp').output.split('\n');
    expect(lines[0]).toBe('Active Internet connections (only servers)');
    expect(lines[1]).toBe('Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name    ');
    expect(lines[2]).toBe(`tcp        0      0 0.0.0.0:22              0.0.0.0:*               LISTEN      ${'788/sshd: /usr/sbin'.padEnd(20)}`);
    expect(lines.find((l) => l.includes(':6443 '))).toMatch(/^tcp6       0      0 :::6443 {17}:::\* {20}LISTEN      \d+\/kube-apiserve *$/);
    // The same listening ports as ss.
    const ports = (text: string, re: RegExp) => [...text.matchAll(re)].map((m) => m[1]).sort();
    expect(ports(lines.join('\n'), /:(\d+) +\S+:\* +LISTEN/g)).toEqual(ports(sh('ss -tln').output, /:(\d+) +\S+:\*/g));
    expect(sh('netstat -tl').output).toMatch(/tcp        0      0 localhost:2379 {10}0\.0\.0\.0:\*/);
    expect(sh('netstat -tn').output).toMatch(/\(w\/o servers\)\n.*\ntcp        0      0 127\.0\.0\.1:\d+ +127\.0\.0\.1:2379 +ESTABLISHED\n/);
  });

  it('warns and hides programs without root', () => {
    const { sh } = sshTo('worker-1', false);
    const out = sh('netstat -tlnp 2>&1').output;
    expect(out).toMatch(/^\(Not all processes could be identified, non-owned process info\n will not be shown, you would have to be root to see it all\.\)\nActive/);
    expect(out).toContain(`LISTEN      ${'-'.padEnd(20)}\n`);
  });
});

// journalctl -p keeps lines of that priority and above (systemd journalctl.c, syslog(3) levels).
// journald stores a service's stdout/stderr at SyslogLevel=info, so klog's E-lines are not
// "err"; systemd 249 logs "Failed with result" at warning, the OOM killer uses pr_err.
describe('journalctl -p', () => {
  it('filters by the priority journald stored', () => {
    const { sh, state } = sshTo('worker-1');
    const log = state.nodes['worker-1']!.host.syslog;
    const at = log.at(-1)!.at;
    log.push({ at: at + 1000, text: 'kubelet[2138]: E0423 09:00:05.000000    2138 pod_workers.go:1300] "Error syncing pod"' });
    log.push({ at: at + 2000, text: "systemd[1]: kubelet.service: Failed with result 'exit-code'." });
    log.push({ at: at + 3000, text: 'kernel: Memory cgroup out of memory: Killed process 4242 (app) total-vm:90000kB' });
    const err = sh('journalctl -p err --no-pager').output.split('\n').slice(1, -1);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/worker-1 kernel: Memory cgroup out of memory/);
    const warn = sh('journalctl -p warning').output;
    expect(warn).toContain("Failed with result 'exit-code'.");
    expect(warn).not.toContain('Error syncing pod');
    expect(sh('journalctl -p 3').output).toBe(sh('journalctl --priority=err').output);
    expect(sh('journalctl -p info').output).toContain('Error syncing pod');
    const bad = sh('journalctl -p loud');
    expect(bad.output).toBe('Failed to parse priority value: loud\n');
    expect(bad.exitCode).toBe(1);
  });
});

// procps-ng 3.3.17 top -b: summary (uptime's line after "top -", Tasks, %Cpu(s), "MiB Mem :%9.1f
// total,…", "MiB Swap:… avail Mem "), the task header, rows sorted by %CPU; without -b and a
// terminal, top's "failed tty get".
describe('top', () => {
  it('prints one batch iteration over the process table ps lists, with free\'s memory', () => {
    const { sh } = sshTo('worker-1');
    const lines = sh('top -b -n 1').output.split('\n');
    expect(lines[0]).toBe(`top -${sh('uptime').output.trimEnd()}`);
    const ps = sh('ps aux').output.trim().split('\n').length - 1;
    expect(lines[1]).toBe(`Tasks: ${String(ps).padStart(3)} total,   0 running, ${String(ps).padStart(3)} sleeping,   0 stopped,   0 zombie`);
    expect(lines[2]).toMatch(/^%Cpu\(s\): +\d+\.\d us, +\d+\.\d sy,  0\.0 ni, +\d+\.\d id,  0\.0 wa,  0\.0 hi,  0\.0 si,  0\.0 st$/);
    const totalMiB = (Number(sh('free').output.split('\n')[1]!.trim().split(/\s+/)[1]) / 1024).toFixed(1);
    expect(lines[3]).toMatch(new RegExp(`^MiB Mem : +${totalMiB.replace('.', '\\.')} total, +\\d+\\.\\d free, +\\d+\\.\\d used, +\\d+\\.\\d buff/cache$`));
    expect(lines[4]).toMatch(/^MiB Swap: +0\.0 total, +0\.0 free, +0\.0 used\. +\d+\.\d avail Mem $/);
    expect(lines[6]).toBe('    PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND');
    expect(lines[7]).toMatch(/^ +\d+ root      20   0 +\d+ +96212 +\d+ S   2\.1 +\d+\.\d +\d+:\d\d\.\d\d kubelet$/);
    expect(sh('top').output).toBe('top: failed tty get\n');
  });
});

// util-linux 2.37: mount prints /proc/self/mounts as "SOURCE on TARGET type TYPE (OPTIONS)";
// lsblk's tree (MAJ:MIN "%3u:%-3u", sizes by size_to_human_string) and findmnt's columns.
describe('mount, findmnt, lsblk', () => {
  it('lists the filesystems df shows, the pods\' token tmpfs and container overlays', () => {
    const { sh, state } = sshTo('worker-1', false);
    const out = sh('mount').output;
    expect(out).toContain('/dev/nvme0n1p1 on / type ext4 (rw,relatime,discard,errors=remount-ro)\n');
    expect(out).toContain('cgroup2 on /sys/fs/cgroup type cgroup2 (rw,nosuid,nodev,noexec,relatime,nsdelegate,memory_recursiveprot)\n');
    const running = Object.values(state.pods).filter((p) => p.spec.nodeName === 'worker-1').flatMap((p) => p.status.containerStatuses).filter((c) => c.state.kind === 'running');
    expect(sh('mount -t overlay').output.trim().split('\n')).toHaveLength(running.length);
    expect(sh('mount | grep -c kube-api-access').output.trim()).not.toBe('0');
    expect(sh('findmnt /').output).toBe('TARGET SOURCE         FSTYPE OPTIONS\n/      /dev/nvme0n1p1 ext4   rw,relatime,discard,errors=remount-ro\n');
    const blk = sh('lsblk').output.split('\n');
    expect(blk[0]).toBe('NAME         MAJ:MIN RM  SIZE RO TYPE MOUNTPOINTS');
    expect(blk[2]).toMatch(/^├─nvme0n1p1  259:1    0 +\d+(\.\d)?G  0 part \/$/);
    expect(blk[4]).toBe('└─nvme0n1p15 259:3    0  106M  0 part /boot/efi');
  });
});

// BIND 9.18 host (bin/dig/host.c): "has address", "domain name pointer", "has SRV record",
// "Host N not found: 3(NXDOMAIN)", and the "Using domain server:" block for an explicit server.
describe('host', () => {
  it('answers from the same resolver as dig', () => {
    const { sh } = sshTo('worker-1', false);
    expect(sh('host kubernetes.default.svc.cluster.local 10.96.0.10').output)
      .toBe('Using domain server:\nName: 10.96.0.10\nAddress: 10.96.0.10#53\nAliases: \n\nkubernetes.default.svc.cluster.local has address 10.96.0.1\n');
    expect(sh('dig +short kubernetes.default.svc.cluster.local @10.96.0.10').output).toBe('10.96.0.1\n');
    expect(sh('host 10.96.0.1 10.96.0.10').output).toContain('1.0.96.10.in-addr.arpa domain name pointer kubernetes.default.svc.cluster.local.\n');
    // The node's own resolver (the VPC's) does not know cluster names.
    const missing = sh('host kubernetes.default.svc.cluster.local');
    expect(missing.output).toBe('Host kubernetes.default.svc.cluster.local not found: 3(NXDOMAIN)\n');
    expect(missing.exitCode).toBe(1);
  });
});

// ipset 7.15 `list`: Name/Type/Revision/Header/Size in memory/References/Number of entries/Members.
describe('ipset list', () => {
  it('is empty under kube-proxy in iptables mode, and needs root', () => {
    const { sh } = sshTo('worker-1');
    const r = sh('ipset list');
    expect(r.output).toBe('');
    expect(r.exitCode).toBe(0);
    sh('exit');
    expect(sh('ipset list').output).toBe('ipset v7.15: Kernel error received: Operation not permitted\n');
  });

  it('lists kube-proxy IPVS and Calico sets', () => {
    const spec = { ...demoClusterSpec, network: { ...demoClusterSpec.network, proxyMode: 'ipvs' as const, cni: { ...demoClusterSpec.network?.cni, name: 'calico' as const } } };
    const state = createCluster(spec, 1);
    const session = newSession(state);
    const sh = (line: string) => runLine(state, session, line);
    sh('ssh worker-1');
    sh('sudo -i');
    const out = sh('ipset list').output;
    expect(out).toMatch(/^Name: KUBE-CLUSTER-IP\nType: hash:ip,port\nRevision: 6\nHeader: family inet hashsize 1024 maxelem 65536 bucketsize 12 initval 0x[0-9a-f]{8}\nSize in memory: \d+\nReferences: 2\nNumber of entries: \d+\nMembers:\n/);
    expect(out).toContain('\n10.96.0.1,tcp:443\n');
    expect(out).toContain(`\nName: cali40all-ipam-pools\nType: hash:net\n`);
    expect(out).toContain(`Members:\n${state.network.clusterCIDR}\n`);
  });
});

describe('ping, etcdutl, htop on a node', () => {
  it('pings another node on the same subnet (no router: ttl 64), like the workstation does through its router', () => {
    const { sh } = sshTo('worker-1', false);
    const out = sh('ping -c 2 cp-1').output;
    expect(out).toMatch(/^PING cp-1 \(10\.0\.1\.10\) 56\(84\) bytes of data\.\n64 bytes from 10\.0\.1\.10: icmp_seq=1 ttl=64 time=/);
    expect(out).toContain('2 packets transmitted, 2 received, 0% packet loss');
  });

  it('etcdutl is on the etcd node only: version, and snapshot status of the live db or a stat error', () => {
    const { sh, state } = sshTo('cp-1');
    expect(sh('etcdutl version').output).toBe(`etcdutl version: ${state.etcd.version}\nAPI version: 3.5\n`);
    expect(sh(`etcdutl snapshot status ${state.etcd.dataDir}/member/snap/db`).output).toMatch(new RegExp(`^[0-9a-f]{8}, ${state.etcd.revision}, \\d+, \\d+ MB\\n$`));
    const missing = sh('etcdutl snapshot status /tmp/none.db');
    expect(missing.output).toBe('Error: stat /tmp/none.db: no such file or directory\n');
    expect(missing.exitCode).toBe(1);
    const worker = sshTo('worker-1');
    expect(worker.sh('etcdutl version').exitCode).toBe(127);
    // htop has no batch mode: its first frame, then as if `q` was pressed (node/top.ts).
    const frame = worker.sh('htop');
    expect(frame.exitCode).toBe(0);
    const lines = frame.output.split('\n');
    expect(lines[0]).toMatch(/^ {3}0\[\|*\s+\d+\.\d%\] +( {2}1\[|Tasks: )/);
    expect(frame.output).toMatch(/\n Mem\[\|+ *\d+\.\d\dG\/\d+\.\d\dG\]/);
    expect(frame.output).toMatch(/ Load average: \d+\.\d\d \d+\.\d\d \d+\.\d\d\n/);
    expect(frame.output).toContain('\n    PID USER      PRI  NI  VIRT   RES   SHR S CPU% MEM%   TIME+  Command\n');
    expect(frame.output).toMatch(/\n +\d+ root +20 +0 .* S +\d+\.\d +\d+\.\d +(\d+:\d\d\.\d\d|\d+h\d\d:\d\d|\d+h) \/usr\/bin\/kubelet/);
    expect(lines.at(-2)).toBe('F1Help  F2Setup F3SearchF4FilterF5Tree  F6SortByF7Nice -F8Nice +F9Kill  F10Quit');
    expect(worker.sh('htop -x').output).toBe("htop: unrecognized option '-x'\n");
  });
});

describe('nproc', () => {
  it('prints the node\'s CPUs as coreutils nproc does, and its errors', () => {
    const { state, sh } = sshTo('worker-1');
    const cpus = `${state.nodes['worker-1']!.status.capacity.cpu / 1000}\n`;
    // coreutils 8.32 nproc: the count and a newline; `nproc x` → "extra operand", `nproc -x` → getopt's message.
    expect(sh('nproc')).toMatchObject({ output: cpus, exitCode: 0 });
    expect(sh('nproc --all').output).toBe(cpus);
    expect(sh('nproc x')).toMatchObject({ output: "nproc: extra operand 'x'\nTry 'nproc --help' for more information.\n", exitCode: 1 });
  });
});

describe('ip -br addr and ip addr show DEV', () => {
  it('prints iproute2\'s brief lines and one link\'s block', () => {
    const { state, sh } = sshTo('worker-1');
    const ip = state.nodes['worker-1']!.status.addresses.find((a) => a.type === 'InternalIP')!.address;
    // iproute2 6.1 `ip -br addr` on this machine: "lo               UNKNOWN        127.0.0.1/8 ::1/128 " (name %-16s, state %-14s, each address and a space).
    const brief = sh('ip -br addr').output.split('\n');
    expect(brief[0]).toBe('lo               UNKNOWN        127.0.0.1/8 ');
    expect(brief[1]).toBe(`ens5             UP             ${ip}/24 `);
    const block = sh('ip addr show ens5').output;
    expect(block.startsWith('2: ens5: <BROADCAST,MULTICAST,UP,LOWER_UP>')).toBe(true);
    expect(block).not.toContain('lo:');
    expect(sh('ip a show dev eth9')).toMatchObject({ output: 'Device "eth9" does not exist.\n', exitCode: 1 });
  });
  // iproute2 6.1 on this machine: `ip link show` is ip addr's block without addresses and with
  // "mode DEFAULT" after the state; `ip -br link` is "lo               UNKNOWN        00:00:00:00:00:00 <LOOPBACK,UP,LOWER_UP> ".
  it('prints ip link show and ip -br link', () => {
    const { sh } = sshTo('worker-1');
    const links = sh('ip link show').output.split('\n');
    expect(links[0]).toBe('1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000');
    expect(links[1]).toBe('    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00');
    expect(links[2]).toBe('2: ens5: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 9001 qdisc mq state UP mode DEFAULT group default qlen 1000');
    expect(sh('ip link show ens5').output).not.toContain('inet ');
    expect(sh('ip -br link').output.split('\n')[0]).toBe('lo               UNKNOWN        00:00:00:00:00:00 <LOOPBACK,UP,LOWER_UP> ');
    expect(sh('ip l show dev eth9')).toMatchObject({ output: 'Device "eth9" does not exist.\n', exitCode: 1 });
  });
});
