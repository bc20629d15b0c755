// find, stat, basename, dirname, realpath and id where the session is: the workstation (the
// differential corpus compares those with GNU findutils/coreutils), a node's files with their
// modes and root-only directories, and a debug pod's /host.
import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec, tick } from '../../server/cluster/index.js';
import { newSession, runLine } from '../../server/shell/index.js';

function shell() {
  const state = createCluster(demoClusterSpec, 1);
  const session = newSession(state);
  return (line: string) => runLine(state, session, line, { advance: (ms) => tick(state, ms) });
}

describe('find and stat on a node', () => {
  it('lists the node\'s files by name and type, refuses etcd\'s 0700 data dir without sudo', () => {
    const run = shell();
    run('ssh cp-1');
    expect(run('find /etc/kubernetes/manifests -name "*.yaml"').output).toBe([
      '/etc/kubernetes/manifests/etcd.yaml', '/etc/kubernetes/manifests/kube-apiserver.yaml',
      '/etc/kubernetes/manifests/kube-controller-manager.yaml', '/etc/kubernetes/manifests/kube-scheduler.yaml', '',
    ].join('\n'));
    // findutils: the directory itself is printed, then its contents cannot be read.
    expect(run('find /var/lib/etcd')).toEqual({ output: '/var/lib/etcd\nfind: ‘/var/lib/etcd’: Permission denied\n', exitCode: 1 });
    expect(run('sudo find /var/lib/etcd -name db').output).toBe('/var/lib/etcd/member/snap/db\n');
    expect(run('stat -c "%n %U %a %F" /etc/kubernetes/admin.conf /etc/kubernetes').output)
      .toBe('/etc/kubernetes/admin.conf root 600 regular file\n/etc/kubernetes root 755 directory\n');
    // The usual certificate sweep: every .crt through openssl.
    const ends = run('find /etc/kubernetes/pki -name "*.crt" -exec openssl x509 -noout -enddate -in {} \\;').output.trim().split('\n');
    expect(ends.length).toBeGreaterThanOrEqual(10);
    expect(ends.every((l) => /^notAfter=\w{3} [ \d]\d \d\d:\d\d:\d\d \d{4} GMT$/.test(l))).toBe(true);
    expect(run('id').output).toBe('uid=1000(ubuntu) gid=1000(ubuntu) groups=1000(ubuntu),4(adm),24(cdrom),27(sudo),30(dip),105(lxd)\n');
    expect(run('sudo id').output).toBe('uid=0(root) gid=0(root) groups=0(root)\n');
  });

  it('stat prints coreutils\' layout with the file\'s mode and owner', () => {
    const run = shell();
    run('ssh cp-1');
    const out = run('stat /etc/kubernetes/admin.conf').output.split('\n');
    expect(out[0]).toBe('  File: /etc/kubernetes/admin.conf');
    expect(out[1]).toMatch(/^ {2}Size: \d+ +\tBlocks: \d+ +IO Block: 4096 {3}regular file$/);
    expect(out[3]).toBe('Access: (0600/-rw-------)  Uid: (    0/    root)   Gid: (    0/    root)');
    expect(out[4]).toMatch(/^Access: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.000000000 \+0000$/);
    expect(run('stat /nope')).toEqual({ output: "stat: cannot statx '/nope': No such file or directory\n", exitCode: 1 });
  });

  it('paths on the workstation: realpath, basename, dirname, id', () => {
    const run = shell();
    expect(run('mkdir -p /tmp/w/a && cd /tmp/w && realpath a ../w/./a').output).toBe('/tmp/w/a\n/tmp/w/a\n');
    expect(run('realpath -e nope; echo $?').output).toBe('realpath: nope: No such file or directory\n1\n');
    expect(run('basename "$(dirname /etc/kubernetes/pki/ca.crt)"').output).toBe('pki\n');
    expect(run('id -un').output).toBe('player\n');
  });
});

describe('a file\'s modification time is the one every tool shows', () => {
  const agree = (run: (line: string) => { output: string; exitCode: number }, dir: string) => {
    run(`echo one > ${dir}/old.txt`);
    run('sleep 90');
    run(`echo two > ${dir}/new.txt`);
    run('sleep 20');
    const stamp = run(`stat -c %y ${dir}/new.txt`).output;
    const [, hhmm] = /^\d{4}-\d\d-\d\d (\d\d:\d\d):\d\d\.0{9} \+0000\n$/.exec(stamp) ?? [];
    expect(hhmm).toBeDefined();
    // ls -l: the same minute; find: written less than a minute ago, the older file more than one.
    expect(run(`ls -l ${dir}/new.txt`).output).toContain(` ${hhmm} ${dir}/new.txt`);
    expect(run(`find ${dir} -name '*.txt' -mmin -1`).output).toBe(`${dir}/new.txt\n`);
    expect(run(`find ${dir} -name '*.txt' -mmin +1`).output).toBe(`${dir}/old.txt\n`);
    expect(run(`find ${dir} -name '*.txt' -newer ${dir}/old.txt`).output).toBe(`${dir}/new.txt\n`);
    // stat's epoch seconds and find's %T@ are the same instant; the older file is 110 s older.
    const epoch = Number(run(`stat -c %Y ${dir}/new.txt`).output);
    expect(run(`find ${dir}/new.txt -printf '%T@'`).output).toBe(`${epoch}.0000000000`);
    expect(epoch - Number(run(`stat -c %Y ${dir}/old.txt`).output)).toBe(90);
    expect(run(`find ${dir} -newer nope; echo $?`).output).toBe('find: ‘nope’: No such file or directory\n1\n');
  };

  it('on the workstation', () => {
    const run = shell();
    run('mkdir -p /tmp/m');
    agree(run, '/tmp/m');
  });

  it('on a node', () => {
    const run = shell();
    run('ssh worker-1');
    agree(run, '/tmp');
  });

  it('in a container', () => {
    const run = shell();
    run('kubectl run tmp -it --rm --image=busybox -- sh');
    run('mkdir -p /data');
    agree(run, '/data');
  });
});
