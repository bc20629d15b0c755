// Observation is what reached the player's terminal: each tool tags the facts of the world
// its output shows, and a fact counts only if its text survives the whole pipeline. Many
// idiomatic ways to look earn an evidence item; near misses (the text filtered away, the
// wrong node, the value typed by the player) do not.
import { describe, expect, it } from 'vitest';
import { playSteps } from '../../server/cli/scenarios-command.js';
import { loadScenarioDir } from '../../server/scenarios/load.js';
import { pinnedCase } from '../helpers/pinned.js';
import { observedBy } from '../../server/scoring/score.js';
import { createCluster, tick } from '../../server/cluster/index.js';
import { factInterest } from '../../server/scenarios/facts.js';
import { newSession, runLine } from '../../server/shell/index.js';
import { serveSeatRequest, targetOf } from '../../server/kubeapi/seat.js';
import type { ApiRequest } from '../../server/kubeapi/handler.js';
import { matchesFact } from '../../server/scenarios/facts.js';

const { scenarios } = loadScenarioDir();

/** Whether evidence item `id` is observed by `lines` (each on a fresh terminal, after `setup`). */
function observes(scenarioId: string, seed: number, id: string, lines: string[], setup: string[] = [], variant?: string): boolean {
  const loaded = scenarios.find((s) => s.id === scenarioId)!;
  const { scenario } = pinnedCase(loaded, seed, variant);
  const item = scenario.answer.evidence.find((e) => e.id === id);
  if (!item) throw new Error(`${scenarioId} seed ${seed} has no evidence ${id}`);
  const { commands } = playSteps(scenario, seed, [{ wait: 90 }, ...setup, ...lines]);
  return observedBy(item, commands.slice(setup.length)) !== undefined;
}

const each = (scenarioId: string, seed: number, id: string, setup: string[] = [], variant?: string) => ({
  seen: (line: string) => expect(observes(scenarioId, seed, id, [line], setup, variant), `${line} should observe ${id}`).toBe(true),
  missed: (line: string) => expect(observes(scenarioId, seed, id, [line], setup, variant), `${line} must not observe ${id}`).toBe(false),
});

describe('pending-pods', () => {
  it('the nodes\' labels (selector variant), however they are printed', () => {
    const e = each('pending-pods', 2, 'node-labels');
    for (const line of [
      'kubectl get nodes -L pool',
      'kubectl get nodes --show-labels',
      "kubectl get nodes -o jsonpath='{.items[*].metadata.labels.pool}'",
      'kubectl get nodes -o yaml | grep pool',
      'kubectl get nodes -o json | jq -r ".items[].metadata.labels.pool"',
      'kubectl describe nodes | grep pool',
      'kubectl get nodes -o custom-columns=NAME:.metadata.name,POOL:.metadata.labels.pool',
      'k get no node-b -o yaml',
      'for n in node-b node-c; do kubectl get node $n --show-labels; done',
      // The language around it: groups, functions, while loops.
      '{ kubectl get nodes --show-labels; } | grep pool',
      'labels() { kubectl get nodes -L pool; }; labels | cat',
      'kubectl get nodes -L pool | while read -r line; do cat; done',
    ]) e.seen(line);
    for (const line of [
      'kubectl get nodes',
      'kubectl get nodes --show-labels | grep -v general',
      'kubectl get nodes -L pool | grep node-a',
      'echo pool=general',
      'kubectl get nodes --show-labels | echo pool=general',
      'kubectl get nodes --show-labels | grep -c general',
      'kubectl get nodes > /dev/null',
      "kubectl get nodes -o jsonpath='{.items[*].metadata.name}'",
      'kubectl get pods -A --show-labels',
    ]) e.missed(line);
  });

  it('the nodes\' taints (taint variant)', () => {
    const e = each('pending-pods', 1, 'node-taints');
    for (const line of [
      'kubectl describe nodes | grep -i taint',
      "kubectl get nodes -o jsonpath='{.items[*].spec.taints}'",
      'kubectl get nodes -o custom-columns=N:.metadata.name,T:.spec.taints[*].key',
      'kubectl get node ip-10-0-3-22 -o yaml',
      'kubectl describe node ip-10-0-3-23',
    ]) e.seen(line);
    for (const line of [
      'kubectl describe nodes | grep -i taint | grep -v maintenance',
      'kubectl describe node ip-10-0-3-21',
      'kubectl get nodes -o wide',
      "printf 'Taints: maintenance=kernel-upgrade:NoSchedule\\n'",
    ]) e.missed(line);
  });

  it('FailedScheduling events and what the nodes have allocated (cpu variant)', () => {
    const events = each('pending-pods', 0, 'insufficient-cpu-event');
    for (const line of ['kubectl get events -n web', 'kubectl events -n web', 'kubectl get events -A | grep -i insufficient', 'kubectl describe pods -n web -l app=frontend', 'kubectl get ev -n web -o yaml']) events.seen(line);
    for (const line of ['kubectl get events -n web | grep Scheduled', 'kubectl get pods -n web', 'kubectl get events -n kube-system', 'kubectl describe pods -n web -l app=frontend --show-events=false']) events.missed(line);
    const allocated = each('pending-pods', 0, 'node-allocation');
    for (const line of ['kubectl describe nodes', 'kubectl describe node worker-1 | grep -A6 Allocated']) allocated.seen(line);
    for (const line of ['kubectl describe nodes | grep Taints', 'kubectl top nodes']) allocated.missed(line);
  });

  it('no events on the Pending pods, and the stopped kubelet on the control plane (scheduler variant)', () => {
    const none = each('pending-pods', 3, 'no-events');
    none.seen('kubectl describe pods -n api -l app=gateway');
    none.seen('kubectl describe pods -n api | grep -A2 Events');
    none.missed('kubectl describe pods -n api | grep Node-Selectors');
    const kubelet = each('pending-pods', 3, 'kubelet-stopped', ['ssh k8s-cp1']);
    for (const line of ['systemctl status kubelet', 'systemctl is-active kubelet', 'journalctl -u kubelet | tail -3', 'sudo systemctl status kubelet | grep Active']) kubelet.seen(line);
    for (const line of ['systemctl status containerd', 'systemctl status kubelet | grep Docs', 'journalctl -u kubelet | head -1']) kubelet.missed(line);
    // ssh NODE CMD shows what the remote command printed.
    each('pending-pods', 3, 'kubelet-stopped').seen('ssh k8s-cp1 systemctl is-active kubelet');
    // The same look at a worker is not the control-plane's kubelet.
    each('pending-pods', 3, 'kubelet-stopped', ['ssh k8s-w1']).missed('systemctl status kubelet');
  });
});

