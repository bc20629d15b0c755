// `kubectl create secret generic|serviceaccount|role|clusterrole|rolebinding|clusterrolebinding|
// quota|poddisruptionbudget|job|cronjob NAME …`: kubectl's generators for the kinds kept as JSON.
import { createObject, getObject, objectKey } from '../../../cluster/api.js';
import { jobFromCronJob } from '../../../cluster/controllers/cronjob.js';
import { newMeta } from '../../../cluster/objects.js';
import { dataSources } from './data-sources.js';
import { readFile } from '../../vfs.js';
import type { StoredKind } from '../../../cluster/stored-kinds.js';
import type { JsonValue, StoredObject } from '../../../cluster/types.js';
import { jobTemplate } from '../from-manifest.js';
import { newFindings } from '../manifest-fields.js';
import type { CommandResult } from '../../types.js';
import { fail, ok } from '../../types.js';
import { findResourceType } from '../resources.js';
import type { FlagSpec, KubectlContext, ParsedFlags } from '../types.js';
import { apiFail } from './write-util.js';
import { writeCreate } from './apply.js';

type Fields = { [key: string]: JsonValue };

export const CREATE_STORED_FLAGS: FlagSpec[] = [
  { name: 'type', type: 'string', usage: 'The type of secret to create' },
  { name: 'verb', type: 'stringArray', usage: 'Verb that applies to the resources contained in the rule' },
  { name: 'resource', type: 'stringArray', usage: 'Resource that the rule applies to' },
  { name: 'resource-name', type: 'stringArray', usage: 'Resource in the white list that the rule applies to, repeat this flag for multiple items' },
  { name: 'role', type: 'string', usage: 'Role this RoleBinding should reference' },
  { name: 'clusterrole', type: 'string', usage: 'ClusterRole this binding should reference' },
  { name: 'user', type: 'stringArray', usage: 'Usernames to bind to the role. The flag can be repeated to add multiple users.' },
  { name: 'group', type: 'stringArray', usage: 'Groups to bind to the role. The flag can be repeated to add multiple groups.' },
  { name: 'serviceaccount', type: 'stringArray', usage: 'Service accounts to bind to the role, in the format <namespace>:<name>. The flag can be repeated to add multiple service accounts.' },
  { name: 'hard', type: 'string', usage: 'A comma-delimited set of resource=quantity pairs that define a hard limit.' },
  { name: 'scopes', type: 'string', usage: 'A comma-delimited set of quota scopes that must all match each object tracked by the quota.' },
  { name: 'selector', type: 'string', usage: 'A label selector to use for this budget. Only equality-based selector requirements are supported.' },
  { name: 'min-available', type: 'string', usage: 'The minimum number or percentage of available pods this budget requires.' },
  { name: 'max-unavailable', type: 'string', usage: 'The maximum number or percentage of unavailable pods this budget requires.' },
  { name: 'schedule', type: 'string', usage: 'A schedule in the Cron format the job should be run with.' },
  { name: 'rule', type: 'stringArray', usage: 'Rule in format host/path=service:port[,tls=secretname]. Paths containing the leading character \'*\' are considered pathType=Prefix. tls argument is optional.' },
  { name: 'class', type: 'string', usage: 'Ingress Class to be used' },
  { name: 'from', type: 'string', usage: 'The name of the resource to create a Job from (only cronjob is supported).' },
  { name: 'restart', type: 'string', usage: 'job\'s restart policy. supported values: OnFailure, Never' },
  { name: 'from-file', type: 'stringArray', usage: 'Key file can be specified using its file path, in which case file basename will be used as key, or optionally with a key and file path, in which case the given key will be used.' },
  { name: 'from-env-file', type: 'stringArray', usage: 'Specify the path to a file to read lines of key=val pairs to create a configmap or secret.' },
  { name: 'cert', type: 'string', usage: 'Path to PEM encoded public key certificate.' },
  { name: 'key', type: 'string', usage: 'Path to private key associated with given certificate.' },
  { name: 'docker-server', type: 'string', default: 'https://index.docker.io/v1/', usage: 'Server location for Docker registry' },
  { name: 'docker-username', type: 'string', usage: 'Username for Docker registry authentication' },
  { name: 'docker-password', type: 'string', usage: 'Password for Docker registry authentication' },
  { name: 'docker-email', type: 'string', usage: 'Email for Docker registry' },
  { name: 'value', type: 'int', default: '0', usage: 'the value of this priority class.' },
  { name: 'global-default', type: 'bool', usage: 'global-default specifies whether this PriorityClass should be considered as the default priority.' },
  { name: 'description', type: 'string', usage: 'description is an arbitrary string that usually provides guidelines on when this priority class should be used.' },
  { name: 'preemption-policy', type: 'string', default: 'PreemptLowerPriority', usage: 'preemption-policy is the policy for preempting pods with lower priority.' },
];

