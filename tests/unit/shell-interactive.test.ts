// Interactive shells in containers: `kubectl exec -it POD -- sh|bash`, `kubectl run -it --rm`,
// `kubectl debug node/X -it` (host at /host, `chroot /host`). The session moves inside like
// `ssh NODE` moves it to a node (login.ts keeps where each shell was opened), the prompt is the
// image's, the image's tools run there, `exit` returns, and all of it is rebuilt by replaying
// the lines. Messages: kubectl v1.29 pkg/cmd/exec/exec.go ("command terminated with exit code"),
// pkg/cmd/attach/attach.go ("If you don't see a command prompt…", "Session ended, resume using…"),
// pkg/cmd/debug/debug.go ("Creating debugging pod … on node …"); runc's exec error for a
// missing program; busybox ash `sh: X: not found`, dash `sh: 1: X: not found`, bash's `exit`.
import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec, tick } from '../../server/cluster/index.js';
import type { ClusterState } from '../../server/cluster/types.js';
import { factInterest } from '../../server/scenarios/facts.js';
import { newSession, prompt, runLine } from '../../server/shell/index.js';
import { MAX_NESTED_SHELLS } from '../../server/shell/login.js';

function cluster() {
  const state = createCluster(demoClusterSpec, 1);
  const session = newSession(state);
  const sh = (line: string) => runLine(state, session, line, { advance: (ms) => tick(state, ms) });
  const here = () => prompt(state, session);
  return { state, session, sh, here };
}

const podOf = (state: ClusterState, prefix: string) => Object.values(state.pods).find((p) => p.metadata.name.startsWith(prefix))!.metadata.name;
const WORKSTATION = '(kubernetes-admin@kubedrill-demo:default) player@workstation:~$ ';

