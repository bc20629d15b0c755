// Table columns of the kinds kept without behaviour (cluster/stored-kinds.ts), read from their
// Kubernetes JSON as kubectl v1.29's server-side printers do (kubernetes
// pkg/printers/internalversion/printers.go; kinds without a printer get the apiserver's
// default NAME / CREATED AT table).
import type { ClusterState, JsonValue, SimTime, StoredObject } from '../../cluster/types.js';
import { age, humanDuration, rfc3339 } from './age.js';
import type { TableColumns } from './printers.js';
import type { KubeObject } from './resources.js';

type J = JsonValue | undefined;

/** The value at a dotted path of the object's fields, or undefined. */
export function field(o: KubeObject, path: string): J {
  let v: J = (o as StoredObject).fields;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
    v = v[part];
  }
  return v;
}
const list = (v: J): JsonValue[] => (Array.isArray(v) ? v : []);
const obj = (v: J): { [k: string]: JsonValue } => (v !== null && typeof v === 'object' && !Array.isArray(v) ? v : {});
const str = (v: J, none = '<none>'): string => (v === undefined || v === null || v === '' ? none : typeof v === 'object' ? JSON.stringify(v) : String(v));
const created = (o: KubeObject): (SimTime | undefined)[] => [o.metadata.creationTimestamp];
const ageOf = (state: ClusterState, o: KubeObject): string => age(state, o.metadata.creationTimestamp);
/** A time field stored as simulated ms (what the builders write) or an RFC 3339 text (from a manifest). */
function timeAge(state: ClusterState, v: J): string {
  if (typeof v === 'number') return age(state, v);
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? '<unknown>' : age(state, t - state.epoch);
  }
  return '<none>';
}

/**
 * metav1.FormatLabelSelector: the selector as labels.Selector prints it, requirements sorted
 * by key, set values sorted; an empty (or missing) selector is "<none>".
 */
export function formatLabelSelector(v: J): string {
  const s = obj(v);
  const terms: [string, string][] = Object.entries(obj(s.matchLabels)).map(([k, val]) => [k, `${k}=${str(val, '')}`]);
  for (const e of list(s.matchExpressions)) {
    const x = obj(e);
    const key = str(x.key, '');
    const values = list(x.values).map((y) => str(y, '')).sort().join(',');
    terms.push([key, x.operator === 'Exists' ? key : x.operator === 'DoesNotExist' ? `!${key}` : `${key} ${str(x.operator, '').toLowerCase()} (${values})`]);
  }
  terms.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return terms.length === 0 ? '<none>' : terms.map(([, t]) => t).join(',');
}

function containers(template: J): string[] {
  const cs = list(obj(obj(template).spec).containers).map(obj);
  return [cs.map((c) => str(c.name, '')).join(','), cs.map((c) => str(c.image, '')).join(',')];
}

const ACCESS_MODES: Record<string, string> = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' };
export const accessModes = (v: J): string => list(v).map((m) => ACCESS_MODES[str(m, '')] ?? str(m, '')).join(',');

/** `kubernetes-admin, system:masters`-style subject lists of a binding, per subject kind. */
function subjects(o: KubeObject, kind: string): string {
  return list(field(o, 'subjects')).map(obj).filter((s) => s.kind === kind)
    .map((s) => (kind === 'ServiceAccount' ? `${str(s.namespace, '')}/${str(s.name, '')}` : str(s.name, ''))).join(', ');
}

function quotaPairs(o: KubeObject, prefix: 'requests' | 'limits' | ''): string {
  const hard = obj(field(o, 'status.hard') ?? field(o, 'spec.hard'));
  const used = obj(field(o, 'status.used'));
  const keys = Object.keys(hard).filter((k) => (prefix === '' ? !k.startsWith('requests.') && !k.startsWith('limits.') : k.startsWith(`${prefix}.`))).sort();
  return keys.map((k) => `${k}: ${str(used[k], '0')}/${str(hard[k], '')}`).join(', ');
}

function endpointSlicePorts(o: KubeObject): string {
  const ports = list(field(o, 'ports')).map(obj);
  if (ports.length === 0) return '<unset>';
  return ports.map((p) => str(p.port, '<unset>')).join(',');
}

function endpointSliceEndpoints(o: KubeObject): string {
  const all = list(field(o, 'endpoints')).flatMap((e) => list(obj(e).addresses).map((a) => str(a, '')));
  if (all.length === 0) return '<unset>';
  return all.length > 3 ? `${all.slice(0, 3).join(',')} + ${all.length - 3} more...` : all.join(',');
}

