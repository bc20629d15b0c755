// kubectl describe for Role, ClusterRole, RoleBinding and ClusterRoleBinding (kubectl v1.29
// pkg/describe/describe.go RoleDescriber…ClusterRoleBindingDescriber): a role's rules broken
// down to one verb × resource × name each, compacted back per resource and sorted as
// pkg/util/rbac/rbac.go does (BreakdownRule, CompactRules, SortableRuleSlice). No events.
import type { JsonValue, StoredObject } from '../../../cluster/types.js';
import { jsonObject } from '../../../cluster/json.js';
import { describeWriter, writeAnnotations, writeLabels, type DescribeWriter } from './writer.js';

interface PolicyRule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  resourceNames: string[];
  nonResourceURLs: string[];
}

const strings = (v: JsonValue | undefined): string[] => (Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : String(x))) : []);
/** Go's `%v` of a []string. */
const goList = (items: string[]): string => `[${items.join(' ')}]`;

/** rbac.BreakdownRule: one rule per group × resource × verb (× name), then per non-resource URL × verb. */
function breakdown(raw: JsonValue): PolicyRule[] {
  const r = jsonObject(raw);
  const verbs = strings(r.verbs);
  const names = strings(r.resourceNames);
  const out: PolicyRule[] = [];
  for (const group of strings(r.apiGroups)) {
    for (const resource of strings(r.resources)) {
      for (const verb of verbs) {
        const one = (resourceNames: string[]): PolicyRule => ({ verbs: [verb], apiGroups: [group], resources: [resource], resourceNames, nonResourceURLs: [] });
        if (names.length > 0) for (const name of names) out.push(one([name]));
        else out.push(one([]));
      }
    }
  }
  for (const url of strings(r.nonResourceURLs)) for (const verb of verbs) out.push({ verbs: [verb], apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: [url] });
  return out;
}

/** rbac.CompactRules: rules of one group, resource and at most one name merge their verbs; others stay as they are. */
function compact(rules: PolicyRule[]): PolicyRule[] {
  const compacted: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  for (const rule of rules) {
    const isSimple = rule.resourceNames.length <= 1 && rule.nonResourceURLs.length === 0 && rule.apiGroups.length === 1 && rule.resources.length === 1;
    if (!isSimple) {
      compacted.push(rule);
      continue;
    }
    const key = JSON.stringify([rule.apiGroups[0], rule.resources[0], rule.resourceNames]);
    const existing = simple.get(key);
    if (!existing) simple.set(key, { ...rule, verbs: [...rule.verbs] });
    else for (const verb of rule.verbs) if (!existing.verbs.includes(verb)) existing.verbs.push(verb);
  }
  return [...compacted, ...simple.values()];
}

/** The generated PolicyRule.String() (k8s.io/api rbac/v1 generated.pb.go), the key kubectl sorts by. */
const ruleString = (r: PolicyRule): string =>
  `&PolicyRule{Verbs:${goList(r.verbs)},APIGroups:${goList(r.apiGroups)},Resources:${goList(r.resources)},ResourceNames:${goList(r.resourceNames)},NonResourceURLs:${goList(r.nonResourceURLs)},}`;

/** describe.go CombineResourceGroup: `pods`, `deployments.apps`, `pods.metrics.k8s.io/log`-style subresources. */
function combineResourceGroup(resources: string[], groups: string[]): string {
  if (resources.length === 0) return '';
  const first = resources[0]!;
  const slash = first.indexOf('/');
  let combined = slash < 0 ? first : first.slice(0, slash);
  if (groups.length > 0 && groups[0] !== '') combined += `.${groups[0]}`;
  if (slash >= 0) combined += first.slice(slash);
  return combined;
}

function head(w: DescribeWriter, o: StoredObject): void {
  w.write(0, `Name:\t${o.metadata.name}\n`);
  writeLabels(w, 0, 'Labels', o.metadata.labels);
  writeAnnotations(w, 0, o.metadata.annotations);
}

/** Role and ClusterRole: the PolicyRule table. */
export function describeRole(o: StoredObject): string {
  const rules = compact((Array.isArray(o.fields.rules) ? o.fields.rules : []).flatMap(breakdown));
  // sort.Stable over byte-wise string comparison (JS's < on these ASCII strings is the same order).
  const keyed = rules.map((r) => ({ r, key: ruleString(r) })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const w = describeWriter();
  head(w, o);
  w.write(0, 'PolicyRule:\n');
  w.write(1, 'Resources\tNon-Resource URLs\tResource Names\tVerbs\n');
  w.write(1, '---------\t-----------------\t--------------\t-----\n');
  for (const { r } of keyed) w.write(1, `${combineResourceGroup(r.resources, r.apiGroups)}\t${goList(r.nonResourceURLs)}\t${goList(r.resourceNames)}\t${goList(r.verbs)}\n`);
  return w.done();
}

/** RoleBinding and ClusterRoleBinding: the role referred to and the subjects table. */
export function describeRoleBinding(o: StoredObject): string {
  const ref = jsonObject(o.fields.roleRef);
  const text = (v: JsonValue | undefined): string => (typeof v === 'string' ? v : '');
  const w = describeWriter();
  head(w, o);
  w.write(0, 'Role:\n');
  w.write(1, `Kind:\t${text(ref.kind)}\n`);
  w.write(1, `Name:\t${text(ref.name)}\n`);
  w.write(0, 'Subjects:\n');
  w.write(1, 'Kind\tName\tNamespace\n');
  w.write(1, '----\t----\t---------\n');
  for (const s of (Array.isArray(o.fields.subjects) ? o.fields.subjects : []).map(jsonObject)) w.write(1, `${text(s.kind)}\t${text(s.name)}\t${text(s.namespace)}\n`);
  return w.done();
}
