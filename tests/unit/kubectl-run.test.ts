// `kubectl run` pods given a command run it as their container's process (cluster/processes.ts,
// through the image's tools in shell/exec): the output is the container's log, the exit status
// the container's, so one-off debug pods end Completed or Error as they do on a real cluster,
// and `--rm -i` prints the output, deletes the pod and exits with the container's status.
import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec, tick } from '../../server/cluster/index.js';
import { newSession, runLine } from '../../server/shell/index.js';

function shell() {
  const state = createCluster(demoClusterSpec, 1);
  const session = newSession(state);
  return (line: string) => runLine(state, session, line, { advance: (ms) => tick(state, ms) });
}

describe('kubectl run with a command', () => {
  it('runs it once with --restart=Never: Completed, with its output as the log', () => {
    const run = shell();
    expect(run('kubectl run dns --image=busybox:1.36 --restart=Never -- nslookup kubernetes.default').output).toBe('pod/dns created\n');
    run('sleep 5');
    expect(run('kubectl get pod dns --no-headers').output).toMatch(/^dns +0\/1 +Completed +0 +5s\n$/);
    expect(run('kubectl logs dns').output).toContain('Name:\tkubernetes.default.svc.cluster.local\nAddress: 10.96.0.1\n');
  });

  it('ends in Error with the exit status, and a program the image lacks fails the container', () => {
    const run = shell();
    run('kubectl run bad --image=busybox --restart=Never -- false; kubectl run nope --image=busybox --restart=Never -- kubectl version; sleep 5');
    expect(run('kubectl get pod bad -o jsonpath="{.status.phase} {.status.containerStatuses[0].state.terminated.exitCode}"').output).toBe('Failed 1');
    expect(run('kubectl get pod nope -o jsonpath="{.status.containerStatuses[0].state.terminated.exitCode}"').output).toBe('128');
    expect(run('kubectl get pod nope -o jsonpath="{.status.containerStatuses[0].state.terminated.reason}"').output).toBe('StartError');
    expect(run('kubectl get pod nope -o jsonpath="{.status.containerStatuses[0].state.terminated.message}"').output).toContain('exec: "kubectl": executable file not found in $PATH: unknown');
    expect(run('kubectl logs nope').output).toBe('');
  });

  it('restarts a pod whose process exits under restartPolicy Always (CrashLoopBackOff)', () => {
    const run = shell();
    run('kubectl run loop --image=busybox -- echo done; sleep 60');
    expect(run('kubectl get pod loop --no-headers').output).toMatch(/^loop +0\/1 +(CrashLoopBackOff|Completed) +[1-9]\d* /);
  });

  it('--rm -i prints the output, deletes the pod and exits with its status', () => {
    const run = shell();
    expect(run('kubectl run t --rm -it --image=busybox --restart=Never -- echo hi')).toEqual({ output: 'hi\npod "t" deleted\n', exitCode: 0 });
    expect(run('kubectl get pod t').exitCode).toBe(1);
    expect(run('kubectl run f --rm -i --image=busybox --restart=Never -- false')).toEqual({ output: 'pod "f" deleted\npod default/f terminated (Error)\n', exitCode: 1 });
    expect(run('kubectl run x --rm --image=busybox -- echo hi').output).toBe('error: --rm should only be used for attached containers\n');
  });
});

