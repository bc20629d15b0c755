// Fault actions: what a scenario does to the cluster at a point of its timeline. Every
// change to an API object goes through the apiserver functions (so etcd grows and a
// NOSPACE alarm can refuse it); host state (a component's process, a systemd unit, a log line)
// is changed directly, the way an operator on the node would. Pure: same state → same result.
import { z } from 'zod';
import { createObject, deleteObject, mutateObject, noteLocalChange } from '../cluster/api.js';
import { defaultNetworkPolicySpec } from '../cluster/network/netpol.js';
import { newMeta } from '../cluster/objects.js';
import { journal, kubeletWorking, setUnitActive, swapOn, writeDataFile } from '../cluster/host.js';
import { adoptImagePrograms } from '../cluster/images.js';
import { rebootNode } from '../cluster/reboot.js';
import { appendLog, klog } from '../cluster/logs.js';
import { backfillExpiry } from '../cluster/cert-history.js';
import { leafCerts, setCert } from '../cluster/pki.js';
import { parseBytes, parseCpu, parseDuration, parseQuantity } from '../cluster/quantity.js';
import type { ClusterState, ComponentName, ContainerBehavior, Deployment, JsonValue, LogLine } from '../cluster/types.js';

const Name = z.string().min(1);
const Quantity = z
  .union([z.string(), z.number()])
  .refine((v) => parseQuantity(v) !== null, { message: 'not a Kubernetes quantity (e.g. "500m", "2", "512Mi", "1Gi")' });
const Effect = z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']);

const EtcdAction = z.strictObject({
  writesPerSecond: z.number().nonnegative().optional(),
  /** History growth per second ("1Mi"): how fast the DB approaches its quota. */
  writeBytesPerSecond: Quantity.optional(),
});

const COMPONENTS = { apiserver: 'kube-apiserver', scheduler: 'kube-scheduler', controllerManager: 'kube-controller-manager' } as const satisfies Record<string, ComponentName>;
const ControlPlaneAction = z.strictObject({
  component: z.enum(['apiserver', 'scheduler', 'controllerManager']),
  running: z.boolean(),
  /** Lines the component logs when this happens ("file.go:12] message"); also its crash output. */
  logs: z.array(z.string()).default([]),
  /** How the process ends when it stops (137: killed, e.g. by the OOM killer). */
  exitCode: z.number().int().min(0).max(255).default(1),
});

/** A Service's selector replaced (e.g. a chart applying its own kube-dns Service). */
const ServiceAction = z.strictObject({ namespace: Name, name: Name, selector: z.record(z.string(), z.string()) });

/** A NetworkPolicy created (its spec as Kubernetes JSON, defaulted as the apiserver does). */
const NetworkPolicyAction = z.strictObject({ namespace: Name, name: Name, labels: z.record(z.string(), z.string()).default({}), spec: z.record(z.string(), z.json()) });

const DeploymentAction = z.strictObject({
  namespace: Name,
  name: Name,
  replicas: z.number().int().nonnegative().optional(),
  /** New requests for every container (a template change: new ReplicaSet). */
  requests: z.strictObject({ cpu: Quantity.optional(), memory: Quantity.optional() }).optional(),
  nodeSelector: z.record(z.string(), z.string()).optional(),
  /** A release: every container's image (it runs that image's program, cluster `images`). */
  image: z.string().min(1).optional(),
  /** New limits for every container (a template change). */
  limits: z.strictObject({ cpu: Quantity.optional(), memory: Quantity.optional() }).optional(),
  /** `kubectl rollout restart`: new pods from the same template. */
  restart: z.literal(true).optional(),
  /** Every container's readiness probe moved to this port (a template change). */
  readinessProbePort: z.number().int().min(1).max(65535).optional(),
});

const NodeTaintAction = z.strictObject({ node: Name, key: z.string(), value: z.string().optional(), effect: Effect });
const NodeLabelAction = z.strictObject({ node: Name, key: z.string(), value: z.string().nullable() });

const ConfigMapAction = z.strictObject({
  namespace: Name,
  name: Name,
  key: z.string(),
  value: z.string().optional(),
  replace: z.strictObject({ from: z.string(), to: z.string() }).optional(),
});

/** Delete the pods matching a selector (an eviction, a "restart" by deleting pods); owners recreate them. */
const DeletePodsAction = z.strictObject({ namespace: Name, selector: z.record(z.string(), z.string()) });

