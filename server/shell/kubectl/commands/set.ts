// `kubectl set image|resources|env|serviceaccount (TYPE NAME | TYPE/NAME) …`: change the pod template of a
// workload (or a pod's image); the deployment and daemonset controllers roll the change out.
import { mutateObject } from '../../../cluster/api.js';
import { parseBytes, parseCpu } from '../../../cluster/quantity.js';
import type { ContainerSpec, PodSpec, PodTemplate, ResourceList } from '../../../cluster/types.js';
import { adoptImagePrograms } from '../../../cluster/images.js';
import { fail, ok } from '../../types.js';
import type { KubectlSubcommand, ParsedFlags } from '../types.js';
import { apiFail, refName, resolveOne } from './write-util.js';

/** `cpu=100m,memory=128Mi` → base units, or an error line. */
function parseResourceList(text: string): Partial<ResourceList> | string {
  const out: Partial<ResourceList> = {};
  for (const pair of text.split(',').filter((p) => p !== '')) {
    const [name, value = ''] = pair.split('=');
    if (name === 'cpu') {
      const v = parseCpu(value);
      if (v === null) return `error: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'\n`;
      out.cpu = v;
    } else if (name === 'memory') {
      const v = parseBytes(value);
      if (v === null) return `error: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'\n`;
      out.memory = v;
    } else return `error: invalid resource name "${name}": must be cpu or memory in this simulator\n`;
  }
  return out;
}

function podSpecOf(obj: unknown): PodSpec {
  const o = obj as { spec: PodSpec | { template: { spec: PodSpec } } };
  return 'template' in o.spec ? o.spec.template.spec : o.spec;
}

function setImage(args: string[]): { names: string[]; images: Record<string, string> } {
  const images: Record<string, string> = {};
  const names: string[] = [];
  for (const a of args) {
    const eq = a.indexOf('=');
    if (eq > 0) images[a.slice(0, eq)] = a.slice(eq + 1);
    else names.push(a);
  }
  return { names, images };
}

function change(ctx: Parameters<KubectlSubcommand['run']>[0], args: string[], flags: ParsedFlags, what: 'image' | 'resources') {
  const { names, images } = what === 'image' ? setImage(args) : { names: args, images: {} };
  if (what === 'image' && Object.keys(images).length === 0) return fail('error: at least one image update is required\n');
  let requests: Partial<ResourceList> = {};
  let limits: Partial<ResourceList> = {};
  if (what === 'resources') {
    const r = parseResourceList(flags.string('requests') ?? '');
    const l = parseResourceList(flags.string('limits') ?? '');
    if (typeof r === 'string') return fail(r);
    if (typeof l === 'string') return fail(l);
    if (Object.keys(r).length === 0 && Object.keys(l).length === 0) return fail('error: you must specify an update to requests or limits (in the form of --requests/--limits)\n');
    requests = r;
    limits = l;
  }
  const found = resolveOne(ctx, names);
  if (!found.ok) return fail(found.error);
  const { type, key, name, obj } = found.target;
  if (!['Deployment', 'DaemonSet', 'ReplicaSet', 'Pod'].includes(type.kind)) return fail(`error: ${type.plural} "${name}" does not have a pod template\n`);
  const only = flags.string('containers') ?? '*';
  const containers = podSpecOf(obj).containers;
  const pick = (c: ContainerSpec): boolean => (what === 'image' ? c.name in images || '*' in images : only === '*' || c.name === only);
  if (what === 'image') {
    const unknown = Object.keys(images).find((n) => n !== '*' && !containers.some((c) => c.name === n));
    if (unknown) return fail(`error: unable to find container named "${unknown}"\n`);
  } else if (!containers.some(pick)) return fail(`error: unable to find container named ${only}\n`);
  const r = mutateObject(ctx.state, type.kind as 'Deployment', key, (o) => {
    const spec = podSpecOf(o);
    const before = structuredClone(spec);
    for (const c of spec.containers) {
      if (!pick(c)) continue;
      if (what === 'image') c.image = images[c.name] ?? images['*']!;
      else c.resources = { requests: { ...c.resources.requests, ...requests }, limits: { ...c.resources.limits, ...limits } };
    }
    const holder = o as unknown as { behavior?: PodTemplate['behavior']; spec: { template?: PodTemplate } };
    const behavior = holder.spec.template?.behavior ?? holder.behavior;
    if (behavior) adoptImagePrograms(ctx.state, spec, behavior, before);
    o.metadata.generation++;
  });
  if (!r.ok) return apiFail(r.error);
  return ok(`${refName(type, name)} ${what === 'image' ? 'image updated' : 'resource requirements updated'}\n`);
}

