// ResourceQuota objects (v1) a namespace holds, as the apiserver's ResourceQuota admission
// plugin and the resourcequota controller apply them (kubernetes plugin/pkg/admission/
// resourcequota and pkg/quota/v1/evaluator/core): a create that would take a namespace past
// a quota's hard limit is forbidden with "exceeded quota: NAME, requested: …, used: …,
// limited: …"; a quota on cpu or memory makes every container state that resource ("failed
// quota: NAME: must specify …"). The controller keeps status.hard and status.used current,
// which `kubectl get|describe quota` show. Scopes (spec.scopes, spec.scopeSelector) narrow a
// quota to the pods they match (pkg/quota/v1/evaluator/core/pods.go podMatchesScopeFunc); a
// scoped quota tracks no other kind (the generic evaluator matches no scope).
import type { Pod, ApiError, ClusterState, StoredObject, JsonValue } from './types.js';
import { parseBytes, parseCpu, parseQuantity, formatBytes, formatCpu } from './quantity.js';
import { jsonObject } from './json.js';

type Usage = Map<string, number>;

/** Quota names that count pods' compute resources, and how each is read from a container. */
const COMPUTE: Record<string, { side: 'requests' | 'limits'; resource: 'cpu' | 'memory' }> = {
  cpu: { side: 'requests', resource: 'cpu' },
  memory: { side: 'requests', resource: 'memory' },
  'requests.cpu': { side: 'requests', resource: 'cpu' },
  'requests.memory': { side: 'requests', resource: 'memory' },
  'limits.cpu': { side: 'limits', resource: 'cpu' },
  'limits.memory': { side: 'limits', resource: 'memory' },
};

/** The names a quota may count objects of a kind by: `count/<resource>` and, for core kinds, the old plain name. */
export function countNames(resource: string): string[] {
  const legacy = ['pods', 'services', 'configmaps', 'secrets', 'persistentvolumeclaims', 'replicationcontrollers', 'resourcequotas'];
  return legacy.includes(resource) ? [resource, `count/${resource}`] : [`count/${resource}`];
}

const isCpu = (name: string): boolean => name === 'cpu' || name.endsWith('.cpu');
const isMemory = (name: string): boolean => name === 'memory' || name.endsWith('.memory') || name.endsWith('storage');

/** A hard limit in the unit usage is counted in (millicores, bytes, objects); null if malformed. */
function parseHard(name: string, value: JsonValue): number | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  return isCpu(name) ? parseCpu(value) : isMemory(name) ? parseBytes(value) : parseQuantity(value);
}

/** A quantity as `resource.Quantity`'s String() prints it. */
function formatAmount(name: string, amount: number): string {
  return isCpu(name) ? formatCpu(amount) : isMemory(name) ? formatBytes(amount) : String(amount);
}

function hardOf(quota: StoredObject): Usage {
  const spec = quota.fields.spec;
  const hard = spec && typeof spec === 'object' && !Array.isArray(spec) ? spec.hard : undefined;
  const out: Usage = new Map();
  if (!hard || typeof hard !== 'object' || Array.isArray(hard)) return out;
  for (const [name, value] of Object.entries(hard)) {
    const parsed = parseHard(name, value);
    if (parsed !== null) out.set(name, parsed);
  }
  return out;
}

/** One requirement on a quota's scope: spec.scopes are `Exists` requirements (GetScopeSelectorsFromQuota). */
interface ScopeRequirement { scopeName: string; operator: string; values: string[] }

export function scopeRequirements(quota: StoredObject): ScopeRequirement[] {
  const spec = jsonObject(quota.fields.spec);
  const out: ScopeRequirement[] = [];
  for (const scope of Array.isArray(spec.scopes) ? spec.scopes : []) {
    if (typeof scope === 'string') out.push({ scopeName: scope, operator: 'Exists', values: [] });
  }
  const expressions = jsonObject(spec.scopeSelector).matchExpressions;
  for (const e of Array.isArray(expressions) ? expressions.map(jsonObject) : []) {
    const values = Array.isArray(e.values) ? e.values.filter((v): v is string => typeof v === 'string') : [];
    out.push({ scopeName: String(e.scopeName ?? ''), operator: String(e.operator ?? ''), values });
  }
  return out;
}

/** podMatchesScopeFunc; PriorityClass is a label selector over {PriorityClass: the pod's class}, so DoesNotExist never matches. */
function podMatchesScope(pod: Pod, r: ScopeRequirement): boolean {
  const terminating = pod.spec.activeDeadlineSeconds !== undefined && pod.spec.activeDeadlineSeconds >= 0;
  switch (r.scopeName) {
    case 'Terminating': return terminating;
    case 'NotTerminating': return !terminating;
    case 'BestEffort': return pod.status.qosClass === 'BestEffort';
    case 'NotBestEffort': return pod.status.qosClass !== 'BestEffort';
    case 'PriorityClass': {
      const name = pod.spec.priorityClassName ?? '';
      if (r.operator === 'Exists') return name !== '';
      if (r.operator === 'In') return r.values.includes(name);
      if (r.operator === 'NotIn') return !r.values.includes(name);
      return false;
    }
    default: return false;
  }
}

