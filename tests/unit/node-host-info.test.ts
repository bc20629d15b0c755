// What an SRE reads about a node's host after `ssh NODE`, from the node model, in the real
// tools' layouts: /proc/cpuinfo (arch/x86/kernel/cpu/proc.c, labels tabbed to column 16),
// /etc/passwd, coreutils who, procps-ng 3.3.17 w and vmstat, util-linux last, lsb_release,
// iproute2 `ip -s link` (print_stats64) and `ip neigh`, systemd's `systemctl cat` (verb_cat)
// and `journalctl --disk-usage`, cri-tools' `crictl stats` (cmd/crictl/stats.go, tabwriter
// minwidth 20 padding 3). Where the tool is installed here, its output's shape is checked too.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sshTo } from '../helpers/node-shell.js';

/** A real tool's output here, or undefined when it is not installed. */
function real(cmd: string, args: string[]): string | undefined {
  const run = spawnSync(cmd, args, { encoding: 'utf8' });
  return run.status === 0 ? run.stdout : undefined;
}

describe('the host files', () => {
  it('/proc/cpuinfo has one block a CPU of the node, labelled as the kernel prints them', () => {
    const { sh, state } = sshTo('worker-1', false);
    const cpus = state.nodes['worker-1']!.status.capacity.cpu / 1000;
    const text = sh('cat /proc/cpuinfo').output;
    expect(sh('grep -c ^processor /proc/cpuinfo').output).toBe(`${cpus}\n`);
    expect(text.endsWith('power management:\n\n')).toBe(true);
    expect(sh('grep -m1 "model name" /proc/cpuinfo').output).toBe('model name\t: Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz\n');
    expect(sh(`awk -F'\\t*: ' '/^siblings/ {s=$2} /^cpu cores/ {c=$2} END {print s, c}' /proc/cpuinfo`).output).toBe(`${cpus} ${cpus / 2}\n`);
    // The labels and their tabs are the real kernel's (this machine's /proc/cpuinfo, when x86).
    const here = readFileSync('/proc/cpuinfo', 'utf8');
    if (here.includes('vendor_id')) {
      const labels = (t: string) => new Set(t.split('\n\n')[0]!.split('\n').map((l) => /^[^:]*:/.exec(l)?.[0]));
      const ours = labels(text);
      for (const label of labels(here)) if (label && ['processor', 'model\t', 'cpu MHz', 'core id', 'apicid', 'fpu\t', 'wp', 'flags', 'power'].some((k) => label.startsWith(k))) expect(ours).toContain(label);
    }
  });

  it('/etc/passwd is a cloud image\'s, with the login user ubuntu (1000)', () => {
    const { sh } = sshTo('worker-1', false);
    expect(sh('grep -E "^(root|ubuntu):" /etc/passwd').output).toBe('root:x:0:0:root:/root:/bin/bash\nubuntu:x:1000:1000:Ubuntu:/home/ubuntu:/bin/bash\n');
    expect(sh('awk -F: "NF != 7" /etc/passwd | wc -l').output).toBe('0\n');
    expect(sh('id -u; getent passwd ubuntu 2>/dev/null | cut -d: -f3 || true').output.split('\n')[0]).toBe('1000');
  });

  it('lsb_release -a: the labels on stdout after "No LSB modules are available." on stderr; -s a value a line', () => {
    const { sh } = sshTo('worker-1', false);
    expect(sh('lsb_release -a').output).toBe('No LSB modules are available.\nDistributor ID:\tUbuntu\nDescription:\tUbuntu 22.04.4 LTS\nRelease:\t22.04\nCodename:\tjammy\n');
    expect(sh('lsb_release -a 2>/dev/null | wc -l; lsb_release -sc; lsb_release -s -d -r').output).toBe('4\njammy\nUbuntu 22.04.4 LTS\n22.04\n');
    // The real one's labels, where it is installed.
    const here = real('lsb_release', ['-a']);
    if (here) expect(here.split('\n').map((l) => l.split('\t')[0])).toEqual(['Distributor ID:', 'Description:', 'Release:', 'Codename:', '']);
  });
});

