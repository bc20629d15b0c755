import { describe, expect, it } from 'vitest';
import { kubectlCompletions } from '../../server/shell/kubectl/index.js';
import { kubectlFixture, kubectlRunner, session } from '../helpers/kubectl-fixture.js';

describe('kubectl describe', () => {
  it('lays a pod out like kubectl', async () => {
    const out = (await kubectlRunner(kubectlFixture()))('kubectl describe pod web-7d4b9c8f5-fghij').stdout;
    expect(out).toMatch(/^Name:             web-7d4b9c8f5-fghij\nNamespace:        default\nPriority:         0\nService Account:  default\nNode:             worker-2\/10\.0\.0\.12\nStart Time:       Wed, 01 May 2024 10:30:00 \+0000\n/);
    expect(out).toContain('Labels:           app=web\n                  pod-template-hash=7d4b9c8f5\n');
    expect(out).toContain('    State:          Waiting\n      Reason:       CrashLoopBackOff\n');
    expect(out).toContain('    Last State:     Terminated\n      Reason:       Error\n      Exit Code:    1\n');
    expect(out).toContain('    Restart Count:  3\n    Requests:\n      cpu:        100m\n      memory:     128Mi\n    Environment:  <none>\n');
    expect(out).toContain('Conditions:\n  Type    Status\n  Ready   False \n');
    expect(out).toContain('QoS Class:                   Burstable\n');
    expect(out).toContain('Events:\n  Type     Reason   Age                 From     Message\n  ----     ------   ----                ----     -------\n  Warning  BackOff  45s (x12 over 29m)  kubelet  Back-off restarting');
  });
  it('describes by name prefix and reports NotFound', async () => {
    const run = await kubectlRunner(kubectlFixture());
    const both = run('kubectl describe pods web').stdout;
    expect(both.match(/^Name: /gm)).toHaveLength(2);
    expect(run('kubectl describe pod zzz')).toMatchObject({ stderr: 'Error from server (NotFound): pods "zzz" not found\n', exitCode: 1 });
  });
  it('lays a node out with conditions, pods and allocated resources', async () => {
    const out = (await kubectlRunner(kubectlFixture()))('kubectl describe node worker-1').stdout;
    expect(out).toContain('Conditions:\n  Type             Status  LastHeartbeatTime                 LastTransitionTime                Reason                       Message\n');
    expect(out).toContain('  Ready            True    Wed, 01 May 2024 10:00:00 +0000   Sun, 21 Apr 2024 10:00:00 +0000   KubeletReady                 kubelet is posting ready status\n');
    expect(out).toContain('Non-terminated Pods:          (1 in total)\n');
    // describe.go describeNodeResource: an empty column after the pod's name (`Name\t\t`).
    expect(out).toContain('  default                     web-7d4b9c8f5-abcde    100m (2%)     0 (0%)      128Mi (0%)       0 (0%)         5m12s\n');
    expect(out).toContain('  cpu                100m (2%)   0 (0%)\n');
    expect(out).toMatch(/Events:\s+<none>\n$/);
  });
  it('describes services with endpoints and traffic policy', async () => {
    const out = (await kubectlRunner(kubectlFixture()))('kubectl describe svc web-lb').stdout;
    expect(out).toContain('Type:                     LoadBalancer\n');
    expect(out).toContain('NodePort:                 <unset>  31234/TCP\n');
    expect(out).toContain('Endpoints:                <none>\n');
    expect(out).toContain('External Traffic Policy:  Local\n');
  });
  it('prints configmap data', async () => {
    const out = (await kubectlRunner(kubectlFixture()))('kubectl describe cm coredns -n kube-system').stdout;
    expect(out).toContain('Data\n====\nCorefile:\n----\n.:53 {\n');
  });
});

