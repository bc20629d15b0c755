// `kubectl auth can-i` and `auth whoami`: answered by the RBAC objects the cluster holds
// (ClusterRoles, Roles and their bindings), as the apiserver's SubjectAccessReview and
// SelfSubjectRulesReview would. The player is kubeconfig's kubernetes-admin in system:masters,
// which the apiserver allows everything before RBAC is asked, unless the cluster spec names
// another user (`user`): then RBAC decides (shell/kubectl/authorize.ts refuses the rest).
import { objectsOfKind } from '../../../cluster/api.js';
import type { ClusterState, JsonValue, StoredObject } from '../../../cluster/types.js';
import { fail, ok } from '../../types.js';
import { ALL_NAMESPACES_FLAG } from '../flags.js';
import { findResourceType } from '../resources.js';
import { renderTable } from '../table.js';
import type { KubectlSubcommand } from '../types.js';
import { jsonObject } from '../../../cluster/json.js';

export const ADMIN_USER = { name: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] };

export interface Subject {
  name: string;
  groups: string[];
}

/** Who the kubeconfig's credentials are: the spec's user (authenticated), or the admin. */
export function kubeconfigSubject(state: ClusterState): Subject {
  const u = state.kubeconfigUser;
  return u ? { name: u.name, groups: [...u.groups, 'system:authenticated'] } : ADMIN_USER;
}

/** Who `--as NAME` (and `--as-group`) makes the request as. */
function impersonated(as: string, asGroups: string[]): Subject {
  const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(as);
  const groups = sa ? ['system:serviceaccounts', `system:serviceaccounts:${sa[1]}`] : [];
  return { name: as, groups: [...asGroups, ...groups, 'system:authenticated'] };
}

interface Rule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  resourceNames: string[];
  nonResourceURLs: string[];
}

const strings = (v: JsonValue | undefined): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

function rulesOf(role: StoredObject | undefined): Rule[] {
  if (!role) return [];
  return (Array.isArray(role.fields.rules) ? role.fields.rules : []).map((r) => {
    const o = jsonObject(r);
    return { verbs: strings(o.verbs), apiGroups: strings(o.apiGroups), resources: strings(o.resources), resourceNames: strings(o.resourceNames), nonResourceURLs: strings(o.nonResourceURLs) };
  });
}

function bindsSubject(binding: StoredObject, who: Subject): boolean {
  return (Array.isArray(binding.fields.subjects) ? binding.fields.subjects : []).some((s) => {
    const o = jsonObject(s);
    if (o.kind === 'User') return o.name === who.name;
    if (o.kind === 'Group') return typeof o.name === 'string' && who.groups.includes(o.name);
    return o.kind === 'ServiceAccount' && who.name === `system:serviceaccount:${String(o.namespace)}:${String(o.name)}`;
  });
}

/** The rules that apply to `who` in `namespace` (undefined: cluster-wide rules only). */
export function rulesFor(state: ClusterState, who: Subject, namespace: string | undefined): Rule[] {
  const clusterRoles = objectsOfKind(state, 'ClusterRole');
  const rules: Rule[] = [];
  for (const b of Object.values(objectsOfKind(state, 'ClusterRoleBinding'))) {
    if (bindsSubject(b, who)) rules.push(...rulesOf(clusterRoles[String(jsonObject(b.fields.roleRef).name)]));
  }
  if (namespace !== undefined) {
    const roles = objectsOfKind(state, 'Role');
    for (const b of Object.values(objectsOfKind(state, 'RoleBinding'))) {
      if (b.metadata.namespace !== namespace || !bindsSubject(b, who)) continue;
      const ref = jsonObject(b.fields.roleRef);
      rules.push(...rulesOf(ref.kind === 'ClusterRole' ? clusterRoles[String(ref.name)] : roles[`${namespace}/${String(ref.name)}`]));
    }
  }
  return rules;
}

const has = (list: string[], value: string): boolean => list.includes('*') || list.includes(value);

export function allowed(state: ClusterState, who: Subject, verb: string, target: { group: string; resource: string; name: string } | { url: string }, namespace: string | undefined): boolean {
  if (who.groups.includes('system:masters')) return true;
  return rulesFor(state, who, namespace).some((r) => {
    if (!has(r.verbs, verb)) return false;
    if ('url' in target) return r.nonResourceURLs.some((u) => u === target.url || u === '*' || (u.endsWith('*') && target.url.startsWith(u.slice(0, -1))));
    return has(r.apiGroups, target.group) && has(r.resources, target.resource) && (r.resourceNames.length === 0 || r.resourceNames.includes(target.name));
  });
}

const USAGE_ERROR = "error: you must specify two arguments: verb resource or verb resource/resourceName.\nSee 'kubectl auth can-i -h' for help and examples\n";

