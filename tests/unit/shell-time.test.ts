// `sleep` lets the room's simulated time pass, through the scenario (its timeline runs), bounded
// per line; `date` follows; running the same lines again gives the same clock (replay).
import { describe, expect, it } from 'vitest';
import { loadScenarioCatalog } from '../../server/rooms/scenario-runtime.js';
import { loadScenarioDir } from '../../server/scenarios/index.js';
import { MAX_SLEEP_PER_LINE_MS } from '../../server/shell/limits.js';
import { MAX_FRAMES } from '../../server/shell/watch.js';
import { MAX_WATCH_MS } from '../../server/shell/kubectl/watching.js';
import { seedDrawing } from '../helpers/pinned.js';
import { createCluster, demoClusterSpec, tick } from '../../server/cluster/index.js';
import { continueStream, interruptStream, newSession, runLine } from '../../server/shell/index.js';

const { catalog } = loadScenarioCatalog();
// A case whose CoreDNS pods run (the upstream is dead, the pods are fine): rollouts finish, watches show Running rows.
const SEED = seedDrawing(loadScenarioDir().scenarios.find((s) => s.id === 'coredns-down')!, 'upstream');

function room() {
  const rt = catalog.runtime('coredns-down', SEED)!;
  const cluster = rt.start();
  const session = rt.newSession(cluster);
  return { cluster, run: (line: string) => rt.runLine(cluster, session, line) };
}

describe('sleep', () => {
  it('advances the simulated clock within the line; date follows', () => {
    const { cluster, run } = room();
    const before = cluster.now;
    const out = run('date +%s; sleep 90; date +%s; sleep 1m 0.5s').output.split('\n');
    expect(Number(out[1]) - Number(out[0])).toBe(90);
    expect(cluster.now - before).toBe(150_500);
  });

  it('lets at most five minutes pass per line, and says so', () => {
    const { cluster, run } = room();
    const before = cluster.now;
    expect(run('sleep 200; sleep 200; echo awake')).toMatchObject({ output: 'sleep: simulated time passes at most 5 minutes per line\nawake\n', exitCode: 0 });
    expect(cluster.now - before).toBe(MAX_SLEEP_PER_LINE_MS);
    expect(run('sleep x').output).toBe("sleep: invalid time interval 'x'\nTry 'sleep --help' for more information.\n");
  });

  it('sleep infinity: typed alone at a terminal it blocks until Ctrl-C (the room\'s clock goes on); elsewhere it lets the line\'s allowance pass', () => {
    const state = createCluster(demoClusterSpec, 1);
    const session = newSession(state);
    const before = state.now;
    // coreutils reads the interval with strtod (xstrtod): "inf"/"infinity" in any case is forever.
    expect(runLine(state, session, 'sleep infinity', { interactive: true })).toMatchObject({ output: '', exitCode: 0, streaming: true });
    expect(state.now).toBe(before);
    tick(state, 60_000);
    expect(continueStream(state, session)).toEqual({ output: '', ended: false });
    expect(interruptStream(session)).toBe('^C\n');
    expect(runLine(state, session, 'echo $?').output).toBe('130\n');
    const { cluster, run } = room();
    const start = cluster.now;
    expect(run('sleep INF; echo after')).toMatchObject({ output: 'sleep: simulated time passes at most 5 minutes per line\nafter\n', exitCode: 0 });
    expect(cluster.now - start).toBe(MAX_SLEEP_PER_LINE_MS);
  });

  it('is deterministic: the same lines give the same clock and output', () => {
    const lines = ['kubectl get pods -A | wc -l', 'sleep 120', 'kubectl get pods -A | wc -l; date'];
    const play = () => {
      const { cluster, run } = room();
      return { out: lines.map((l) => run(l).output), now: cluster.now };
    };
    expect(play()).toEqual(play());
  });
});

describe('watch', () => {
  it('runs the command every N simulated seconds, with its title, up to a bound or a change', () => {
    const { cluster, run } = room();
    const before = cluster.now;
    const out = run('watch -n 5 date +%s').output;
    const frames = out.split('\n').filter((l) => /^\d+$/.test(l)).map(Number);
    expect(frames).toHaveLength(MAX_FRAMES);
    expect(frames.slice(1).map((t, i) => t - frames[i]!)).toEqual(Array(MAX_FRAMES - 1).fill(5));
    expect(out).toMatch(/^Every 5\.0s: date \+%s {2,}workstation: \w{3} \w{3} \d+ [\d:]{8} \d{4}\n\n\d+\n/);
    expect(cluster.now - before).toBe((MAX_FRAMES - 1) * 5000);
    expect(run('watch -t -g -n 1 date +%s').output.trim().split('\n')).toHaveLength(2);
    expect(run('watch').exitCode).toBe(1);
  });
});

