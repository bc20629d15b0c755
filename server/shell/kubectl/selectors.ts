// Label selectors (`-l app=web,tier!=db,env in (a,b),!legacy`) and field selectors
// (`--field-selector status.phase!=Running,spec.nodeName=node-1`).
import type { ClusterEvent, Namespace, Node, Pod, ReplicaSet, StoredObject } from '../../cluster/types.js';
import type { KubeObject, ResourceType } from './resources.js';

export interface LabelRequirement {
  key: string;
  op: '=' | '!=' | 'in' | 'notin' | 'exists' | '!';
  values: string[];
}

export type SelectorParse<T> = { ok: true; requirements: T[] } | { ok: false; error: string };

/** Splits on commas outside parentheses. */
function splitTerms(s: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '(') depth++;
    else if (s[i] === ')') depth--;
    else if (s[i] === ',' && depth === 0) {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms.map((t) => t.trim()).filter((t) => t !== '');
}

const LABEL_KEY = /^([a-z0-9A-Z.\-/_]+)$/;

export function parseLabelSelector(selector: string): SelectorParse<LabelRequirement> {
  const requirements: LabelRequirement[] = [];
  for (const term of splitTerms(selector)) {
    let m: RegExpExecArray | null;
    if ((m = /^(\S+?)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term))) {
      requirements.push({ key: m[1]!, op: m[2] as 'in' | 'notin', values: m[3]!.split(',').map((v) => v.trim()).filter((v) => v !== '') });
    } else if ((m = /^([^=!\s]+)\s*(==|=|!=)\s*([^=!\s]*)$/.exec(term))) {
      requirements.push({ key: m[1]!, op: m[2] === '!=' ? '!=' : '=', values: [m[3]!] });
    } else if ((m = /^!\s*([^=!\s]+)$/.exec(term)) && LABEL_KEY.test(m[1]!)) {
      requirements.push({ key: m[1]!, op: '!', values: [] });
    } else if (LABEL_KEY.test(term)) {
      requirements.push({ key: term, op: 'exists', values: [] });
    } else {
      return { ok: false, error: `error: unable to parse requirement: found '${term}', expected: in, notin, =, ==, !=, gt, lt\n` };
    }
  }
  return { ok: true, requirements };
}

export function matchesLabels(requirements: LabelRequirement[], labels: Record<string, string>): boolean {
  return requirements.every((r) => {
    const has = Object.hasOwn(labels, r.key);
    const value = labels[r.key];
    switch (r.op) {
      case '=': return has && value === r.values[0];
      case '!=': return !has || value !== r.values[0];
      case 'in': return has && r.values.includes(value!);
      case 'notin': return !has || !r.values.includes(value!);
      case 'exists': return has;
      case '!': return !has;
    }
  });
}

export interface FieldRequirement {
  field: string;
  negate: boolean;
  value: string;
}

type FieldGetter = (obj: KubeObject) => string;

/** Fields each kind supports in field selectors (the apiserver's field label conversions). */
const FIELDS: Record<string, Record<string, FieldGetter>> = {
  Pod: {
    'spec.nodeName': (o) => (o as Pod).spec.nodeName ?? '',
    'spec.restartPolicy': (o) => (o as Pod).spec.restartPolicy,
    'spec.schedulerName': (o) => (o as Pod).spec.schedulerName,
    'spec.serviceAccountName': (o) => (o as Pod).spec.serviceAccountName,
    'spec.hostNetwork': (o) => String((o as Pod).spec.hostNetwork),
    'status.phase': (o) => (o as Pod).status.phase,
    'status.podIP': (o) => (o as Pod).status.podIP ?? '',
    'status.nominatedNodeName': (o) => (o as Pod).status.nominatedNodeName ?? '',
  },
  Node: {
    'spec.unschedulable': (o) => String((o as Node).spec.unschedulable),
  },
  // pkg/apis/core/v1 conversion.go and the registries' SelectableFields: a secret's type (Opaque
  // when unset), a namespace's phase, a ReplicaSet's replicas, a Job's succeeded count.
  Secret: {
    type: (o) => { const t = (o as StoredObject).fields.type; return typeof t === 'string' ? t : 'Opaque'; },
  },
  Namespace: {
    'status.phase': (o) => (o as Namespace).status.phase,
  },
  ReplicaSet: {
    'status.replicas': (o) => String((o as ReplicaSet).status.replicas),
  },
  Job: {
    'status.successful': (o) => { const s = (o as StoredObject).fields.status; return String(s !== null && typeof s === 'object' && !Array.isArray(s) && typeof s.succeeded === 'number' ? s.succeeded : 0); },
  },
  Event: {
    'involvedObject.kind': (o) => (o as ClusterEvent).involvedObject.kind,
    'involvedObject.name': (o) => (o as ClusterEvent).involvedObject.name,
    'involvedObject.namespace': (o) => (o as ClusterEvent).involvedObject.namespace ?? '',
    'involvedObject.uid': (o) => (o as ClusterEvent).involvedObject.uid,
    'involvedObject.fieldPath': (o) => (o as ClusterEvent).involvedObject.fieldPath ?? '',
    reason: (o) => (o as ClusterEvent).reason,
    type: (o) => (o as ClusterEvent).type,
    source: (o) => (o as ClusterEvent).source.component,
    reportingComponent: (o) => (o as ClusterEvent).source.component,
  },
};

const COMMON_FIELDS: Record<string, FieldGetter> = {
  'metadata.name': (o) => o.metadata.name,
  'metadata.namespace': (o) => o.metadata.namespace ?? '',
};

function fieldGetter(type: ResourceType, field: string): FieldGetter | undefined {
  return COMMON_FIELDS[field] ?? FIELDS[type.kind]?.[field];
}

export function parseFieldSelector(selector: string): SelectorParse<FieldRequirement> {
  const requirements: FieldRequirement[] = [];
  for (const term of splitTerms(selector)) {
    const m = /^([^=!]+)(==|=|!=)(.*)$/.exec(term);
    if (!m) return { ok: false, error: `error: invalid selector: '${selector}'; can't understand '${term}'\n` };
    requirements.push({ field: m[1]!.trim(), negate: m[2] === '!=', value: m[3]!.trim() });
  }
  return { ok: true, requirements };
}

/** The apiserver's BadRequest message for a field it cannot select on, else undefined. */
export function unsupportedFieldLabel(type: ResourceType, requirements: FieldRequirement[]): string | undefined {
  const bad = requirements.find((r) => fieldGetter(type, r.field) === undefined);
  return bad ? `field label not supported: ${bad.field}` : undefined;
}

/** That message as kubectl prints it (cli-runtime resource/selector.go adds what it asked for). */
export function unsupportedField(type: ResourceType, requirements: FieldRequirement[], labelSelector: string, fieldSelector: string): string | undefined {
  const message = unsupportedFieldLabel(type, requirements);
  if (!message) return undefined;
  const gvr = `${type.group}/${type.apiVersion.split('/').at(-1)}, Resource=${type.plural}`;
  return `Error from server (BadRequest): Unable to find "${gvr}" that match label selector "${labelSelector}", field selector "${fieldSelector}": ${message}\n`;
}

export function matchesFields(type: ResourceType, requirements: FieldRequirement[], obj: KubeObject): boolean {
  return requirements.every((r) => (fieldGetter(type, r.field)?.(obj) === r.value) !== r.negate);
}
