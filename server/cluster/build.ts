// createCluster(spec, seed): lays the objects down, runs the controllers until the cluster
// has settled (pods scheduled and Running), then back-dates everything so objects look as
// old as the spec says (days), the way a player finds a cluster that has been running.
import { keyOf, objectKey } from './api.js';
import { cniVersion, systemAddons } from './addons.js';
import { startupLogs } from './controllers/containers.js';
import { newTickContext } from './controllers/context.js';
import { nodeLifecycleController, NODE_MONITOR_GRACE_MS } from './controllers/node-lifecycle.js';
import { newHost, setUnitActive, syncEtcdDisk } from './host.js';
import { cloudLBKind, lbHostname } from './network/cloud-lb.js';
import { CNI_CONF_DIR, CNI_PLUGINS, defaultCniConfig } from './network/cni-config.js';
import { allocateNodePort, allocateServiceIP, cidrAddress, cidrRange, intToIp } from './ipam.js';
import { appendLog } from './logs.js';
import { addControlPlane, controlPlaneLogs } from './controlplane.js';
import { addDefaultObjects } from './defaults.js';
import { checkQuota } from './etcd.js';
import { newMeta, podFromTemplate, templateFrom } from './objects.js';
import { parseBytes, parseCpu, parseDuration } from './quantity.js';
import { hash32, randomHex, randomSuffix, seedRng } from './rng.js';
import { ClusterSpecSchema, type ClusterSpec, type ClusterSpecInput, type NodeSpec } from './spec.js';
import { addonHistory, settle } from './tick.js';
import { imagePrograms } from './images.js';
import { crdFields, storedKindInfo } from './stored-kinds.js';
import type { ClusterState, ConfigMap, DaemonSet, Deployment, Endpoints, Namespace, Node, NodeVpc, Pod, ResourceList, Service, StoredObject } from './types.js';

/** Simulated time the controllers get to bring the cluster up before it is back-dated. */
const SETTLE_MS = 90_000;
/** Ubuntu 22.04's AWS kernel (HWE), what a node runs unless its spec names another. */
const DEFAULT_KERNEL = '6.5.0-1017-aws';
const SYSTEM_NAMESPACES = ['default', 'kube-node-lease', 'kube-public', 'kube-system'];

const ago = (age: string) => -(parseDuration(age) ?? 0);

function emptyState(spec: ClusterSpec, seed: number): ClusterState {
  const cp = spec.nodes.find((n) => n.role === 'control-plane') ?? spec.nodes[0]!;
  const cpIndex = spec.nodes.indexOf(cp);
  const cpIP = cp.ip ?? defaultNodeIP(cp.name, cpIndex);
  const etcdBytes = parseBytes(spec.etcd.dbSize)!;
  const etcd = spec.etcd;
  return {
    now: -SETTLE_MS,
    limits: structuredClone(spec.limits),
    epoch: spec.epoch,
    rng: seedRng(seed),
    nextUid: 0,
    clusterName: spec.name,
    contextName: spec.context ?? `${spec.user?.name ?? 'kubernetes-admin'}@${spec.name}`,
    ...(spec.user ? { kubeconfigUser: { name: spec.user.name, groups: [...spec.user.groups] } } : {}),
    nodes: {}, namespaces: {}, pods: {}, deployments: {}, replicasets: {}, daemonsets: {}, services: {}, endpoints: {}, configmaps: {}, events: [],
    etcd: {
      healthy: true, version: etcd.version, revision: etcd.revision, compactedRevision: etcd.compactedRevision ?? Math.max(1, etcd.revision - 1000),
      raftIndex: etcd.revision + 4127, raftTerm: 4, dbSize: etcdBytes, dbSizeInUse: etcd.dbSizeInUse !== undefined ? parseBytes(etcd.dbSizeInUse)! : etcdBytes,
      quotaBackendBytes: parseBytes(etcd.quotaBackendBytes)!, alarms: [], members: [], leaderID: '',
      writeBytesPerSecond: parseBytes(etcd.writeBytesPerSecond)!, writesPerSecond: etcd.writesPerSecond,
      nodeName: cp.name, dataDir: etcd.dataDir, dataLost: false, logs: [],
    },
    controlPlane: {
      apiserver: { running: true, logs: [], endpoint: `https://${cpIP}:6443`, memory: 612 * 2 ** 20 },
      scheduler: { running: true, logs: [] },
      controllerManager: { running: true, logs: [] },
    },
    network: {
      ...(spec.network.provider === 'bare-metal' ? { provider: 'bare-metal' as const } : {}),
      serviceCIDR: spec.network.serviceCIDR, clusterCIDR: spec.network.clusterCIDR, dnsServiceIP: spec.network.dnsServiceIP, clusterDomain: spec.network.clusterDomain,
      proxyMode: spec.network.proxyMode,
      cni: { name: spec.network.cni.name, version: spec.network.cni.version ?? cniVersion(spec.network.cni.name), healthy: true },
      traffic: spec.network.traffic.map((t) => {
        const [namespace, name] = t.service.split('/') as [string, string];
        return { ip: t.ip, service: { namespace, name }, via: t.via, requestsPerMinute: t.requestsPerMinute, paths: t.paths, userAgent: t.userAgent, ...(t.from ? { from: { namespace: t.from.namespace, labels: { ...t.from.labels } } } : {}), ...(t.host ? { host: t.host } : {}) };
      }),
      conntrack: [], externalDNS: { ...spec.network.externalDNS }, nextServiceIP: 0, nextNodePort: 0,
      dnsLoad: { ...spec.network.dnsLoad },
      ...(spec.network.subnets.length > 0 ? { subnets: Object.fromEntries(spec.network.subnets.map((s) => [s.id, { cidr: s.cidr, used: s.used }])) } : {}),
    },
  };
}