/** What each generator creates, and the name kubectl prints it under. */
const GENERATED: Record<string, { kind: StoredKind; printed: string; namespaced: boolean }> = {
  secret: { kind: 'Secret', printed: 'secret', namespaced: true },
  serviceaccount: { kind: 'ServiceAccount', printed: 'serviceaccount', namespaced: true },
  sa: { kind: 'ServiceAccount', printed: 'serviceaccount', namespaced: true },
  role: { kind: 'Role', printed: 'role.rbac.authorization.k8s.io', namespaced: true },
  clusterrole: { kind: 'ClusterRole', printed: 'clusterrole.rbac.authorization.k8s.io', namespaced: false },
  rolebinding: { kind: 'RoleBinding', printed: 'rolebinding.rbac.authorization.k8s.io', namespaced: true },
  clusterrolebinding: { kind: 'ClusterRoleBinding', printed: 'clusterrolebinding.rbac.authorization.k8s.io', namespaced: false },
  quota: { kind: 'ResourceQuota', printed: 'resourcequota', namespaced: true },
  resourcequota: { kind: 'ResourceQuota', printed: 'resourcequota', namespaced: true },
  poddisruptionbudget: { kind: 'PodDisruptionBudget', printed: 'poddisruptionbudget.policy', namespaced: true },
  pdb: { kind: 'PodDisruptionBudget', printed: 'poddisruptionbudget.policy', namespaced: true },
  job: { kind: 'Job', printed: 'job.batch', namespaced: true },
  cronjob: { kind: 'CronJob', printed: 'cronjob.batch', namespaced: true },
  cj: { kind: 'CronJob', printed: 'cronjob.batch', namespaced: true },
  ingress: { kind: 'Ingress', printed: 'ingress.networking.k8s.io', namespaced: true },
  priorityclass: { kind: 'PriorityClass', printed: 'priorityclass.scheduling.k8s.io', namespaced: false },
  pc: { kind: 'PriorityClass', printed: 'priorityclass.scheduling.k8s.io', namespaced: false },
  ing: { kind: 'Ingress', printed: 'ingress.networking.k8s.io', namespaced: true },
};

export const isStoredGenerator = (what: string): boolean => what in GENERATED;

const commaList = (values: string[]): string[] => values.flatMap((v) => v.split(',')).filter((v) => v !== '');

function rules(flags: ParsedFlags): Fields[] | string {
  const verbs = commaList(flags.all('verb'));
  const resources = commaList(flags.all('resource'));
  if (verbs.length === 0) return 'error: at least one verb must be specified\n';
  if (resources.length === 0) return 'error: at least one resource must be specified\n';
  const byGroup = new Map<string, string[]>();
  for (const typed of resources) {
    const [base, sub] = typed.split('/', 2) as [string, string | undefined];
    const type = findResourceType(base);
    if (!type) return `error: the server doesn't have a resource type "${base}"\n`;
    byGroup.set(type.group, [...(byGroup.get(type.group) ?? []), sub ? `${type.plural}/${sub}` : type.plural]);
  }
  const names = commaList(flags.all('resource-name'));
  return [...byGroup].map(([group, list]) => {
    const rule: Fields = { apiGroups: [group], resources: list, verbs };
    if (names.length > 0) rule.resourceNames = names;
    return rule;
  });
}