describe('Jobs', () => {
  it('run pods until they complete; get, logs job/NAME and events follow', () => {
    const run = shell();
    expect(run('kubectl create job hello --image=busybox -- echo hi').output).toBe('job.batch/hello created\n');
    run('sleep 8');
    expect(run('kubectl get jobs').output).toMatch(/^NAME +COMPLETIONS +DURATION +AGE\nhello +1\/1 +\ds +8s\n$/);
    expect(run('kubectl logs job/hello').output).toBe('hi\n');
    expect(run('kubectl get pods -l job-name=hello --no-headers').output).toMatch(/^hello-[a-z0-9]{5} +0\/1 +Completed +0 /);
    expect(run('kubectl get events --field-selector involvedObject.name=hello -o jsonpath="{.items[*].reason}"').output).toBe('SuccessfulCreate Completed');
    // Deleting the Job takes its pods (the garbage collector follows owner references).
    run('kubectl delete job hello; sleep 3');
    expect(run('kubectl get pods -l job-name=hello').output).toBe('No resources found in default namespace.\n');
  });

  it('refuse a template that restarts Always', () => {
    const run = shell();
    const out = run(`cat <<EOF | kubectl apply -f -
apiVersion: batch/v1
kind: Job
metadata: {name: a}
spec:
  template:
    spec:
      containers:
      - {name: c, image: busybox, command: [echo, hi]}
EOF`).output;
    expect(out).toContain('spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"');
  });

  it('give up past backoffLimit failed pods', () => {
    const run = shell();
    run(`cat <<EOF | kubectl apply -f -
apiVersion: batch/v1
kind: Job
metadata: {name: f}
spec:
  backoffLimit: 2
  template:
    spec:
      restartPolicy: Never
      containers:
      - {name: c, image: busybox, command: [cat, /nope]}
EOF`);
    // A new pod 10 s after the first failure, 20 s after the second (the controller's back-off).
    run('sleep 20');
    expect(run('kubectl get pods -l job-name=f --no-headers').output.trim().split('\n')).toHaveLength(2);
    run('sleep 40');
    expect(run('kubectl get pods -l job-name=f --no-headers').output.trim().split('\n')).toHaveLength(3);
    expect(run('kubectl get job f -o jsonpath="{.status.failed} {.status.conditions[0].type} {.status.conditions[0].reason}"').output).toBe('3 Failed BackoffLimitExceeded');
  });
});

describe('Jobs under a quota', () => {
  it('ask again every 10 s after a refused create, not every step', () => {
    const run = shell();
    run('kubectl create quota q --hard=count/pods=0; kubectl create job j --image=busybox -- echo hi; sleep 30');
    const counts = run('kubectl get events --field-selector reason=FailedCreate,involvedObject.name=j -o jsonpath="{.items[*].count}"').output;
    expect(Number(counts)).toBeGreaterThanOrEqual(2);
    expect(Number(counts)).toBeLessThanOrEqual(4);
  });
});

describe('kubectl run --overrides', () => {
  // kubectl run.go + generate.Overrider: the generated object patched (merge by default), then created.
  it('pins the pod to a node, merges strategically by container name, and refuses bad JSON', () => {
    const run = shell();
    const node = run('kubectl get nodes -o jsonpath={.items[1].metadata.name}').output;
    expect(run(`kubectl run pinned --image=nginx --overrides='{"apiVersion":"v1","spec":{"nodeName":"${node}"}}'`).output).toBe('pod/pinned created\n');
    run('sleep 5');
    expect(run('kubectl get pod pinned -o jsonpath={.spec.nodeName}').output).toBe(node);
    expect(run(`kubectl run tuned --image=nginx --override-type=strategic --overrides='{"spec":{"containers":[{"name":"tuned","resources":{"limits":{"memory":"64Mi"}}}]}}'`).output).toBe('pod/tuned created\n');
    expect(run('kubectl get pod tuned -o jsonpath={.spec.containers[0].image}/{.spec.containers[0].resources.limits.memory}').output).toBe('nginx/64Mi');
    expect(run(`kubectl run broken --image=nginx --overrides='{"spec":'`)).toEqual({ output: 'error: Invalid JSON Patch\n', exitCode: 1 });
    expect(run(`kubectl run odd --image=nginx --override-type=xml --overrides='{}'`).output).toBe('error: invalid override type: xml\n');
    expect(run('kubectl get pod broken').exitCode).toBe(1);
  });
});