/** A node's address when the spec gives none: the one its name says (EC2's ip-10-0-3-11), else the next of 10.0.0.10. */
function defaultNodeIP(name: string, i: number): string {
  const m = /^ip-(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,3})(\.|$)/.exec(name);
  return m && m.slice(1, 5).every((o) => Number(o) <= 255) ? m.slice(1, 5).join('.') : `10.0.0.${10 + i}`;
}
/** How long after its creation a node reports Ready (its Ready condition's transition). */
const NODE_READY_MS = 30_000;

function addNamespaces(state: ClusterState, spec: ClusterSpec, created: number): void {
  const used = [spec.deployments, spec.daemonsets, spec.pods, spec.services, spec.configmaps].flatMap((list) => list.map((o) => o.namespace));
  for (const o of spec.objects) if (o.metadata.namespace) used.push(o.metadata.namespace);
  for (const name of new Set([...SYSTEM_NAMESPACES, ...spec.namespaces, ...used])) {
    const ns: Namespace = { metadata: newMeta(state, name, undefined, { 'kubernetes.io/metadata.name': name }, created), status: { phase: 'Active' } };
    state.namespaces[name] = ns;
  }
}

function podCIDR(state: ClusterState, index: number): string {
  const base = state.network.clusterCIDR.split('/')[0]!.split('.');
  return `${base[0]}.${base[1]}.${index}.0/24`;
}

/** The kubelet's default hard eviction thresholds (pkg/kubelet/eviction/defaults_linux.go): memory.available<100Mi, nodefs.available<10%. */
const EVICTION_MEMORY_BYTES = 100 * 2 ** 20;
const EVICTION_NODEFS_SHARE = 0.1;

/**
 * What a node of `ram` bytes of memory reports as capacity: cadvisor's MemTotal from
 * /proc/meminfo, which the kernel's own reservations (memmap, crash kernel, firmware) keep
 * some 2.5–3 % under the installed size, in whole 4 KiB pages, so it is never a round number
 * and serializes in Ki (`8150356Ki`, not `8Gi`). Stable per node name (no PRNG draw).
 */
export function memTotal(ram: number, nodeName: string): number {
  const kib = Math.floor(ram / 1024);
  let total = kib - Math.floor(kib * 0.025) - (hash32(`memtotal:${nodeName}`) % Math.max(1, Math.floor(kib / 200)));
  total -= total % 4;
  if (total % 1024 === 0) total -= 4;
  return total * 1024;
}

/**
 * Allocatable is capacity less the hard eviction reservation (kubelet cm
 * hardEvictionReservation; kubeadm sets no kube-/system-reserved): a percentage threshold is
 * evictionapi.GetThresholdQuantity, int64(float64(capacity) * float64(float32 percentage)),
 * which is why the allocatable ephemeral-storage of a real node prints as plain bytes.
 */