describe('who is logged in', () => {
  it('who, w and last show the interactive ssh login from the bastion, as root too, and none for ssh NODE CMD', () => {
    const { sh, state } = sshTo('worker-1', false);
    const date = new Date(state.epoch + state.now);
    const p2 = (n: number) => String(n).padStart(2, '0');
    const hhmm = `${p2(date.getUTCHours())}:${p2(date.getUTCMinutes())}`;
    const who = `ubuntu   pts/0        ${date.toISOString().slice(0, 10)} ${hhmm} (10.0.0.5)\n`;
    expect(sh('who').output).toBe(who);
    const w = sh('w').output.split('\n');
    expect(w[0]).toBe(sh('uptime').output.trimEnd());
    expect(w[1]).toBe('USER     TTY      FROM             LOGIN@   IDLE   JCPU   PCPU WHAT');
    expect(w[2]).toBe(`ubuntu   pts/0    10.0.0.5         ${hhmm}    0.00s  0.02s  0.00s w`);
    const last = sh('last').output.split('\n');
    expect(last[0]).toMatch(new RegExp(`^ubuntu   pts/0        10\\.0\\.0\\.5         \\w{3} \\w{3} [ \\d]\\d ${hhmm}   still logged in$`));
    expect(last[1]).toMatch(/^ubuntu   pts\/0        10\.0\.0\.5         \w{3} \w{3} [ \d]\d \d\d:\d\d - \d\d:\d\d  \(00:25\)$/);
    expect(last[2]).toMatch(/^reboot   system boot  6\.5\.0-1017-aws   \w{3} \w{3} [ \d]\d \d\d:\d\d   still running$/);
    expect(last.at(-2)).toMatch(/^wtmp begins \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}$/);
    sh('sudo -i');
    expect(sh('who').output).toBe(who);
    sh('exit');
    sh('exit');
    expect(sh('ssh worker-1 who').output).toBe('');
    expect(sh('ssh worker-1 w').output.split('\n')).toHaveLength(3);
  });
});

describe('vmstat', () => {
  it('prints procps\' two header lines and one line since boot, then a line each DELAY seconds of simulated time', () => {
    const { sh } = sshTo('worker-1', false);
    const out = sh('vmstat').output.split('\n');
    const here = real('vmstat', []);
    if (here) expect(out.slice(0, 2)).toEqual(here.split('\n').slice(0, 2));
    expect(out[0]).toBe('procs -----------memory---------- ---swap-- -----io---- -system-- ------cpu-----');
    // free's figures: vmstat's free is free -k's free, its cache buff/cache less Buffers.
    const free = sh('free | awk \'/Mem:/ {print $4, $6}\'').output.trim().split(' ').map(Number);
    const cells = out[2]!.trim().split(/ +/).map(Number);
    expect(cells).toHaveLength(17);
    expect(cells[3]).toBe(free[0]);
    expect(cells[4]! + cells[5]!).toBe(free[1]);
    expect(cells.slice(12, 17).reduce((a, b) => a + b, 0)).toBe(100);
    expect(sh('vmstat 2 3').output.split('\n')).toHaveLength(6);
    expect(sh('vmstat 1 1000 | wc -l').output).toBe('62\n'); // bounded, as a line's ping is
  });
});

describe('ip -s link and ip neigh', () => {
  /** Where each column ends: print_stats64 right-aligns the header words over the numbers. */
  const ends = (line: string) => [...line.trimEnd().matchAll(/\S+/g)].map((m) => m.index! + m[0].length);

  it('ip -s link adds RX and TX counters under each link, columns aligned as iproute2 aligns them', () => {
    const { sh, state } = sshTo('worker-1', false);
    const lo = sh('ip -s link show lo').output.split('\n');
    expect(lo[0]).toBe(sh('ip link show lo').output.split('\n')[0]);
    expect(lo[2]).toMatch(/^ {4}RX: +bytes +packets errors dropped  missed   mcast {11}$/);
    expect(lo[4]).toMatch(/^ {4}TX: +bytes +packets errors dropped carrier collsns {11}$/);
    expect(lo[3]).toMatch(/^ {4}( *\d+ ){6}$/);
    expect(ends(lo[2]!).slice(1)).toEqual(ends(lo[3]!));
    expect(ends(lo[4]!).slice(1)).toEqual(ends(lo[5]!));
    const here = real('ip', ['-s', 'link', 'show', 'lo'])?.split('\n');
    if (here) {
      expect(ends(here[2]!).slice(1)).toEqual(ends(here[3]!));
      expect(here[2]!.replace(/ +/g, ' ')).toBe(lo[2]!.replace(/ +/g, ' '));
    }
    // Counters only grow with the node's uptime.
    const bytes = () => Number(sh('ip -s link show ens5').output.split('\n')[4]!.trim().split(/ +/)[0]);
    const first = bytes();
    state.now += 60_000;
    expect(bytes()).toBeGreaterThan(first);
  });

  it('ip neigh lists the subnet\'s gateway and nodes on ens5 and each local pod on its link, with the MACs ip link shows', () => {
    const { sh, state } = sshTo('worker-1', false);
    const lines = sh('ip neigh').output.split('\n').slice(0, -1);
    for (const l of lines) expect(l).toMatch(/^\d+\.\d+\.\d+\.\d+ dev \S+ lladdr [0-9a-f:]{17} REACHABLE $/);
    expect(lines[0]).toMatch(/^10\.0\.1\.1 dev ens5 /);
    const cp = state.nodes['cp-1']!.status.addresses.find((a) => a.type === 'InternalIP')!.address;
    // cp-1's MAC as cp-1's own `ip link` shows it (the same demo cluster, built again).
    const cpMac = /link\/ether (\S+)/.exec(sshTo('cp-1', false).sh('ip link show ens5').output)![1];
    expect(lines).toContain(`${cp} dev ens5 lladdr ${cpMac} REACHABLE `);
    const pod = Object.values(state.pods).find((p) => p.spec.nodeName === 'worker-1' && !p.spec.hostNetwork && p.status.podIP)!;
    const link = sh('ip link').output;
    const line = lines.find((l) => l.startsWith(`${pod.status.podIP} `))!;
    const dev = line.split(' ')[2]!;
    expect(link).toContain(`${dev}@if3:`);
  });
});