describe('kubectl rollout status', () => {
  it('waits as simulated time passes, printing each new status, until rolled out', () => {
    const { cluster, run } = room();
    const deploy = run('kubectl get deploy -A --no-headers | head -1').output.trim().split(/\s+/);
    expect(run(`kubectl rollout restart deploy/${deploy[1]} -n ${deploy[0]}`).exitCode).toBe(0);
    const before = cluster.now;
    const status = run(`kubectl rollout status deploy/${deploy[1]} -n ${deploy[0]}`);
    expect(status.output).toMatch(new RegExp(`^Waiting for deployment .*\\n(.*\\n)*deployment "${deploy[1]}" successfully rolled out\\n$`));
    expect(status.output).toContain(`Waiting for deployment "${deploy[1]}" rollout to finish: `);
    expect(cluster.now).toBeGreaterThan(before);
    expect(run(`kubectl rollout status deploy/${deploy[1]} -n ${deploy[0]}`).output).toBe(`deployment "${deploy[1]}" successfully rolled out\n`);
  });
});

// kubectl polymorphichelpers/rollout_status.go DaemonSetStatusViewer; rollout_status.go's
// UntilWithSync ends a --timeout with wait.ErrWaitTimeout.
describe('kubectl rollout status of a daemonset, and --timeout', () => {
  it('waits for a restarted daemonset with DaemonSetStatusViewer\'s lines', () => {
    const { run } = room();
    expect(run('kubectl rollout restart ds/kube-proxy -n kube-system').exitCode).toBe(0);
    const status = run('kubectl rollout status ds/kube-proxy -n kube-system');
    expect(status.output).toMatch(/^Waiting for daemon set spec update to be observed\.\.\.\nWaiting for daemon set "kube-proxy" rollout to finish: \d+ out of \d+ new pods have been updated\.\.\.\n/);
    expect(status.output).toMatch(/\nWaiting for daemon set "kube-proxy" rollout to finish: \d+ of \d+ updated pods are available\.\.\.\n/);
    expect(status.output.endsWith('daemon set "kube-proxy" successfully rolled out\n')).toBe(true);
    expect(run('kubectl rollout status daemonset kube-proxy -n kube-system')).toMatchObject({ output: 'daemon set "kube-proxy" successfully rolled out\n', exitCode: 0 });
  });
  it('gives up after --timeout with kubectl\'s error, exit 1', () => {
    const { cluster, run } = room();
    // Requests no node can hold: the new pods stay Pending.
    run('kubectl set resources deploy/coredns -n kube-system --requests=cpu=64');
    const before = cluster.now;
    const status = run('kubectl rollout status deploy/coredns -n kube-system --timeout=5s');
    expect(status.output).toMatch(/^(Waiting for deployment .*\n)+error: timed out waiting for the condition\n$/);
    expect(status.exitCode).toBe(1);
    expect(cluster.now - before).toBe(5000);
    expect(run('kubectl rollout status deploy/coredns -n kube-system --timeout=5x').output).toBe('error: invalid argument "5x" for "--timeout" flag: time: invalid duration "5x"\nSee \'kubectl rollout status --help\' for usage.\n');
  });
});