function allocatable(capacity: Required<ResourceList>): ResourceList {
  const nodefs = Math.trunc(capacity.ephemeralStorage * Math.fround(EVICTION_NODEFS_SHARE));
  return { ...capacity, memory: capacity.memory - EVICTION_MEMORY_BYTES, ephemeralStorage: capacity.ephemeralStorage - nodefs };
}

function addNode(state: ClusterState, spec: ClusterSpec, n: NodeSpec, index: number): Node {
  const created = ago(n.age);
  const ip = n.ip ?? defaultNodeIP(n.name, index);
  const cpu = parseCpu(n.cpu)!;
  const memory = memTotal(parseBytes(n.memory)!, n.name);
  const disk = parseBytes(n.disk.size)!;
  const capacity: Required<ResourceList> = { cpu, memory, pods: n.maxPods, ephemeralStorage: disk };
  const labels: Record<string, string> = {
    'beta.kubernetes.io/arch': 'amd64', 'beta.kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'kubernetes.io/hostname': n.name, 'kubernetes.io/os': 'linux',
  };
  if (n.role === 'control-plane') Object.assign(labels, { 'node-role.kubernetes.io/control-plane': '', 'node.kubernetes.io/exclude-from-external-load-balancers': '' });
  if (n.instanceType) Object.assign(labels, { 'beta.kubernetes.io/instance-type': n.instanceType, 'node.kubernetes.io/instance-type': n.instanceType });
  Object.assign(labels, n.labels);
  const meta = newMeta(state, n.name, undefined, labels, created);
  meta.annotations = {
    'kubeadm.alpha.kubernetes.io/cri-socket': 'unix:///var/run/containerd/containerd.sock',
    'node.alpha.kubernetes.io/ttl': '0',
    'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
  };
  const cond = (type: Node['status']['conditions'][number]['type'], status: 'True' | 'False', reason: string, message: string) =>
    ({ type, status, reason, message, lastHeartbeatTime: state.now, lastTransitionTime: created + NODE_READY_MS });
  const etcdHere = state.etcd.nodeName === n.name;
  const node: Node = {
    metadata: meta,
    spec: {
      podCIDR: n.podCIDR ?? podCIDR(state, index),
      unschedulable: n.unschedulable,
      taints: n.taints ?? (n.role === 'control-plane' ? [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] : []),
    },
    status: {
      capacity,
      allocatable: allocatable(capacity),
      conditions: [
        cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
      ],
      addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: n.name }],
      nodeInfo: {
        kubeletVersion: spec.kubernetesVersion, osImage: 'Ubuntu 22.04.4 LTS', kernelVersion: n.kernel ?? DEFAULT_KERNEL,
        containerRuntimeVersion: 'containerd://1.7.13', architecture: 'amd64', operatingSystem: 'linux',
      },
    },
    host: newHost(state, {
      nodeName: n.name, kernel: n.kernel ?? DEFAULT_KERNEL, created, version: spec.kubernetesVersion, diskSize: disk, diskUsed: parseBytes(n.disk.used)!, maxPodIPs: n.maxPodIPs,
      etcdHere, etcdDisk: spec.etcd.disk !== undefined ? parseBytes(spec.etcd.disk)! : undefined, dnsServer: cidrAddress('10.0.0.0/16', 2),
      resolvConf: n.resolvConf, clusterDNS: n.clusterDNS ?? [spec.network.dnsServiceIP], clusterDomain: spec.network.clusterDomain,
    }),
  };
  if (n.instanceType) node.host.vpc = nodeVpc(state, spec, n, node);
  addCniHost(state, n, node);
  state.nodes[n.name] = node;
  return node;
}

