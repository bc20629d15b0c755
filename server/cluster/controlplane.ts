// The control plane of a built cluster: etcd and the kube-* components as static (mirror)
// pods on the control-plane node, the etcd member, and the start-up lines of their logs.
import { keyOf } from './api.js';
import { cidrAddress } from './ipam.js';
import { etcdLog, klog } from './logs.js';
import { staticPodManifests, staticPodVolumes } from './manifests.js';
import { ownerRef, podFromTemplate } from './objects.js';
import { expiredCert, kubeconfigFiles } from './pki.js';
import { appendLog } from './logs.js';
import { randomHex } from './rng.js';
import type { ClusterSpec } from './spec.js';
import type { ClusterState, Node } from './types.js';

/** The annotations kubeadm writes in a static pod's manifest (manifests.ts), which its mirror pod carries. */
const KUBEADM_ANNOTATIONS: Record<string, (ip: string) => Record<string, string>> = {
  etcd: (ip) => ({ 'kubeadm.kubernetes.io/etcd.advertise-client-urls': `https://${ip}:2379` }),
  'kube-apiserver': (ip) => ({ 'kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint': `${ip}:6443` }),
};

/** etcd, kube-apiserver, kube-controller-manager, kube-scheduler as static (mirror) pods on the control-plane node. */
export function addControlPlane(state: ClusterState, spec: ClusterSpec, node: Node): void {
  const name = node.metadata.name;
  const ip = node.status.addresses[0]!.address;
  const memberID = randomHex(state.rng, 16);
  state.etcd.members = [{ id: memberID, name, peerURL: `https://${ip}:2380`, clientURL: `https://${ip}:2379`, isLearner: false }];
  state.etcd.leaderID = memberID;
  Object.assign(node.host.files, staticPodManifests(state, name, ip, spec.kubernetesVersion), kubeconfigFiles(state, node));
  const components = [
    { component: 'etcd', role: 'etcd' as const, image: `registry.k8s.io/etcd:${spec.etcd.version}-0`, cpu: 100, memory: 100 * 2 ** 20, use: { cpuUse: 25, memoryUse: 180 * 2 ** 20 } },
    { component: 'kube-apiserver', role: 'kube-apiserver' as const, image: `registry.k8s.io/kube-apiserver:${spec.kubernetesVersion}`, cpu: 250, memory: 0, use: { cpuUse: 60, memoryUse: 612 * 2 ** 20 } },
    { component: 'kube-controller-manager', role: 'kube-controller-manager' as const, image: `registry.k8s.io/kube-controller-manager:${spec.kubernetesVersion}`, cpu: 200, memory: 0, use: { cpuUse: 15, memoryUse: 55 * 2 ** 20 } },
    { component: 'kube-scheduler', role: 'kube-scheduler' as const, image: `registry.k8s.io/kube-scheduler:${spec.kubernetesVersion}`, cpu: 100, memory: 0, use: { cpuUse: 4, memoryUse: 24 * 2 ** 20 } },
  ];
  const volumes = staticPodVolumes(state.etcd.dataDir);
  for (const c of components) {
    const manifest = node.host.files[`/etc/kubernetes/manifests/${c.component}.yaml`]!;
    const command = manifest.split('\n').filter((l) => /^    - (--|etcd$|kube-)/.test(l)).map((l) => l.slice(6));
    const requests = c.memory ? { cpu: c.cpu, memory: c.memory } : { cpu: c.cpu };
    const pod = podFromTemplate(state, {
      metadata: { labels: { component: c.component, tier: 'control-plane' }, annotations: {} },
      spec: {
        containers: [{ name: c.component, image: c.image, command, ports: [], resources: { requests, limits: {} }, env: [] }],
        nodeName: name, nodeSelector: {}, tolerations: [{ operator: 'Exists', effect: 'NoExecute' }], restartPolicy: 'Always', hostNetwork: true,
        dnsPolicy: 'ClusterFirst', priorityClassName: 'system-node-critical', serviceAccountName: '', schedulerName: 'default-scheduler', terminationGracePeriodSeconds: 30,
      },
      behavior: { [c.component]: { role: c.role, ...c.use } },
    }, 'kube-system', `${c.component}-${name}`, ownerRef('Node', node));
    pod.spec.tolerations = [{ operator: 'Exists', effect: 'NoExecute' }];
    pod.spec.hostPaths = volumes[c.component];
    const hash = randomHex(state.rng, 32);
    // The kubelet's annotations on a mirror pod (config.seen: when it read the manifest, RFC 3339 with nanoseconds), after kubeadm's own.
    const seen = `${new Date(state.epoch + node.metadata.creationTimestamp + 4_000).toISOString().slice(0, 19)}.${String(parseInt(hash.slice(0, 8), 16) % 1e9).padStart(9, '0')}Z`;
    pod.metadata.annotations = {
      ...KUBEADM_ANNOTATIONS[c.component]?.(ip),
      'kubernetes.io/config.hash': hash, 'kubernetes.io/config.mirror': hash, 'kubernetes.io/config.seen': seen, 'kubernetes.io/config.source': 'file',
    };
    pod.status.conditions = [{ type: 'PodScheduled', status: 'True', lastTransitionTime: state.now }];
    pod.static = true;
    state.pods[keyOf(pod)] = pod;
  }
}