/** Lines appended to a node's syslog (and a unit's journal), e.g. the kernel's OOM killer. Stored as "ident[pid]: message". */
const HostLogAction = z.strictObject({ node: Name, unit: z.string().optional(), lines: z.array(z.string()).min(1) });

/**
 * Large files written on a node, e.g. a backup job's snapshots: `count` files in `dir`, one
 * every `everyHours` going back from now, named `prefix` + YYYYMMDD-HHMM + `suffix`. They fill
 * their filesystem (a write that runs out of room stops short); `rm` gives the room back.
 */
const HostFilesAction = z.strictObject({
  node: Name,
  dir: z.string().regex(/^\/[^\0]*[^/]$/, 'an absolute directory path, no trailing slash'),
  prefix: z.string().default(''),
  suffix: z.string().default(''),
  count: z.number().int().min(1).max(200).default(1),
  everyHours: z.number().positive().default(24),
  size: Quantity,
});

/** Start or stop a systemd unit on a node (kubelet, containerd), as `systemctl` would. */
const UnitAction = z.strictObject({
  node: Name,
  name: z.string().min(1),
  active: z.boolean(),
  /** `systemctl mask` (true) or `unmask` (false): a masked unit cannot be started or restarted. */
  masked: z.boolean().optional(),
});

/** A text file on a node written whole (`content`) or added to (`append`), e.g. a config a tool pushed. */
const HostFileAction = z
  .strictObject({ node: Name, path: z.string().regex(/^\/[^\0]*[^/]$/, 'an absolute file path'), content: z.string().optional(), append: z.string().optional() })
  .refine((f) => (f.content === undefined) !== (f.append === undefined), { message: 'give content or append, not both' });

/** A swap file created, listed in /etc/fstab and turned on (as `fallocate; mkswap; swapon` and an fstab line do). */
const SwapAction = z.strictObject({ node: Name, path: z.string().regex(/^\/[^\0]*[^/]$/, 'an absolute file path'), size: Quantity });

/** The node reboots: units restart, fstab's swap comes on (cluster/reboot.ts). */
const RebootAction = z.strictObject({ node: Name });

const Duration = z.string().refine((v) => parseDuration(v) !== null, { message: 'not a duration (e.g. "23d", "365d4h")' });
/**
 * Control-plane certificates issued at a past time (cluster/pki.ts), each valid a year from
 * then: the kubeconfigs embedding one are rewritten. `renewedBy` leaves the sudo line of
 * each `kubeadm certs renew NAME` in the node's syslog at that time.
 */
const CertAction = z.strictObject({
  node: Name,
  /** kubeadm's names (`kubeadm certs check-expiration`), or `all` for every leaf certificate. */
  names: z.array(z.string().min(1)).min(1),
  issuedAgo: Duration,
  /** The workstation's ~/.kube/config is a copy of the admin.conf issued then. */
  workstation: z.boolean().default(false),
  renewedBy: z.string().regex(/^[a-z][a-z0-9-]*$/).optional(),
  /** Then write what every certificate expired by now made the components log since (cluster/cert-history.ts). */
  history: z.boolean().default(false),
});

export const FaultActionSchema = z
  .strictObject({
    etcd: EtcdAction.optional(),
    controlPlane: ControlPlaneAction.optional(),
    deployment: DeploymentAction.optional(),
    service: ServiceAction.optional(),
    networkPolicy: NetworkPolicyAction.optional(),
    taint: NodeTaintAction.optional(),
    label: NodeLabelAction.optional(),
    configmap: ConfigMapAction.optional(),
    deletePods: DeletePodsAction.optional(),
    hostLog: HostLogAction.optional(),
    hostFiles: HostFilesAction.optional(),
    unit: UnitAction.optional(),
    hostFile: HostFileAction.optional(),
    swap: SwapAction.optional(),
    reboot: RebootAction.optional(),
    cert: CertAction.optional(),
  })
  .refine((a) => Object.keys(a).length === 1, { message: 'a fault action names exactly one of: etcd, controlPlane, deployment, service, networkPolicy, taint, label, configmap, deletePods, hostLog, hostFiles, unit, hostFile, swap, reboot, cert' })
  .meta({ id: 'FaultAction' });
export type FaultAction = z.infer<typeof FaultActionSchema>;

/** What went wrong applying an action (an object missing, a write refused): the room logs it. */
export type ActionResult = { ok: true } | { ok: false; message: string };
const OK: ActionResult = { ok: true };