/**
 * `kubectl set env TYPE/NAME KEY=VALUE… KEY-…` (and `--list`): the environment of the
 * template's containers, as kubectl's set_env.go changes and prints it.
 */
function setEnv(ctx: Parameters<KubectlSubcommand['run']>[0], args: string[], flags: ParsedFlags) {
  const pairs = args.filter((a) => /^[^=]+=/.test(a) || /^[A-Za-z_][A-Za-z0-9_.-]*-$/.test(a));
  const names = args.filter((a) => !pairs.includes(a));
  const list = flags.bool('list');
  if (!list && pairs.length === 0) return fail('error: at least one environment variable must be provided\n');
  const found = resolveOne(ctx, names);
  if (!found.ok) return fail(found.error);
  const { type, key, name, obj } = found.target;
  if (!['Deployment', 'DaemonSet', 'ReplicaSet'].includes(type.kind)) return fail(`error: ${type.plural} "${name}" does not have a pod template\n`);
  const only = flags.string('containers') ?? '*';
  const pick = (c: ContainerSpec): boolean => only === '*' || c.name === only;
  if (!podSpecOf(obj).containers.some(pick)) return fail(`error: unable to find container named ${only}\n`);
  if (list) {
    const out = podSpecOf(obj).containers.filter(pick).map((c) => `# ${type.kind} ${name}, container ${c.name}\n${c.env.map((e) => `${e.name}=${e.value}\n`).join('')}`);
    return ok(out.join(''));
  }
  const r = mutateObject(ctx.state, type.kind as 'Deployment', key, (o) => {
    for (const c of podSpecOf(o).containers) {
      if (!pick(c)) continue;
      for (const pair of pairs) {
        if (pair.endsWith('-') && !pair.includes('=')) {
          c.env = c.env.filter((e) => e.name !== pair.slice(0, -1));
          continue;
        }
        const eq = pair.indexOf('=');
        const [envName, value] = [pair.slice(0, eq), pair.slice(eq + 1)];
        const existing = c.env.find((e) => e.name === envName);
        if (existing) existing.value = value;
        else c.env.push({ name: envName, value });
      }
    }
    o.metadata.generation++;
  });
  if (!r.ok) return apiFail(r.error);
  return ok(`${refName(type, name)} env updated\n`);
}

/** `kubectl set serviceaccount (TYPE NAME | TYPE/NAME) SA` (set_serviceaccount.go). */
function setServiceAccount(ctx: Parameters<KubectlSubcommand['run']>[0], args: string[]) {
  if (args.length < 2) return fail('error: serviceaccount is required\n');
  const account = args.at(-1)!;
  const found = resolveOne(ctx, args.slice(0, -1));
  if (!found.ok) return fail(found.error);
  const { type, key, name } = found.target;
  if (!['Deployment', 'DaemonSet', 'ReplicaSet', 'Pod'].includes(type.kind)) return fail(`error: ${type.plural} "${name}" does not have a pod template\n`);
  const r = mutateObject(ctx.state, type.kind as 'Deployment', key, (o) => {
    const spec = podSpecOf(o);
    if (spec.serviceAccountName === account) return false;
    spec.serviceAccountName = account;
    o.metadata.generation++;
    return true;
  });
  if (!r.ok) return apiFail(r.error);
  return ok(`${refName(type, name)} serviceaccount updated\n`);
}

export const setCommand: KubectlSubcommand = {
  name: 'set',
  short: 'Set specific features on objects',
  usage: 'kubectl set SUBCOMMAND [options]',
  completions: ['env', 'image', 'resources', 'serviceaccount'],
  completes: 'resources',
  flags: [
    { name: 'containers', short: 'c', type: 'string', default: '*', usage: 'The names of containers in the selected pod templates to change.' },
    { name: 'requests', type: 'string', usage: 'The resource requirement requests for this container. For example, \'cpu=100m,memory=256Mi\'.' },
    { name: 'limits', type: 'string', usage: 'The resource requirement limits for this container. For example, \'cpu=200m,memory=512Mi\'.' },
    { name: 'list', type: 'bool', usage: 'If true, display the environment and any changes in the standard format.' },
  ],
  run: (ctx, args, flags) => {
    const [sub, ...rest] = args;
    if (sub === 'image') return change(ctx, rest, flags, 'image');
    if (sub === 'resources') return change(ctx, rest, flags, 'resources');
    if (sub === 'env') return setEnv(ctx, rest, flags);
    if (sub === 'serviceaccount' || sub === 'sa') return setServiceAccount(ctx, rest);
    if (sub === undefined) return fail('error: Required subcommand not specified. Available: env, image, resources, serviceaccount\n');
    return fail(`error: unknown command "${sub}" for "kubectl set"\nRun 'kubectl set --help' for usage.\n`);
  },
};