function subjects(flags: ParsedFlags): Fields[] | string {
  const out: Fields[] = [];
  for (const u of flags.all('user')) out.push({ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: u });
  for (const g of flags.all('group')) out.push({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: g });
  for (const sa of flags.all('serviceaccount')) {
    const [namespace, name] = sa.split(':', 2);
    if (!namespace || !name) return `error: serviceaccount must be <namespace>:<name>\n`;
    out.push({ kind: 'ServiceAccount', name, namespace });
  }
  return out;
}

/** `--rule=host/path=service:port[,tls[=secret]]`, kubectl's format (a trailing `*` makes a Prefix path). */
function ingressSpec(flags: ParsedFlags): Fields | string {
  const rules: Fields[] = [];
  const tls: Fields[] = [];
  for (const rule of flags.all('rule')) {
    const m = /^([^/=,]*)(\/[^=,]*)?=([^:,]+):([^,]+)(?:,tls(?:=([^,]+))?)?$/.exec(rule);
    if (!m) return `error: rule ${rule} is invalid and should be in format host/path=svcname:svcport[,tls[=secret]]\n`;
    const [, host = '', rawPath = '/', service = '', port = ''] = m;
    const prefix = rawPath.endsWith('*');
    const path = prefix ? rawPath.slice(0, -1) : rawPath;
    const backend: Fields = { service: { name: service, port: /^\d+$/.test(port) ? { number: Number(port) } : { name: port } } };
    const r: Fields = { http: { paths: [{ backend, path, pathType: prefix ? 'Prefix' : 'Exact' }] } };
    if (host !== '') r.host = host;
    rules.push(r);
    if (rule.includes(',tls')) tls.push(m[5] ? { hosts: host ? [host] : [], secretName: m[5] } : { hosts: host ? [host] : [] });
  }
  if (rules.length === 0) return 'error: at least one rule or a default backend must be specified\n';
  const spec: Fields = { rules };
  const cls = flags.string('class');
  if (cls) spec.ingressClassName = cls;
  if (tls.length > 0) spec.tls = tls;
  return { spec, status: { loadBalancer: {} } };
}

function podTemplate(name: string, image: string, command: string[], restart: string): Fields {
  const container: Fields = { image, name, resources: {} };
  if (command.length > 0) container.command = command;
  return { metadata: {}, spec: { containers: [container], restartPolicy: restart } };
}

