// `kubectl describe` for deployments, replicasets, daemonsets, services, endpoints,
// configmaps, namespaces and events.
import type {
  ClusterEvent, ClusterState, ConfigMap, DaemonSet, Deployment, Endpoints, LabelSelector, Namespace, PodTemplate,
  ReplicaSet, Service,
} from '../../../cluster/types.js';
import { formatBytes, formatCpu } from '../../../cluster/quantity.js';
import { rfc1123z } from '../age.js';
import { selectorString } from '../printers.js';
import { matchesLabels } from '../selectors.js';
import { probeString, writeContainerCommand, writePorts } from './pod.js';
import { describeWriter, writeAnnotations, writeEvents, writeLabels, writeObjectHead, type DescribeWriter } from './writer.js';

/**
 * `serviceAccount` is the template's spec.serviceAccountName as the object's JSON has it:
 * a Job's template has none unless its manifest named one.
 */
export function writePodTemplate(w: DescribeWriter, t: PodTemplate, serviceAccount: string | undefined): void {
  w.write(0, 'Pod Template:\n');
  writeLabels(w, 1, 'Labels', t.metadata.labels);
  if (Object.keys(t.metadata.annotations).length > 0) writeAnnotations(w, 1, t.metadata.annotations);
  // kubectl describe.go DescribePodTemplate (checked against the real kubectl v1.29.4).
  if (serviceAccount) w.write(1, `Service Account:\t${serviceAccount}\n`);
  w.write(1, 'Containers:\n');
  for (const c of t.spec.containers) {
    w.write(1, ` ${c.name}:\n`);
    w.write(2, `Image:\t${c.image}\n`);
    writePorts(w, c);
    writeContainerCommand(w, c);
    const limits = c.resources.limits;
    const requests = c.resources.requests;
    for (const [title, r] of [['Limits', limits], ['Requests', requests]] as const) {
      const cells = [r.cpu !== undefined ? `cpu:\t${formatCpu(r.cpu)}` : undefined, r.memory !== undefined ? `memory:\t${formatBytes(r.memory)}` : undefined].filter((x) => x !== undefined);
      if (cells.length === 0) continue;
      w.write(2, `${title}:\n`);
      for (const cell of cells) w.write(3, `${cell}\n`);
    }
    if (c.livenessProbe) w.write(2, `Liveness:\t${probeString(c.livenessProbe)}\n`);
    if (c.readinessProbe) w.write(2, `Readiness:\t${probeString(c.readinessProbe)}\n`);
    if (c.env.length === 0) w.write(2, 'Environment:\t<none>\n');
    else {
      w.write(2, 'Environment:\n');
      for (const e of c.env) w.write(3, `${e.name}:\t${e.value}\n`);
    }
    w.write(2, 'Mounts:\t<none>\n');
  }
  w.write(1, 'Volumes:\t<none>\n');
  if (t.spec.priorityClassName) w.write(1, `Priority Class Name:\t${t.spec.priorityClassName}\n`);
  // No Node-Selectors nor Tolerations: kubectl prints them under a template only from v1.30 (kubectl commit 7cd57900b).
}

/** `1 Running / 0 Waiting / 0 Succeeded / 0 Failed` for the pods a selector matches. */
export function podsStatus(state: ClusterState, namespace: string, selector: LabelSelector): string {
  const counts = { Running: 0, Waiting: 0, Succeeded: 0, Failed: 0 };
  const reqs = Object.entries(selector.matchLabels).map(([key, v]) => ({ key, op: '=' as const, values: [v] }));
  for (const pod of Object.values(state.pods)) {
    if (pod.metadata.namespace !== namespace || !matchesLabels(reqs, pod.metadata.labels)) continue;
    if (pod.status.phase === 'Running') counts.Running++;
    else if (pod.status.phase === 'Pending') counts.Waiting++;
    else if (pod.status.phase === 'Succeeded') counts.Succeeded++;
    else if (pod.status.phase === 'Failed') counts.Failed++;
  }
  return `${counts.Running} Running / ${counts.Waiting} Waiting / ${counts.Succeeded} Succeeded / ${counts.Failed} Failed`;
}

