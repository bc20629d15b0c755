// A small hand-built cluster for kubectl printer tests: fixed times, names and IPs so the
// expected outputs can be written down exactly. Simulated now = 1h into the scenario.
import { ClusterSpecSchema } from '../../server/cluster/spec.js';
import { LineBudget } from '../../server/shell/budget.js';
import type {
  ClusterState, ContainerStatus, Node, ObjectMeta, Pod, PodSpec, PodTemplate,
} from '../../server/cluster/types.js';
import type { ShellSession } from '../../server/shell/types.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const GI = 1024 ** 3;
const MI = 1024 ** 2;

let uid = 0;
function meta(name: string, namespace: string | undefined, created: number, labels: Record<string, string> = {}): ObjectMeta {
  uid++;
  const m: ObjectMeta = {
    name, uid: `00000000-0000-0000-0000-${String(uid).padStart(12, '0')}`, labels, annotations: {},
    creationTimestamp: created, resourceVersion: 1000 + uid, generation: 1, ownerReferences: [],
  };
  if (namespace !== undefined) m.namespace = namespace;
  return m;
}

function node(name: string, ip: string, role: string | undefined, created: number): Node {
  return {
    metadata: meta(name, undefined, created, {
      'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux',
      ...(role ? { [`node-role.kubernetes.io/${role}`]: '' } : {}),
    }),
    spec: { podCIDR: `10.244.${ip.split('.')[3]}.0/24`, unschedulable: false, taints: role ? [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] : [] },
    status: {
      capacity: { cpu: 4000, memory: 16 * GI, pods: 110, ephemeralStorage: 100 * GI },
      allocatable: { cpu: 4000, memory: 15 * GI, pods: 110, ephemeralStorage: 95 * GI },
      conditions: [
        { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available', lastHeartbeatTime: 0, lastTransitionTime: created },
        { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure', lastHeartbeatTime: 0, lastTransitionTime: created },
        { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available', lastHeartbeatTime: 0, lastTransitionTime: created },
        { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: 0, lastTransitionTime: created },
      ],
      addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: name }],
      nodeInfo: {
        kubeletVersion: 'v1.29.4', osImage: 'Ubuntu 22.04.4 LTS', kernelVersion: '5.15.0-105-generic',
        containerRuntimeVersion: 'containerd://1.7.13', architecture: 'amd64', operatingSystem: 'linux',
      },
    },
    host: {
      units: {}, filesystems: [], files: {}, syslog: [], usage: { cpu: 250, memory: 2 * GI },
      resolvConfNameservers: ['127.0.0.53'], maxPodIPs: 0, images: [],
      kubeletSync: { dirtyRevision: 0, syncedRevision: -1, wakeAt: 0 },
    },
  };
}

function podSpec(nodeName: string | undefined, image: string, requests: { cpu?: number; memory?: number } = {}): PodSpec {
  const spec: PodSpec = {
    containers: [{ name: 'web', image, ports: [{ containerPort: 80, protocol: 'TCP' }], resources: { requests, limits: {} }, env: [] }],
    nodeSelector: {}, tolerations: [], restartPolicy: 'Always', hostNetwork: false, dnsPolicy: 'ClusterFirst',
    serviceAccountName: 'default', schedulerName: 'default-scheduler', terminationGracePeriodSeconds: 30,
  };
  if (nodeName) spec.nodeName = nodeName;
  return spec;
}

function status(name: string, image: string, s: Partial<ContainerStatus>): ContainerStatus {
  return {
    name, image, imageID: '', containerID: 'containerd://abc', ready: false, started: false, restartCount: 0,
    state: { kind: 'waiting', reason: 'ContainerCreating' }, logs: [], previousLogs: [], ...s,
  };
}

export function kubectlFixture(): ClusterState {
  uid = 0;
  const now = HOUR;
  const created = -10 * DAY;
  const template: PodTemplate = { metadata: { labels: { app: 'web' }, annotations: {} }, spec: podSpec(undefined, 'nginx:1.25'), behavior: {} };
  const running: Pod = {
    metadata: { ...meta('web-7d4b9c8f5-abcde', 'default', now - 5 * MIN - 12_000, { app: 'web', 'pod-template-hash': '7d4b9c8f5' }) },
    spec: podSpec('worker-1', 'nginx:1.25', { cpu: 100, memory: 128 * MI }),
    status: {
      phase: 'Running', podIP: '10.244.1.5', hostIP: '10.0.0.11', startTime: now - 5 * MIN, qosClass: 'Burstable',
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now - 5 * MIN }],
      containerStatuses: [status('web', 'nginx:1.25', { ready: true, started: true, state: { kind: 'running', startedAt: now - 5 * MIN } })],
    },
    behavior: { web: { cpuUse: 12, memoryUse: 40 * MI } },
  };
  const crashing: Pod = {
    metadata: meta('web-7d4b9c8f5-fghij', 'default', now - 30 * MIN, { app: 'web', 'pod-template-hash': '7d4b9c8f5' }),
    spec: podSpec('worker-2', 'nginx:1.25', { cpu: 100, memory: 128 * MI }),
    status: {
      phase: 'Running', podIP: '10.244.2.7', hostIP: '10.0.0.12', startTime: now - 30 * MIN, qosClass: 'Burstable',
      conditions: [{ type: 'Ready', status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [web]', lastTransitionTime: now - 29 * MIN }],
      containerStatuses: [status('web', 'nginx:1.25', {
        restartCount: 3,
        state: { kind: 'waiting', reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container=web pod=web-7d4b9c8f5-fghij_default(x)' },
        lastState: { kind: 'terminated', reason: 'Error', exitCode: 1, startedAt: now - 60_000, finishedAt: now - 45_000 },
      })],
    },
    behavior: { web: { cpuUse: 1, memoryUse: 5 * MI } },
  };
  const pending: Pod = {
    metadata: meta('big-job', 'default', now - 2 * HOUR, { app: 'big' }),
    spec: podSpec(undefined, 'busybox:1.36', { cpu: 8000 }),
    status: { phase: 'Pending', qosClass: 'Burstable', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient cpu.', lastTransitionTime: now - 2 * HOUR }], containerStatuses: [] },
    behavior: {},
  };
  const coredns: Pod = {
    metadata: meta('coredns-5dd5756b68-xk2p9', 'kube-system', created, { 'k8s-app': 'kube-dns' }),
    spec: podSpec('cp-1', 'registry.k8s.io/coredns/coredns:v1.11.1'),
    status: {
      phase: 'Running', podIP: '10.244.0.3', hostIP: '10.0.0.10', startTime: created, qosClass: 'BestEffort',
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: created }],
      containerStatuses: [status('coredns', 'registry.k8s.io/coredns/coredns:v1.11.1', { ready: true, started: true, state: { kind: 'running', startedAt: created } })],
    },
    behavior: { coredns: { cpuUse: 3, memoryUse: 20 * MI } },
  };
  coredns.spec.containers[0]!.name = 'coredns';
  const nodes = [node('cp-1', '10.0.0.10', 'control-plane', created), node('worker-1', '10.0.0.11', undefined, created), node('worker-2', '10.0.0.12', undefined, created)];
  nodes[2]!.spec.unschedulable = true;
  const svcMeta = meta('web', 'default', now - 3 * DAY - 5 * HOUR, { app: 'web' });
  const state: ClusterState = {
    now, epoch: Date.UTC(2024, 4, 1, 10, 0, 0), rng: { s: [1, 2, 3, 4] }, nextUid: 100, limits: ClusterSpecSchema.shape.limits.parse(undefined),
    clusterName: 'kubernetes', contextName: 'kubernetes-admin@kubernetes',
    nodes: Object.fromEntries(nodes.map((n) => [n.metadata.name, n])),
    namespaces: {
      default: { metadata: meta('default', undefined, created), status: { phase: 'Active' } },
      'kube-system': { metadata: meta('kube-system', undefined, created), status: { phase: 'Active' } },
    },
    pods: Object.fromEntries([running, crashing, pending, coredns].map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, p])),
    deployments: {
      'default/web': {
        metadata: meta('web', 'default', now - 3 * DAY - 5 * HOUR, { app: 'web' }),
        spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template, strategy: { type: 'RollingUpdate', maxSurge: '25%', maxUnavailable: '25%' }, revisionHistoryLimit: 10, paused: false, progressDeadlineSeconds: 600 },
        status: { observedGeneration: 1, replicas: 2, updatedReplicas: 2, readyReplicas: 1, availableReplicas: 1, unavailableReplicas: 1, conditions: [] },
      },
    },
    replicasets: {
      'default/web-7d4b9c8f5': {
        metadata: meta('web-7d4b9c8f5', 'default', now - 3 * DAY - 5 * HOUR, { app: 'web', 'pod-template-hash': '7d4b9c8f5' }),
        spec: { replicas: 2, selector: { matchLabels: { app: 'web', 'pod-template-hash': '7d4b9c8f5' } }, template },
        status: { replicas: 2, readyReplicas: 1, availableReplicas: 1, fullyLabeledReplicas: 2, observedGeneration: 1 },
      },
    },
    daemonsets: {},
    services: {
      'default/kubernetes': {
        metadata: meta('kubernetes', 'default', created, { component: 'apiserver', provider: 'kubernetes' }),
        spec: { type: 'ClusterIP', clusterIP: '10.96.0.1', ports: [{ name: 'https', protocol: 'TCP', port: 443, targetPort: 6443 }], sessionAffinity: 'None' },
        status: { loadBalancer: { ingress: [] } },
      },
      'default/web': {
        metadata: svcMeta,
        spec: { type: 'NodePort', clusterIP: '10.96.12.34', ports: [{ protocol: 'TCP', port: 80, targetPort: 80, nodePort: 30080 }], selector: { app: 'web' }, externalTrafficPolicy: 'Cluster', sessionAffinity: 'None' },
        status: { loadBalancer: { ingress: [] } },
      },
      'default/web-lb': {
        metadata: meta('web-lb', 'default', now - 90_000, { app: 'web' }),
        spec: { type: 'LoadBalancer', clusterIP: '10.96.50.60', ports: [{ protocol: 'TCP', port: 80, targetPort: 80, nodePort: 31234 }], selector: { app: 'web' }, externalTrafficPolicy: 'Local', sessionAffinity: 'None' },
        status: { loadBalancer: { ingress: [] } },
      },
    },
    endpoints: {
      'default/web': {
        metadata: meta('web', 'default', now - 3 * DAY - 5 * HOUR, { app: 'web' }),
        subsets: [{
          addresses: [{ ip: '10.244.1.5', nodeName: 'worker-1', targetRef: { kind: 'Pod', name: running.metadata.name, namespace: 'default', uid: running.metadata.uid } }],
          notReadyAddresses: [{ ip: '10.244.2.7', nodeName: 'worker-2' }],
          ports: [{ port: 80, protocol: 'TCP' }],
        }],
      },
    },
    configmaps: {
      'kube-system/coredns': { metadata: meta('coredns', 'kube-system', created), data: { Corefile: '.:53 {\n    errors\n    forward . /etc/resolv.conf\n}\n' } },
    },
    events: [
      {
        metadata: meta('web-7d4b9c8f5-fghij.17c8a1b2c3d4e5f6', 'default', now - 29 * MIN),
        involvedObject: { kind: 'Pod', name: crashing.metadata.name, namespace: 'default', uid: crashing.metadata.uid, fieldPath: 'spec.containers{web}' },
        reason: 'BackOff', message: 'Back-off restarting failed container web in pod web-7d4b9c8f5-fghij_default(x)', type: 'Warning',
        source: { component: 'kubelet', host: 'worker-2' }, count: 12, firstTimestamp: now - 29 * MIN, lastTimestamp: now - 45_000,
      },
      {
        metadata: meta('big-job.17c8a1b2c3d4e5f7', 'default', now - 2 * HOUR),
        involvedObject: { kind: 'Pod', name: 'big-job', namespace: 'default', uid: pending.metadata.uid },
        reason: 'FailedScheduling', message: '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.', type: 'Warning',
        source: { component: 'default-scheduler' }, count: 1, firstTimestamp: now - 2 * MIN, lastTimestamp: now - 2 * MIN,
      },
    ],
    etcd: {
      healthy: true, version: '3.5.12', revision: 5000, compactedRevision: 4000, raftIndex: 6000, raftTerm: 2,
      dbSize: 20 * MI, dbSizeInUse: 10 * MI, quotaBackendBytes: 2 * GI, alarms: [], members: [], leaderID: '8e9e05c52164694d',
      writeBytesPerSecond: 0, writesPerSecond: 0, nodeName: 'cp-1', dataDir: '/var/lib/etcd', dataLost: false, logs: [],
    },
    controlPlane: {
      apiserver: { running: true, logs: [], endpoint: 'https://10.0.0.10:6443', memory: 400 * MI },
      scheduler: { running: true, logs: [] },
      controllerManager: { running: true, logs: [] },
    },
    network: {
      serviceCIDR: '10.96.0.0/12', clusterCIDR: '10.244.0.0/16', dnsServiceIP: '10.96.0.10', clusterDomain: 'cluster.local',
      proxyMode: 'iptables', cni: { name: 'flannel', version: 'v0.24.2', healthy: true }, traffic: [], conntrack: [], externalDNS: {},
      nextServiceIP: 100, nextNodePort: 30100,
    },
  };
  return state;
}

export function session(namespace = 'default'): ShellSession {
  return { root: false, vars: {}, history: [], namespace };
}

/** Runs one kubectl line (split on spaces; quote-free) against a state. */
export async function kubectlRunner(state: ClusterState, sess: ShellSession = session()) {
  const { kubectlCommand } = await import('../../server/shell/kubectl/index.js');
  return (line: string, argv?: string[]) => kubectlCommand({ state, session: sess, env: {}, stdin: '', budget: new LineBudget() }, argv ?? line.split(' '));
}