function bumpGeneration(state: ClusterState, namespace: string, name: string, change: (d: Deployment) => void): ActionResult {
  const res = mutateObject(state, 'Deployment', `${namespace}/${name}`, (d) => {
    change(d);
    d.metadata.generation++;
  });
  return res.ok ? OK : { ok: false, message: res.error.message };
}

/** "file.go:12] message" (the source the component would print) or a bare message. */
function klogLine(state: ClusterState, severity: 'I' | 'E', text: string): LogLine {
  const m = /^(\S+\.go:\d+)\] (.*)$/.exec(text);
  return klog(state, state.now, severity, m ? m[1]! : 'server.go:160', m ? m[2]! : text);
}

function applyControlPlane(state: ClusterState, a: z.infer<typeof ControlPlaneAction>): ActionResult {
  const component = state.controlPlane[a.component];
  component.running = a.running;
  const lines = a.logs.map((l) => klogLine(state, a.running ? 'I' : 'E', l));
  for (const line of lines) appendLog(component.logs, line);
  // The static pod's container prints the same lines when it crashes (kubectl logs --previous, crictl logs).
  const role = COMPONENTS[a.component];
  for (const pod of Object.values(state.pods)) {
    if (!pod.static) continue;
    for (const [name, b] of Object.entries(pod.behavior)) {
      if (b.role !== role) continue;
      const next: ContainerBehavior = { ...b };
      if (!a.running && lines.length > 0) next.crashLogs = lines.map((l) => l.text);
      else delete next.crashLogs;
      pod.behavior[name] = next;
      const cs = pod.status.containerStatuses.find((c) => c.name === name);
      const node = state.nodes[pod.spec.nodeName ?? ''];
      if (!cs || !node) continue;
      if (!a.running && cs.state.kind === 'running' && !kubeletWorking(node.host)) {
        // The process is gone (containerd sees it exit) but no kubelet runs to restart it or report it.
        cs.state = { kind: 'terminated', reason: a.exitCode === 137 ? 'OOMKilled' : a.exitCode === 0 ? 'Completed' : 'Error', exitCode: a.exitCode, startedAt: cs.state.startedAt, finishedAt: state.now };
        cs.ready = false;
        cs.started = false;
        noteLocalChange(state, 'Pod', pod);
      }
      // Back up: the kubelet's next restart attempt succeeds now rather than after a long back-off.
      if (a.running && cs.state.kind === 'waiting') cs.backOffUntil = state.now;
    }
  }
  return OK;
}