describe('snat-client-ip', () => {
  it('the Service\'s externalTrafficPolicy', () => {
    const e = each('snat-client-ip', 0, 'service-policy');
    for (const line of [
      "kubectl get svc gateway -n edge -o jsonpath='{.spec.externalTrafficPolicy}'",
      'kubectl get svc gateway -n edge -o yaml',
      'kubectl describe svc gateway -n edge',
      'kubectl get svc -n edge -o yaml | grep -i externaltraffic',
      'kubectl get svc gateway -n edge -o json | jq .spec',
      'kubectl get svc -A -o custom-columns=NAME:.metadata.name,ETP:.spec.externalTrafficPolicy',
    ]) e.seen(line);
    for (const line of ['kubectl get svc -n edge', 'kubectl get svc -n edge -o wide', "kubectl get svc gateway -n edge -o jsonpath='{.spec.type}'", 'kubectl get svc gateway -n edge -o yaml | grep -v Cluster']) e.missed(line);
  });

  it('the access log\'s client addresses, counted with awk', () => {
    const e = each('snat-client-ip', 0, 'access-log');
    for (const line of ["kubectl logs -n edge deploy/gateway | awk '{print $1}' | sort | uniq -c", 'kubectl logs -n edge -l app=gateway --tail=5', 'kubectl logs -n edge deploy/gateway | cut -d" " -f1 | sort -u']) e.seen(line);
    for (const line of ['kubectl logs -n edge deploy/gateway | grep -v "^10.0.4"', "kubectl logs -n edge deploy/gateway | awk '{print $7}' | sort | uniq -c", 'kubectl logs -n edge deploy/gateway | wc -l']) e.missed(line);
  });

  it('the NAT rules on a node, and conntrack showing replies to a node IP (ipvs)', () => {
    const e = each('snat-client-ip', 0, 'nat-rules', ['ssh worker-1', 'sudo -i']);
    for (const line of ['iptables -t nat -L -n -v | grep -i masq', 'iptables-save -t nat | grep KUBE-MARK-MASQ', 'iptables -t nat -L KUBE-POSTROUTING -n']) e.seen(line);
    for (const line of ['iptables -t nat -L -n | grep -v -i masq', 'iptables -t filter -L -n']) e.missed(line);
    const ipvs = each('snat-client-ip', 2, 'nat-rules', ['ssh node-x1', 'sudo -i'], 'policy-cluster');
    ipvs.seen('conntrack -L -p tcp --dport 32080');
    ipvs.seen('conntrack -L | grep 203.0.113');
  });
});