describe('kubectl exec -it', () => {
  it('opens a busybox shell with its prompt and applets, exit comes back', () => {
    const { state, sh, here } = cluster();
    const api = podOf(state, 'api-'); // a small app image: busybox applets
    expect(sh(`kubectl exec -it ${api} -- sh`)).toMatchObject({ output: '', exitCode: 0 });
    expect(here()).toBe('/ # ');
    expect(sh('cat /etc/resolv.conf | grep nameserver').output).toBe('nameserver 10.96.0.10\n');
    expect(sh('hostname').output).toBe(`${api}\n`);
    expect(sh('echo $HOSTNAME $HOME $USER').output).toBe(`${api} /root root\n`);
    expect(sh('nslookup kubernetes.default').output).toContain('Address: 10.96.0.1\n');
    expect(sh('kubectl get pods')).toMatchObject({ output: 'sh: kubectl: not found\n', exitCode: 127 });
    sh('cd /tmp');
    expect(here()).toBe('/tmp # ');
    expect(sh('exit')).toMatchObject({ output: '', exitCode: 0 });
    expect(here()).toBe(WORKSTATION);
  });

  it('bash images: Debian prompt, `exit` said, a non-zero status reported by kubectl', () => {
    const { state, sh, here } = cluster();
    const web = podOf(state, 'web-');
    sh(`kubectl exec -it ${web} -- bash`);
    expect(here()).toBe(`root@${web}:/# `);
    expect(sh('curl -s -o /dev/null -w "%{http_code}\\n" http://web').output).toBe('200\n');
    expect(sh('exit 3')).toMatchObject({ output: 'exit\ncommand terminated with exit code 3\n', exitCode: 3 });
    expect(sh('echo $?').output).toBe('3\n');
    // dash as sh on Debian: `# ` and its own not-found line.
    sh(`kubectl exec -it ${web} -- sh`);
    expect(here()).toBe('# ');
    expect(sh('dig').output).toBe('sh: 1: dig: not found\n');
    sh('exit');
  });

  it('distroless images have no shell: the runtime\'s exec error', () => {
    const { state, sh, here } = cluster();
    const res = sh(`kubectl exec -it -n kube-system ${podOf(state, 'coredns-')} -- sh`);
    expect(res.exitCode).toBe(1);
    expect(res.output).toMatch(/^error: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "[0-9a-f]{64}": OCI runtime exec failed: exec failed: unable to start container process: exec: "sh": executable file not found in \$PATH: unknown\n$/);
    expect(here()).toBe(WORKSTATION);
    expect(sh(`kubectl exec -it -n kube-system etcd-cp-1 -- sh`).output).toContain('exec: "sh": executable file not found in $PATH');
    // busybox has no bash either.
    expect(sh(`kubectl exec -it ${podOf(state, 'api-')} -- bash`).output).toContain('exec: "bash": executable file not found in $PATH');
  });

  it('files written inside stay in the container; the workstation\'s are not there', () => {
    const { state, sh } = cluster();
    sh('echo mine > ~/notes.txt');
    sh(`kubectl exec -it ${podOf(state, 'api-')} -- sh`);
    expect(sh('echo hi > /tmp/x; cat /tmp/x; ls /tmp').output).toBe('hi\nx\n');
    expect(sh('cat /home/player/notes.txt').output).toBe('cat: /home/player/notes.txt: No such file or directory\n');
    sh('exit');
    expect(sh('cat /tmp/x').output).toBe('cat: /tmp/x: No such file or directory\n');
    expect(sh('cat ~/notes.txt').output).toBe('mine\n');
  });

  it('what a command in the shell shows counts as seen, like kubectl exec', () => {
    const { state, session, sh } = cluster();
    sh(`kubectl exec -it ${podOf(state, 'api-')} -- sh`);
    const interest = factInterest([{ source: 'dns', field: 'nslookup' }]);
    const res = runLine(state, session, 'nslookup kubernetes.default', { interest });
    expect(res.observed?.length).toBeGreaterThan(0);
  });

  it('from a control-plane node as root, exit comes back to root on the node', () => {
    const { state, sh, here } = cluster();
    sh('ssh cp-1');
    sh('sudo -i');
    sh(`kubectl exec -it ${podOf(state, 'api-')} -- sh`);
    expect(here()).toBe('/ # ');
    sh('exit');
    expect(here()).toBe('root@cp-1:~# ');
    expect(sh('exit').output).toBe('logout\n');
    expect(sh('exit').output).toBe('logout\nConnection to cp-1 closed.\n');
    expect(here()).toBe(WORKSTATION);
  });

  it('a shell whose pod goes away ends: the next line runs where it was opened', () => {
    const { state, sh, here } = cluster();
    const api = podOf(state, 'api-');
    sh(`kubectl exec -it ${api} -- sh`);
    delete state.pods[`default/${api}`];
    expect(sh('echo back')).toMatchObject({ output: 'command terminated with exit code 137\nback\n', exitCode: 0 });
    expect(here()).toBe(WORKSTATION);
  });

  it('$0 is the interactive shell\'s name: sh typed at the terminal, the container\'s shell', () => {
    const { state, sh } = cluster();
    expect(sh('echo $0').output).toBe('bash\n');
    sh('sh');
    // dash's own wording inside it: `local` and `**` are not dash's.
    expect(sh('echo $0; local x').output).toBe('sh\nsh: 1: local: not in a function\n');
    sh('bash');
    expect(sh('echo $0').output).toBe('bash\n');
    sh('exit');
    sh('exit');
    sh(`kubectl exec -it ${podOf(state, 'api-')} -- sh`);
    expect(sh('echo $0').output).toBe('sh\n');
  });

  it('shells in shells stop at a depth, with the shell\'s fork error', () => {
    const { state, session, sh } = cluster();
    sh(`kubectl exec -it ${podOf(state, 'api-')} -- sh`);
    let refused = '';
    for (let i = 0; i < MAX_NESTED_SHELLS + 5 && refused === ''; i++) {
      const res = sh('sh');
      if (res.exitCode !== 0) refused = res.output;
    }
    expect(refused).toBe("sh: can't fork: Resource temporarily unavailable\n");
    expect(session.outer!.length).toBe(MAX_NESTED_SHELLS);
    // Each `exit` leaves one; the last one leaves the container.
    for (let i = 0; i < MAX_NESTED_SHELLS; i++) sh('exit');
    expect(session.container).toBeUndefined();
    expect(session.outer).toBeUndefined();
  });
});

