// systemctl, journalctl, df, crictl, ps, cat on a node of the demo cluster: real formats.
import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec } from '../../server/cluster/index.js';
import { newSession, runLine } from '../../server/shell/index.js';
import { sshTo as onNode } from '../helpers/node-shell.js';
import { humanSize } from '../../server/shell/node/common.js';
import { humanAgo } from '../../server/shell/node/crictl.js';

describe('systemctl and journalctl', () => {
  it('prints a systemd status block and stops/starts the kubelet through the cluster', () => {
    const { state, sh } = onNode('worker-1');
    const status = sh('systemctl status kubelet').output.split('\n');
    expect(status[0]).toBe('● kubelet.service - kubelet: The Kubernetes Node Agent');
    expect(status[1]).toBe('     Loaded: loaded (/lib/systemd/system/kubelet.service; enabled; vendor preset: enabled)');
    expect(status[4]).toMatch(/^ {5}Active: active \(running\) since \w{3} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC; .+ ago$/);
    expect(status).toContainEqual(expect.stringMatching(/^ {3}Main PID: \d+ \(kubelet\)$/));
    expect(sh('systemctl stop kubelet').exitCode).toBe(0);
    expect(state.nodes['worker-1']!.host.units.kubelet!.active).toBe(false);
    const stopped = sh('systemctl status kubelet');
    expect(stopped.exitCode).toBe(3);
    expect(stopped.output).toContain('○ kubelet.service');
    expect(stopped.output).toContain('     Active: inactive (dead) since ');
    expect(sh('systemctl is-active kubelet')).toMatchObject({ output: 'inactive\n', exitCode: 3 });
    sh('systemctl start kubelet');
    expect(sh('systemctl is-active kubelet.service')).toMatchObject({ output: 'active\n', exitCode: 0 });
    expect(sh('systemctl status etcd')).toMatchObject({ output: 'Unit etcd.service could not be found.\n', exitCode: 4 });
  });

  it('refuses unit changes without sudo', () => {
    const { sh } = onNode('worker-1', false);
    expect(sh('systemctl restart kubelet')).toMatchObject({
      output: "Failed to restart kubelet.service: Interactive authentication required.\nSee system logs and 'systemctl status kubelet.service' for details.\n", exitCode: 1,
    });
  });

  it('prints journal lines with the short date format and -n / no entries', () => {
    const { sh } = onNode('cp-1');
    const out = sh('journalctl -u kubelet -n 2 --no-pager').output.split('\n');
    expect(out[0]).toMatch(/^-- Journal begins at \w{3} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, ends at .+ UTC\. --$/);
    expect(out[1]).toMatch(/^[A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d cp-1 kubelet\[\d+\]: I\d{4} /);
    expect(out).toHaveLength(4);
    expect(sh('journalctl -u etcd').output).toMatch(/\n-- No entries --\n$/);
    expect(sh('journalctl -u kubelet --since "1 hour ago"').output).toMatch(/\n-- No entries --\n$/);
    expect(sh('journalctl --since yesterdayish').output).toBe('Failed to parse timestamp: yesterdayish\n');
  });
});

describe('df, du, cat, ls', () => {
  it('sizes like coreutils -h', () => {
    expect(humanSize(4 * 2 ** 30)).toBe('4.0G');
    expect(humanSize(1.2 * 2 ** 20)).toBe('1.2M');
    expect(humanSize(80 * 2 ** 30)).toBe('80G');
    expect(humanSize(512)).toBe('512');
  });
  it('prints df -h columns', () => {
    const { sh } = onNode('cp-1');
    const lines = sh('df -h').output.split('\n');
    expect(lines[0]).toBe('Filesystem       Size  Used Avail Use% Mounted on');
    expect(lines[1]).toMatch(/^\/dev\/nvme0n1p1 {4}80G {3}19G {3}62G  23% \/$/);
    expect(lines[2]).toBe('tmpfs            4.0G     0  4.0G   0% /dev/shm');
  });
  it('reads node files with permissions and real errors', () => {
    const { sh } = onNode('cp-1', false);
    expect(sh('cat /etc/resolv.conf').output).toContain('nameserver 127.0.0.53\n');
    expect(sh('cat /etc/kubernetes/manifests/etcd.yaml')).toMatchObject({ output: 'cat: /etc/kubernetes/manifests/etcd.yaml: Permission denied\n', exitCode: 1 });
    expect(sh('sudo cat /etc/kubernetes/manifests/etcd.yaml').output).toContain('    - --quota-backend-bytes=2147483648\n');
    expect(sh('cat /nope')).toMatchObject({ output: 'cat: /nope: No such file or directory\n', exitCode: 1 });
    expect(sh('tail -n 1 /var/log/syslog').output).toMatch(/^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d cp-1 /);
    // GNU ls 9.1 `ls -C -w 80` on these four names (81 columns on one line): two columns, a tab then spaces.
    expect(sh('ls /etc/kubernetes/manifests').output).toBe('etcd.yaml\t     kube-controller-manager.yaml\nkube-apiserver.yaml  kube-scheduler.yaml\n');
    // Into a pipe (or over `ssh NODE CMD`, or in $(…)), one name a line.
    expect(sh('ls /etc/kubernetes/manifests | wc -l').output).toBe('4\n');
    expect(sh('echo $(ls /etc/kubernetes/manifests | head -1)').output).toBe('etcd.yaml\n');
    expect(sh('ls -1 /etc/kubernetes/manifests').output).toBe('etcd.yaml\nkube-apiserver.yaml\nkube-controller-manager.yaml\nkube-scheduler.yaml\n');
    expect(sh('ls /var/lib/etcd')).toMatchObject({ output: "ls: cannot open directory '/var/lib/etcd': Permission denied\n", exitCode: 2 });
    expect(sh('ls /nope').output).toBe("ls: cannot access '/nope': No such file or directory\n");
  });
});

describe('crictl and ps', () => {
  it('lists this node\'s containers like crictl', () => {
    const { sh } = onNode('cp-1');
    const lines = sh('crictl ps').output.split('\n');
    expect(lines[0]).toBe('CONTAINER           IMAGE               CREATED             STATE               NAME                      ATTEMPT             POD ID              POD');
    expect(lines.filter((l) => / etcd-cp-1$/.test(l))).toHaveLength(1);
    expect(lines.some((l) => l.includes('web-'))).toBe(false); // app pods run on the workers
    const etcdId = lines.find((l) => l.endsWith('etcd-cp-1'))!.slice(0, 13);
    expect(sh(`crictl logs --tail 1 ${etcdId}`).output).toMatch(/^\{"level":/);
    expect(sh('crictl logs nope').output).toBe('FATA[0000] rpc error: code = NotFound desc = an error occurred when try to find container "nope": not found\n');
    expect(humanAgo(2 * 3_600_000)).toBe('2 hours ago');
    expect(humanAgo(60_000)).toBe('About a minute ago');
  });
  it('needs root for the containerd socket', () => {
    const { sh } = onNode('worker-1', false);
    expect(sh('crictl ps').output).toContain('dial unix /run/containerd/containerd.sock: connect: permission denied');
  });
  it('shows the control-plane processes with their flags', () => {
    const { sh } = onNode('cp-1');
    const ps = sh('ps aux').output;
    expect(ps.split('\n')[0]).toBe('USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND');
    expect(ps).toMatch(/ etcd --advertise-client-urls=https:\/\/10\.0\.1\.10:2379 .*--quota-backend-bytes=2147483648/);
    expect(sh('ps -ef | grep kube-apiserver').output).toContain('--etcd-servers=https://127.0.0.1:2379');
    expect(sh('lsof -i :2379').output.split('\n')[0]).toMatch(/^COMMAND +PID USER +FD TYPE +DEVICE SIZE\/OFF NODE NAME$/);
  });
  // procps-ng ps/output.c's format table (headers, widths, alignment) and --sort, as
  // `ps -eo pid,comm,%cpu,%mem --sort=-%mem` prints on Ubuntu 22.04.
  it('prints user-defined formats, sorted', () => {
    const { sh } = onNode('cp-1');
    const top = sh('ps -eo pid,comm,%cpu,%mem --sort=-%mem | head -3').output.split('\n');
    expect(top[0]).toBe('    PID COMMAND         %CPU %MEM');
    expect(top[1]).toMatch(/^ {0,6}\d+ [a-z-]+ +\d+\.\d +\d+\.\d$/);
    const mem = (line: string) => Number(line.trim().split(/\s+/).at(-1));
    expect(mem(top[1]!)).toBeGreaterThanOrEqual(mem(top[2]!));
    expect(sh('ps -C kubelet -o pid=').output).toMatch(/^ +\d+\n$/);
    expect(sh('ps -p 1 -o pid,ppid,user,comm').output).toBe('    PID    PPID USER     COMMAND\n      1       0 root     systemd\n');
    expect(sh('ps -eo pid,rss --sort=-rss --no-headers | head -1').output).toMatch(/^ +\d+ +\d+\n$/);
    expect(sh('ps aux --sort=-rss | sed -n 2p | awk \'{print $6}\'').output.trim()).toBe(sh('ps -eo rss --sort=-rss --no-headers | head -1').output.trim());
    expect(sh('ps -eo foo')).toMatchObject({ exitCode: 1, output: expect.stringContaining('error: unknown user-defined format specifier "foo"') });
  });
});

describe('everyday node paths and filters', () => {
  it('lays ls out in columns like GNU ls -C, and one a line off the terminal', async () => {
    const { lsColumns } = await import('../../server/shell/node/files.js');
    // Captured from GNU coreutils 9.1: `ls -C -w 40` of these names.
    expect(lsColumns(['a', 'bb', 'ccc', 'dddddddddddd', 'eeeee', 'ffffffff', 'g'], 40)).toBe('a   ccc\t\t  eeeee     g\nbb  dddddddddddd  ffffffff\n');
    const { sh } = onNode('cp-1');
    expect(sh('ls /etc/kubernetes/manifests > /tmp/m; cat /tmp/m').output.split('\n')).toHaveLength(5);
  });

  it('lists only failed units for --failed, as systemd 249 prints an empty list', () => {
    const { state, sh } = onNode('worker-1');
    // systemd 249 src/systemctl/systemctl-list-units.c: no rows → bare header, "0 loaded units listed.", no legend.
    expect(sh('systemctl list-units --failed')).toMatchObject({ output: '  UNIT LOAD ACTIVE SUB DESCRIPTION\n0 loaded units listed.\n', exitCode: 0 });
    expect(sh('systemctl list-units --state=running').output).toContain('  kubelet.service              loaded active   running kubelet: The Kubernetes Node Agent\n');
    state.nodes['worker-1']!.host.units.kubelet!.active = false;
    expect(sh('systemctl list-units --state=running').output).not.toContain('kubelet.service');
    expect(sh('systemctl list-units').output).toContain('  kubelet.service              loaded inactive dead    kubelet');
  });

  it('has the kubelet\'s kubeconfig and the cluster CA on every node, as kubeadm and TLS bootstrap leave them', () => {
    const { state, sh } = onNode('worker-1');
    // A joined node: the kubeconfig the kubelet writes after TLS bootstrap (kubelet pkg/kubelet/certificate/bootstrap).
    const conf = sh('cat /etc/kubernetes/kubelet.conf').output;
    expect(conf).toContain(`    server: ${state.controlPlane.apiserver.endpoint}\n  name: default-cluster\n`);
    expect(conf).toContain('  name: default-context\ncurrent-context: default-context\nkind: Config\npreferences: {}\nusers:\n- name: default-auth\n  user:\n    client-certificate: /var/lib/kubelet/pki/kubelet-client-current.pem\n');
    expect(sh('ls /etc/kubernetes').output).toBe('kubelet.conf  pki\n');
    expect(sh('openssl x509 -in /etc/kubernetes/pki/ca.crt -noout -subject').output).toBe('subject=CN = kubernetes\n');
    expect(sh('openssl x509 -in /etc/kubernetes/pki/apiserver.crt -noout -subject').exitCode).toBe(1);
    const cp = onNode('cp-1');
    expect(cp.sh('grep -E "user:|current-context" /etc/kubernetes/kubelet.conf').output).toBe(`    user: system:node:cp-1\ncurrent-context: system:node:cp-1@${state.clusterName}\n  user:\n`);
  });

  it('has /etc/os-release and containerd\'s root, sized from the node\'s images', () => {
    const { sh } = onNode('worker-1');
    // Ubuntu 22.04.4's /usr/lib/os-release.
    expect(sh('cat /etc/os-release').output.split('\n').slice(0, 3)).toEqual(['PRETTY_NAME="Ubuntu 22.04.4 LTS"', 'NAME="Ubuntu"', 'VERSION_ID="22.04"']);
    expect(sh('. /etc/os-release; echo $VERSION_CODENAME').output).toBe('jammy\n');
    // GNU ls 9.1 `ls -C -w 80` of containerd 1.7's root.
    expect(sh('ls /var/lib/containerd').output).toBe('io.containerd.content.v1.content     io.containerd.metadata.v1.bolt\nio.containerd.grpc.v1.introspection  io.containerd.snapshotter.v1.overlayfs\n');
    expect(sh('df -h /var/lib/containerd').output.split('\n')[1]).toMatch(/^\/dev\/nvme0n1p1 +\S+ +\S+ +\S+ +\d+% \/$/);
    const images = sh('crictl images | tail -n +2 | wc -l').output.trim();
    expect(sh('ls /var/lib/containerd/io.containerd.content.v1.content/blobs/sha256 | wc -l').output.trim()).toBe(images);
    expect(sh('du -sh /var/lib/containerd').output).toMatch(/^\d+(\.\d)?[MG]\t\/var\/lib\/containerd\n$/);
  });
});

describe('/proc/meminfo', () => {
  it('prints the kernel\'s layout with the figures free shows', () => {
    const { sh } = onNode('worker-1');
    const info = sh('cat /proc/meminfo').output.split('\n');
    // fs/proc/meminfo.c: "MemTotal:       24683664 kB" — the label padded to 16 columns, the value in 8; HugePages_* have no unit.
    expect(info[0]).toMatch(/^MemTotal: {7}[ \d]{8} kB$/);
    expect(info).toContainEqual(expect.stringMatching(/^HugePages_Total: {7}0$/));
    const value = (key: string) => Number(info.find((l) => l.startsWith(`${key}:`))!.split(/\s+/)[1]);
    const free = sh('free -k').output.split('\n')[1]!.split(/\s+/);
    expect([value('MemTotal'), value('MemFree'), value('MemAvailable')]).toEqual([Number(free[1]), Number(free[3]), Number(free[6])]);
    expect(value('Buffers') + value('Cached') + value('SReclaimable')).toBe(Number(free[5]));
  });
});