function hpaTargets(o: KubeObject): string {
  const metrics = list(field(o, 'spec.metrics')).map(obj);
  const current = list(field(o, 'status.currentMetrics')).map(obj);
  if (metrics.length === 0) return '<none>';
  const parts = metrics.map((m, i) => {
    const target = obj(obj(m.resource).target);
    const now = obj(obj(current[i]?.resource).current);
    if (target.averageUtilization !== undefined) return `${now.averageUtilization === undefined ? '<unknown>' : `${str(now.averageUtilization)}%`}/${str(target.averageUtilization)}%`;
    return `${str(now.averageValue ?? now.value, '<unknown>')}/${str(target.averageValue ?? target.value)}`;
  });
  return parts.length > 1 ? `${parts.slice(0, 1).join(', ')} + ${parts.length - 1} more...` : parts[0]!;
}

function jobDuration(state: ClusterState, o: KubeObject): string {
  const start = field(o, 'status.startTime');
  if (start === undefined) return '';
  const end = field(o, 'status.completionTime');
  const toMs = (v: J): number => (typeof v === 'number' ? v : Date.parse(String(v)) - state.epoch);
  const ms = (end === undefined ? state.now : toMs(end)) - toMs(start);
  return humanDuration(ms);
}

const simple = (headers: string[], cells: (state: ClusterState, o: KubeObject) => string[], wideHeaders: string[] = [], wide: (state: ClusterState, o: KubeObject) => string[] = () => []): TableColumns => ({
  headers, wideHeaders, clock: created,
  row: (state, o, isWide) => (isWide ? [...cells(state, o), ...wide(state, o)] : cells(state, o)),
});
/** A custom resource whose CRD declares no printer columns: the apiserver's default Table, NAME and AGE. */
const nameAge = simple(['NAME', 'AGE'], (state, o) => [o.metadata.name, ageOf(state, o)]);
const createdAt = simple(['NAME', 'CREATED AT'], (state, o) => [o.metadata.name, rfc3339(state, o.metadata.creationTimestamp)]);
const binding = simple(['NAME', 'ROLE', 'AGE'], (state, o) => [o.metadata.name, `${str(field(o, 'roleRef.kind'), '')}/${str(field(o, 'roleRef.name'), '')}`, ageOf(state, o)],
  ['USERS', 'GROUPS', 'SERVICEACCOUNTS'], (_s, o) => [subjects(o, 'User'), subjects(o, 'Group'), subjects(o, 'ServiceAccount')]);