describe('kubectl get -w', () => {
  it('lists, then prints a row per object written as simulated time passes (bounded)', () => {
    const { cluster, run } = room();
    run('kubectl scale deploy/coredns -n kube-system --replicas=3');
    const before = cluster.now;
    const out = run('kubectl get pods -n kube-system -l k8s-app=kube-dns -w').output.split('\n');
    expect(out[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    const listed = run('kubectl get pods -n kube-system -l k8s-app=kube-dns --no-headers').output.split('\n').length - 1;
    const watched = out.slice(1 + listed).filter((l) => l !== '');
    expect(watched.length).toBeGreaterThan(0); // rows of pods written while the watch ran
    expect(watched.every((l) => /^coredns-\S+\s+\d\/\d\s+\w+\s+\d+\s+\d+[smhd](\d+[smh])?$/.test(l))).toBe(true);
    expect(cluster.now - before).toBe(MAX_WATCH_MS);
  });

  // --request-timeout bounds the watch request too (client-go clientcmd ParseTimeout: whole
  // seconds or a Go duration); when the apiserver closes it, get.go's watch() returns nil:
  // kubectl exits 0 without a word.
  it('ends when the watch request\'s --request-timeout runs out, quietly', () => {
    const { cluster, run } = room();
    let before = cluster.now;
    expect(run('kubectl get pods -n kube-system -l k8s-app=kube-dns -w --request-timeout=5s')).toMatchObject({ exitCode: 0 });
    expect(cluster.now - before).toBe(5000);
    before = cluster.now;
    expect(run('kubectl get pods -A -w --request-timeout 3').exitCode).toBe(0);
    expect(cluster.now - before).toBe(3000);
    expect(run('kubectl get pods -w --request-timeout=5x').output).toMatch(/error: Invalid timeout value\. Timeout must be a single integer in seconds, or an integer followed by a unit of time \(i\.e\. 1s \| 2m \| 3h\)\n$/);
    // Go has no day unit, and more seconds than an int64 holds are no integer to it (checked against kubectl 1.32).
    for (const value of ['1d', '99999999999999999999']) expect(run(`kubectl get pods -w --request-timeout=${value}`).output).toMatch(/^error: Invalid timeout value\./);
  });
});

describe('kubectl logs -f', () => {
  it('follows for a bounded stretch of simulated time, after what logs prints', () => {
    const { cluster, run } = room();
    const plain = run('kubectl logs -n kube-system deploy/coredns').output;
    const before = cluster.now;
    const followed = run('kubectl logs -n kube-system deploy/coredns -f').output;
    expect(followed.startsWith(plain)).toBe(true);
    // Until the bound, or until the pod goes (this scenario's fault replaces CoreDNS's pods).
    expect(cluster.now - before).toBeGreaterThan(0);
    expect(cluster.now - before).toBeLessThanOrEqual(MAX_WATCH_MS);
  });
});

describe('time', () => {
  it('reports the simulated time the pipeline let pass, in bash\'s %lR layout', () => {
    const { run } = room();
    // bash's TIMEFORMAT default: '\nreal\t%3lR\nuser\t%3lU\nsys\t%3lS' (execute_cmd.c).
    expect(run('time sleep 2').output).toBe('\nreal\t0m2.000s\nuser\t0m0.000s\nsys\t0m0.000s\n');
    expect(run('time sleep 61.5').output).toBe('\nreal\t1m1.500s\nuser\t0m0.000s\nsys\t0m0.000s\n');
  });

  it('a lookup that waits out a resolver timeout takes those seconds', () => {
    // dns-slow, variant nodelocal: the debug pod's node has no node-local-dns; 169.254.20.10 mostly times out.
    const id = 'dns-slow';
    const rt = catalog.runtime(id, seedDrawing(loadScenarioDir().scenarios.find((s) => s.id === id)!, 'nodelocal'))!;
    const cluster = rt.start();
    const session = rt.newSession(cluster);
    const debug = Object.values(cluster.pods).find((p) => p.metadata.name.endsWith('-debug'))!;
    const reals = Array.from({ length: 6 }, () => {
      const out = rt.runLine(cluster, session, `time kubectl exec -n ${debug.metadata.namespace} ${debug.metadata.name} -- getent hosts kubernetes.default`).output;
      return Number(/real\t0m(\d+\.\d+)s/.exec(out)?.[1]);
    });
    expect(reals.some((s) => s >= 5)).toBe(true);
    expect(reals.every((s) => s === 0 || s >= 5)).toBe(true);
    // curl resolves with getaddrinfo too: the same waits before it connects.
    const curls = Array.from({ length: 6 }, () => {
      const out = rt.runLine(cluster, session, `time kubectl exec -n ${debug.metadata.namespace} ${debug.metadata.name} -- curl -s -o /dev/null http://kubernetes.default`).output;
      return Number(/real\t0m(\d+\.\d+)s/.exec(out)?.[1]);
    });
    expect(curls.some((s) => s >= 5)).toBe(true);
  });
});

describe('sleep in a game day', () => {
  it('what time changes while a player sleeps is not credited to that player', () => {
    const rt = catalog.runtime('coredns-down', 1)!;
    const cluster = rt.start();
    const session = rt.newSession(cluster);
    rt.runLine(cluster, session, 'sleep 120', 'ana');
    expect(cluster.actors?.changes.ana).toBeUndefined();
    rt.runLine(cluster, session, 'kubectl scale deploy/coredns -n kube-system --replicas=3; sleep 30', 'ana');
    expect(cluster.actors?.changes.ana).toBe(1);
  });
});

describe('kubectl wait', () => {
  it('lets simulated time pass until the condition holds, within --timeout', () => {
    const { cluster, run } = room();
    run('kubectl scale deploy/coredns -n kube-system --replicas=3');
    const before = cluster.now;
    const out = run('kubectl wait --for=condition=Available=true deploy/coredns -n kube-system --timeout=2m');
    expect(out).toMatchObject({ output: 'deployment.apps/coredns condition met\n', exitCode: 0 });
    const waited = cluster.now - before;
    expect(waited % 1000).toBe(0);
    // Ready pods, once new ones start: the same wait on them now holds at once.
    const pods = run('kubectl get pods -n kube-system -l k8s-app=kube-dns -o name').output.trim().split('\n');
    const again = cluster.now;
    const ready = run(`kubectl wait --for=condition=Ready --timeout=90s -n kube-system ${pods.join(' ')}`);
    expect(ready.output).toBe(pods.map((p) => `${p} condition met\n`).join(''));
    expect(ready.exitCode).toBe(0);
    expect(cluster.now - again).toBeLessThanOrEqual(90_000);
  });

  it('ends as kubectl does when the timeout passes first: one timeout for all, 0 looks once', () => {
    const { cluster, run } = room();
    const before = cluster.now;
    expect(run('kubectl wait --for=condition=Ready=false node --all --timeout=7s')).toMatchObject({
      output: expect.stringMatching(/^error: timed out waiting for the condition on nodes\/\S+\n$/), exitCode: 1,
    });
    expect(cluster.now - before).toBe(7000);
    const at = cluster.now;
    expect(run('kubectl wait --for=jsonpath={.status.phase}=Nope pod --all -n kube-system --timeout=0').exitCode).toBe(1);
    expect(cluster.now).toBe(at);
    expect(run('kubectl wait --for=delete pod/nope --timeout=1d').output).toBe('error: invalid argument "1d" for "--timeout" flag: time: unknown unit "d" in duration "1d"\nSee \'kubectl wait --help\' for usage.\n');
    expect(run('kubectl wait --for=delete pod/nope --timeout=30').output).toContain('time: missing unit in duration "30"');
  });

  it('waits for a deletion to finish (a pod terminating through its grace period)', () => {
    const { cluster, run } = room();
    const pod = run('kubectl get pods -n kube-system -l k8s-app=kube-dns -o name').output.trim().split('\n')[0]!;
    run(`kubectl delete -n kube-system ${pod} --wait=false`);
    const before = cluster.now;
    expect(run(`kubectl wait --for=delete -n kube-system ${pod} --timeout=60s`)).toMatchObject({ output: `${pod} condition met\n`, exitCode: 0 });
    expect(cluster.now).toBeGreaterThan(before);
  });
});

describe('timeout', () => {
  // coreutils timeout: simulated time is capped at the duration; a command still waiting is
  // stopped with 124 (137 with -s KILL); the clock moved only as far as the cap.
  it('caps sleep and watching commands at its duration', () => {
    const state = createCluster(demoClusterSpec, 1);
    const session = newSession(state);
    const run = (line: string) => runLine(state, session, line, { advance: (ms) => tick(state, ms) });
    expect(run('date +%s > /tmp/t0; timeout 5 sleep 10; echo $?; echo $(( $(date +%s) - $(cat /tmp/t0) ))').output).toBe('124\n5\n');
    expect(run('timeout 20 sleep 10; echo $?').output).toBe('0\n');
    expect(run('timeout -s KILL 1 sleep 5; echo $?').output).toBe('137\n');
    const watched = run('date +%s > /tmp/t1; timeout 8 kubectl get pods -w -l app=web > /tmp/w; echo $?; echo $(( $(date +%s) - $(cat /tmp/t1) ))');
    expect(watched.output).toBe('124\n8\n');
    expect(run('head -1 /tmp/w').output).toMatch(/^NAME +READY +STATUS/);
    expect(run('timeout 10 kubectl rollout status deploy/web; echo $?').output).toBe('deployment "web" successfully rolled out\n0\n');
    expect(run('timeout 1 nope; echo $?').output).toBe('timeout: failed to run command ‘nope’: No such file or directory\n127\n');
  });
});