export function applyAction(state: ClusterState, action: FaultAction): ActionResult {
  if (action.etcd) {
    const e = action.etcd;
    if (e.writesPerSecond !== undefined) state.etcd.writesPerSecond = e.writesPerSecond;
    if (e.writeBytesPerSecond !== undefined) state.etcd.writeBytesPerSecond = parseBytes(e.writeBytesPerSecond)!;
    return OK;
  }
  if (action.controlPlane) return applyControlPlane(state, action.controlPlane);
  if (action.deployment) {
    const d = action.deployment;
    const templateChange = d.requests !== undefined || d.limits !== undefined || d.image !== undefined || d.nodeSelector !== undefined || d.restart !== undefined || d.readinessProbePort !== undefined;
    if (!templateChange) {
      const res = mutateObject(state, 'Deployment', `${d.namespace}/${d.name}`, (dep) => {
        if (d.replicas !== undefined) dep.spec.replicas = d.replicas;
        dep.metadata.generation++;
      });
      return res.ok ? OK : { ok: false, message: res.error.message };
    }
    return bumpGeneration(state, d.namespace, d.name, (dep) => {
      if (d.replicas !== undefined) dep.spec.replicas = d.replicas;
      const t = dep.spec.template;
      if (d.nodeSelector) t.spec.nodeSelector = { ...d.nodeSelector };
      const before = structuredClone(t.spec);
      for (const c of t.spec.containers) {
        if (d.requests?.cpu !== undefined) c.resources.requests.cpu = parseCpu(d.requests.cpu)!;
        if (d.requests?.memory !== undefined) c.resources.requests.memory = parseBytes(d.requests.memory)!;
        if (d.limits?.cpu !== undefined) c.resources.limits.cpu = parseCpu(d.limits.cpu)!;
        if (d.limits?.memory !== undefined) c.resources.limits.memory = parseBytes(d.limits.memory)!;
        if (d.image !== undefined) c.image = d.image;
        if (d.readinessProbePort !== undefined && c.readinessProbe) c.readinessProbe = { ...c.readinessProbe, port: d.readinessProbePort };
      }
      adoptImagePrograms(state, t.spec, t.behavior, before);
      if (d.restart) t.metadata.annotations = { ...t.metadata.annotations, 'kubectl.kubernetes.io/restartedAt': new Date(state.epoch + state.now).toISOString() };
    });
  }
  if (action.taint) {
    const t = action.taint;
    const res = mutateObject(state, 'Node', t.node, (n) => {
      n.spec.taints = [...n.spec.taints.filter((x) => !(x.key === t.key && x.effect === t.effect)), t.value !== undefined ? { key: t.key, value: t.value, effect: t.effect } : { key: t.key, effect: t.effect }];
    });
    return res.ok ? OK : { ok: false, message: res.error.message };
  }
  if (action.label) {
    const l = action.label;
    const res = mutateObject(state, 'Node', l.node, (n) => {
      if (l.value === null) delete n.metadata.labels[l.key];
      else n.metadata.labels[l.key] = l.value;
    });
    return res.ok ? OK : { ok: false, message: res.error.message };
  }
  if (action.configmap) {
    const c = action.configmap;
    const res = mutateObject(state, 'ConfigMap', `${c.namespace}/${c.name}`, (cm) => {
      let value = c.value ?? cm.data[c.key] ?? '';
      if (c.replace) value = value.split(c.replace.from).join(c.replace.to);
      cm.data[c.key] = value;
    });
    return res.ok ? OK : { ok: false, message: res.error.message };
  }
  if (action.deletePods) {
    const d = action.deletePods;
    for (const [key, pod] of Object.entries(state.pods)) {
      if (pod.metadata.namespace !== d.namespace || pod.metadata.deletionTimestamp !== undefined) continue;
      if (!Object.entries(d.selector).every(([k, v]) => pod.metadata.labels[k] === v)) continue;
      const res = deleteObject(state, 'Pod', key);
      if (!res.ok) return { ok: false, message: res.error.message };
    }
    return OK;
  }
  if (action.hostLog) {
    const h = action.hostLog;
    const node = state.nodes[h.node];
    if (!node) return { ok: false, message: `node "${h.node}" not found` };
    for (const text of h.lines) {
      const line = { at: state.now, text };
      if (h.unit) journal(state, h.node, h.unit, line);
      else appendLog(node.host.syslog, line);
    }
    return OK;
  }
  if (action.service) {
    const a = action.service;
    const res = mutateObject(state, 'Service', `${a.namespace}/${a.name}`, (svc) => { svc.spec.selector = { ...a.selector }; });
    return res.ok ? OK : { ok: false, message: res.error.message };
  }
  if (action.networkPolicy) {
    const n = action.networkPolicy;
    const spec = structuredClone(n.spec) as { [k: string]: JsonValue };
    defaultNetworkPolicySpec(spec);
    const res = createObject(state, 'NetworkPolicy', { kind: 'NetworkPolicy', metadata: newMeta(state, n.name, n.namespace, n.labels), fields: { spec } });
    return res.ok ? OK : { ok: false, message: res.error.message };
  }
  if (action.hostFiles) {
    const f = action.hostFiles;
    if (!state.nodes[f.node]) return { ok: false, message: `node "${f.node}" not found` };
    const pad = (n: number) => String(n).padStart(2, '0');
    for (let i = f.count - 1; i >= 0; i--) {
      const at = state.now - i * f.everyHours * 3_600_000;
      const t = new Date(state.epoch + at);
      const stamp = `${t.getUTCFullYear()}${pad(t.getUTCMonth() + 1)}${pad(t.getUTCDate())}-${pad(t.getUTCHours())}${pad(t.getUTCMinutes())}`;
      writeDataFile(state, f.node, `${f.dir}/${f.prefix}${stamp}${f.suffix}`, parseBytes(f.size)!, at);
    }
    return OK;
  }
  if (action.unit) {
    const u = action.unit;
    const unit = state.nodes[u.node]?.host.units[u.name];
    if (!unit) return { ok: false, message: `unit ${u.name}.service not found on node "${u.node}"` };
    setUnitActive(state, u.node, u.name, u.active);
    if (u.masked !== undefined) unit.masked = u.masked;
    return OK;
  }
  if (action.hostFile) {
    const f = action.hostFile;
    const host = state.nodes[f.node]?.host;
    if (!host) return { ok: false, message: `node "${f.node}" not found` };
    host.files[f.path] = f.content ?? (host.files[f.path] ?? '') + f.append!;
    return OK;
  }
  if (action.swap) {
    const w = action.swap;
    const host = state.nodes[w.node]?.host;
    if (!host) return { ok: false, message: `node "${w.node}" not found` };
    writeDataFile(state, w.node, w.path, parseBytes(w.size)!);
    host.files['/etc/fstab'] = `${host.files['/etc/fstab'] ?? ''}${w.path}\tnone\tswap\tsw\t0 0\n`;
    const error = swapOn(host, w.path);
    if (error) return { ok: false, message: error.trim() };
    const area = host.swaps!.at(-1)!;
    appendLog(host.syslog, { at: state.now, text: `kernel: Adding ${area.sizeKiB}k swap on ${w.path}.  Priority:${area.priority} extents:1 across:${area.sizeKiB}k SS` });
    return OK;
  }
  if (action.reboot) return rebootNode(state, action.reboot.node) ? OK : { ok: false, message: `node "${action.reboot.node}" not found` };
  if (action.cert) return applyCert(state, action.cert);
  return { ok: false, message: 'empty fault action' };
}

