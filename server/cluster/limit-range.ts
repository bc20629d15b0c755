// LimitRange objects (v1) as the LimitRanger admission plugin applies them to a new pod
// (kubernetes plugin/pkg/admission/limitranger/admission.go): containers without requests or
// limits get the range's defaults (and the `kubernetes.io/limit-ranger` annotation saying so),
// then requests and limits are checked against min and max. It runs before ResourceQuota, so
// quotas count the defaulted values.
import { qosClass } from './objects.js';
import { formatBytes, formatCpu, parseBytes, parseCpu } from './quantity.js';
import type { ApiError, ClusterState, ContainerSpec, JsonValue, Pod, StoredObject } from './types.js';
import { jsonObject } from './json.js';

type Resource = 'cpu' | 'memory';
const RESOURCES: Resource[] = ['cpu', 'memory'];

interface Item {
  type: string;
  default: Partial<Record<Resource, number>>;
  defaultRequest: Partial<Record<Resource, number>>;
  max: Partial<Record<Resource, number>>;
  min: Partial<Record<Resource, number>>;
}


function amounts(v: JsonValue | undefined): Partial<Record<Resource, number>> {
  const out: Partial<Record<Resource, number>> = {};
  const r = jsonObject(v);
  for (const resource of RESOURCES) {
    const raw = r[resource];
    if (typeof raw !== 'string' && typeof raw !== 'number') continue;
    const parsed = resource === 'cpu' ? parseCpu(raw) : parseBytes(raw);
    if (parsed !== null) out[resource] = parsed;
  }
  return out;
}

function itemsIn(state: ClusterState, namespace: string): Item[] {
  const ranges: StoredObject[] = Object.values(state.stored?.LimitRange ?? {}).filter((r) => r.metadata.namespace === namespace);
  return ranges.flatMap((r) => {
    const limits = jsonObject(r.fields.spec).limits;
    return (Array.isArray(limits) ? limits : []).map((l) => {
      const x = jsonObject(l);
      const type = typeof x.type === 'string' ? x.type : '';
      const max = amounts(x.max);
      const min = amounts(x.min);
      // SetDefaults_LimitRangeItem: a Container item's default limit is its max, its default request the default, else the min.
      const fallback = type === 'Container';
      const byDefault = fallback ? { ...max, ...amounts(x.default) } : amounts(x.default);
      const defaultRequest = fallback ? { ...min, ...byDefault, ...amounts(x.defaultRequest) } : amounts(x.defaultRequest);
      return { type, default: byDefault, defaultRequest, max, min };
    });
  });
}

const format = (resource: Resource, v: number): string => (resource === 'cpu' ? formatCpu(v) : formatBytes(v));

/** Fills in defaults, then checks min and max; the error the plugin answers with, or null. */
export function applyLimitRanges(state: ClusterState, pod: Pod): ApiError | null {
  const items = itemsIn(state, pod.metadata.namespace ?? '');
  if (items.length === 0) return null;
  const setRequests = new Map<string, Resource[]>();
  const setLimits = new Map<string, Resource[]>();
  const errors: string[] = [];
  for (const item of items.filter((i) => i.type === 'Container')) {
    for (const c of pod.spec.containers) {
      for (const resource of RESOURCES) {
        const limit = item.default[resource];
        if (c.resources.limits[resource] === undefined && limit !== undefined) {
          c.resources.limits[resource] = limit;
          note(setLimits, c, resource);
        }
        const request = item.defaultRequest[resource] ?? limit;
        if (c.resources.requests[resource] === undefined && request !== undefined) {
          c.resources.requests[resource] = request;
          note(setRequests, c, resource);
        }
      }
      errors.push(...violations(item, 'Container', c.resources.requests, c.resources.limits));
    }
  }
  for (const item of items.filter((i) => i.type === 'Pod')) {
    const sum = (side: 'requests' | 'limits') => Object.fromEntries(RESOURCES.map((r) => [r, pod.spec.containers.reduce((t, c) => t + (c.resources[side][r] ?? 0), 0)]));
    errors.push(...violations(item, 'Pod', sum('requests'), sum('limits')));
  }
  if (errors.length > 0) {
    return { status: 403, reason: 'Forbidden', message: `pods "${pod.metadata.name}" is forbidden: ${errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`}` };
  }
  const said = [...describeSet(setRequests, 'request'), ...describeSet(setLimits, 'limit')];
  if (said.length > 0) {
    pod.metadata.annotations = { ...pod.metadata.annotations, 'kubernetes.io/limit-ranger': `LimitRanger plugin set: ${said.join('; ')}` };
    pod.status.qosClass = qosClass(pod.spec);
  }
  return null;
}

function note(set: Map<string, Resource[]>, c: ContainerSpec, resource: Resource): void {
  set.set(c.name, [...(set.get(c.name) ?? []), resource]);
}

/** "cpu, memory request for container web" (the plugin's annotation text). */
function describeSet(set: Map<string, Resource[]>, what: string): string[] {
  return [...set].map(([name, resources]) => `${resources.join(', ')} ${what} for container ${name}`);
}

function violations(item: Item, kind: 'Container' | 'Pod', requests: Partial<Record<Resource, number>>, limits: Partial<Record<Resource, number>>): string[] {
  const out: string[] = [];
  for (const resource of RESOURCES) {
    const min = item.min[resource];
    const request = requests[resource];
    if (min !== undefined && (request === undefined || request < min)) {
      out.push(request === undefined ? `minimum ${resource} usage per ${kind} is ${format(resource, min)}.  No request is specified` : `minimum ${resource} usage per ${kind} is ${format(resource, min)}, but request is ${format(resource, request)}`);
    }
    const max = item.max[resource];
    const limit = limits[resource];
    if (max !== undefined && (limit === undefined || limit > max)) {
      out.push(limit === undefined ? `maximum ${resource} usage per ${kind} is ${format(resource, max)}.  No limit is specified` : `maximum ${resource} usage per ${kind} is ${format(resource, max)}, but limit is ${format(resource, limit)}`);
    }
  }
  return out;
}
