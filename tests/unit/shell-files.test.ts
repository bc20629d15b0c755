// Files a player writes: the fix workflow (get -o yaml > f, edit, apply -f f), where writing
// is allowed on the workstation and on nodes, bounds, and that replaying the lines rebuilds them.
import { describe, expect, it } from 'vitest';
import { missingAnnotationWarning } from '../../server/shell/kubectl/last-applied.js';
import { createCluster, demoClusterSpec } from '../../server/cluster/index.js';
import { complete, editLine, newSession, prompt, runLine } from '../../server/shell/index.js';
import { MAX_WRITTEN_FILES } from '../../server/shell/vfs.js';

function shell() {
  const state = createCluster(demoClusterSpec, 1);
  const session = newSession(state);
  return { state, session, run: (line: string) => runLine(state, session, line) };
}

describe('the fix workflow on files', () => {
  it('get -o yaml > file, sed -i, apply -f file changes the object', () => {
    const { run } = shell();
    expect(run('kubectl get cm -n kube-system coredns -o yaml > cm.yaml')).toEqual({ output: '', exitCode: 0 });
    expect(run('grep -c "cache 30" cm.yaml').output).toBe('1\n');
    expect(run("sed -i 's/cache 30/cache 60/' cm.yaml && kubectl apply -f cm.yaml").output).toBe(`${missingAnnotationWarning('configmaps/coredns')}configmap/coredns configured\n`);
    expect(run("kubectl get cm -n kube-system coredns -o jsonpath='{.data.Corefile}' | grep -o 'cache [0-9]*'").output).toBe('cache 60\n');
    run('mkdir manifests && kubectl get deploy -o yaml > manifests/all.yaml');
    expect(run('kubectl apply -f manifests/ | head -1').output).toMatch(/^(Warning: resource deployments\/\S+ is missing .*\n)*deployment\.apps\/\S+ (unchanged|configured)\n$/);
  });

  it('the workstation writes home and /tmp only; the prompt shows the directory', () => {
    const { state, session, run } = shell();
    expect(run('echo x > /etc/hosts').output).toBe('bash: /etc/hosts: Permission denied\n');
    expect(run('echo x > /proc/x').output).toBe('bash: /proc/x: Read-only file system\n');
    expect(run('echo x > /tmp/nodir/f').output).toBe('bash: /tmp/nodir/f: No such file or directory\n');
    expect(run('mkdir /opt/x').output).toBe("mkdir: cannot create directory '/opt/x': Permission denied\n");
    run('mkdir -p ~/work/sub && cd ~/work/sub');
    expect(prompt(state, session)).toMatch(/player@workstation:~\/work\/sub\$ $/);
    run('cd /tmp');
    expect(prompt(state, session)).toMatch(/player@workstation:\/tmp\$ $/);
    expect(run('cd /nowhere').output).toBe('bash: cd: /nowhere: No such file or directory\n');
  });

  it('on a node: /tmp for the login user, /etc and kubelet config for root, shared by the node', () => {
    const { state, run } = shell();
    run('ssh worker-1');
    expect(run('echo x > /etc/kubernetes/x.conf').output).toBe('bash: /etc/kubernetes/x.conf: Permission denied\n');
    run('echo note > /tmp/note');
    expect(state.nodes['worker-1']!.host.files['/tmp/note']).toBe('note\n');
    run('sudo -i');
    expect(run('echo "maxPods: 50" >> /var/lib/kubelet/config.yaml; tail -1 /var/lib/kubelet/config.yaml').output).toBe('maxPods: 50\n');
    expect(run('echo x > /usr/bin/evil').output).toBe('bash: /usr/bin/evil: Read-only file system\n');
    // Another player on the same node sees the file.
    const other = newSession(state);
    runLine(state, other, 'ssh worker-1');
    expect(runLine(state, other, 'cat /tmp/note').output).toBe('note\n');
  });

  it('is bounded: file size, file count', () => {
    const { run } = shell();
    expect(run("printf '%01000000d' 1 > big; printf '%0100000d' 1 >> big").output).toBe("bash: /home/player/big: write error: File too large\n");
    const many = run(`touch f{1..${MAX_WRITTEN_FILES + 5}} 2>&1 | tail -1`);
    expect(many.output).toBe(`touch: cannot touch 'f${MAX_WRITTEN_FILES + 5}': No space left on device\n`);
  });

  it('vi/nano open the editor on the file; the save line writes it', () => {
    const { run } = shell();
    run('echo old > f.txt');
    const opened = run('vim f.txt');
    expect(opened).toEqual({ output: '', exitCode: 0, edit: { title: 'f.txt', text: 'old\n', save: 'vim f.txt' } });
    expect(run(editLine(opened.edit!.save, 'new\ntext\n'))).toEqual({ output: '', exitCode: 0 });
    expect(run('cat f.txt').output).toBe('new\ntext\n');
    expect(run('nano new.yaml').edit).toEqual({ title: 'new.yaml', text: '', save: 'nano new.yaml' });
    expect(run(editLine('vi /etc/hosts', 'x')).output).toBe('"/etc/hosts" E212: Can\'t open file for writing: Permission denied\n');
    expect(run('vi').output).toBe('vi: a file name is needed here (vi FILE)\n');
  });

  it('replaying the same lines rebuilds the same files', () => {
    const lines = ['echo a > x', 'mkdir d; cp x d/y; echo b >> d/y', 'mv x z', 'cat d/y z; ls'];
    const outputs = () => {
      const { session, run } = shell();
      return { out: lines.map((l) => run(l).output), files: session.files };
    };
    const first = outputs();
    expect(first.out.at(-1)).toBe('a\nb\na\nd\nz\n');
    expect(outputs()).toEqual(first);
  });
});

describe('completion of file names', () => {
  it('offers the files and directories of the workstation, relative or absolute', () => {
    const { state, session, run } = shell();
    run('mkdir manifests; touch manifests/web.yaml cm.yaml');
    const at = (line: string) => complete(state, session, line, line.length).candidates;
    expect(at('cat c')).toEqual(['cm.yaml']);
    expect(at('vi man')).toEqual(['manifests/']);
    expect(at('kubectl apply -f manifests/w')).toEqual(['manifests/web.yaml']);
    expect(at('ls /tm')).toEqual(['/tmp/']);
  });
});
