// State objects in their Kubernetes JSON form (apiVersion, kind, metadata, spec, status), the
// basis of `-o yaml|json|jsonpath|custom-columns`, `edit` and `apply`. Field order follows
// the Go structs (what the apiserver sends; kubectl's `-o json` sorts the keys, output.ts);
// empty fields are left out (omitempty).
import type {
  ClusterEvent, ClusterState, ConfigMap, ContainerSpec, ContainerStateValue, ContainerStatus, EphemeralContainerSpec, DaemonSet, Deployment, Endpoints,
  LabelSelector, Namespace, Node, ObjectMeta, Pod, PodSpec, PodTemplate, Probe, ReplicaSet, ResourceList, Service,
  SimTime, StoredObject,
} from '../../cluster/types.js';
import { isStoredKind } from '../../cluster/stored-kinds.js';
import { podAdmission, TOKEN_MOUNT_PATH, type PodAdmission } from '../../cluster/pod-admission.js';
import { shownStatus } from '../../cluster/status-writes.js';
import { rfc3339 } from './age.js';
import { formatBytes as formatMemory, formatCpu } from '../../cluster/quantity.js';
import { resourceTypeByKind, type KubeObject } from './resources.js';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** Drops undefined values and empty objects/arrays, like Go's `omitempty`. */
function compact(obj: Record<string, Json | undefined>): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) continue;
    out[k] = v;
  }
  return out;
}

/** A DaemonSet's status; observedGeneration is omitempty (a set the controller has not synced yet has none). */
function daemonSetStatusJson(ds: DaemonSet): Json {
  const { observedGeneration, ...counts } = ds.status;
  const observed = observedGeneration ?? ds.metadata.generation;
  return observed > 0 ? { ...counts, observedGeneration: observed } : counts;
}

export function toManifest(state: ClusterState, kind: string, obj: KubeObject): JsonObject {
  const manifest = modelledManifest(state, kind, obj);
  // A status a client wrote on a modelled kind shows until its owner's next sync (cluster/status-writes.ts).
  if (!state.statusWrites || isStoredKind(kind) || !isJsonObject(manifest.status)) return manifest;
  const key = obj.metadata.namespace === undefined ? obj.metadata.name : `${obj.metadata.namespace}/${obj.metadata.name}`;
  return { ...manifest, status: shownStatus(state, kind, key, obj.metadata.uid, manifest.status) };
}

const isJsonObject = (v: Json | undefined): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

