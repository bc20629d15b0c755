// `kubectl debug POD` with an ephemeral container, as kubectl v1.29 does it
// (pkg/cmd/debug/debug.go: Validate's messages and its "Targeting container" line,
// computeDebugContainerName's "Defaulting debug container name to debugger-xxxxx." on stdout,
// debugByEphemeralContainer's patch of the ephemeralcontainers subresource; pkg/cmd/attach
// attach.go: "If you don't see a command prompt, try pressing enter." and reattachMessage for an
// ephemeral container), shown by describe as pkg/describe/describe.go describePod does
// (describeContainers("Ephemeral Containers", …), no volume mounts) and in `-o yaml`
// (core/v1 EphemeralContainer, PodStatus.ephemeralContainerStatuses).
import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec, tick } from '../../server/cluster/index.js';
import { MAX_EPHEMERAL_CONTAINERS } from '../../server/cluster/ephemeral.js';
import { newSession, runLine } from '../../server/shell/index.js';
import { MAX_OUTPUT_CHARS } from '../../server/shell/limits.js';

function shell() {
  const state = createCluster(demoClusterSpec, 1);
  const session = newSession(state);
  const run = (line: string) => runLine(state, session, line, { advance: (ms) => tick(state, ms) });
  const pods = run('kubectl get pods -A -o name').output.split('\n').filter((l) => l).map((l) => l.slice('pod/'.length));
  const coredns = run('kubectl -n kube-system get pods -o name').output.split('\n').find((l) => l.startsWith('pod/coredns-'))!.slice('pod/'.length);
  return { run, session, web: pods.find((p) => p.startsWith('web-'))!, coredns };
}