/** Does the quota track this pod (or, without one, objects of any other kind)? */
function quotaTracks(scopes: ScopeRequirement[], pod: Pod | undefined): boolean {
  if (scopes.length === 0) return true;
  return pod !== undefined && scopes.every((r) => podMatchesScope(pod, r));
}

/** What one pod counts against compute quotas (nothing once it has finished). */
function podUsage(pod: Pod): Usage {
  const usage: Usage = new Map([['pods', 1], ['count/pods', 1]]);
  if (pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed') return new Map();
  for (const [name, { side, resource }] of Object.entries(COMPUTE)) {
    let sum = 0;
    for (const c of pod.spec.containers) sum += c.resources[side][resource] ?? 0;
    usage.set(name, sum);
  }
  return usage;
}

function quotasIn(state: ClusterState, namespace: string): StoredObject[] {
  const all = state.stored?.ResourceQuota;
  if (!all) return [];
  return Object.values(all).filter((q) => q.metadata.namespace === namespace).sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
}

/** What a namespace uses, of every name a quota with these scopes can count. */
function namespaceUsage(state: ClusterState, namespace: string, scopes: ScopeRequirement[], counts: (name: string) => number, names: Iterable<string>): Usage {
  const used: Usage = new Map();
  for (const pod of Object.values(state.pods)) {
    if (pod.metadata.namespace !== namespace || pod.metadata.deletionTimestamp !== undefined) continue;
    if (!quotaTracks(scopes, pod)) continue;
    for (const [name, amount] of podUsage(pod)) used.set(name, (used.get(name) ?? 0) + amount);
  }
  for (const name of names) {
    if (used.has(name)) continue;
    used.set(name, quotaTracks(scopes, undefined) ? counts(name) : 0);
  }
  return used;
}

function prettyPrint(names: string[], values: Usage): string {
  return [...names].sort().map((n) => `${n}=${formatAmount(n, values.get(n) ?? 0)}`).join(',');
}

/**
 * Why creating an object is refused by a ResourceQuota of its namespace, or null.
 * `requested` is what the new object adds (a pod: its compute and one pod; anything else: one
 * of its `count/` names); `countOf` says how many objects a count name already covers.
 */
export function quotaRefusal(
  state: ClusterState,
  namespace: string,
  what: { resource: string; name: string; pod?: Pod },
  countOf: (name: string) => number,
): ApiError | null {
  const quotas = quotasIn(state, namespace);
  if (quotas.length === 0) return null;
  const forbidden = (why: string): ApiError => ({ status: 403, reason: 'Forbidden', message: `${what.resource} "${what.name}" is forbidden: ${why}` });
  const requested: Usage = what.pod ? podUsage(what.pod) : new Map(countNames(what.resource).map((n) => [n, 1]));
  for (const quota of quotas) {
    const scopes = scopeRequirements(quota);
    if (!quotaTracks(scopes, what.pod)) continue;
    const hard = hardOf(quota);
    const tracked = [...hard.keys()].filter((n) => requested.has(n));
    if (what.pod) {
      const missing = missingResources(what.pod, [...hard.keys()]);
      if (missing) return forbidden(`failed quota: ${quota.metadata.name}: must specify ${missing}`);
    }
    const asked = tracked.filter((n) => (requested.get(n) ?? 0) > 0);
    if (asked.length === 0) continue;
    const used = namespaceUsage(state, namespace, scopes, countOf, asked);
    const exceeded = asked.filter((n) => (used.get(n) ?? 0) + (requested.get(n) ?? 0) > hard.get(n)!);
    if (exceeded.length > 0) {
      return forbidden(`exceeded quota: ${quota.metadata.name}, requested: ${prettyPrint(exceeded, requested)}, used: ${prettyPrint(exceeded, used)}, limited: ${prettyPrint(exceeded, hard)}`);
    }
  }
  return null;
}

/** The pod evaluator's constraint: a quota on cpu or memory needs every container to state it. */
function missingResources(pod: Pod, hardNames: string[]): string | undefined {
  const missing = new Map<string, string[]>();
  for (const name of hardNames) {
    const compute = COMPUTE[name];
    if (!compute) continue;
    const shown = name; // the quota's own name for it (pods.go: the required set minus what the container states)
    for (const c of pod.spec.containers) {
      if (c.resources[compute.side][compute.resource] !== undefined) continue;
      const names = missing.get(shown) ?? [];
      if (!names.includes(c.name)) names.push(c.name);
      missing.set(shown, names);
    }
  }
  if (missing.size === 0) return undefined;
  return [...missing.keys()].sort().map((r) => `${r} for: ${missing.get(r)!.sort().join(',')}`).join('; ');
}

/** status.hard and status.used as the resourcequota controller writes them (canonical quantities). */
export function quotaStatus(state: ClusterState, quota: StoredObject, countOf: (name: string) => number): { hard: Record<string, string>; used: Record<string, string> } {
  const hard = hardOf(quota);
  const used = namespaceUsage(state, quota.metadata.namespace ?? '', scopeRequirements(quota), countOf, hard.keys());
  const out = { hard: {} as Record<string, string>, used: {} as Record<string, string> };
  for (const name of [...hard.keys()].sort()) {
    out.hard[name] = formatAmount(name, hard.get(name)!);
    out.used[name] = formatAmount(name, used.get(name) ?? 0);
  }
  return out;
}