function modelledManifest(state: ClusterState, kind: string, obj: KubeObject): JsonObject {
  const type = resourceTypeByKind(kind);
  const head = { apiVersion: type?.apiVersion ?? 'v1', kind };
  const time = (t: SimTime | undefined): Json | undefined => (t === undefined ? undefined : rfc3339(state, t));
  const meta = (m: ObjectMeta): JsonObject => metadataJson(state, m, kind);
  switch (kind) {
    case 'Pod': {
      const pod = obj as Pod;
      return { ...head, metadata: meta(pod.metadata), spec: podSpecJson(pod.spec, podAdmission(state, pod)), status: podStatusJson(state, pod) };
    }
    case 'Node': {
      const node = obj as Node;
      return {
        ...head,
        metadata: meta(node.metadata),
        spec: compact({
          podCIDR: node.spec.podCIDR,
          podCIDRs: [node.spec.podCIDR],
          providerID: node.spec.providerID,
          taints: node.spec.taints.map((t) => compact({ effect: t.effect, key: t.key, value: t.value })),
          unschedulable: node.spec.unschedulable || undefined,
        }),
        status: {
          addresses: node.status.addresses.map((a) => ({ address: a.address, type: a.type })),
          allocatable: nodeResourcesJson(node.status.allocatable),
          capacity: nodeResourcesJson(node.status.capacity),
          conditions: node.status.conditions.map((c) => ({
            lastHeartbeatTime: rfc3339(state, c.lastHeartbeatTime), lastTransitionTime: rfc3339(state, c.lastTransitionTime),
            message: c.message, reason: c.reason, status: c.status, type: c.type,
          })),
          daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
          nodeInfo: {
            architecture: node.status.nodeInfo.architecture, bootID: '', containerRuntimeVersion: node.status.nodeInfo.containerRuntimeVersion,
            kernelVersion: node.status.nodeInfo.kernelVersion,
            // v1.29's kubelet still reports its own version here (DisableNodeKubeProxyVersion is off).
            kubeProxyVersion: node.status.nodeInfo.kubeletVersion, kubeletVersion: node.status.nodeInfo.kubeletVersion,
            machineID: '', operatingSystem: node.status.nodeInfo.operatingSystem, osImage: node.status.nodeInfo.osImage, systemUUID: '',
          },
        },
      };
    }
    case 'Namespace': {
      const ns = obj as Namespace;
      return { ...head, metadata: meta(ns.metadata), spec: { finalizers: ['kubernetes'] }, status: { phase: ns.status.phase } };
    }
    case 'Deployment': {
      const d = obj as Deployment;
      return {
        ...head,
        metadata: meta(d.metadata),
        spec: compact({
          replicas: d.spec.replicas,
          selector: selectorJson(d.spec.selector),
          template: templateJson(d.spec.template),
          strategy: d.spec.strategy.type === 'Recreate'
            ? { type: 'Recreate' }
            : { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: d.spec.strategy.maxUnavailable, maxSurge: d.spec.strategy.maxSurge } },
          revisionHistoryLimit: d.spec.revisionHistoryLimit,
          paused: d.spec.paused || undefined,
          progressDeadlineSeconds: d.spec.progressDeadlineSeconds,
        }),
        status: compact({
          observedGeneration: d.status.observedGeneration,
          replicas: d.status.replicas || undefined,
          updatedReplicas: d.status.updatedReplicas || undefined,
          readyReplicas: d.status.readyReplicas || undefined,
          availableReplicas: d.status.availableReplicas || undefined,
          unavailableReplicas: d.status.unavailableReplicas || undefined,
          conditions: d.status.conditions.map((c) => ({
            type: c.type, status: c.status, lastUpdateTime: rfc3339(state, c.lastUpdateTime),
            lastTransitionTime: rfc3339(state, c.lastTransitionTime), reason: c.reason, message: c.message,
          })),
        }),
      };
    }
    case 'ReplicaSet': {
      const rs = obj as ReplicaSet;
      return {
        ...head,
        metadata: meta(rs.metadata),
        spec: { replicas: rs.spec.replicas, selector: selectorJson(rs.spec.selector), template: templateJson(rs.spec.template) },
        status: compact({
          replicas: rs.status.replicas,
          fullyLabeledReplicas: rs.status.fullyLabeledReplicas || undefined,
          readyReplicas: rs.status.readyReplicas || undefined,
          availableReplicas: rs.status.availableReplicas || undefined,
          observedGeneration: rs.status.observedGeneration,
        }),
      };
    }
    case 'DaemonSet': {
      const ds = obj as DaemonSet;
      return {
        ...head,
        metadata: meta(ds.metadata),
        spec: {
          selector: selectorJson(ds.spec.selector),
          template: templateJson(ds.spec.template),
          updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
          revisionHistoryLimit: 10,
        },
        status: daemonSetStatusJson(ds),
      };
    }
    case 'Service': {
      const svc = obj as Service;
      return {
        ...head,
        metadata: meta(svc.metadata),
        spec: compact({
          ports: svc.spec.ports.map((p) => compact({ name: p.name, protocol: p.protocol, port: p.port, targetPort: p.targetPort, nodePort: p.nodePort })),
          selector: svc.spec.selector,
          clusterIP: svc.spec.clusterIP,
          clusterIPs: [svc.spec.clusterIP],
          type: svc.spec.type,
          sessionAffinity: svc.spec.sessionAffinity,
          externalTrafficPolicy: svc.spec.type === 'ClusterIP' ? undefined : (svc.spec.externalTrafficPolicy ?? 'Cluster'),
          ipFamilies: ['IPv4'],
          ipFamilyPolicy: 'SingleStack',
          internalTrafficPolicy: 'Cluster',
        }),
        status: { loadBalancer: compact({ ingress: svc.status.loadBalancer.ingress.map((i) => compact({ ip: i.ip, hostname: i.hostname })) }) },
      };
    }
    case 'Endpoints': {
      const ep = obj as Endpoints;
      const address = (a: Endpoints['subsets'][number]['addresses'][number]): JsonObject => compact({
        ip: a.ip,
        nodeName: a.nodeName,
        targetRef: a.targetRef ? { kind: a.targetRef.kind, namespace: a.targetRef.namespace, name: a.targetRef.name, uid: a.targetRef.uid } : undefined,
      });
      return compact({
        ...head,
        metadata: meta(ep.metadata),
        subsets: ep.subsets.map((s) => compact({
          addresses: s.addresses.map(address),
          notReadyAddresses: s.notReadyAddresses.map(address),
          ports: s.ports.map((p) => compact({ name: p.name, port: p.port, protocol: p.protocol })),
        })),
      });
    }
    case 'ConfigMap': {
      const cm = obj as ConfigMap;
      return compact({ apiVersion: 'v1', data: { ...cm.data }, kind, metadata: meta(cm.metadata) });
    }
    case 'Event': {
      const ev = obj as ClusterEvent;
      const involvedType = resourceTypeByKind(ev.involvedObject.kind);
      return compact({
        ...head,
        metadata: meta(ev.metadata),
        involvedObject: compact({
          kind: ev.involvedObject.kind, namespace: ev.involvedObject.namespace, name: ev.involvedObject.name,
          uid: ev.involvedObject.uid, apiVersion: involvedType?.apiVersion, fieldPath: ev.involvedObject.fieldPath,
        }),
        reason: ev.reason,
        message: ev.message,
        source: compact({ component: ev.source.component, host: ev.source.host }),
        firstTimestamp: time(ev.firstTimestamp),
        lastTimestamp: time(ev.lastTimestamp),
        count: ev.count,
        type: ev.type,
        eventTime: null,
        reportingComponent: ev.source.component,
        reportingInstance: ev.source.host ?? '',
      });
    }
    default: {
      if (!isStoredKind(kind)) return { ...head, metadata: meta(obj.metadata) };
      // Kept as JSON: printed with its fields in key order, as kubectl prints unstructured objects.
      const all: JsonObject = { ...head, metadata: meta(obj.metadata), ...((obj as StoredObject).fields as JsonObject) };
      return Object.fromEntries(Object.keys(all).sort().map((k) => [k, all[k]!]));
    }
  }
}