function fieldsFor(kind: StoredKind, name: string, args: string[], flags: ParsedFlags): Fields | string {
  switch (kind) {
    case 'PriorityClass': {
      const policy = flags.string('preemption-policy') ?? 'PreemptLowerPriority';
      const fields: Fields = { value: flags.int('value') ?? 0, globalDefault: flags.bool('global-default'), preemptionPolicy: policy };
      if (flags.string('description')) fields.description = flags.string('description')!;
      return fields;
    }
    case 'ServiceAccount': return {};
    case 'Role':
    case 'ClusterRole': {
      const r = rules(flags);
      return typeof r === 'string' ? r : { rules: r };
    }
    case 'RoleBinding':
    case 'ClusterRoleBinding': {
      const role = flags.string('role');
      const clusterRole = flags.string('clusterrole');
      if ((role === undefined) === (clusterRole === undefined)) return 'error: exactly one of clusterrole or role must be specified\n';
      if (kind === 'ClusterRoleBinding' && role !== undefined) return 'error: unknown flag: --role\n';
      const s = subjects(flags);
      if (typeof s === 'string') return s;
      const fields: Fields = { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: role ? 'Role' : 'ClusterRole', name: (role ?? clusterRole)! } };
      if (s.length > 0) fields.subjects = s;
      return fields;
    }
    case 'ResourceQuota': {
      const hard: Fields = {};
      for (const pair of commaList([flags.string('hard') ?? ''])) {
        const eq = pair.indexOf('=');
        if (eq <= 0) return `error: invalid argument "${pair}" for "--hard" flag\n`;
        hard[pair.slice(0, eq)] = pair.slice(eq + 1);
      }
      // create_quota.go parseScopes: split on commas, no empty scope (the apiserver checks names).
      const scopeFlag = flags.string('scopes') ?? '';
      const scopes = scopeFlag === '' ? [] : scopeFlag.split(',');
      if (scopes.includes('')) return 'error: invalid resource quota scope ""\n';
      // create_quota.go sends the spec alone: the resourcequota controller fills status on its next sync.
      return { spec: scopes.length > 0 ? { hard, scopes } : { hard } };
    }
    case 'PodDisruptionBudget': {
      const selector = flags.string('selector');
      if (!selector) return 'error: a selector must be specified\n';
      const min = flags.string('min-available');
      const max = flags.string('max-unavailable');
      if ((min === undefined) === (max === undefined)) return 'error: one of min-available or max-unavailable must be specified\n';
      const quantity = (v: string): JsonValue => (/^\d+$/.test(v) ? Number(v) : v);
      const matchLabels: Fields = {};
      for (const pair of selector.split(',')) {
        const [k, v] = pair.split('=', 2);
        if (!k || v === undefined) return `error: couldn't parse the selector string "${selector}"\n`;
        matchLabels[k] = v;
      }
      const spec: Fields = { selector: { matchLabels } };
      if (min !== undefined) spec.minAvailable = quantity(min);
      else spec.maxUnavailable = quantity(max!);
      return { spec, status: { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0, observedGeneration: 1 } };
    }
    case 'Job':
    case 'CronJob': {
      const image = flags.all('image')[0];
      if (image === undefined) return kind === 'Job' ? 'error: either --image or --from must be specified\n' : 'error: --image must be specified\n';
      const restart = flags.string('restart') ?? (kind === 'Job' ? 'Never' : 'OnFailure');
      const template = podTemplate(name, image, args, restart);
      if (kind === 'Job') return { spec: { template }, status: {} };
      const schedule = flags.string('schedule');
      if (!schedule) return 'error: --schedule must be specified\n';
      return { spec: { jobTemplate: { metadata: { name }, spec: { template } }, schedule }, status: {} };
    }
    case 'Ingress': return ingressSpec(flags);
    default:
      return `error: unknown command for "kubectl create"\n`;
  }
}

/** `kubectl create WHAT NAME …` for a generator above. */
export function createStored(ctx: KubectlContext, what: string, args: string[], flags: ParsedFlags): CommandResult {
  let rest = args;
  if (what === 'secret') {
    if (!['generic', 'tls', 'docker-registry'].includes(args[0] ?? '')) return fail(`error: unknown command "${args[0] ?? ''}" for "kubectl create secret"\nRun 'kubectl create secret --help' for usage.\n`);
    rest = args.slice(1);
  }
  const g = GENERATED[what]!;
  const [name, ...command] = rest;
  if (name === undefined) return fail(`error: exactly one NAME is required, got 0\nSee 'kubectl create ${what === 'secret' ? `secret ${args[0]}` : what} -h' for help and examples\n`);
  if (g.kind === 'Job' && flags.has('from')) return jobFromCronJobFlag(ctx, name, command, flags);
  const fields = g.kind === 'Secret' ? secretFields(ctx, args[0] as SecretType, flags) : fieldsFor(g.kind, name, command, flags);
  if (typeof fields === 'string') return fail(fields);
  const object: StoredObject = { kind: g.kind, metadata: newMeta(ctx.state, name, g.namespaced ? ctx.namespace : undefined), fields };
  const template = jobTemplate(newFindings(), g.kind, fields, undefined);
  if (template) object.template = template;
  const r = writeCreate(ctx.state, g.kind, object);
  return r.ok ? ok(`${g.printed}/${name} created\n`) : apiFail(r.error);
}