export const STORED_TABLES: Record<string, TableColumns> = {
  // The VPC CNI's and the network policy agent's CRDs declare no additionalPrinterColumns.
  ENIConfig: nameAge,
  PolicyEndpoint: nameAge,
  Secret: simple(['NAME', 'TYPE', 'DATA', 'AGE'], (state, o) => [o.metadata.name, str(field(o, 'type'), ''), String(Object.keys(obj(field(o, 'data'))).length), ageOf(state, o)]),
  ServiceAccount: simple(['NAME', 'SECRETS', 'AGE'], (state, o) => [o.metadata.name, String(list(field(o, 'secrets')).length), ageOf(state, o)]),
  PersistentVolume: simple(['NAME', 'CAPACITY', 'ACCESS MODES', 'RECLAIM POLICY', 'STATUS', 'CLAIM', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'REASON', 'AGE'], (state, o) => {
    const claim = obj(field(o, 'spec.claimRef'));
    return [o.metadata.name, str(field(o, 'spec.capacity.storage'), ''), accessModes(field(o, 'spec.accessModes')), str(field(o, 'spec.persistentVolumeReclaimPolicy'), ''),
      str(field(o, 'status.phase'), ''), claim.name ? `${str(claim.namespace, '')}/${str(claim.name, '')}` : '', str(field(o, 'spec.storageClassName'), ''),
      str(field(o, 'spec.volumeAttributesClassName'), '<unset>'), str(field(o, 'status.reason'), ''), ageOf(state, o)];
  }, ['VOLUMEMODE'], (_s, o) => [str(field(o, 'spec.volumeMode'), '<unset>')]),
  PersistentVolumeClaim: simple(['NAME', 'STATUS', 'VOLUME', 'CAPACITY', 'ACCESS MODES', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'AGE'], (state, o) => {
    const bound = field(o, 'status.phase') === 'Bound';
    // printPersistentVolumeClaim: a claim being deleted shows Terminating.
    const phase = o.metadata.deletionTimestamp !== undefined ? 'Terminating' : str(field(o, 'status.phase'), '');
    return [o.metadata.name, phase, str(field(o, 'spec.volumeName'), ''), bound ? str(field(o, 'status.capacity.storage'), '') : '',
      bound ? accessModes(field(o, 'status.accessModes')) : '', str(field(o, 'spec.storageClassName'), ''), str(field(o, 'spec.volumeAttributesClassName'), '<unset>'), ageOf(state, o)];
  }, ['VOLUMEMODE'], (_s, o) => [str(field(o, 'spec.volumeMode'), '<unset>')]),
  ResourceQuota: simple(['NAME', 'AGE', 'REQUEST', 'LIMIT'], (state, o) => [o.metadata.name, ageOf(state, o), [quotaPairs(o, ''), quotaPairs(o, 'requests')].filter((x) => x).join(', '), quotaPairs(o, 'limits')]),
  LimitRange: createdAt,
  ComponentStatus: {
    // Computed by the apiserver on each read from its probes of the components.
    headers: ['NAME', 'STATUS', 'MESSAGE', 'ERROR'], wideHeaders: [], clock: () => [],
    row: (state, o) => {
      const cp = state.controlPlane;
      const probe: Record<string, [boolean, string]> = {
        scheduler: [cp.scheduler.running, 'https://127.0.0.1:10259/healthz'],
        'controller-manager': [cp.controllerManager.running, 'https://127.0.0.1:10257/healthz'],
        'etcd-0': [state.etcd.healthy && !state.etcd.dataLost, 'https://127.0.0.1:2379/health'],
      };
      const [up, url] = probe[o.metadata.name] ?? [true, ''];
      const port = url.replace(/^https:\/\/[^:]+:(\d+).*$/, '$1');
      return up ? [o.metadata.name, 'Healthy', 'ok', ''] : [o.metadata.name, 'Unhealthy', '', `Get "${url}": dial tcp 127.0.0.1:${port}: connect: connection refused`];
    },
  },
  PodTemplate: simple(['NAME', 'CONTAINERS', 'IMAGES', 'POD LABELS'], (_s, o) => {
    const t = field(o, 'template');
    const labels = Object.entries(obj(obj(obj(t).metadata).labels)).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${str(v, '')}`).join(',');
    return [o.metadata.name, ...containers(t), labels];
  }),
  ReplicationController: simple(['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE'], (state, o) => [o.metadata.name, str(field(o, 'spec.replicas'), '1'), str(field(o, 'status.replicas'), '0'), str(field(o, 'status.readyReplicas'), '0'), ageOf(state, o)],
    ['CONTAINERS', 'IMAGES', 'SELECTOR'], (_s, o) => [...containers(field(o, 'spec.template')), Object.entries(obj(field(o, 'spec.selector'))).map(([k, v]) => `${k}=${str(v, '')}`).join(',') || '<none>']),
  StatefulSet: simple(['NAME', 'READY', 'AGE'], (state, o) => [o.metadata.name, `${str(field(o, 'status.readyReplicas'), '0')}/${str(field(o, 'spec.replicas'), '1')}`, ageOf(state, o)],
    ['CONTAINERS', 'IMAGES'], (_s, o) => containers(field(o, 'spec.template'))),
  ControllerRevision: simple(['NAME', 'CONTROLLER', 'REVISION', 'AGE'], (state, o) => {
    const owner = o.metadata.ownerReferences.find((r) => r.controller);
    return [o.metadata.name, owner ? `${owner.kind.toLowerCase()}.apps/${owner.name}` : '<none>', str(field(o, 'revision'), '0'), ageOf(state, o)];
  }),
  Job: simple(['NAME', 'COMPLETIONS', 'DURATION', 'AGE'], (state, o) => [o.metadata.name, `${str(field(o, 'status.succeeded'), '0')}/${str(field(o, 'spec.completions'), '1')}`, jobDuration(state, o), ageOf(state, o)],
    ['CONTAINERS', 'IMAGES', 'SELECTOR'], (_s, o) => [...containers(field(o, 'spec.template')), formatLabelSelector(field(o, 'spec.selector'))]),
  CronJob: {
    headers: ['NAME', 'SCHEDULE', 'TIMEZONE', 'SUSPEND', 'ACTIVE', 'LAST SCHEDULE', 'AGE'], wideHeaders: ['CONTAINERS', 'IMAGES', 'SELECTOR'],
    clock: (o) => [o.metadata.creationTimestamp, typeof field(o, 'status.lastScheduleTime') === 'number' ? (field(o, 'status.lastScheduleTime') as number) : undefined],
    row: (state, o, wide) => {
      const cells = [o.metadata.name, str(field(o, 'spec.schedule'), ''), str(field(o, 'spec.timeZone')), field(o, 'spec.suspend') === true ? 'True' : 'False', String(list(field(o, 'status.active')).length),
        field(o, 'status.lastScheduleTime') === undefined ? '<none>' : timeAge(state, field(o, 'status.lastScheduleTime')), ageOf(state, o)];
      const template = field(o, 'spec.jobTemplate.spec.template');
      return wide ? [...cells, ...containers(template), formatLabelSelector(field(o, 'spec.jobTemplate.spec.selector'))] : cells;
    },
  },
  Ingress: simple(['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE'], (state, o) => {
    const hosts = list(field(o, 'spec.rules')).map((r) => str(obj(r).host, '')).filter((h) => h !== '');
    const address = list(field(o, 'status.loadBalancer.ingress')).map((i) => str(obj(i).ip ?? obj(i).hostname, '')).filter((a) => a).join(',');
    return [o.metadata.name, str(field(o, 'spec.ingressClassName')), hosts.length === 0 ? '*' : hosts.length > 3 ? `${hosts.slice(0, 3).join(',')} + ${hosts.length - 3} more...` : hosts.join(','),
      address, list(field(o, 'spec.tls')).length > 0 ? '80, 443' : '80', ageOf(state, o)];
  }),
  IngressClass: simple(['NAME', 'CONTROLLER', 'PARAMETERS', 'AGE'], (state, o) => {
    const p = obj(field(o, 'spec.parameters'));
    return [o.metadata.name, str(field(o, 'spec.controller'), ''), p.kind ? `${str(p.kind, '')}.${str(p.apiGroup, '')}/${str(p.name, '')}` : '<none>', ageOf(state, o)];
  }),
  // MetalLB v0.13's CRD printer columns (config/crd: additionalPrinterColumns); a list prints as its JSON, as kubectl prints a JSONPath column.
  IPAddressPool: simple(['NAME', 'AUTO ASSIGN', 'AVOID BUGGY IPS', 'ADDRESSES', 'AGE'], (state, o) =>
    [o.metadata.name, String(field(o, 'spec.autoAssign') ?? true), String(field(o, 'spec.avoidBuggyIPs') ?? false), str(field(o, 'spec.addresses')), ageOf(state, o)]),
  L2Advertisement: simple(['NAME', 'IPADDRESSPOOLS', 'IPADDRESSPOOL SELECTORS', 'INTERFACES', 'AGE'], (state, o) =>
    [o.metadata.name, str(field(o, 'spec.ipAddressPools')), str(field(o, 'spec.ipAddressPoolSelectors')), str(field(o, 'spec.interfaces')), ageOf(state, o)]),
  NetworkPolicy: simple(['NAME', 'POD-SELECTOR', 'AGE'], (state, o) => [o.metadata.name, formatLabelSelector(field(o, 'spec.podSelector')), ageOf(state, o)]),
  StorageClass: simple(['NAME', 'PROVISIONER', 'RECLAIMPOLICY', 'VOLUMEBINDINGMODE', 'ALLOWVOLUMEEXPANSION', 'AGE'], (state, o) => {
    const isDefault = o.metadata.annotations['storageclass.kubernetes.io/is-default-class'] === 'true';
    return [isDefault ? `${o.metadata.name} (default)` : o.metadata.name, str(field(o, 'provisioner'), ''), str(field(o, 'reclaimPolicy'), 'Delete'),
      str(field(o, 'volumeBindingMode'), 'Immediate'), field(o, 'allowVolumeExpansion') === true ? 'true' : 'false', ageOf(state, o)];
  }),
  CSIDriver: simple(['NAME', 'ATTACHREQUIRED', 'PODINFOONMOUNT', 'STORAGECAPACITY', 'TOKENREQUESTS', 'REQUIRESREPUBLISH', 'MODES', 'AGE'], (state, o) => [
    o.metadata.name, String(field(o, 'spec.attachRequired') ?? true), String(field(o, 'spec.podInfoOnMount') ?? false), String(field(o, 'spec.storageCapacity') ?? false),
    list(field(o, 'spec.tokenRequests')).map((t) => str(obj(t).audience, '')).join(',') || '<unset>', String(field(o, 'spec.requiresRepublish') ?? false),
    list(field(o, 'spec.volumeLifecycleModes')).map((m) => str(m, '')).join(',') || 'Persistent', ageOf(state, o)]),
  CSINode: simple(['NAME', 'DRIVERS', 'AGE'], (state, o) => [o.metadata.name, String(list(field(o, 'spec.drivers')).length), ageOf(state, o)]),
  VolumeAttachment: simple(['NAME', 'ATTACHER', 'PV', 'NODE', 'ATTACHED', 'AGE'], (state, o) => [o.metadata.name, str(field(o, 'spec.attacher'), ''),
    str(field(o, 'spec.source.persistentVolumeName'), ''), str(field(o, 'spec.nodeName'), ''), field(o, 'status.attached') === true ? 'true' : 'false', ageOf(state, o)]),
  Role: createdAt,
  ClusterRole: createdAt,
  RoleBinding: binding,
  ClusterRoleBinding: binding,
  PodDisruptionBudget: simple(['NAME', 'MIN AVAILABLE', 'MAX UNAVAILABLE', 'ALLOWED DISRUPTIONS', 'AGE'], (state, o) => [o.metadata.name, str(field(o, 'spec.minAvailable'), 'N/A'),
    str(field(o, 'spec.maxUnavailable'), 'N/A'), str(field(o, 'status.disruptionsAllowed'), '0'), ageOf(state, o)]),
  HorizontalPodAutoscaler: simple(['NAME', 'REFERENCE', 'TARGETS', 'MINPODS', 'MAXPODS', 'REPLICAS', 'AGE'], (state, o) => [o.metadata.name,
    `${str(field(o, 'spec.scaleTargetRef.kind'), '')}/${str(field(o, 'spec.scaleTargetRef.name'), '')}`, hpaTargets(o), str(field(o, 'spec.minReplicas'), '1'),
    str(field(o, 'spec.maxReplicas'), ''), str(field(o, 'status.currentReplicas'), '0'), ageOf(state, o)]),
  Lease: simple(['NAME', 'HOLDER', 'AGE'], (state, o) => [o.metadata.name, str(field(o, 'spec.holderIdentity'), ''), ageOf(state, o)]),
  EndpointSlice: simple(['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE'], (state, o) => [o.metadata.name, str(field(o, 'addressType'), ''), endpointSlicePorts(o), endpointSliceEndpoints(o), ageOf(state, o)]),
  // printers.go printRuntimeClass: the handler the CRI runs its pods with.
  RuntimeClass: simple(['NAME', 'HANDLER', 'AGE'], (state, o) => [o.metadata.name, str(field(o, 'handler'), ''), ageOf(state, o)]),
  PriorityClass: simple(['NAME', 'VALUE', 'GLOBAL-DEFAULT', 'AGE'], (state, o) => [o.metadata.name, str(field(o, 'value'), '0'), field(o, 'globalDefault') === true ? 'true' : 'false', ageOf(state, o)]),
  CustomResourceDefinition: createdAt,
  MutatingWebhookConfiguration: simple(['NAME', 'WEBHOOKS', 'AGE'], (state, o) => [o.metadata.name, String(list(field(o, 'webhooks')).length), ageOf(state, o)]),
  ValidatingWebhookConfiguration: simple(['NAME', 'WEBHOOKS', 'AGE'], (state, o) => [o.metadata.name, String(list(field(o, 'webhooks')).length), ageOf(state, o)]),
  CertificateSigningRequest: simple(['NAME', 'AGE', 'SIGNERNAME', 'REQUESTOR', 'REQUESTEDDURATION', 'CONDITION'], (state, o) => {
    // printers.go extractCSRStatus: Denied over Approved over Pending, then ",Failed" and ",Issued".
    const types = new Set(list(field(o, 'status.conditions')).map((c) => str(obj(c).type, '')));
    let condition = types.has('Denied') ? 'Denied' : types.has('Approved') ? 'Approved' : 'Pending';
    if (types.has('Failed')) condition += ',Failed';
    if (str(field(o, 'status.certificate'), '') !== '') condition += ',Issued';
    const seconds = field(o, 'spec.expirationSeconds');
    return [o.metadata.name, ageOf(state, o), str(field(o, 'spec.signerName'), ''), str(field(o, 'spec.username'), ''),
      typeof seconds === 'number' ? humanDuration(seconds * 1000) : '<none>', condition];
  }),
  APIService: simple(['NAME', 'SERVICE', 'AVAILABLE', 'AGE'], (state, o) => {
    const svc = obj(field(o, 'spec.service'));
    const available = obj(list(field(o, 'status.conditions')).map(obj).find((c) => c.type === 'Available'));
    const text = available.status === 'True' ? 'True' : available.status === undefined ? 'Unknown' : `False (${str(available.reason, '')})`;
    return [o.metadata.name, svc.name ? `${str(svc.namespace, '')}/${str(svc.name, '')}` : 'Local', text, ageOf(state, o)];
  }),
};