/** An object's metadata as its manifest has it (the PartialObjectMetadata of a server-side Table row). */
export function metadataJson(state: ClusterState, m: ObjectMeta, kind: string): JsonObject {
  const hasGeneration = ['Deployment', 'ReplicaSet', 'DaemonSet'].includes(kind);
  return compact({
    name: m.name,
    namespace: m.namespace,
    uid: m.uid,
    // 0: never written (what a dry-run create answers has no resourceVersion).
    resourceVersion: m.resourceVersion === 0 ? undefined : String(m.resourceVersion),
    generation: hasGeneration ? m.generation : undefined,
    creationTimestamp: rfc3339(state, m.creationTimestamp),
    deletionTimestamp: m.deletionTimestamp === undefined ? undefined : rfc3339(state, m.deletionTimestamp),
    labels: { ...m.labels },
    annotations: { ...m.annotations },
    ownerReferences: m.ownerReferences.map((o) => ({
      apiVersion: resourceTypeByKind(o.kind)?.apiVersion ?? 'v1',
      kind: o.kind, name: o.name, uid: o.uid, controller: o.controller, blockOwnerDeletion: true,
    })),
  });
}

function resourceListJson(r: Partial<ResourceList>): JsonObject {
  return compact({
    cpu: r.cpu === undefined ? undefined : formatCpu(r.cpu),
    'ephemeral-storage': r.ephemeralStorage === undefined ? undefined : formatMemory(r.ephemeralStorage),
    memory: r.memory === undefined ? undefined : formatMemory(r.memory),
    pods: r.pods === undefined ? undefined : String(r.pods),
  });
}