export function describeDeployment(state: ClusterState, d: Deployment): string {
  const w = describeWriter();
  w.write(0, `Name:\t${d.metadata.name}\n`);
  w.write(0, `Namespace:\t${d.metadata.namespace}\n`);
  w.write(0, `CreationTimestamp:\t${rfc1123z(state, d.metadata.creationTimestamp)}\n`);
  writeLabels(w, 0, 'Labels', d.metadata.labels);
  writeAnnotations(w, 0, d.metadata.annotations);
  w.write(0, `Selector:\t${selectorString(d.spec.selector)}\n`);
  const s = d.status;
  w.write(0, `Replicas:\t${d.spec.replicas} desired | ${s.updatedReplicas} updated | ${s.replicas} total | ${s.availableReplicas} available | ${s.unavailableReplicas} unavailable\n`);
  w.write(0, `StrategyType:\t${d.spec.strategy.type}\n`);
  w.write(0, 'MinReadySeconds:\t0\n');
  if (d.spec.strategy.type === 'RollingUpdate') {
    w.write(0, `RollingUpdateStrategy:\t${d.spec.strategy.maxUnavailable} max unavailable, ${d.spec.strategy.maxSurge} max surge\n`);
  }
  writePodTemplate(w, d.spec.template, d.spec.template.spec.serviceAccountName);
  if (s.conditions.length > 0) {
    w.write(0, 'Conditions:\n');
    w.write(1, 'Type\tStatus\tReason\n');
    w.write(1, '----\t------\t------\n');
    for (const c of s.conditions) w.write(1, `${c.type} \t${c.status}\t${c.reason}\n`);
  }
  const owned = Object.values(state.replicasets)
    .filter((rs) => rs.metadata.ownerReferences.some((o) => o.uid === d.metadata.uid))
    .sort((a, b) => revision(b) - revision(a));
  const describeRs = (rs: ReplicaSet): string => `${rs.metadata.name} (${rs.status.replicas}/${rs.spec.replicas} replicas created)`;
  const [newest, ...old] = owned;
  const oldActive = old.filter((rs) => rs.spec.replicas > 0 || rs.status.replicas > 0);
  w.write(0, `OldReplicaSets:\t${oldActive.length ? oldActive.map(describeRs).join(', ') : '<none>'}\n`);
  w.write(0, `NewReplicaSet:\t${newest ? describeRs(newest) : '<none>'}\n`);
  writeEvents(w, state, d.metadata.uid);
  return w.done();
}

function revision(rs: ReplicaSet): number {
  return Number(rs.metadata.annotations['deployment.kubernetes.io/revision'] ?? 0);
}

export function describeReplicaSet(state: ClusterState, rs: ReplicaSet): string {
  const w = describeWriter();
  w.write(0, `Name:\t${rs.metadata.name}\n`);
  w.write(0, `Namespace:\t${rs.metadata.namespace}\n`);
  w.write(0, `Selector:\t${selectorString(rs.spec.selector)}\n`);
  writeLabels(w, 0, 'Labels', rs.metadata.labels);
  writeAnnotations(w, 0, rs.metadata.annotations);
  const owner = rs.metadata.ownerReferences.find((o) => o.controller);
  if (owner) w.write(0, `Controlled By:\t${owner.kind}/${owner.name}\n`);
  w.write(0, `Replicas:\t${rs.status.replicas} current / ${rs.spec.replicas} desired\n`);
  w.write(0, `Pods Status:\t${podsStatus(state, rs.metadata.namespace ?? '', rs.spec.selector)}\n`);
  writePodTemplate(w, rs.spec.template, rs.spec.template.spec.serviceAccountName);
  writeEvents(w, state, rs.metadata.uid);
  return w.done();
}

export function describeDaemonSet(state: ClusterState, ds: DaemonSet): string {
  const w = describeWriter();
  const s = ds.status;
  w.write(0, `Name:\t${ds.metadata.name}\n`);
  w.write(0, `Selector:\t${selectorString(ds.spec.selector)}\n`);
  w.write(0, `Node-Selector:\t${selectorString(ds.spec.template.spec.nodeSelector)}\n`);
  writeLabels(w, 0, 'Labels', ds.metadata.labels);
  writeAnnotations(w, 0, ds.metadata.annotations);
  w.write(0, `Desired Number of Nodes Scheduled: ${s.desiredNumberScheduled}\n`);
  w.write(0, `Current Number of Nodes Scheduled: ${s.currentNumberScheduled}\n`);
  w.write(0, `Number of Nodes Scheduled with Up-to-date Pods: ${s.updatedNumberScheduled}\n`);
  w.write(0, `Number of Nodes Scheduled with Available Pods: ${s.numberAvailable}\n`);
  w.write(0, `Number of Nodes Misscheduled: ${s.numberMisscheduled}\n`);
  w.write(0, `Pods Status:\t${podsStatus(state, ds.metadata.namespace ?? '', ds.spec.selector)}\n`);
  writePodTemplate(w, ds.spec.template, ds.spec.template.spec.serviceAccountName);
  writeEvents(w, state, ds.metadata.uid);
  return w.done();
}

/**
 * describe.go formatEndpoints: the ready addresses of the subsets' ports named as the service
 * port (all of a subset without ports), the first 3 and `+ N more...`; `<none>` only without
 * subsets (with only unready addresses it is empty).
 */
function formatEndpoints(ep: Endpoints | undefined, portName: string): string {
  if (!ep || ep.subsets.length === 0) return '<none>';
  const max = 3;
  const list: string[] = [];
  let count = 0;
  const add = (address: string): void => {
    if (list.length < max) list.push(address);
    count++;
  };
  for (const ss of ep.subsets) {
    if (ss.ports.length === 0) for (const a of ss.addresses) add(a.ip);
    for (const port of ss.ports) if ((port.name ?? '') === portName) for (const a of ss.addresses) add(`${a.ip}:${port.port}`);
  }
  return count > max ? `${list.join(',')} + ${count - max} more...` : list.join(',');
}