/** The CNI's config, plugin binaries and bridge on the host, and what a scenario left there. */
function addCniHost(state: ClusterState, n: NodeSpec, node: Node): void {
  const conf = defaultCniConfig(state.network.cni.name);
  const extra = n.cniHost;
  node.host.files[`${CNI_CONF_DIR}${conf.file}`] = conf.text;
  for (const [file, text] of Object.entries(extra?.configs ?? {})) node.host.files[`${CNI_CONF_DIR}${file}`] = text;
  const bin: Record<string, number> = {};
  [...CNI_PLUGINS, ...conf.plugins].forEach((name, i) => { bin[name] = 2_400_000 + ((i * 7919) % 1_700_000); });
  for (const name of extra?.missingPlugins ?? []) delete bin[name];
  node.host.cniBin = bin;
  // Dated at the end of the build (applyInitialState): the CNI pods the settle window starts must not reinstall them.
  if ((extra?.missingPlugins ?? []).length > 0) node.host.cniBinMissingSince = Number.MAX_SAFE_INTEGER;
  if (extra?.cni0) node.host.links = { cni0: extra.cni0 };
  if (n.links) node.host.links = { ...node.host.links, ...n.links };
}

/**
 * A node's VPC side. Leaked addresses are the lowest of its range (pods settle on the others);
 * they count as leaked only from the end of the build on (applyInitialState dates them), so
 * the aws-node pods the settle window starts do not reconcile them away.
 */
function nodeVpc(state: ClusterState, spec: ClusterSpec, n: NodeSpec, node: Node): NodeVpc {
  const app = spec.deployments.find((d) => d.namespace !== 'kube-system');
  const { first } = cidrRange(node.spec.podCIDR);
  const leaked = Array.from({ length: n.leakedPodIPs }, (_, i) => ({
    ip: intToIp(first + 2 + i), namespace: app?.namespace ?? 'default',
    pod: `${app?.name ?? 'app'}-${randomHex(state.rng, 10).replace(/[0-3]/g, 'b')}-${randomSuffix(state.rng, 5)}`, containerID: randomHex(state.rng, 64),
  }));
  return { instanceType: n.instanceType!, subnet: n.subnet ?? '', leaked, leakedAt: Number.MAX_SAFE_INTEGER, ipamdLog: [] };
}

function addService(state: ClusterState, s: ClusterSpec['services'][number]): void {
  const created = ago(s.age);
  const ports = s.ports.map((p) => {
    const port: Service['spec']['ports'][number] = { protocol: p.protocol, port: p.port, targetPort: p.targetPort ?? p.port };
    if (p.name) port.name = p.name;
    if (s.type !== 'ClusterIP') port.nodePort = p.nodePort ?? allocateNodePort(state);
    return port;
  });
  const svc: Service = {
    metadata: { ...newMeta(state, s.name, s.namespace, s.labels, created), annotations: { ...s.annotations } },
    spec: { type: s.type, clusterIP: s.clusterIP ?? allocateServiceIP(state), ports, sessionAffinity: s.sessionAffinity },
    status: { loadBalancer: { ingress: [] } },
  };
  if (s.selector) svc.spec.selector = { ...s.selector };
  if (s.type !== 'ClusterIP') svc.spec.externalTrafficPolicy = s.externalTrafficPolicy;
  // On bare metal nothing but MetalLB gives an address (a spec's `loadBalancer` is one given before the room).
  if (s.type === 'LoadBalancer' && (s.loadBalancer || state.network.provider !== 'bare-metal')) {
    svc.status.loadBalancer.ingress = [s.loadBalancer ?? { hostname: lbHostname(cloudLBKind(svc), svc, (n) => randomHex(state.rng, n)) }];
  }
  state.services[objectKey(s.namespace, s.name)] = svc;
}