type SecretType = 'generic' | 'tls' | 'docker-registry';

const base64 = (text: string): string => Buffer.from(text, 'latin1').toString('base64');

/** create_secret.go, create_secret_tls.go, create_secret_docker.go: the Secret's type and data. */
function secretFields(ctx: KubectlContext, type: SecretType, flags: ParsedFlags): Fields | string {
  if (type === 'tls') {
    const [cert, key] = [flags.string('cert'), flags.string('key')];
    if (!cert || !key) return 'error: key and cert must be specified\n';
    const files = [cert, key].map((path) => readFile(ctx, 'kubectl', path));
    const missing = [cert, key].find((_, i) => !files[i]!.ok);
    if (missing !== undefined) return `error: open ${missing}: no such file or directory\n`;
    const [certText, keyText] = files.map((f) => (f.ok ? f.content : ''));
    // tls.X509KeyPair reads the PEM blocks first.
    if (!certText!.includes('-----BEGIN CERTIFICATE-----')) return 'error: tls: failed to find any PEM data in certificate input\n';
    if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(keyText!)) return 'error: tls: failed to find any PEM data in key input\n';
    return { type: 'kubernetes.io/tls', data: { 'tls.crt': base64(certText!), 'tls.key': base64(keyText!) } };
  }
  if (type === 'docker-registry') {
    const [user, password, email] = [flags.string('docker-username'), flags.string('docker-password'), flags.string('docker-email')];
    if (!user || !password) return 'error: either --from-file or the combination of --docker-username, --docker-password and --docker-server is required\n';
    const server = flags.string('docker-server') ?? 'https://index.docker.io/v1/';
    const entry = { username: user, password, ...(email ? { email } : {}), auth: base64(`${user}:${password}`) };
    return { type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': base64(JSON.stringify({ auths: { [server]: entry } })) } };
  }
  const data = dataSources(ctx, flags);
  if (typeof data === 'string') return data;
  const fields: Fields = { type: flags.string('type') ?? 'Opaque' };
  if (Object.keys(data).length > 0) fields.data = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, base64(v)]));
  return fields;
}

/** kubectl create_job.go: `create job NAME --from=cronjob/CJ` runs a CronJob's template now, by hand. */
function jobFromCronJobFlag(ctx: KubectlContext, name: string, command: string[], flags: ParsedFlags): CommandResult {
  if (flags.all('image').length > 0) return fail('error: --image and --from are mutually exclusive\n');
  if (command.length > 0) return fail('error: cannot specify --from and command\n');
  const from = flags.string('from') ?? '';
  const slash = from.indexOf('/');
  const type = slash > 0 ? findResourceType(from.slice(0, slash)) : undefined;
  if (!type) return fail(`error: the server doesn't have a resource type "${slash > 0 ? from.slice(0, slash) : from}"\n`);
  if (type.kind !== 'CronJob') return fail(`error: unknown object type ${type.kind}\n`);
  const cj = getObject(ctx.state, 'CronJob', objectKey(ctx.namespace, from.slice(slash + 1)));
  if (!cj) return fail(`Error from server (NotFound): cronjobs.batch "${from.slice(slash + 1)}" not found\n`);
  const r = createObject(ctx.state, 'Job', jobFromCronJob(ctx.state, cj, name, { 'cronjob.kubernetes.io/instantiate': 'manual' }));
  return r.ok ? ok(`job.batch/${name} created\n`) : apiFail(r.error);
}