export function controlPlaneLogs(state: ClusterState, node: Node, spec: ClusterSpec): void {
  const t = node.metadata.creationTimestamp + 20_000;
  const name = node.metadata.name;
  const cp = state.controlPlane;
  const ip = node.status.addresses[0]!.address;
  state.etcd.logs.push(
    etcdLog(state, t, 'info', 'etcdmain/etcd.go:73', 'Running: ', { args: ['etcd', `--advertise-client-urls=https://${ip}:2379`, `--data-dir=${state.etcd.dataDir}`, `--name=${name}`, `--quota-backend-bytes=${state.etcd.quotaBackendBytes}`] }),
    etcdLog(state, t + 20, 'info', 'embed/etcd.go:309', 'starting an etcd server', { 'etcd-version': state.etcd.version, 'data-dir': state.etcd.dataDir, name, 'quota-backend-bytes': state.etcd.quotaBackendBytes, 'quota-backend-size': `${(state.etcd.quotaBackendBytes / 2 ** 30).toFixed(1)} GB` }),
    etcdLog(state, t + 1200, 'info', 'raft/raft.go:1019', `${state.etcd.leaderID} became leader at term ${state.etcd.raftTerm}`),
    etcdLog(state, t + 1300, 'info', 'etcdserver/server.go:2068', 'published local member to cluster through raft', { 'local-member-attributes': `{Name:${name} ClientURLs:[https://${ip}:2379]}` }),
    etcdLog(state, t + 1400, 'info', 'embed/serve.go:250', 'serving client traffic securely', { 'traffic-type': 'grpc+http', address: `${ip}:2379` }),
  );
  cp.apiserver.logs.push(
    klog(state, t + 2000, 'I', 'options.go:220', `external host was not specified, using ${ip}`),
    klog(state, t + 2010, 'I', 'server.go:148', `Version: ${spec.kubernetesVersion}`),
    klog(state, t + 4000, 'I', 'secure_serving.go:213', 'Serving securely on [::]:6443'),
    klog(state, t + 4100, 'I', 'controller.go:624', 'quota admission added evaluator for: leases.coordination.k8s.io'),
    klog(state, t + 6000, 'I', 'alloc.go:330', `"allocated clusterIPs" service="default/kubernetes" clusterIPs={"IPv4":"${cidrAddress(state.network.serviceCIDR, 1)}"}`),
  );
  cp.scheduler.logs.push(
    klog(state, t + 3000, 'I', 'serving.go:380', 'Generated self-signed cert in-memory'),
    klog(state, t + 5000, 'I', 'server.go:154', `"Starting Kubernetes Scheduler" version="${spec.kubernetesVersion}"`),
    klog(state, t + 5100, 'I', 'secure_serving.go:213', 'Serving securely on 127.0.0.1:10259'),
    klog(state, t + 5200, 'I', 'leaderelection.go:250', 'attempting to acquire leader lease kube-system/kube-scheduler...'),
    klog(state, t + 5300, 'I', 'leaderelection.go:260', 'successfully acquired lease kube-system/kube-scheduler'),
  );
  cp.controllerManager.logs.push(
    klog(state, t + 3000, 'I', 'serving.go:380', 'Generated self-signed cert in-memory'),
    klog(state, t + 5000, 'I', 'controllermanager.go:189', `"Starting" version="${spec.kubernetesVersion}"`),
    klog(state, t + 5100, 'I', 'secure_serving.go:213', 'Serving securely on 127.0.0.1:10257'),
    klog(state, t + 5200, 'I', 'leaderelection.go:250', 'attempting to acquire leader lease kube-system/kube-controller-manager...'),
    klog(state, t + 5300, 'I', 'leaderelection.go:260', 'successfully acquired lease kube-system/kube-controller-manager'),
    klog(state, t + 5400, 'I', 'event.go:376', `"Event occurred" object="kube-system/kube-controller-manager" fieldPath="" kind="Lease" apiVersion="coordination.k8s.io/v1" type="Normal" reason="LeaderElection" message="${name}_${randomHex(state.rng, 8)}-${randomHex(state.rng, 4)}-${randomHex(state.rng, 4)}-${randomHex(state.rng, 4)}-${randomHex(state.rng, 12)} became leader"`),
  );
}

/**
 * kube-aggregator's availability check of the metrics APIService (available_controller.go)
 * while metrics-server refuses the apiserver's front-proxy client certificate (401). Returns
 * whether the metrics API is unavailable for that reason, logging the check's failure.
 */
export function metricsApiRefused(state: ClusterState): boolean {
  if (!expiredCert(state, 'front-proxy-client')) return false;
  const server = Object.values(state.pods).find((p) => p.metadata.namespace === 'kube-system' && p.metadata.name.startsWith('metrics-server-') && p.status.podIP);
  const url = `https://${server?.status.podIP ?? 'metrics-server.kube-system.svc'}:10250/apis/metrics.k8s.io/v1beta1`;
  appendLog(state.controlPlane.apiserver.logs, klog(state, state.now, 'E', 'available_controller.go:460', `v1beta1.metrics.k8s.io failed with: failing or missing response from ${url}: bad status from ${url}: 401`));
  return true;
}

/** The apiserver's side of a client that refused its serving certificate (net/http's server log, through klog). */
export function tlsRejected(state: ClusterState, from: string): void {
  const port = 40_000 + (Math.floor(state.now / 1000) * 7919) % 20_000;
  appendLog(state.controlPlane.apiserver.logs, klog(state, state.now, 'I', 'log.go:245', `http: TLS handshake error from ${from}:${port}: remote error: tls: bad certificate`));
}