function applyCert(state: ClusterState, c: z.infer<typeof CertAction>): ActionResult {
  const node = state.nodes[c.node];
  if (!node) return { ok: false, message: `node "${c.node}" not found` };
  const leaves = leafCerts(node).map((l) => l.name);
  const names = c.names.includes('all') ? leaves : c.names;
  const unknown = names.find((n) => !leaves.includes(n));
  if (unknown) return { ok: false, message: `no certificate "${unknown}" (kubeadm certs check-expiration lists ${leaves.join(', ')})` };
  const at = state.now - parseDuration(c.issuedAgo)!;
  names.forEach((name, i) => {
    setCert(state, node, name, at);
    if (c.workstation && name === 'admin.conf') state.workstationCert = { ...node.host.certs![name]! };
    if (c.renewedBy) {
      const line = { at: at - (names.length - i) * 4000, text: `sudo[${31_000 + i * 7}]: ${c.renewedBy} : TTY=pts/0 ; PWD=/home/${c.renewedBy} ; USER=root ; COMMAND=/usr/bin/kubeadm certs renew ${name}` };
      // Kept in time order: the syslog may already hold later lines.
      const log = node.host.syslog;
      let k = log.length;
      while (k > 0 && log[k - 1]!.at > line.at) k--;
      log.splice(k, 0, line);
    }
  });
  if (c.history) backfillExpiry(state);
  return OK;
}

/** The objects an action names, for reference checks against the cluster spec. */
export function actionRefs(a: FaultAction): { kind: 'node' | 'deployment' | 'configmap' | 'service' | 'namespace'; namespace?: string; name: string; path: (string | number)[] }[] {
  if (a.deployment) return [{ kind: 'deployment', namespace: a.deployment.namespace, name: a.deployment.name, path: ['deployment', 'name'] }];
  if (a.service) return [{ kind: 'service', namespace: a.service.namespace, name: a.service.name, path: ['service', 'name'] }];
  if (a.networkPolicy) return [{ kind: 'namespace', name: a.networkPolicy.namespace, path: ['networkPolicy', 'namespace'] }];
  if (a.taint) return [{ kind: 'node', name: a.taint.node, path: ['taint', 'node'] }];
  if (a.label) return [{ kind: 'node', name: a.label.node, path: ['label', 'node'] }];
  if (a.configmap) return [{ kind: 'configmap', namespace: a.configmap.namespace, name: a.configmap.name, path: ['configmap', 'name'] }];
  if (a.unit) return [{ kind: 'node', name: a.unit.node, path: ['unit', 'node'] }];
  if (a.hostLog) return [{ kind: 'node', name: a.hostLog.node, path: ['hostLog', 'node'] }];
  if (a.hostFiles) return [{ kind: 'node', name: a.hostFiles.node, path: ['hostFiles', 'node'] }];
  if (a.hostFile) return [{ kind: 'node', name: a.hostFile.node, path: ['hostFile', 'node'] }];
  if (a.swap) return [{ kind: 'node', name: a.swap.node, path: ['swap', 'node'] }];
  if (a.reboot) return [{ kind: 'node', name: a.reboot.node, path: ['reboot', 'node'] }];
  if (a.cert) return [{ kind: 'node', name: a.cert.node, path: ['cert', 'node'] }];
  return [];
}