/**
 * A node's capacity or allocatable as the kubelet reports it: cadvisor's byte counts as
 * BinarySI quantities, which serialize canonically (the largest exact power of 1024: `8Gi`,
 * `8092Mi`), and the huge page sizes of an x86_64 kernel, none reserved.
 */
export function nodeResourcesJson(r: ResourceList): JsonObject {
  return { ...resourceListJson(r), 'hugepages-1Gi': '0', 'hugepages-2Mi': '0' };
}

function selectorJson(s: LabelSelector): JsonObject {
  return compact({
    matchLabels: { ...s.matchLabels },
    matchExpressions: (s.matchExpressions ?? []).map((e) => compact({ key: e.key, operator: e.operator, values: e.values })),
  });
}

function templateJson(t: PodTemplate): JsonObject {
  return { metadata: compact({ creationTimestamp: null, labels: { ...t.metadata.labels }, annotations: { ...t.metadata.annotations } }), spec: podSpecJson(t.spec) };
}

function probeJson(p: Probe | undefined): JsonObject | undefined {
  if (!p) return undefined;
  const handler: JsonObject =
    p.type === 'http' ? { httpGet: { path: p.path ?? '/', port: p.port ?? 80, scheme: 'HTTP' } }
      : p.type === 'tcp' ? { tcpSocket: { port: p.port ?? 80 } }
        : { exec: { command: p.command ?? [] } };
  return { ...handler, initialDelaySeconds: p.initialDelaySeconds, timeoutSeconds: 1, periodSeconds: p.periodSeconds, successThreshold: 1, failureThreshold: p.failureThreshold };
}

function containerJson(c: ContainerSpec, hostPaths: PodSpec['hostPaths'], tokenVolume?: string): JsonObject {
  const mounts = (hostPaths ?? []).map((v) => compact({ mountPath: v.mountPath, name: v.volume, readOnly: v.readOnly }));
  // The ServiceAccount admission plugin appends the token's mount to each container's.
  if (tokenVolume) mounts.push({ mountPath: TOKEN_MOUNT_PATH, name: tokenVolume, readOnly: true });
  return compact({
    name: c.name,
    image: c.image,
    command: c.command,
    args: c.args,
    ports: c.ports.map((p) => compact({ name: p.name, containerPort: p.containerPort, protocol: p.protocol })),
    env: c.env.map((e) => ({ name: e.name, value: e.value })),
    resources: compact({ limits: resourceListJson(c.resources.limits), requests: resourceListJson(c.resources.requests) }) as Json,
    livenessProbe: probeJson(c.livenessProbe),
    readinessProbe: probeJson(c.readinessProbe),
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    imagePullPolicy: c.image.endsWith(':latest') || !c.image.includes(':') ? 'Always' : 'IfNotPresent',
    volumeMounts: mounts.length > 0 ? mounts : undefined,
    stdin: c.stdin || undefined,
    stdinOnce: c.stdinOnce || undefined,
    tty: c.tty || undefined,
  });
}

/** core/v1 EphemeralContainer: EphemeralContainerCommon's fields, then targetContainerName. */
function ephemeralContainerJson(c: EphemeralContainerSpec): JsonObject {
  return compact({ ...containerJson(c, undefined), targetContainerName: c.targetContainerName });
}