function canI(ctx: Parameters<KubectlSubcommand['run']>[0], args: string[], flags: Parameters<KubectlSubcommand['run']>[2]): ReturnType<KubectlSubcommand['run']> {
  const as = flags.string('as');
  const who = as ? impersonated(as, flags.all('as-group')) : kubeconfigSubject(ctx.state);
  const namespace = ctx.allNamespaces ? undefined : ctx.namespace;
  if (flags.bool('list')) {
    const rules = who.groups.includes('system:masters')
      ? [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], resourceNames: [], nonResourceURLs: [] }, { verbs: ['*'], apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: ['*'] }, ...rulesFor(ctx.state, who, namespace)]
      : rulesFor(ctx.state, who, namespace);
    const rows: string[][] = [];
    const seen = new Set<string>();
    for (const r of rules) {
      const resources = r.resources.flatMap((res) => (r.apiGroups.length === 0 ? [res] : r.apiGroups.map((g) => (g === '' ? res : `${res}.${g}`))));
      const cells = (res: string, urls: string[]) => [res, `[${urls.join(' ')}]`, `[${r.resourceNames.join(' ')}]`, `[${r.verbs.join(' ')}]`];
      for (const row of r.nonResourceURLs.length > 0 ? [cells('', r.nonResourceURLs)] : resources.map((res) => cells(res, []))) {
        const key = row.join('|');
        if (!seen.has(key)) rows.push(row);
        seen.add(key);
      }
    }
    return ok(renderTable(flags.bool('no-headers') ? undefined : ['Resources', 'Non-Resource URLs', 'Resource Names', 'Verbs'], rows));
  }
  if (args.length < 2 || args.length > 3) return fail(USAGE_ERROR);
  const [verb, typed, extraName] = args as [string, string, string | undefined];
  // The warning comes from the RESTMapper, before the review is sent.
  const answer = (yes: boolean, warning = '') => ({ stdout: yes ? 'yes\n' : 'no\n', stderr: '', ...(warning ? { stderrFirst: warning } : {}), exitCode: yes ? 0 : 1 });
  if (typed.startsWith('/')) return answer(allowed(ctx.state, who, verb, { url: typed }, undefined));
  const [base, slashName] = typed.split('/', 2) as [string, string | undefined];
  const name = extraName ?? slashName ?? '';
  if (base === '*') return answer(allowed(ctx.state, who, verb, { group: '*', resource: '*', name }, namespace));
  const type = findResourceType(base);
  if (!type) return answer(allowed(ctx.state, who, verb, { group: '', resource: base, name }, namespace), `Warning: the server doesn't have a resource type '${base}'\n\n`);
  return answer(allowed(ctx.state, who, verb, { group: type.group, resource: type.plural, name }, type.namespaced ? namespace : undefined));
}

export const authCommand: KubectlSubcommand = {
  name: 'auth',
  short: 'Inspect authorization',
  usage: 'kubectl auth [flags] [options]',
  completions: ['can-i', 'whoami'],
  flags: [
    ALL_NAMESPACES_FLAG,
    { name: 'list', type: 'bool', usage: 'If true, prints all allowed actions.' },
    { name: 'no-headers', type: 'bool', usage: 'If true, prints allowed actions without headers' },
    { name: 'quiet', short: 'q', type: 'bool', usage: 'If true, suppress output and just return the exit code.' },
    { name: 'subresource', type: 'string', usage: 'SubResource such as pod/log or deployment/scale' },
    { name: 'as-group', type: 'stringArray', usage: 'Group to impersonate for the operation, this flag can be repeated to specify multiple groups.' },
    { name: 'output', short: 'o', type: 'string', usage: 'Output format. One of: (json, yaml).' },
  ],
  run: (ctx, args, flags) => {
    const [sub, ...rest] = args;
    if (sub === 'can-i') {
      const r = canI(ctx, rest, flags);
      return flags.bool('quiet') ? { ...r, stdout: '', stderr: '' } : r;
    }
    if (sub === 'whoami') {
      const as = flags.string('as');
      const who = as ? impersonated(as, flags.all('as-group')) : kubeconfigSubject(ctx.state);
      return ok(renderTable(['ATTRIBUTE', 'VALUE'], [['Username', who.name], ['Groups', `[${who.groups.join(' ')}]`]]));
    }
    if (sub === undefined) return fail("Inspect authorization\n\nAvailable Commands:\n  can-i         Check whether an action is allowed\n  reconcile     Reconciles rules for RBAC role, role binding, cluster role, and cluster role binding objects\n  whoami        Experimental: Check self subject attributes\n\nUsage:\n  kubectl auth [flags] [options]\n");
    return fail(`error: unknown command "${sub}" for "kubectl auth"\n`);
  },
};