describe('kubectl run -it', () => {
  it('--rm busybox: the shell, then kubectl\'s session-end line and the deletion', () => {
    const { state, sh, here } = cluster();
    expect(sh('kubectl run -it --rm tmp --image=busybox -- sh')).toMatchObject({ output: "If you don't see a command prompt, try pressing enter.\n", exitCode: 0 });
    expect(here()).toBe('/ # ');
    expect(state.pods['default/tmp']?.status.phase).toBe('Running');
    expect(sh('wget -qO- http://web').exitCode).toBe(0);
    expect(sh('exit').output).toBe("Session ended, resume using 'kubectl attach tmp -c tmp -i -t' command when the pod is running\npod \"tmp\" deleted\n");
    expect(state.pods['default/tmp']).toBeUndefined();
    expect(here()).toBe(WORKSTATION);
  });

  it('netshoot with bash: Alpine\'s bash prompt in /root, dig', () => {
    const { sh, here } = cluster();
    sh('kubectl run -it netshoot --image=nicolaka/netshoot -- bash');
    expect(here()).toBe('netshoot:~# ');
    expect(sh('dig +short kubernetes.default.svc.cluster.local').output).toBe('10.96.0.1\n');
    expect(sh('exit').output).toBe("exit\nSession ended, resume using 'kubectl attach netshoot -c netshoot -i -t' command when the pod is running\n");
    // A pod that does not restart its container: nothing to attach to again (attach.go checks RestartPolicyAlways).
    sh('kubectl run -it --rm once --restart=Never --image=busybox');
    expect(sh('exit').output).toBe('pod "once" deleted\n');
  });
});

describe('kubectl debug node/X -it', () => {
  it('a pod on the node with its filesystem at /host; chroot /host is root on the node', () => {
    const { state, sh, here } = cluster();
    const res = sh('kubectl debug node/worker-1 -it --image=busybox');
    expect(res.exitCode).toBe(0);
    expect(res.output).toMatch(/^Creating debugging pod node-debugger-worker-1-[a-z0-9]{5} with container debugger on node worker-1\.\nIf you don't see a command prompt, try pressing enter\.\n$/);
    const pod = Object.values(state.pods).find((p) => p.metadata.name.startsWith('node-debugger-worker-1-'))!;
    expect(pod.spec).toMatchObject({ nodeName: 'worker-1', hostNetwork: true });
    expect(here()).toBe('/ # ');
    expect(sh('cat /host/etc/hostname').output).toBe('worker-1\n');
    expect(sh('ls /host/etc').output).toContain('fstab\n');
    sh('chroot /host');
    expect(here()).toBe('root@worker-1:/# ');
    expect(sh('systemctl is-active kubelet').output).toBe('active\n');
    expect(sh('exit').output).toBe('');
    expect(here()).toBe('/ # ');
    sh('exit');
    expect(here()).toBe(WORKSTATION);
    expect(sh('kubectl debug node/nope -it --image=busybox').output).toBe('Error from server (NotFound): nodes "nope" not found\n');
  });
});

describe('replay', () => {
  it('the same lines on the same seed rebuild the same session and outputs; a clone mid-session goes on alike', () => {
    const lines = [
      'kubectl run -it --rm t --image=busybox -- sh', 'echo x > /tmp/a', 'sh', 'cat /tmp/a', 'exit', 'nslookup web',
      'exit', 'kubectl debug node/worker-2 -it --image=nicolaka/netshoot -- bash', 'chroot /host', 'whoami',
    ];
    const a = cluster();
    const b = cluster();
    for (const line of lines) expect(b.sh(line)).toEqual(a.sh(line));
    expect(b.session).toEqual(a.session);
    const state = structuredClone(a.state);
    const session = structuredClone(a.session);
    for (const line of ['exit', 'cat /host/etc/hostname', 'exit']) {
      expect(runLine(state, session, line)).toEqual(a.sh(line));
    }
    expect(prompt(state, session)).toBe(WORKSTATION);
  });
});