/** The ServiceAccount admission plugin's projected volume: the token, the cluster's CA and the namespace. */
function tokenVolumeJson(name: string): JsonObject {
  return {
    name,
    projected: {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { items: [{ key: 'ca.crt', path: 'ca.crt' }], name: 'kube-root-ca.crt' } },
        { downwardAPI: { items: [{ fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' }, path: 'namespace' }] } },
      ],
    },
  };
}

/** A template's spec, or with `admission` a pod's: then what defaulting and the admission plugins added at its creation too. */
function podSpecJson(spec: PodSpec, admission?: PodAdmission): JsonObject {
  const token = admission?.tokenVolume;
  const volumes: JsonObject[] = [
    ...[...spec.hostPaths ?? []].sort((a, b) => a.volume.localeCompare(b.volume)).map((v) => ({ hostPath: { path: v.path, type: v.type }, name: v.volume })),
    ...(spec.claims ?? []).map((c) => ({ name: c.volume, persistentVolumeClaim: compact({ claimName: c.claimName, readOnly: c.readOnly }) })),
    ...(token ? [tokenVolumeJson(token)] : []),
  ];
  return compact({
    containers: spec.containers.map((c) => containerJson(c, spec.hostPaths, token)),
    ephemeralContainers: spec.ephemeralContainers?.map(ephemeralContainerJson),
    restartPolicy: spec.restartPolicy,
    terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds,
    activeDeadlineSeconds: spec.activeDeadlineSeconds,
    dnsPolicy: spec.dnsPolicy,
    dnsConfig: spec.dnsConfig ? compact({
      nameservers: spec.dnsConfig.nameservers ? [...spec.dnsConfig.nameservers] : undefined,
      searches: spec.dnsConfig.searches ? [...spec.dnsConfig.searches] : undefined,
      options: spec.dnsConfig.options?.map((o) => compact({ name: o.name, value: o.value })),
    }) : undefined,
    nodeSelector: { ...spec.nodeSelector },
    // A mirror (static) pod has none: the ServiceAccount admission plugin leaves them alone.
    serviceAccountName: spec.serviceAccountName || undefined,
    serviceAccount: spec.serviceAccountName || undefined,
    nodeName: spec.nodeName,
    hostNetwork: spec.hostNetwork || undefined,
    affinity: spec.nodeAffinity
      ? { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: spec.nodeAffinity.map((term) => ({ matchExpressions: term.map((e) => compact({ key: e.key, operator: e.operator, values: e.values })) })) } } }
      : undefined,
    schedulerName: spec.schedulerName,
    tolerations: spec.tolerations.map((t) => compact({ key: t.key, operator: t.operator, value: t.value, effect: t.effect, tolerationSeconds: t.tolerationSeconds })),
    priorityClassName: spec.priorityClassName,
    priority: admission?.priority,
    // SetDefaults_Pod (a pod's, not a template's) turns service links on.
    enableServiceLinks: admission ? true : undefined,
    preemptionPolicy: admission?.preemptionPolicy,
    volumes: spec.claims || spec.hostPaths || token ? volumes : undefined,
  });
}

function containerStateJson(state: ClusterState, s: ContainerStateValue | undefined): JsonObject {
  if (!s) return {};
  switch (s.kind) {
    case 'waiting': return { waiting: compact({ reason: s.reason, message: s.message }) };
    case 'running': return { running: { startedAt: rfc3339(state, s.startedAt) } };
    case 'terminated': return {
      terminated: compact({
        exitCode: s.exitCode, reason: s.reason, message: s.message,
        startedAt: rfc3339(state, s.startedAt), finishedAt: rfc3339(state, s.finishedAt), containerID: undefined,
      }),
    };
  }
}

function podStatusJson(state: ClusterState, pod: Pod): JsonObject {
  const s = pod.status;
  return compact({
    phase: s.phase,
    conditions: s.conditions.map((c) => compact({
      type: c.type, status: c.status, lastProbeTime: null, lastTransitionTime: rfc3339(state, c.lastTransitionTime), reason: c.reason, message: c.message,
    })),
    message: s.message,
    reason: s.reason,
    nominatedNodeName: s.nominatedNodeName,
    hostIP: s.hostIP,
    hostIPs: s.hostIP ? [{ ip: s.hostIP }] : undefined,
    podIP: s.podIP,
    podIPs: s.podIP ? [{ ip: s.podIP }] : undefined,
    startTime: s.startTime === undefined ? undefined : rfc3339(state, s.startTime),
    containerStatuses: s.containerStatuses.map((c) => containerStatusJson(state, c)),
    qosClass: s.qosClass,
    ephemeralContainerStatuses: s.ephemeralContainerStatuses?.map((c) => containerStatusJson(state, c)),
  });
}

function containerStatusJson(state: ClusterState, c: ContainerStatus): JsonObject {
  return {
    containerID: c.containerID,
    image: c.image,
    imageID: c.imageID,
    lastState: containerStateJson(state, c.lastState),
    name: c.name,
    ready: c.ready,
    restartCount: c.restartCount,
    started: c.started,
    state: containerStateJson(state, c.state),
  };
}
