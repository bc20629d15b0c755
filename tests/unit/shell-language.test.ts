// The parts of the language a differential test against bash cannot show: kubectl in loops,
// aliases on the workstation, the per-line budget, completion after keywords, time.
import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec } from '../../server/cluster/index.js';
import { complete, needsMoreInput, newSession, runLine } from '../../server/shell/index.js';
import { MAX_COMMANDS_PER_LINE } from '../../server/shell/limits.js';

function shell() {
  const state = createCluster(demoClusterSpec, 1);
  const session = newSession(state);
  return { state, session, run: (line: string) => runLine(state, session, line) };
}

const stopped = `bash: more than ${MAX_COMMANDS_PER_LINE} commands in one line: stopped\n`;

describe('the language around kubectl', () => {
  it('while read takes one line per iteration; kubectl inside does not eat the rest', () => {
    const { run } = shell();
    const out = run('kubectl get nodes --no-headers | while read name status rest; do kubectl get node $name -o name; echo "$status"; done');
    expect(out.output).toBe('node/cp-1\nReady\nnode/worker-1\nReady\nnode/worker-2\nReady\n');
    expect(run('kubectl get nodes --no-headers | while read n rest; do cat >/dev/null; echo $n; done').output).toBe('cp-1\n');
  });

  it('functions, case and arithmetic over kubectl output', () => {
    const { run } = shell();
    run('count() { kubectl get pods -A --no-headers | wc -l; }');
    const n = Number(run('count').output.trim());
    expect(n).toBeGreaterThan(3);
    expect(run('echo $(( $(count) * 2 ))').output).toBe(`${n * 2}\n`);
    expect(run('for n in $(kubectl get nodes -o name); do case $n in */cp-*) echo "control $n";; *) echo "worker $n";; esac; done').output)
      .toBe('control node/cp-1\nworker node/worker-1\nworker node/worker-2\n');
  });

  it('aliases: k by default on the workstation, new ones from the next line on, none on nodes', () => {
    const { run } = shell();
    expect(run('k get nodes -o name | head -1').output).toBe('node/cp-1\n');
    expect(run('alias kgp="kubectl get pods"; kgp 2>&1 | head -c 0; echo same-line').output).toBe('same-line\n');
    expect(run('kgp -n kube-system --no-headers | wc -l').output).not.toBe('0\n');
    expect(run('type kgp').output).toBe("kgp is aliased to `kubectl get pods'\n");
    run('unalias k');
    expect(run('k get nodes').output).toBe('bash: k: command not found\n');
    run('ssh cp-1');
    expect(run('kgp').output).toBe('bash: kgp: command not found\n');
  });

  it('wait PID reports a background list\'s status on a later line too', () => {
    // bash keeps finished jobs' statuses for the shell's life; `$!` and `wait` pair across lines.
    const { run } = shell();
    run('false &');
    expect(run('wait $!; echo $?').output).toBe('1\n');
    expect(run('wait 12; echo $?').output).toBe('bash: wait: pid 12 is not a child of this shell\n127\n');
  });

  it('state persists between lines: functions, arrays, options', () => {
    const { run } = shell();
    run('nodes=($(kubectl get nodes -o name)); greet() { echo "hi $1"; }');
    expect(run('echo ${#nodes[@]}; greet ${nodes[0]#node/}').output).toBe('3\nhi cp-1\n');
    run('set -o pipefail');
    expect(run('false | true; echo $?').output).toBe('1\n');
    expect(run('set -x; echo traced; set +x').output).toBe('+ echo traced\ntraced\n+ set +x\n');
  });

  it('time prints the timing lines; $! and PIPESTATUS are set', () => {
    const { run } = shell();
    expect(run('time true')).toEqual({ output: '\nreal\t0m0.000s\nuser\t0m0.000s\nsys\t0m0.000s\n', exitCode: 0 });
    expect(run('true | false | true; echo ${PIPESTATUS[@]}').output).toBe('0 1 0\n');
    expect(run('true & echo $!').output).toMatch(/^\d+\n$/);
  });
});

describe('needsMoreInput for the new compound commands', () => {
  it('asks for more lines while one is open, not after it closes', () => {
    const open = ['while true; do', 'until false', 'case x in', 'case x in a) echo', 'f() {', '{ echo a;', '( echo a', 'echo $((1 +', '[[ a ==', 'for ((i=0; i<3; i++)); do'];
    const closed = ['while true; do :; done', 'case x in a) echo;; esac', 'f() { :; }', '{ echo a; }', '( echo a )', 'echo $((1 + 2))', '[[ a == a ]]'];
    expect(open.filter((t) => !needsMoreInput(t))).toEqual([]);
    expect(closed.filter((t) => needsMoreInput(t))).toEqual([]);
  });
});

