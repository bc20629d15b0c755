// Table columns per kind, as kubectl's server-side printers produce them
// (kubernetes pkg/printers/internalversion/printers.go).
import type {
  ClusterEvent, ClusterState, ConfigMap, DaemonSet, Deployment, Endpoints, LabelSelector, Namespace, Node, Pod,
  PodTemplate, ReplicaSet, Service, SimTime,
} from '../../cluster/types.js';
import { age } from './age.js';
import type { KubeObject } from './resources.js';
import { STORED_TABLES } from './stored-tables.js';

export interface TableColumns {
  /** The printer's priority-0 columns, in order. */
  headers: string[];
  /** Its priority-1 columns, which only `-o wide` shows. */
  wideHeaders: string[];
  /**
   * Every column in the printer's order, when the wide ones are not simply after the others
   * (printEvent puts SUBOBJECT and SOURCE before MESSAGE): see `tableHeaders`.
   */
  wideOrder?: string[];
  /** One row's cells, in the order of `tableHeaders(table, wide)`. */
  row(state: ClusterState, obj: KubeObject, wide: boolean): string[];
  /** The times whose age the row prints (AGE and the like): the row reads the same until one of them ticks over. */
  clock(obj: KubeObject): (SimTime | undefined)[];
}

/** The columns a table shows, in its printer's column-definition order (kubectl keeps it, dropping priority 1 without -o wide). */
export function tableHeaders(table: TableColumns, wide: boolean): string[] {
  if (!wide) return table.headers;
  return table.wideOrder ?? [...table.headers, ...table.wideHeaders];
}

/** kubectl's pod STATUS column: phase, overridden by container waiting/terminated reasons. */
export function podStatusReason(pod: Pod): string {
  let reason: string = pod.status.reason ?? pod.status.phase;
  let hasRunning = false;
  const statuses = pod.status.containerStatuses;
  for (let i = statuses.length - 1; i >= 0; i--) {
    const c = statuses[i]!;
    if (c.state.kind === 'waiting' && c.state.reason) reason = c.state.reason;
    else if (c.state.kind === 'terminated' && c.state.reason) reason = c.state.reason;
    else if (c.state.kind === 'terminated') reason = `ExitCode:${c.state.exitCode}`;
    else if (c.ready && c.state.kind === 'running') hasRunning = true;
  }
  if (reason === 'Completed' && hasRunning) {
    const ready = pod.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True');
    reason = ready ? 'Running' : 'NotReady';
  }
  if (pod.metadata.deletionTimestamp !== undefined) reason = pod.status.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  return reason;
}

export function podReady(pod: Pod): string {
  let ready = 0;
  for (const c of pod.status.containerStatuses) if (c.ready && c.state.kind === 'running') ready++;
  return readyText(ready, pod.spec.containers.length);
}

/** `1/2`: the same few texts recur on every row of a big listing, so each is built once. */
const READY_TEXTS: string[][] = [];
function readyText(ready: number, total: number): string {
  return ((READY_TEXTS[total] ??= [])[ready] ??= `${ready}/${total}`);
}

/** `3 (45s ago)`: total restarts and the age of the latest termination. */
export function podRestarts(state: ClusterState, pod: Pod): string {
  let restarts = 0;
  for (const c of pod.status.containerStatuses) restarts += c.restartCount;
  const last = restarts === 0 ? undefined : lastTermination(pod);
  return last === undefined ? String(restarts) : `${restarts} (${age(state, last)} ago)`;
}

/** When the latest container termination of the pod happened, if any. */
function lastTermination(pod: Pod): SimTime | undefined {
  let last: SimTime | undefined;
  for (const c of pod.status.containerStatuses) {
    if (c.lastState?.kind === 'terminated' && (last === undefined || c.lastState.finishedAt > last)) last = c.lastState.finishedAt;
  }
  return last;
}

/** The clock of a row that prints only the object's AGE. */
const created = (o: KubeObject): (SimTime | undefined)[] => [o.metadata.creationTimestamp];

export function nodeStatus(node: Node): string {
  const ready = node.status.conditions.find((c) => c.type === 'Ready');
  const parts = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (node.spec.unschedulable) parts.push('SchedulingDisabled');
  return parts.join(',');
}

export function nodeRoles(node: Node): string {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(node.metadata.labels)) {
    if (key.startsWith('node-role.kubernetes.io/')) roles.add(key.slice('node-role.kubernetes.io/'.length));
    else if (key === 'kubernetes.io/role') roles.add(value);
  }
  return roles.size === 0 ? '<none>' : [...roles].filter((r) => r !== '').sort().join(',');
}