describe('systemctl cat, journalctl --disk-usage, crictl stats', () => {
  it('systemctl cat prints the unit file and its drop-in after `# PATH` lines; a masked unit is one line; a missing one an error', () => {
    const { sh } = sshTo('worker-1');
    const kubelet = sh('systemctl cat kubelet').output;
    expect(kubelet.startsWith('# /lib/systemd/system/kubelet.service\n[Unit]\nDescription=kubelet: The Kubernetes Node Agent\n')).toBe(true);
    expect(kubelet).toContain('\nWantedBy=multi-user.target\n\n# /usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf\n');
    expect(kubelet.endsWith('ExecStart=\nExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS\n')).toBe(true);
    // The drop-in directory is the one `systemctl status` names.
    expect(sh('systemctl status kubelet').output).toContain('Drop-In: /usr/lib/systemd/system/kubelet.service.d\n');
    expect(sh('systemctl cat containerd.service | grep -E "^(ExecStart|RestartSec)="').output).toBe('ExecStart=/usr/bin/containerd\nRestartSec=5\n');
    sh('systemctl mask containerd');
    const both = sh('systemctl cat containerd kubelet nope; echo rc=$?').output;
    expect(both.startsWith('# Unit containerd.service is masked.\n# /lib/systemd/system/kubelet.service\n')).toBe(true);
    expect(both.endsWith('No files found for nope.service.\nrc=1\n')).toBe(true);
  });

  it('journalctl --disk-usage grows with the uptime in 8 MiB journal files, in systemd\'s format_bytes', () => {
    const { sh } = sshTo('worker-1');
    expect(sh('journalctl --disk-usage').output).toMatch(/^Archived and active journals take up \d+\.\d[BKMG] in the file system\.\n$/);
  });

  it('crictl stats: the running containers sorted by ID, CPU % and working set from the metrics, in crictl\'s table', () => {
    const { sh, state } = sshTo('worker-1');
    const out = sh('crictl stats').output.split('\n');
    expect(out[0]).toBe('CONTAINER           NAME                CPU %               MEM                 DISK                INODES');
    const rows = out.slice(1, -1).map((l) => l.split(/ {2,}/));
    const ids = sh('crictl ps -q').output.trim().split('\n').map((id) => id.slice(0, 13)).sort();
    expect(rows.map((r) => r[0])).toEqual(ids);
    const coredns = Object.values(state.pods).find((p) => p.spec.nodeName === 'worker-1' && p.metadata.name.startsWith('coredns'));
    if (coredns) {
      const row = rows.find((r) => r[1] === 'coredns')!;
      const use = coredns.behavior.coredns ?? {};
      expect(row[2]).toBe(((use.cpuUse ?? 1) / 10).toFixed(2));
      expect(row[3]).toMatch(/^\d+(\.\d+)?MB$/);
    }
    for (const r of rows) expect(r[4]).toMatch(/^\d+(\.\d+)?kB$/);
    expect(sh('crictl stats -a | wc -l').output.trim()).toBe(String(sh('crictl ps -a -q | wc -l').output.trim() === '' ? 1 : Number(sh('crictl ps -a | wc -l').output.trim())));
  });
});