/** The spec's other objects (kinds kept as JSON), and the CustomResourceDefinition of each custom kind among them. */
function addObjects(state: ClusterState, spec: ClusterSpec): void {
  for (const o of spec.objects) {
    const info = storedKindInfo(o.kind);
    if (!info) throw new Error(`objects: kind ${o.kind} is not one the simulation keeps`);
    const { apiVersion: _v, kind, metadata, ...fields } = o;
    const { name, namespace, age, labels, annotations } = metadata as { name: string; namespace?: string; age?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
    const m = newMeta(state, name, info.namespaced ? namespace ?? 'default' : undefined, labels ?? {}, age ? ago(age) : state.now);
    m.annotations = { ...annotations };
    putStored(state, kind, m, structuredClone(fields) as StoredObject['fields']);
    if (info.crd) {
      const crd = `${info.plural}.${info.group}`;
      if (state.stored?.['CustomResourceDefinition']?.[crd]) continue;
      putStored(state, 'CustomResourceDefinition', newMeta(state, crd, undefined, {}, m.creationTimestamp), crdFields(info));
    }
  }
}

const putStored = (state: ClusterState, kind: string, m: StoredObject['metadata'], fields: StoredObject['fields']): void => {
  ((state.stored ??= {})[kind] ??= {})[objectKey(m.namespace, m.name)] = { kind, metadata: m, fields };
};

/** The `kubernetes` service in default, whose endpoint is the apiserver itself. */
function addKubernetesService(state: ClusterState, created: number): void {
  const svc: Service = {
    metadata: newMeta(state, 'kubernetes', 'default', { component: 'apiserver', provider: 'kubernetes' }, created),
    spec: { type: 'ClusterIP', clusterIP: cidrAddress(state.network.serviceCIDR, 1), ports: [{ name: 'https', protocol: 'TCP', port: 443, targetPort: 6443 }], sessionAffinity: 'None' },
    status: { loadBalancer: { ingress: [] } },
  };
  state.services['default/kubernetes'] = svc;
  const host = state.controlPlane.apiserver.endpoint.replace(/^https:\/\//, '').split(':')[0]!;
  const ep: Endpoints = {
    metadata: newMeta(state, 'kubernetes', 'default', { 'endpointslice.kubernetes.io/skip-mirror': 'true' }, created),
    subsets: [{ addresses: [{ ip: host }], notReadyAddresses: [], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] }],
  };
  state.endpoints['default/kubernetes'] = ep;
}

function addWorkloads(state: ClusterState, spec: ClusterSpec): Map<string, number> {
  const targets = new Map<string, number>(); // uid → creation time to back-date to
  const addons = systemAddons(spec);
  for (const d of [...addons.deployments, ...spec.deployments]) {
    const template = templateFrom(d);
    const dep: Deployment = {
      metadata: newMeta(state, d.name, d.namespace, template.metadata.labels),
      spec: {
        replicas: d.replicas, selector: { matchLabels: { ...template.metadata.labels } }, template,
        strategy: { ...d.strategy }, revisionHistoryLimit: d.revisionHistoryLimit, paused: false, progressDeadlineSeconds: d.progressDeadlineSeconds,
      },
      status: { observedGeneration: 0, replicas: 0, updatedReplicas: 0, readyReplicas: 0, availableReplicas: 0, unavailableReplicas: 0, conditions: [] },
    };
    state.deployments[keyOf(dep)] = dep;
    targets.set(dep.metadata.uid, ago(d.age));
  }
  for (const d of [...addons.daemonsets, ...spec.daemonsets]) {
    const template = templateFrom(d);
    const ds: DaemonSet = {
      metadata: newMeta(state, d.name, d.namespace, template.metadata.labels),
      spec: { selector: { matchLabels: { ...template.metadata.labels } }, template },
      status: { desiredNumberScheduled: 0, currentNumberScheduled: 0, numberReady: 0, updatedNumberScheduled: 0, numberAvailable: 0, numberMisscheduled: 0 },
    };
    ds.metadata.annotations['deprecated.daemonset.template.generation'] = '1';
    ds.status.observedGeneration = ds.metadata.generation;
    state.daemonsets[keyOf(ds)] = ds;
    targets.set(ds.metadata.uid, ago(d.age));
  }
  for (const p of spec.pods) {
    const pod: Pod = podFromTemplate(state, templateFrom(p), p.namespace, p.name);
    if (p.nodeName) pod.spec.nodeName = p.nodeName;
    state.pods[keyOf(pod)] = pod;
    targets.set(pod.metadata.uid, ago(p.age));
  }
  for (const s of [...addons.services, ...spec.services]) addService(state, s);
  for (const c of [...addons.configmaps, ...spec.configmaps]) {
    const cm: ConfigMap = { metadata: newMeta(state, c.name, c.namespace, c.labels, ago(c.age)), data: { ...c.data } };
    state.configmaps[keyOf(cm)] = cm;
  }
  return targets;
}

// Timestamps that record when something happened (shifted when back-dating); future
// deadlines (back-off, deletion) and heartbeats are left alone.
const PAST_TIME_KEYS = new Set(['creationTimestamp', 'lastTransitionTime', 'lastUpdateTime', 'startedAt', 'finishedAt', 'startTime', 'at']);

function shiftTimes(value: unknown, delta: number): void {
  if (Array.isArray(value)) {
    for (const v of value) shiftTimes(v, delta);
  } else if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    for (const k in obj) {
      if (typeof obj[k] === 'number' && PAST_TIME_KEYS.has(k)) obj[k] = (obj[k] as number) + delta;
      else if (typeof obj[k] === 'object') shiftTimes(obj[k], delta);
    }
  }
}