describe('kubectl debug POD', () => {
  it('adds an ephemeral container sharing a distroless container\'s namespaces, and opens its shell', () => {
    const { run, session, coredns } = shell();
    // CoreDNS's image has no shell at all…
    expect(run(`kubectl -n kube-system exec -it ${coredns} -- sh`).output).toMatch(/exec: "sh": executable file not found in \$PATH/);
    // …a busybox debug container targeting it does.
    const opened = run(`kubectl -n kube-system debug -it ${coredns} --image=busybox:1.36 --target=coredns`);
    expect(opened.output).toMatch(/^Targeting container "coredns"\. If you don't see processes from this container it may be because the container runtime doesn't support this feature\.\nDefaulting debug container name to debugger-[a-z0-9]{5}\.\nIf you don't see a command prompt, try pressing enter\.\n$/);
    const name = /debugger-[a-z0-9]{5}/.exec(opened.output)![0];
    expect(session.container).toMatchObject({ pod: coredns, container: name });
    // The pod's own namespaces: its host name, its resolv.conf (CoreDNS runs with dnsPolicy Default).
    expect(run('hostname').output).toBe(`${coredns}\n`);
    expect(run('cat /etc/resolv.conf').output).toBe('search ec2.internal\nnameserver 10.0.0.2\n');
    expect(run('exit').output).toBe(`Session ended, the ephemeral container will not be restarted but may be reattached using 'kubectl attach ${coredns} -c ${name} -i -t' if it is still running\n`);
    expect(session.container).toBeUndefined();

    const described = run(`kubectl -n kube-system describe pod ${coredns}`).output;
    const section = described.slice(described.indexOf('Ephemeral Containers:'), described.indexOf('Conditions:'));
    expect(section).toMatch(new RegExp(`^Ephemeral Containers:\\n  ${name}:\\n    Container ID:   containerd://[0-9a-f]{64}\\n    Image:          busybox:1\\.36\\n    Image ID:       docker\\.io/library/busybox@sha256:[0-9a-f]{64}\\n    Port:           <none>\\n    Host Port:      <none>\\n    State:          Terminated\\n      Reason:       Completed\\n      Exit Code:    0\\n      Started:        .*\\n      Finished:     .*\\n    Ready:          False\\n    Restart Count:  0\\n    Environment:    <none>\\n    Mounts:         <none>\\n$`.replace('Started:        ', 'Started:      ')));
    const yaml = run(`kubectl -n kube-system get pod ${coredns} -o yaml`).output;
    expect(yaml).toContain(`  ephemeralContainers:\n  - image: busybox:1.36\n    imagePullPolicy: IfNotPresent\n    name: ${name}\n    stdin: true\n    targetContainerName: coredns\n    terminationMessagePath: /dev/termination-log\n    terminationMessagePolicy: File\n    tty: true\n`);
    expect(yaml).toMatch(new RegExp(`  ephemeralContainerStatuses:\\n  - containerID: containerd://[0-9a-f]{64}\\n    image: busybox:1\\.36\\n    imageID: \\S+\\n    lastState: \\{\\}\\n    name: ${name}\\n    ready: false\\n    restartCount: 0\\n    started: false\\n    state:\\n      terminated:\\n        exitCode: 0\\n`));
    expect(run(`kubectl -n kube-system get events --field-selector involvedObject.name=${coredns} -o wide`).output).toContain(`spec.ephemeralContainers{${name}}   kubelet, `);
  });

  it('without -it only adds the container; -c names it; the apiserver refuses a bad target or name', () => {
    const { run, web } = shell();
    expect(run(`kubectl debug ${web} --image=busybox -c dbg`)).toMatchObject({ output: '', exitCode: 0 });
    expect(run(`kubectl get pod ${web} -o jsonpath={.status.ephemeralContainerStatuses[0].state.running}`).output).toMatch(/^\{"startedAt":/);
    expect(run(`kubectl exec ${web} -c dbg -- hostname`).output).toBe(`${web}\n`);
    expect(run(`kubectl debug ${web} --image=busybox -c dbg`).output).toBe(`The Pod "${web}" is invalid: spec.ephemeralContainers[1].name: Duplicate value: "dbg"\n`);
    const bad = run(`kubectl debug ${web} --image=busybox --target=nope -q`);
    expect(bad.output).toMatch(new RegExp(`^The Pod "${web}" is invalid: spec\\.ephemeralContainers\\[1\\]\\.targetContainerName: Not found: "nope"\\n$`));
    expect(bad.exitCode).toBe(1);
  });

  it('validates like DebugOptions.Validate and copies a pod with --copy-to', () => {
    const { run, web } = shell();
    expect(run(`kubectl debug ${web}`).output).toBe('error: you must specify --image when not using --copy-to.\n');
    expect(run('kubectl debug --image=busybox').output).toBe('error: NAME or filename is required for debug\n');
    expect(run(`kubectl debug ${web} --image=busybox -t`).output).toBe('error: -i/--stdin is required for containers with -t/--tty=true\n');
    expect(run(`kubectl debug ${web} --image=busybox --copy-to=x --target=nginx`).output).toBe('error: --target is incompatible with --copy-to. Use --share-processes instead.\n');
    expect(run('kubectl debug deploy/web --image=busybox').output).toBe('error: "apps/v1, Kind=Deployment" not supported by debug\n');
    expect(run('kubectl debug nope --image=busybox').output).toBe('Error from server (NotFound): pods "nope" not found\n');
    const copied = run(`kubectl debug ${web} --image=busybox --copy-to=web-debug -c dbg`);
    expect(copied).toMatchObject({ output: '', exitCode: 0 });
    expect(run('kubectl get pod web-debug -o jsonpath={.spec.containers[*].name}').output).toBe('nginx dbg');
    expect(run('kubectl get pod web-debug -o jsonpath={.metadata.labels}').output).toBe('');
  });

  it('refuses an ephemeral container past the simulation\'s ceiling, so one pod\'s YAML stays printable', () => {
    const { run, web } = shell();
    // The field.TooMany wording (apimachinery pkg/util/validation/field/errors.go: "Too many: %d: must have at most %d items").
    expect(run(`for i in $(seq ${MAX_EPHEMERAL_CONTAINERS}); do kubectl debug ${web} --image=busybox -q || echo refused; done`).output).toBe('');
    const refused = run(`kubectl debug ${web} --image=busybox`);
    expect(refused.output).toMatch(new RegExp(`^Defaulting debug container name to debugger-[a-z0-9]{5}\\.\\nThe Pod "${web}" is invalid: spec\\.ephemeralContainers: Too many: ${MAX_EPHEMERAL_CONTAINERS + 1}: must have at most ${MAX_EPHEMERAL_CONTAINERS} items\\n$`));
    expect(refused.exitCode).toBe(1);
    expect(run(`kubectl get pod ${web} -o jsonpath='{.spec.ephemeralContainers[*].name}' | wc -w`).output).toBe(`${MAX_EPHEMERAL_CONTAINERS}\n`);
    const yaml = run(`kubectl get pod ${web} -o yaml`).output;
    expect(yaml).not.toContain('output truncated');
    expect(yaml.length).toBeLessThan(MAX_OUTPUT_CHARS / 8);
  });
});