export function describeService(state: ClusterState, svc: Service): string {
  const w = describeWriter();
  writeObjectHead(w, svc.metadata);
  w.write(0, `Selector:\t${selectorString(svc.spec.selector)}\n`);
  w.write(0, `Type:\t${svc.spec.type}\n`);
  w.write(0, 'IP Family Policy:\tSingleStack\n');
  w.write(0, 'IP Families:\tIPv4\n');
  w.write(0, `IP:\t${svc.spec.clusterIP}\n`);
  w.write(0, `IPs:\t${svc.spec.clusterIP}\n`);
  const ingress = svc.status.loadBalancer.ingress.map((i) => i.ip ?? i.hostname ?? '').filter((x) => x !== '');
  if (ingress.length > 0) w.write(0, `LoadBalancer Ingress:\t${ingress.join(', ')}\n`);
  const ep = state.endpoints[`${svc.metadata.namespace}/${svc.metadata.name}`];
  for (const p of svc.spec.ports) {
    const name = p.name ?? '<unset>';
    w.write(0, `Port:\t${name}\t${p.port}/${p.protocol}\n`);
    w.write(0, `TargetPort:\t${p.targetPort}/${p.protocol}\n`);
    if (p.nodePort) w.write(0, `NodePort:\t${name}\t${p.nodePort}/${p.protocol}\n`);
    w.write(0, `Endpoints:\t${formatEndpoints(ep, p.name ?? '')}\n`);
  }
  w.write(0, `Session Affinity:\t${svc.spec.sessionAffinity}\n`);
  if (svc.spec.type !== 'ClusterIP') w.write(0, `External Traffic Policy:\t${svc.spec.externalTrafficPolicy ?? 'Cluster'}\n`);
  writeEvents(w, state, svc.metadata.uid);
  return w.done();
}

export function describeEndpoints(state: ClusterState, ep: Endpoints): string {
  const w = describeWriter();
  writeObjectHead(w, ep.metadata);
  w.write(0, 'Subsets:\n');
  for (const s of ep.subsets) {
    w.write(1, `Addresses:\t${s.addresses.map((a) => a.ip).join(',') || '<none>'}\n`);
    w.write(1, `NotReadyAddresses:\t${s.notReadyAddresses.map((a) => a.ip).join(',') || '<none>'}\n`);
    w.write(1, 'Ports:\n');
    w.write(2, 'Name\tPort\tProtocol\n');
    w.write(2, '----\t----\t--------\n');
    for (const p of s.ports) w.write(2, `${p.name ?? '<unset>'}\t${p.port}\t${p.protocol}\n`);
    w.write(0, '\n');
  }
  writeEvents(w, state, ep.metadata.uid);
  return w.done();
}

export function describeConfigMap(state: ClusterState, cm: ConfigMap): string {
  const w = describeWriter();
  writeObjectHead(w, cm.metadata);
  w.write(0, '\nData\n====\n');
  for (const [key, value] of Object.entries(cm.data).sort(([a], [b]) => (a < b ? -1 : 1))) {
    w.write(0, `${key}:\n----\n${value}\n`);
  }
  w.write(0, '\nBinaryData\n====\n\n');
  writeEvents(w, state, cm.metadata.uid);
  return w.done();
}

export function describeNamespace(_state: ClusterState, ns: Namespace): string {
  const w = describeWriter();
  w.write(0, `Name:\t${ns.metadata.name}\n`);
  writeLabels(w, 0, 'Labels', { 'kubernetes.io/metadata.name': ns.metadata.name, ...ns.metadata.labels });
  writeAnnotations(w, 0, ns.metadata.annotations);
  w.write(0, `Status:\t${ns.status.phase}\n`);
  w.write(0, '\nNo resource quota.\n\nNo LimitRange resource.\n');
  return w.done();
}

export function describeEvent(state: ClusterState, ev: ClusterEvent): string {
  const w = describeWriter();
  writeObjectHead(w, ev.metadata);
  w.write(0, 'API Version:\tv1\n');
  w.write(0, `Count:\t${ev.count}\n`);
  w.write(0, `First Timestamp:\t${rfc1123z(state, ev.firstTimestamp)}\n`);
  w.write(0, 'Involved Object:\n');
  w.write(1, `Kind:\t${ev.involvedObject.kind}\n`);
  w.write(1, `Name:\t${ev.involvedObject.name}\n`);
  if (ev.involvedObject.namespace) w.write(1, `Namespace:\t${ev.involvedObject.namespace}\n`);
  w.write(0, 'Kind:\tEvent\n');
  w.write(0, `Last Timestamp:\t${rfc1123z(state, ev.lastTimestamp)}\n`);
  w.write(0, `Message:\t${ev.message}\n`);
  w.write(0, `Reason:\t${ev.reason}\n`);
  w.write(0, 'Source:\n');
  w.write(1, `Component:\t${ev.source.component}\n`);
  if (ev.source.host) w.write(1, `Host:\t${ev.source.host}\n`);
  w.write(0, `Type:\t${ev.type}\n`);
  w.write(0, 'Events:\t<none>\n');
  return w.done();
}