export function selectorString(s: LabelSelector | Record<string, string> | undefined): string {
  if (!s) return '<none>';
  const labels = 'matchLabels' in s && typeof s.matchLabels === 'object' ? (s as LabelSelector).matchLabels : (s as Record<string, string>);
  const terms = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  for (const e of (s as LabelSelector).matchExpressions ?? []) {
    terms.push(e.operator === 'Exists' ? e.key : e.operator === 'DoesNotExist' ? `!${e.key}` : `${e.key} ${e.operator.toLowerCase()} (${(e.values ?? []).join(',')})`);
  }
  return terms.length === 0 ? '<none>' : terms.join(',');
}

export function labelsString(labels: Record<string, string>): string {
  const entries = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.length === 0 ? '<none>' : entries.map(([k, v]) => `${k}=${v}`).join(',');
}

export function servicePorts(svc: Service): string {
  if (svc.spec.ports.length === 0) return '<none>';
  return svc.spec.ports.map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol}`).join(',');
}

export function serviceExternalIP(svc: Service): string {
  if (svc.spec.type !== 'LoadBalancer') return '<none>';
  const ips = svc.status.loadBalancer.ingress.map((i) => i.ip ?? i.hostname ?? '').filter((s) => s !== '');
  return ips.length === 0 ? '<pending>' : ips.join(',');
}

/** `10.244.1.5:80,10.244.2.3:80 + 1 more...`: at most three endpoints shown. */
export function formatEndpoints(ep: Endpoints, portNames?: Set<string>): string {
  const all: string[] = [];
  for (const subset of ep.subsets) {
    const ports = subset.ports.length === 0 ? [undefined] : subset.ports.filter((p) => !portNames || portNames.has(p.name ?? ''));
    for (const port of ports) for (const a of subset.addresses) all.push(port ? `${a.ip}:${port.port}` : a.ip);
  }
  // kubectl describe ingress asks for one port's endpoints: none of them prints nothing.
  if (all.length === 0) return portNames && ep.subsets.length > 0 ? '' : '<none>';
  const shown = all.slice(0, 3).join(',');
  return all.length > 3 ? `${shown} + ${all.length - 3} more...` : shown;
}

const templateWide = (t: PodTemplate, selector: LabelSelector): string[] => [
  t.spec.containers.map((c) => c.name).join(','),
  t.spec.containers.map((c) => c.image).join(','),
  selectorString(selector),
];

/**
 * LAST SEEN as `kubectl events` prints it (pkg/cmd/events/event_printer.go getInterval): the
 * first time seen for a single event, `2m (x5 over 10m)` for repeated ones.
 */
export function eventInterval(state: ClusterState, ev: ClusterEvent): string {
  return ev.count > 1 ? `${age(state, ev.lastTimestamp)} (x${ev.count} over ${age(state, ev.firstTimestamp)})` : age(state, ev.firstTimestamp);
}

/** OBJECT of `get events` (printEvent's target): `pod/web-1`. */
export function eventObject(ev: ClusterEvent): string {
  return `${ev.involvedObject.kind.toLowerCase()}/${ev.involvedObject.name}`;
}

/** SOURCE of `get events -o wide` (printers.go formatEventSource): `kubelet, worker-1`. */
const eventSource = (ev: ClusterEvent): string => (ev.source.host ? `${ev.source.component}, ${ev.source.host}` : ev.source.component);

/** A row's cells, then with `-o wide` the wide ones (only computed when asked for). */
const withWide = (cells: string[], wide: boolean, wideCells: () => string[]): string[] => (wide ? [...cells, ...wideCells()] : cells);

export const TABLES: Record<string, TableColumns> = {
  ...STORED_TABLES,
  Pod: {
    headers: ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'],
    wideHeaders: ['IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'],
    row: (state, o, wide) => {
      const pod = o as Pod;
      return withWide(
        [pod.metadata.name, podReady(pod), podStatusReason(pod), podRestarts(state, pod), age(state, pod.metadata.creationTimestamp)],
        wide, () => [pod.status.podIP ?? '<none>', pod.spec.nodeName ?? '<none>', pod.status.nominatedNodeName ?? '<none>', '<none>'],
      );
    },
    clock: (o) => [o.metadata.creationTimestamp, lastTermination(o as Pod)],
  },
  Node: {
    headers: ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'],
    wideHeaders: ['INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME'],
    row: (state, o, wide) => {
      const node = o as Node;
      const address = (type: string): string => node.status.addresses.find((a) => a.type === type)?.address ?? '<none>';
      const info = node.status.nodeInfo;
      return withWide(
        [node.metadata.name, nodeStatus(node), nodeRoles(node), age(state, node.metadata.creationTimestamp), info.kubeletVersion],
        wide, () => [address('InternalIP'), address('ExternalIP'), info.osImage, info.kernelVersion, info.containerRuntimeVersion],
      );
    },
    clock: created,
  },
  Namespace: {
    headers: ['NAME', 'STATUS', 'AGE'],
    wideHeaders: [],
    row: (state, o) => [o.metadata.name, (o as Namespace).status.phase, age(state, o.metadata.creationTimestamp)],
    clock: created,
  },
  Deployment: {
    headers: ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'],
    wideHeaders: ['CONTAINERS', 'IMAGES', 'SELECTOR'],
    row: (state, o, wide) => {
      const d = o as Deployment;
      return withWide(
        [d.metadata.name, `${d.status.readyReplicas}/${d.spec.replicas}`, String(d.status.updatedReplicas), String(d.status.availableReplicas), age(state, d.metadata.creationTimestamp)],
        wide, () => templateWide(d.spec.template, d.spec.selector),
      );
    },
    clock: created,
  },
  ReplicaSet: {
    headers: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE'],
    wideHeaders: ['CONTAINERS', 'IMAGES', 'SELECTOR'],
    row: (state, o, wide) => {
      const rs = o as ReplicaSet;
      return withWide(
        [rs.metadata.name, String(rs.spec.replicas), String(rs.status.replicas), String(rs.status.readyReplicas), age(state, rs.metadata.creationTimestamp)],
        wide, () => templateWide(rs.spec.template, rs.spec.selector),
      );
    },
    clock: created,
  },
  DaemonSet: {
    headers: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE'],
    wideHeaders: ['CONTAINERS', 'IMAGES', 'SELECTOR'],
    row: (state, o, wide) => {
      const ds = o as DaemonSet;
      const s = ds.status;
      return withWide(
        [ds.metadata.name, String(s.desiredNumberScheduled), String(s.currentNumberScheduled), String(s.numberReady), String(s.updatedNumberScheduled), String(s.numberAvailable), selectorString(ds.spec.template.spec.nodeSelector), age(state, ds.metadata.creationTimestamp)],
        wide, () => templateWide(ds.spec.template, ds.spec.selector),
      );
    },
    clock: created,
  },
  Service: {
    headers: ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE'],
    wideHeaders: ['SELECTOR'],
    row: (state, o, wide) => {
      const svc = o as Service;
      return withWide(
        [svc.metadata.name, svc.spec.type, svc.spec.clusterIP, serviceExternalIP(svc), servicePorts(svc), age(state, svc.metadata.creationTimestamp)],
        wide, () => [selectorString(svc.spec.selector)],
      );
    },
    clock: created,
  },
  Endpoints: {
    headers: ['NAME', 'ENDPOINTS', 'AGE'],
    wideHeaders: [],
    row: (state, o) => [o.metadata.name, formatEndpoints(o as Endpoints), age(state, o.metadata.creationTimestamp)],
    clock: created,
  },
  ConfigMap: {
    headers: ['NAME', 'DATA', 'AGE'],
    wideHeaders: [],
    row: (state, o) => [o.metadata.name, String(Object.keys((o as ConfigMap).data).length), age(state, o.metadata.creationTimestamp)],
    clock: created,
  },
  // pkg/printers/internalversion/printers.go printEvent (LAST SEEN is the last timestamp's age
  // alone) and its eventColumnDefinitions, whose priority-1 columns sit among the others.
  Event: {
    headers: ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'],
    wideHeaders: ['SUBOBJECT', 'SOURCE', 'FIRST SEEN', 'COUNT', 'NAME'],
    wideOrder: ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'SUBOBJECT', 'SOURCE', 'MESSAGE', 'FIRST SEEN', 'COUNT', 'NAME'],
    row: (state, o, wide) => {
      const ev = o as ClusterEvent;
      const [last, type, reason, object, message] = [age(state, ev.lastTimestamp), ev.type, ev.reason, eventObject(ev), ev.message.trim()];
      if (!wide) return [last, type, reason, object, message];
      return [last, type, reason, object, ev.involvedObject.fieldPath ?? '', eventSource(ev), message, age(state, ev.firstTimestamp), String(Math.max(ev.count, 1)), ev.metadata.name];
    },
    clock: (o) => [(o as ClusterEvent).lastTimestamp, (o as ClusterEvent).firstTimestamp],
  },
};