describe('coredns-down', () => {
  it('the Corefile, whether or not coredns is named', () => {
    const e = each('coredns-down', 0, 'corefile-forward');
    for (const line of [
      'kubectl get cm -n kube-system -o yaml | grep forward',
      'kubectl get configmap coredns -n kube-system -o yaml',
      'kubectl describe cm coredns -n kube-system',
      "kubectl get cm coredns -n kube-system -o jsonpath='{.data.Corefile}'",
    ]) e.seen(line);
    for (const line of ['kubectl get cm -n kube-system', 'kubectl get cm -n kube-system -o yaml | grep -v forward', 'echo "forward . /etc/resolv.conf"']) e.missed(line);
  });

  it('the loop in CoreDNS\'s log, and the stub resolver on the node', () => {
    const loop = each('coredns-down', 0, 'loop-detected');
    loop.seen('kubectl logs -n kube-system deploy/coredns --previous');
    loop.seen('kubectl logs -n kube-system -l k8s-app=kube-dns --previous | grep -i loop');
    loop.missed('kubectl logs -n kube-system deploy/coredns --previous | grep -v FATAL | grep -v Loop');
    const stub = each('coredns-down', 0, 'stub-nameserver', ['ssh worker-a']);
    for (const line of ['cat /etc/resolv.conf', 'grep resolvConf /var/lib/kubelet/config.yaml', 'grep nameserver /etc/resolv.conf']) stub.seen(line);
    for (const line of ['grep search /etc/resolv.conf', 'ls /etc']) stub.missed(line);
  });
});

describe('etcd-nospace', () => {
  const etcd = ['ssh cp-1', 'sudo -i', 'export ETCDCTL_API=3 ETCDCTL_ENDPOINTS=https://127.0.0.1:2379 ETCDCTL_CACERT=/etc/kubernetes/pki/etcd/ca.crt ETCDCTL_CERT=/etc/kubernetes/pki/etcd/server.crt ETCDCTL_KEY=/etc/kubernetes/pki/etcd/server.key'];

  it('the alarm list and the endpoint status', () => {
    const alarms = each('etcd-nospace', 0, 'alarm-list', etcd);
    for (const line of ['etcdctl alarm list', 'etcdctl alarm list | grep NOSPACE', 'etcdctl --write-out=table alarm list']) alarms.seen(line);
    for (const line of ['etcdctl alarm list | grep -v NOSPACE', 'echo alarm:NOSPACE', 'etcdctl endpoint health']) alarms.missed(line);
    const status = each('etcd-nospace', 0, 'endpoint-status', etcd);
    status.seen('etcdctl endpoint status -w table');
    status.seen('etcdctl endpoint status --write-out=json');
    status.missed('etcdctl endpoint status -w table | head -2');
  });

  it('the control plane\'s disk, not a worker\'s', () => {
    each('etcd-nospace', 0, 'disk-usage', ['ssh cp-1']).seen('df -h');
    each('etcd-nospace', 0, 'disk-usage', ['ssh cp-1']).seen('df -h /var/lib/etcd');
    each('etcd-nospace', 0, 'disk-usage').seen('ssh cp-1 df -h');
    each('etcd-nospace', 0, 'disk-usage', ['ssh worker-1']).missed('df -h');
  });

  it('the write error kubectl answers', () => {
    const e = each('etcd-nospace', 0, 'write-error');
    e.seen('kubectl scale deployment storefront -n shop --replicas=4');
    e.seen('kubectl label ns shop x=y');
    e.missed('kubectl get pods -n shop');
    e.missed('kubectl scale deployment storefront -n shop --replicas=4 2>/dev/null');
    // Errors that only echo what the player typed print the text, but etcd refused nothing (review L5).
    e.missed("kubectl get pod 'etcdserver: mvcc: database space exceeded'");
    e.missed("kubectl 'etcdserver: mvcc: database space exceeded'");
    e.missed("kubectl get pods -n shop -l 'app=database space exceeded'");
  });
});