/** Move what the controllers made during the settle window back to their owners' real age. */
function backdate(state: ClusterState, targets: Map<string, number>): void {
  const delta = new Map<string, number>();
  for (const [uid, target] of targets) delta.set(uid, target + SETTLE_MS);
  for (const n of Object.values(state.nodes)) delta.set(n.metadata.uid, n.metadata.creationTimestamp + SETTLE_MS);
  const rootDelta = (uid: string | undefined): number => (uid ? delta.get(uid) ?? 0 : 0);
  for (const d of [...Object.values(state.deployments), ...Object.values(state.daemonsets)]) shiftTimes(d, rootDelta(d.metadata.uid));
  for (const rs of Object.values(state.replicasets)) {
    const dt = rootDelta(rs.metadata.ownerReferences[0]?.uid);
    delta.set(rs.metadata.uid, dt);
    shiftTimes(rs, dt);
  }
  // A set's first revision is as old as the set.
  for (const cr of Object.values(state.stored?.['ControllerRevision'] ?? {})) shiftTimes(cr.metadata, rootDelta(cr.metadata.ownerReferences[0]?.uid));
  for (const pod of Object.values(state.pods)) {
    shiftTimes(pod, rootDelta(pod.metadata.ownerReferences[0]?.uid ?? pod.metadata.uid));
    // Never older than its node: on a node that joined after its owner was made, it was made once the node was Ready.
    const node = pod.spec.nodeName ? state.nodes[pod.spec.nodeName] : undefined;
    const early = node ? node.metadata.creationTimestamp + NODE_READY_MS - pod.metadata.creationTimestamp : 0;
    if (early > 0 && !pod.static) shiftTimes(pod, early);
    // Start-up logs are printed again with the shifted start time.
    pod.status.containerStatuses.forEach((cs) => {
      if (cs.state.kind === 'running') cs.logs = startupLogs(state, pod, cs.name, cs.state.startedAt);
      cs.previousLogs = [];
    });
  }
  for (const [key, ep] of Object.entries(state.endpoints)) {
    const svc = state.services[key];
    if (svc && key !== 'default/kubernetes') ep.metadata.creationTimestamp = svc.metadata.creationTimestamp;
  }
  // Events from days ago would have expired.
  state.events = [];
}

/** Faults present from the start: stopped units, control-plane components down. */
function applyInitialState(state: ClusterState, spec: ClusterSpec): void {
  const stoppedAt = -5 * 60_000;
  for (const n of spec.nodes) {
    if (n.kubeletRunning && n.containerdRunning) continue;
    const now = state.now;
    state.now = stoppedAt;
    if (!n.kubeletRunning) setUnitActive(state, n.name, 'kubelet', false);
    if (!n.containerdRunning) setUnitActive(state, n.name, 'containerd', false);
    state.now = now;
    for (const c of state.nodes[n.name]!.status.conditions) c.lastHeartbeatTime = stoppedAt - NODE_MONITOR_GRACE_MS;
  }
  for (const n of spec.nodes) {
    const host = state.nodes[n.name]!.host;
    if (host.cniBinMissingSince !== undefined) host.cniBinMissingSince = -1;
    const vpc = host.vpc;
    // What ipamd logged in the settle window is not dated like the back-dated pods: start clean.
    if (vpc) vpc.ipamdLog = [];
    if (!vpc || vpc.leaked.length === 0) continue;
    vpc.leakedAt = ago(n.leakedAgo);
    // The node ran out of memory; the sandboxes it killed never got their CNI DEL.
    appendLog(state.nodes[n.name]!.host.syslog, { at: vpc.leakedAt, text: `kernel: [${Math.round((vpc.leakedAt - ago(n.age)) / 1000)}.412337] Out of memory: Killed process 1187 (containerd) total-vm:2813340kB, anon-rss:1633908kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:3720kB oom_score_adj:-999` });
    appendLog(state.nodes[n.name]!.host.syslog, { at: vpc.leakedAt + 1200, text: 'systemd[1]: containerd.service: Main process exited, code=killed, status=9/KILL' });
    appendLog(state.nodes[n.name]!.host.syslog, { at: vpc.leakedAt + 6400, text: 'systemd[1]: Started containerd.service - containerd container runtime.' });
    state.nodes[n.name]!.host.syslog.sort((a, b) => a.at - b.at);
  }
  nodeLifecycleController(newTickContext(state, 0));
  state.controlPlane.apiserver.running = spec.controlPlane.apiserver;
  state.controlPlane.scheduler.running = spec.controlPlane.scheduler;
  state.controlPlane.controllerManager.running = spec.controlPlane.controllerManager;
  state.etcd.healthy = spec.controlPlane.etcd;
}