describe('the per-line budget', () => {
  it.each([
    'while true; do :; done',
    'until false; do :; done',
    'for ((;;)); do :; done',
    'f() { f; }; f',
    'while :; do echo y; done | head -2',
    'x=$(while true; do echo a; done); echo ${#x}',
    'g() { while :; do :; done; }; g',
  ])('stops %s at once', (line) => {
    const { run } = shell();
    const result = run(line);
    expect(result.exitCode).toBe(1);
    expect(result.output === stopped || result.output.startsWith('bash: f: maximum function nesting')).toBe(true);
    expect(run('echo fine').output).toBe('fine\n');
  });
});

describe('completion after keywords', () => {
  it.each([
    ['while true; do kubectl desc', ['describe']],
    ['until false; do kubectl desc', ['describe']],
    ['case x in a) kubectl desc', ['describe']],
    ['{ kubectl desc', ['describe']],
    ['( kubectl desc', ['describe']],
    ['f() { kubectl desc', ['describe']],
    ['time kubectl desc', ['describe']],
    ['x=$(kubectl desc', ['describe']],
    ['true && kubectl desc', ['describe']],
  ])('%s', (line, expected) => {
    const { state, session } = shell();
    expect(complete(state, session, line, line.length).candidates).toEqual(expected);
  });

  it('completes after an alias of kubectl as after what it stands for', () => {
    const { state, session, run } = shell();
    run('alias kg="kubectl get"');
    expect(complete(state, session, 'kg no', 5).candidates).toEqual(['no', 'nodes']);
    expect(complete(state, session, 'k desc', 6).candidates).toEqual(['describe']);
  });

  it('offers functions and aliases as commands', () => {
    const { state, session, run } = shell();
    run('mycheck() { :; }; alias mykg="kubectl get"');
    expect(complete(state, session, 'my', 2).candidates).toEqual(['mycheck', 'mykg']);
  });
});

describe('the first minute: completion and type', () => {
  // bash's `type -t/-P` words; `source <(kubectl completion bash)` and `complete -F … k` leave the shell working.
  it('sources kubectl completion, registers an alias and answers type like bash', () => {
    const { run } = shell();
    expect(run('source <(kubectl completion bash); alias k=kubectl; complete -o default -F __start_kubectl k; k get ns default -o name').output).toBe('namespace/default\n');
    expect(run('kubectl completion bash | head -1').output).toBe('# Copyright 2016 The Kubernetes Authors.\n');
    expect(run('kubectl completion tcsh').output).toBe('error: Unsupported shell type "tcsh".\n');
    expect(run('type -t k kubectl if cd __start_kubectl').output).toBe('alias\nfile\nkeyword\nbuiltin\nfunction\n');
    expect(run('type -P ls; type if; type -t nothere; echo $?').output).toBe('/usr/bin/ls\nif is a shell keyword\n1\n');
  });
});

describe('env and printenv', () => {
  // coreutils env/printenv: NAME=value lines; env runs a command with assignments added; printenv exits 1 for an unset name.
  it('print the environment, run a command with more of it, and look names up', () => {
    const { run } = shell();
    expect(run('export FOO=bar; env | grep -E "^(FOO|HOME)=" | sort').output).toBe('FOO=bar\nHOME=/home/player\n');
    expect(run('env X=1 Y=2 | grep -E "^[XY]="').output).toBe('X=1\nY=2\n');
    expect(run('env KUBECONFIG=$HOME/.kube/config kubectl get ns default -o name').output).toBe('namespace/default\n');
    // A KUBECONFIG naming no file is an empty config: kubectl falls back to localhost:8080.
    expect(run('env KUBECONFIG=/tmp/x kubectl get ns default -o name').output).toBe('The connection to the server localhost:8080 was refused - did you specify the right host or port?\n');
    expect(run('printenv HOME NOPE; echo $?').output).toBe('/home/player\n1\n');
    expect(run('env nosuch').output).toBe("env: ‘nosuch’: No such file or directory\n"); // coreutils quotes with ‘’ under C.UTF-8, as date does
  });
});