describe('etcd-nospace through a seat\'s own tools (the REST API)', () => {
  it('a write the apiserver refuses shows the etcd error; a name that only repeats it does not', () => {
    const { scenario } = pinnedCase(scenarios.find((s) => s.id === 'etcd-nospace')!, 0);
    const item = scenario.answer.evidence.find((e) => e.id === 'write-error')!;
    const { state } = playSteps(scenario, 0, [{ wait: 90 }]);
    const interest = factInterest(item.facts);
    const serve = (req: ApiRequest) => serveSeatRequest(state, req, targetOf(req.path)!, { readOnly: false, user: 'kubedrill:player' }, interest);
    const seen = (req: ApiRequest) => serve(req).observed.some((f) => item.facts.some((s) => matchesFact(s, f)));
    const request = (method: ApiRequest['method'], path: string, body?: ApiRequest['body']): ApiRequest => ({ method, path, query: {}, accept: 'application/json', contentType: 'application/json', ...(body ? { body } : {}) });
    // The path as the HTTP layer hands it on, decoded.
    const forged = request('GET', '/api/v1/namespaces/shop/configmaps/etcdserver: mvcc: database space exceeded');
    expect(serve(forged).response.status).toBe(404);
    expect(JSON.stringify(serve(forged).response.body)).toContain('database space exceeded');
    expect(seen(forged)).toBe(false);
    const write = request('POST', '/api/v1/namespaces/shop/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'probe' }, data: { a: '1' } });
    expect(serve(write).response).toMatchObject({ status: 500, body: { message: 'etcdserver: mvcc: database space exceeded' } });
    expect(seen(write)).toBe(true);
  });
});

describe('cert-expired (front-proxy)', () => {
  it('the metrics API error kubectl top answers, not an object named after it', () => {
    const e = each('cert-expired', 0, 'top-unavailable', [], 'front-proxy');
    e.seen('kubectl top pods -A');
    e.seen('kubectl top nodes 2>&1 | grep metrics');
    // A pod named like the aggregated API: its AlreadyExists and NotFound errors print the name.
    e.missed('kubectl run metrics.k8s.io --image=busybox -- sleep 1d; kubectl run metrics.k8s.io --image=busybox -- sleep 1d');
    e.missed('kubectl delete pod metrics.k8s.io; kubectl delete pod metrics.k8s.io');
    e.missed('kubectl top pods -A 2>/dev/null; kubectl get pod nodes.metrics.k8s.io');
  });
});

describe('listings: the rows evidence names, found in any listing', () => {
  // Listings without --sort-by find the named rows by binary search (kubectl/facts.ts);
  // sorted, by-name and repeated-kind listings look at every row. Each must find the same facts.
  const spec = {
    name: 'rows',
    nodes: [{ name: 'cp-1', role: 'control-plane' as const }, { name: 'node-1' }, { name: 'node-2' }],
    namespaces: ['shop', 'zeta'],
    deployments: ['default', 'shop', 'zeta'].flatMap((namespace) => ['api', 'apiary', 'web'].map((name) => ({
      namespace, name, replicas: 2, containers: [{ image: 'nginx:1.25', ports: [80] }],
    }))),
  };
  const state = createCluster(spec, 3);
  tick(state, 60_000);
  const interest = factInterest([{ source: 'object', kind: 'Pod', namespace: 'shop', namePrefix: 'api-', field: 'status' }]);
  const shown = (line: string): string[] =>
    (runLine(state, newSession(state), line, { interest }).observed ?? []).map((f) => `${f.namespace}/${f.name}`).sort();
  const apiPods = Object.values(state.pods).filter((p) => p.metadata.namespace === 'shop' && p.metadata.name.startsWith('api-')).map((p) => `shop/${p.metadata.name}`).sort();

  it('finds exactly the named pods, whichever way the listing is made', () => {
    expect(apiPods).toHaveLength(2);
    for (const line of [
      'kubectl get pods -A',
      'kubectl get pods -n shop',
      'kubectl get pods -A -o wide',
      'kubectl get pods -A --sort-by=.metadata.name',
      'kubectl get pods -A --sort-by=.status.podIP',
      'kubectl get pods,pods -A',
      'kubectl get deploy,pods -A',
      'kubectl get pods -A -l app=api',
      `kubectl get pods -n shop ${apiPods.map((p) => p.split('/')[1]).reverse().join(' ')}`,
      'kubectl get pods -n shop -o yaml',
    ]) expect(shown(line), line).toEqual(apiPods);
  });

  it('none outside the named scope', () => {
    expect(shown('kubectl get pods -n zeta')).toEqual([]);
    expect(shown('kubectl get pods -n default')).toEqual([]);
    expect(shown('kubectl get pods -A | grep -v Running')).toEqual([]);
  });
});