export function createCluster(input: ClusterSpecInput, seed: number): ClusterState {
  const spec = ClusterSpecSchema.parse(input);
  const state = emptyState(spec, seed);
  const oldest = Math.min(...spec.nodes.map((n) => ago(n.age)));
  addNamespaces(state, spec, oldest);
  spec.nodes.forEach((n, i) => addNode(state, spec, n, i));
  const cpNode = state.nodes[state.etcd.nodeName]!;
  addControlPlane(state, spec, cpNode);
  addKubernetesService(state, oldest);
  const targets = addWorkloads(state, spec);
  addObjects(state, spec);
  // The spec's etcd size is what the player finds: the settle window's writes (and the
  // scenario's background load) must not change it.
  const { dbSize, dbSizeInUse, writesPerSecond, writeBytesPerSecond } = state.etcd;
  Object.assign(state.etcd, { writesPerSecond: 0, writeBytesPerSecond: 0 });
  settle(state, SETTLE_MS);
  Object.assign(state.etcd, { dbSize, dbSizeInUse, writesPerSecond, writeBytesPerSecond, alarms: [] });
  backdate(state, targets);
  controlPlaneLogs(state, cpNode, spec);
  checkQuota(state);
  syncEtcdDisk(state);
  applyInitialState(state, spec);
  addDefaultObjects(state, spec, seed, oldest);
  addonHistory(state);
  stampUnwritten(state);
  state.imagePrograms = imagePrograms(state, spec);
  return state;
}

/**
 * What the build laid down without a write gets the revision of one: namespaces, Services
 * and ConfigMaps of the cluster's first minutes the lowest free ones in creation order, and
 * nodes (their kubelets update them all the time) recent ones. Every resourceVersion is a
 * distinct etcd revision, as in a real cluster.
 */
function stampUnwritten(state: ClusterState): void {
  const objects: { metadata: { name: string; creationTimestamp: number; resourceVersion: number } }[] = [
    ...Object.values(state.nodes), ...Object.values(state.namespaces), ...Object.values(state.pods), ...Object.values(state.deployments), ...Object.values(state.replicasets),
    ...Object.values(state.daemonsets), ...Object.values(state.services), ...Object.values(state.endpoints), ...Object.values(state.configmaps),
    ...Object.values(state.stored ?? {}).flatMap((kind) => Object.values(kind)),
  ];
  const used = new Set(objects.map((o) => o.metadata.resourceVersion));
  const unwritten = objects.filter((o) => o.metadata.resourceVersion === 0);
  const nodes = new Set<object>(Object.values(state.nodes).map((n) => n.metadata));
  let low = 1;
  for (const o of unwritten.filter((x) => !nodes.has(x.metadata)).sort((a, b) => a.metadata.creationTimestamp - b.metadata.creationTimestamp || a.metadata.name.localeCompare(b.metadata.name))) {
    while (used.has(++low));
    o.metadata.resourceVersion = low;
  }
  let high = state.etcd.revision;
  for (const o of unwritten.filter((x) => nodes.has(x.metadata))) {
    high -= 11;
    while (used.has(high)) high--;
    o.metadata.resourceVersion = high;
    used.add(high);
  }
}
