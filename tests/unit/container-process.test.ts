// What a container runs as its own process: programs that wait keep debug pods up, scripts run
// through the container's shell on the process's own clock, and a loop's lines come over time.
import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec, tick } from '../../server/cluster/index.js';
import { appendLog } from '../../server/cluster/logs.js';
import { continueStream, interruptStream, newSession, runLine } from '../../server/shell/index.js';

function cluster() {
  const state = createCluster(demoClusterSpec, 1);
  const session = newSession(state);
  const sh = (line: string) => runLine(state, session, line, { advance: (ms) => tick(state, ms) });
  const status = (pod: string) => sh(`kubectl get pod ${pod} --no-headers -o custom-columns=S:.status.phase,R:.status.containerStatuses[0].restartCount`).output.trim().split(/\s+/);
  return { state, sh, status };
}

describe('container processes', () => {
  it('keeps the usual debug pods running: sleep N, sleep infinity, tail -f /dev/null, an image\'s own server', () => {
    const { sh, status } = cluster();
    sh('kubectl run bb --image=busybox --restart=Never -- sleep 30');
    sh('kubectl run inf --image=busybox -- sleep infinity');
    sh('kubectl run tl --image=busybox -- tail -f /dev/null');
    sh("kubectl run srv --image=nginx:1.25 --command -- nginx -g 'daemon off;'");
    sh('sleep 10');
    for (const pod of ['bb', 'inf', 'tl', 'srv']) expect(status(pod)).toEqual(['Running', '0']);
    sh('sleep 30');
    expect(status('bb')).toEqual(['Succeeded', '0']); // sleep 30 ended on its own
    sh('sleep 300');
    for (const pod of ['inf', 'tl', 'srv']) expect(status(pod)).toEqual(['Running', '0']);
  });

  it('runs a script with the image\'s shell: the Kubernetes docs\' CronJob command completes and logs', () => {
    const { sh } = cluster();
    sh("kubectl create cronjob hello --image=busybox:1.28 --schedule='* * * * *' -- /bin/sh -c 'date; echo Hello from the Kubernetes cluster'");
    sh('sleep 90');
    const job = sh('kubectl get jobs -o name').output.trim().split('\n')[0]!;
    expect(sh(`kubectl get ${job} --no-headers -o custom-columns=C:.status.succeeded`).output.trim()).toBe('1');
    expect(sh(`kubectl logs ${job}`).output).toMatch(/^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d UTC 2024\nHello from the Kubernetes cluster\n$/);
  });

  it('writes a loop\'s lines as simulated time reaches them (the docs\' counter pod)', () => {
    const { sh, status } = cluster();
    sh(`kubectl run counter --image=busybox -- /bin/sh -c 'i=0; while true; do echo "$i: tick"; i=$((i+1)); sleep 10; done'`);
    sh('sleep 35');
    expect(sh('kubectl logs counter').output).toBe('0: tick\n1: tick\n2: tick\n3: tick\n');
    sh('sleep 30');
    expect(sh('kubectl logs counter --tail=2').output).toBe('5: tick\n6: tick\n');
    expect(status('counter')).toEqual(['Running', '0']);
  });

  it('cannot start a program the image lacks (distroless has no sleep; busybox no nosuchprog)', () => {
    const { sh } = cluster();
    sh('kubectl run dt --image=gcr.io/distroless/static -- sleep 10');
    sh('kubectl run x --image=busybox -- nosuchprog');
    sh('sleep 5');
    for (const pod of ['dt', 'x']) expect(sh(`kubectl get pod ${pod} -o jsonpath={.status.containerStatuses[0].lastState.terminated.reason}`).output).toBe('StartError');
  });

  it('kubectl exec runs any command of a shell image, and whole sh -c scripts', () => {
    const { sh } = cluster();
    sh('kubectl run bb --image=busybox -- sleep 3600');
    sh('sleep 3');
    expect(sh('kubectl exec bb -- date').output).toMatch(/^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d UTC 2024\n$/);
    expect(sh("kubectl exec bb -- sh -c 'sleep 1; echo ok'").output).toBe('ok\n');
    expect(sh("kubectl exec bb -- sh -c 'for i in 1 2 3; do echo $i; done | sort -r'").output).toBe('3\n2\n1\n');
    expect(sh("kubectl exec bb -- sh -c 'exit 3'")).toMatchObject({ output: 'command terminated with exit code 3\n', exitCode: 3 });
    expect(sh("kubectl exec bb -- sh -c 'nosuch'")).toMatchObject({ output: 'sh: nosuch: not found\ncommand terminated with exit code 127\n', exitCode: 127 });
    expect(sh('kubectl exec bb -- nosuch').output).toMatch(/OCI runtime exec failed: exec failed: unable to start container process: exec: "nosuch": executable file not found in \$PATH: unknown\n$/);
  });

  it('bounds what starting scripts may cost: busy loops do not stall the room, and later starts wait for steps to refill', () => {
    const { state, sh, status } = cluster();
    const spin = Array.from({ length: 12 }, (_, i) => `kubectl run spin-${i} --image=busybox --restart=Never -- /bin/sh -c 'while true; do :; done'`).join('; ');
    const started = performance.now();
    sh(`${spin}; kubectl run zz --image=busybox --restart=Never -- /bin/sh -c 'echo finished'`);
    sh('sleep 5');
    const running = () => Object.values(state.pods).filter((p) => p.metadata.name.startsWith('spin-') && p.status.phase === 'Running');
    // A typed line's worth of steps at once, a quarter of it a script: four start now, the rest as steps refill.
    expect(running()).toHaveLength(4);
    sh('sleep 300');
    sh('sleep 300');
    // Ten minutes of ticks with busy scripts starting cost about what a few typed lines may.
    expect(performance.now() - started).toBeLessThan(3000);
    expect(running()).toHaveLength(12);
    for (const pod of running()) expect(pod.status.containerStatuses[0]!.restartCount).toBe(0);
    // The script that came after them ran too, once its turn came.
    expect(status('zz')).toEqual(['Succeeded', '0']);
    expect(sh('kubectl logs zz').output).toBe('finished\n');
  });

  it('writes each line at the process time it was printed, and runs a server image\'s clients to their end', () => {
    const { sh, status } = cluster();
    sh("kubectl run late --image=busybox --restart=Never -- /bin/sh -c 'echo a; echo b; sleep 30; echo c'");
    sh('kubectl run cli --image=redis:7 --restart=Never -- redis-cli --version');
    sh('sleep 10');
    expect(sh('kubectl logs late').output).toBe('a\nb\n');
    expect(status('late')).toEqual(['Running', '0']);
    expect(status('cli')).toEqual(['Failed', '0']); // redis-cli is no server: it ran (and the simulation has no such program)
    sh('sleep 25');
    expect(sh('kubectl logs late').output).toBe('a\nb\nc\n');
    expect(status('late')).toEqual(['Succeeded', '0']);
  });

  it('keeps an eval bomb inside its container and a huge print to 64 KiB of log', () => {
    const { sh, status } = cluster();
    sh(`kubectl run deep --image=busybox -- sh -c 'x='\\''eval "$x"'\\''; eval "$x"'`);
    sh(`kubectl run big --image=busybox --restart=Never -- sh -c 'printf "%400000s\\n" x'`);
    expect(sh('sleep 5')).toMatchObject({ output: '', exitCode: 0 });
    expect(status('deep')).toEqual(['Running', '0']);
    expect(sh('kubectl logs big | wc -c').output.trim()).toBe(String(64 * 1024 + 1));
  });

  it('runs every workload\'s containers\' command: a Deployment logs what it printed, a DaemonSet and a StatefulSet too', () => {
    const { sh } = cluster();
    const template = (app: string, cmd: string) => `{"metadata":{"labels":{"app":"${app}"}},"spec":{"containers":[{"name":"c","image":"busybox","command":["sh","-c","${cmd}"]}]}}`;
    sh(`echo '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"dep"},"spec":{"selector":{"matchLabels":{"app":"dep"}},"template":${template('dep', 'echo started; sleep 3600')}}}' | kubectl apply -f -`);
    sh(`echo '{"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"ds"},"spec":{"selector":{"matchLabels":{"app":"ds"}},"template":${template('ds', 'echo on $(hostname); sleep infinity')}}}' | kubectl apply -f -`);
    sh(`echo '{"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"db"},"spec":{"serviceName":"db","selector":{"matchLabels":{"app":"db"}},"template":${template('db', 'echo ordinal ${HOSTNAME##*-}; sleep infinity')}}}' | kubectl apply -f -`);
    sh('kubectl create deployment made --image=busybox -- sh -c "echo made; sleep 3600"');
    sh('sleep 20');
    expect(sh('kubectl logs deploy/dep').output).toBe('started\n');
    expect(sh('kubectl logs deploy/made').output).toBe('made\n');
    expect(sh('kubectl logs ds/ds 2>/dev/null').output).toMatch(/^on ds-\w{5}\n$/);
    expect(sh('kubectl logs db-0').output).toBe('ordinal 0\n');
    expect(sh('kubectl get deploy dep --no-headers -o custom-columns=R:.status.readyReplicas').output.trim()).toBe('1');
  });

  it('restarts a Deployment\'s failing command with the kubelet\'s back-off: CrashLoopBackOff, the last run\'s log, --previous', () => {
    const { sh, state } = cluster();
    sh(`kubectl create deployment bad --image=busybox -- sh -c 'echo "run at $(date +%s)"; exit 1'`);
    // kuberuntime_manager.go doBackOff: the first restart at once, then 10 s doubling.
    sh('sleep 60');
    const pod = Object.values(state.pods).find((p) => p.metadata.name.startsWith('bad-'))!;
    const cs = pod.status.containerStatuses[0]!;
    expect(cs.restartCount).toBe(3);
    expect(cs.lastState).toMatchObject({ kind: 'terminated', reason: 'Error', exitCode: 1 });
    sh('sleep 15');
    expect(sh(`kubectl get pod ${pod.metadata.name} --no-headers -o custom-columns=S:.status.containerStatuses[0].state.waiting.reason`).output.trim()).toBe('CrashLoopBackOff');
    const last = sh('kubectl logs deploy/bad').output;
    const previous = sh('kubectl logs deploy/bad --previous').output;
    expect(last).toMatch(/^run at \d+\n$/);
    expect(previous).toMatch(/^run at \d+\n$/);
    expect(Number(/\d+/.exec(last)![0])).toBeGreaterThan(Number(/\d+/.exec(previous)![0]));
  });

  it('keeps a modelled program\'s behaviour when its workload is written back (the scenario\'s apps keep their logs)', () => {
    const { sh, state } = cluster();
    const before = Object.values(state.deployments).find((d) => d.metadata.name === 'api')!.spec.template.behavior;
    sh('kubectl get deploy api -o json | kubectl apply -f -');
    sh(`kubectl patch deploy api --type=json -p '[{"op":"add","path":"/spec/template/spec/containers/0/args","value":["--verbose"]}]'`);
    const after = Object.values(state.deployments).find((d) => d.metadata.name === 'api')!.spec.template.behavior;
    expect(after).toEqual(before);
    expect(Object.values(after).some((b) => b.role === 'process')).toBe(false);
  });

  it('sleep infinity inside a container\'s script waits for good, as GNU and busybox sleep do: the process keeps running', () => {
    const { sh, status } = cluster();
    sh(`kubectl run hi --image=busybox -- sh -c 'echo hi; sleep infinity'`);
    sh(`kubectl run trapped --image=busybox -- sh -c 'trap : TERM INT; echo up; sleep infinity & wait'`);
    sh('sleep 300');
    sh('sleep 300');
    for (const pod of ['hi', 'trapped']) expect(status(pod)).toEqual(['Running', '0']);
    expect(sh('kubectl logs hi').output).toBe('hi\n');
    expect(sh('kubectl logs trapped').output).toBe('up\n');
  });

  it('follows a script\'s last loop in slices: the counter keeps logging with simulated time, each line at its second', () => {
    const { sh, state, status } = cluster();
    sh(`kubectl run counter --image=busybox -- sh -c 'i=0; while true; do i=$((i+1)); echo "$i $(date +%T)"; sleep 1; done'`);
    for (let n = 0; n < 4; n++) sh('sleep 300');
    const last = sh('kubectl logs counter --tail=2').output.trim().split('\n').map((l) => l.split(' '));
    const now = sh('date +%T').output.trim();
    // Twenty minutes on: the loop's variable went on from slice to slice, and date gave the process's time.
    expect(Number(last[1]![0])).toBeGreaterThan(1190);
    expect(Number(last[1]![0]) - Number(last[0]![0])).toBe(1);
    expect(last[1]![1]).toBe(now);
    expect(status('counter')).toEqual(['Running', '0']);
    // Bounded: the kept log, and the paused session (a few hundred characters).
    const cs = Object.values(state.pods).find((p) => p.metadata.name === 'counter')!.status.containerStatuses[0]!;
    expect(cs.logs.reduce((n, l) => n + l.text.length + 1, 0)).toBeLessThanOrEqual(64 * 1024);
    expect(JSON.stringify(cs.follow).length).toBeLessThan(1000);
  });

  it('kubectl logs -f shows lines written later at the same moment as the last one it showed', () => {
    const { sh, state } = cluster();
    sh('kubectl run bb --image=busybox -- sleep infinity');
    sh('sleep 5');
    const logs = state.pods['default/bb']!.status.containerStatuses[0]!.logs;
    appendLog(logs, { at: state.now, text: 'first' });
    const session = newSession(state);
    expect(runLine(state, session, 'kubectl logs -f bb', { interactive: true }).output).toBe('first\n');
    appendLog(logs, { at: state.now, text: 'same moment' });
    expect(continueStream(state, session).output).toBe('same moment\n');
    expect(continueStream(state, session).output).toBe('');
    expect(interruptStream(session)).toBe('^C\n');
  });

  it('kubectl logs -f keeps printing a followed loop\'s lines past the log\'s cap (its oldest lines go, the cursor goes by time)', () => {
    const { sh, state } = cluster();
    sh(`kubectl run counter --image=busybox -- sh -c 'i=0; while true; do i=$((i+1)); echo "$i"; sleep 1; done'`);
    sh('sleep 10');
    const session = newSession(state);
    let last = Number(runLine(state, session, 'kubectl logs -f counter', { interactive: true }).output.trim().split('\n').at(-1));
    for (let minute = 0; minute < 15; minute++) {
      tick(state, 60_000);
      const lines = continueStream(state, session).output.trim().split('\n').map(Number);
      expect(lines[0]).toBe(last + 1);
      last = lines.at(-1)!;
    }
    expect(last).toBeGreaterThan(900);
    expect(interruptStream(session)).toBe('^C\n');
  });

  it('ends a followed loop where the script does (break, a false condition), and stops following a busy loop', () => {
    const { sh, state, status } = cluster();
    sh(`kubectl run ends --image=busybox --restart=Never -- sh -c 'i=0; while [ $i -lt 400 ]; do i=$((i+1)); echo $i; sleep 1; done; echo done; exit 3'`);
    sh(`kubectl run breaks --image=busybox --restart=Never -- sh -c 'n=0; until false; do n=$((n+1)); [ $n -gt 250 ] && break; sleep 2; done; echo "left at $n"'`);
    sh(`kubectl run busy --image=busybox -- sh -c 'echo go; while true; do :; done'`);
    sh('sleep 300');
    expect(status('ends')).toEqual(['Running', '0']);
    sh('sleep 300');
    expect(status('ends')).toEqual(['Failed', '0']);
    expect(sh('kubectl logs ends --tail=2').output).toBe('400\ndone\n');
    expect(sh('kubectl get pod ends -o jsonpath={.status.containerStatuses[0].state.terminated.exitCode}').output).toBe('3');
    expect(status('breaks')).toEqual(['Succeeded', '0']);
    expect(sh('kubectl logs breaks').output).toBe('left at 251\n');
    // A loop that does not move its clock is not followed on (it runs on, silent), so it costs nothing more.
    const busy = Object.values(state.pods).find((p) => p.metadata.name === 'busy')!.status.containerStatuses[0]!;
    expect(busy.follow).toBeUndefined();
    expect(status('busy')).toEqual(['Running', '0']);
  });

  it('follows the same way in a replay: the same lines at the same times', () => {
    const play = () => {
      const { sh, state } = cluster();
      sh(`kubectl run counter --image=busybox -- sh -c 'while true; do date +%s; sleep 7; done'`);
      sh(`kubectl create deployment tick --image=busybox -- sh -c 'while :; do echo tick; sleep 3; done'`);
      for (let n = 0; n < 3; n++) sh('sleep 300');
      return { logs: sh('kubectl logs counter; kubectl logs deploy/tick | wc -l').output, steps: state.processSteps };
    };
    expect(play()).toEqual(play());
  });
});