describe('kubectl top, events and cluster commands', () => {
  it('prints node and pod usage', async () => {
    // The metrics API as metrics-server serves it: its APIService and a Ready pod (a copy of CoreDNS's, relabelled).
    const state = kubectlFixture();
    const dns = Object.values(state.pods).find((p) => p.metadata.name.startsWith('coredns-'))!;
    const server = structuredClone(dns);
    Object.assign(server.metadata, { name: 'metrics-server-6d94bc8694-q7mzx', uid: 'metrics-server', labels: { 'k8s-app': 'metrics-server' } });
    state.pods['kube-system/metrics-server-6d94bc8694-q7mzx'] = server;
    ((state.stored ??= {})['APIService'] ??= {})['v1beta1.metrics.k8s.io'] = { kind: 'APIService', metadata: { ...structuredClone(server.metadata), name: 'v1beta1.metrics.k8s.io' }, fields: {} };
    const run = await kubectlRunner(state);
    // TopCmdPrinter ends every cell with a tab: the last column is padded too (checked against kubectl v1.29.4, tests/differential).
    expect(run('kubectl top nodes').stdout.split('\n')[0]).toBe('NAME       CPU(cores)   CPU%   MEMORY(bytes)   MEMORY%   ');
    expect(run('kubectl top nodes').stdout).toContain('worker-1   250m         6%     2048Mi          13%       \n');
    expect(run('kubectl top pods -A --sort-by=cpu').stdout).toBe(
      'NAMESPACE     NAME                              CPU(cores)   MEMORY(bytes)   \ndefault       web-7d4b9c8f5-abcde               12m          40Mi            \nkube-system   coredns-5dd5756b68-xk2p9          3m           20Mi            \nkube-system   metrics-server-6d94bc8694-q7mzx   3m           20Mi            \n',
    );
    // top_printer.go printPodResourcesSum: underscores under the usage columns, then the totals.
    expect(run('kubectl top pods -A --sort-by=cpu --sum').stdout).toBe(
      'NAMESPACE     NAME                              CPU(cores)   MEMORY(bytes)   \ndefault       web-7d4b9c8f5-abcde               12m          40Mi            \nkube-system   coredns-5dd5756b68-xk2p9          3m           20Mi            \nkube-system   metrics-server-6d94bc8694-q7mzx   3m           20Mi            \n' +
      '                                                ________     ________        \n                                                18m          80Mi            \n',
    );
    expect(run('kubectl top nodes --sum')).toMatchObject({ stdout: '', exitCode: 1, stderr: "error: unknown flag: --sum\nSee 'kubectl top node --help' for usage.\n" });
  });
  // pkg/cmd/events/event_printer.go: printOneEvent writes `Kind/Name` as the API spells the
  // kind; getInterval is the first time seen for one event, `last (xN over first)` for more.
  it('lists events sorted by last seen, filtered with --for', async () => {
    const run = await kubectlRunner(kubectlFixture());
    const out = run('kubectl events').stdout.split('\n');
    expect(out[0]).toBe('LAST SEEN            TYPE      REASON             OBJECT                    MESSAGE');
    expect(out[1]).toMatch(/^2m +Warning +FailedScheduling +Pod\/big-job/);
    expect(out[2]).toMatch(/^45s \(x12 over 29m\) +Warning +BackOff +Pod\/web-7d4b9c8f5-fghij /);
    expect(run('kubectl events --for pod/web-7d4b9c8f5-fghij').stdout).not.toContain('big-job');
  });
  it('prints api-resources, cluster-info and version', async () => {
    const run = await kubectlRunner(kubectlFixture());
    expect(run('kubectl api-resources').stdout).toMatch(/^NAME +SHORTNAMES +APIVERSION +NAMESPACED +KIND\ncomponentstatuses +cs +v1 +false +ComponentStatus\nconfigmaps +cm +v1 +true +ConfigMap\n/);
    expect(run('kubectl api-resources').stdout).toMatch(/\ndeployments +deploy +apps\/v1 +true +Deployment\n/);
    expect(run('kubectl cluster-info').stdout).toBe("\x1b[0;32mKubernetes control plane\x1b[0m is running at \x1b[0;33mhttps://10.0.0.10:6443\x1b[0m\n\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n");
    expect(run('kubectl version').stdout).toMatch(/^Client Version: v1\.29\.4\nKustomize Version: .*\nServer Version: v1\.29\.4\n$/);
  });
  it('changes the session namespace with config set-context', async () => {
    const sess = session();
    const run = await kubectlRunner(kubectlFixture(), sess);
    expect(run('kubectl config set-context --current --namespace=kube-system').stdout).toBe('Context "kubernetes-admin@kubernetes" modified.\n');
    expect(sess.namespace).toBe('kube-system');
    expect(run('kubectl get pods -o name').stdout).toBe('pod/coredns-5dd5756b68-xk2p9\n');
  });
  it('offers completions for subcommands, types and names', () => {
    const state = kubectlFixture();
    expect(kubectlCompletions(state, session(), ['de'])).toEqual(['debug', 'delete', 'describe']);
    expect(kubectlCompletions(state, session(), ['get', 'dep'])).toEqual(['deploy', 'deployments']);
    expect(kubectlCompletions(state, session(), ['get', 'pods', 'web-'])).toEqual(['web-7d4b9c8f5-abcde', 'web-7d4b9c8f5-fghij']);
    expect(kubectlCompletions(state, session(), ['-n', 'kube-'])).toEqual(['kube-system']);
    expect(kubectlCompletions(state, session(), ['describe', 'node/w'])).toEqual(['node/worker-1', 'node/worker-2']);
  });
});
