// `kubectl config`: one context (the cluster's), whose namespace is the session's default.
import { parseDocument } from 'yaml';
import { homeOf } from '../../session.js';
import { fail, ok, type CommandContext, type CommandResult } from '../../types.js';
import { readFile } from '../../vfs.js';
import { executeJsonPath } from '../jsonpath.js';
import { parseSteps, yamlTooDeep } from './apply.js';
import { parseOutputFormat, toYaml } from '../output.js';
import { renderTable } from '../table.js';
import type { KubectlContext, KubectlSubcommand } from '../types.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };
const isObj = (v: Json | undefined): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The kubeconfig file kubectl loads: --kubeconfig, else $KUBECONFIG, else ~/.kube/config. */
export function kubeconfigPath(ctx: CommandContext, explicit: string | undefined): string {
  return explicit ?? ctx.env.KUBECONFIG ?? `${homeOf(ctx.session)}/.kube/config`;
}

/** client-go's clientcmd: the file parsed, or kubectl's error; a missing default file is an empty config. */
function loadKubeconfig(ctx: KubectlContext, explicit: string | undefined): { ok: true; config: Obj } | { ok: false; error: string } {
  const path = kubeconfigPath(ctx, explicit);
  const file = readFile(ctx, 'kubectl', path);
  if (!file.ok) {
    if (explicit !== undefined) return { ok: false, error: `error: stat ${path}: no such file or directory\n` };
    return { ok: true, config: {} };
  }
  ctx.budget.spend(parseSteps(file.content));
  const tooDeep = yamlTooDeep(file.content);
  if (tooDeep) return { ok: false, error: `error: error loading config file "${path}": ${tooDeep}\n` };
  const doc = parseDocument(file.content, { schema: 'yaml-1.1', uniqueKeys: false });
  const problem = doc.errors[0];
  if (problem) return { ok: false, error: `error: error loading config file "${path}": yaml: line ${problem.linePos?.[0].line ?? 1}: ${problem.code === 'BAD_INDENT' ? 'did not find expected key' : 'mapping values are not allowed in this context'}\n` };
  let value: Json;
  try {
    value = doc.toJS() as Json;
  } catch {
    // The yaml library refuses alias bombs ("billion laughs") as go-yaml does.
    return { ok: false, error: `error: error loading config file "${path}": yaml: document contains excessive aliasing\n` };
  }
  if (value !== null && !isObj(value)) return { ok: false, error: `error: error loading config file "${path}": couldn't get version/kind; json parse error: json: cannot unmarshal ${Array.isArray(value) ? 'array' : 'string'} into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }\n` };
  return { ok: true, config: value ?? {} };
}

const named = (list: Json | undefined): Obj[] => (Array.isArray(list) ? list.filter(isObj) : []);

/**
 * `kubectl config view`: the loaded config as clientcmd's v1 Config serializes it (the
 * fields it knows, empty lists as null), the session's namespace in the current context;
 * without --raw the embedded certificates and keys read DATA+OMITTED and tokens REDACTED
 * (clientcmd ShortenConfig / RedactSecrets); --minify keeps only the current context's entries.
 */
function viewConfig(ctx: KubectlContext, config: Obj, raw: boolean, minify: boolean): Obj {
  const current = typeof config['current-context'] === 'string' ? config['current-context'] : '';
  let contexts = named(config.contexts).map((c) => {
    const context: Obj = isObj(c.context) ? { ...c.context } : {};
    if (c.name === current) {
      if (ctx.session.namespace === 'default') delete context.namespace;
      else context.namespace = ctx.session.namespace;
    }
    return { ...c, context } as Obj;
  });
  let clusters = named(config.clusters);
  let users = named(config.users);
  if (minify) {
    contexts = contexts.filter((c) => c.name === current);
    const context = contexts[0]?.context as Obj | undefined;
    clusters = clusters.filter((c) => c.name === context?.cluster);
    users = users.filter((u) => u.name === context?.user);
  }
  const hide = (entry: Obj, key: string, fields: Record<string, string>): Obj => {
    if (raw || !isObj(entry[key])) return entry;
    const inner: Obj = { ...entry[key] };
    for (const [field, shown] of Object.entries(fields)) if (typeof inner[field] === 'string' && inner[field] !== '') inner[field] = shown;
    return { ...entry, [key]: inner };
  };
  const list = (items: Obj[]): Json => (items.length === 0 ? null : items);
  return {
    apiVersion: 'v1',
    clusters: list(clusters.map((c) => hide(c, 'cluster', { 'certificate-authority-data': 'DATA+OMITTED' }))),
    contexts: list(contexts),
    'current-context': current,
    kind: 'Config',
    preferences: isObj(config.preferences) ? config.preferences : {},
    users: list(users.map((u) => hide(u, 'user', { 'client-certificate-data': 'DATA+OMITTED', 'client-key-data': 'DATA+OMITTED', token: 'REDACTED', password: 'REDACTED' }))),
  };
}

/** `config view -o`: YAML by default, JSON in the v1 Config struct's field order, jsonpath. */
function printConfig(ctx: KubectlContext, view: Obj, output: string | undefined): CommandResult {
  const format = parseOutputFormat(output === undefined || output === '' ? 'yaml' : output);
  if (!format.ok) return fail(format.error);
  switch (format.format.kind) {
    case 'yaml': return ok(toYaml(view));
    case 'json': {
      const { kind, apiVersion, preferences, clusters, users, contexts } = view;
      return ok(`${JSON.stringify({ kind, apiVersion, preferences, clusters, users, contexts, 'current-context': view['current-context'] }, null, 4)}\n`);
    }
    case 'jsonpath': {
      const r = executeJsonPath(format.format.template, view, ctx.budget);
      return r.ok ? ok(r.text) : fail(r.error);
    }
    default: return fail(`error: output format "${output}" not supported by config view\n`);
  }
}

export const configCommand: KubectlSubcommand = {
  name: 'config',
  short: 'Modify kubeconfig files',
  usage: 'kubectl config SUBCOMMAND [options]',
  offline: true,
  completions: ['current-context', 'get-contexts', 'set-context', 'use-context', 'view', 'get-clusters', 'get-users'],
  flags: [
    { name: 'current', type: 'bool', usage: 'Modify the current context' },
    { name: 'minify', type: 'bool', usage: 'Remove all information not used by current-context from the output' },
    { name: 'raw', type: 'bool', usage: 'Display raw byte data and sensitive data' },
    { name: 'output', short: 'o', type: 'string', usage: 'Output format.' },
    { name: 'no-headers', type: 'bool', usage: "When using the default or custom-column output format, don't print headers." },
  ],
  run: (ctx, args, flags) => {
    const s = ctx.state;
    const [sub, ...rest] = args;
    switch (sub) {
      case 'current-context':
        return ok(`${s.contextName}\n`);
      case 'get-contexts': {
        if (rest[0] !== undefined && rest[0] !== s.contextName) return fail(`error: context ${rest[0]} not found\n`);
        if (flags.string('output') === 'name') return ok(`${s.contextName}\n`);
        const user = s.contextName.split('@')[0] ?? '';
        const ns = ctx.session.namespace === 'default' ? '' : ctx.session.namespace;
        return ok(renderTable(flags.bool('no-headers') ? undefined : ['CURRENT', 'NAME', 'CLUSTER', 'AUTHINFO', 'NAMESPACE'], [['*', s.contextName, s.clusterName, user, ns]]));
      }
      case 'get-clusters':
        return ok(`NAME\n${s.clusterName}\n`);
      // get_users.go: NAME, then the kubeconfig's users sorted (admin.conf has one).
      case 'get-users':
        return ok(`NAME\n${s.contextName.split('@')[0] ?? ''}\n`);
      case 'view': {
        const loaded = loadKubeconfig(ctx, flags.string('kubeconfig'));
        if (!loaded.ok) return fail(loaded.error);
        return printConfig(ctx, viewConfig(ctx, loaded.config, flags.bool('raw'), flags.bool('minify')), flags.string('output'));
      }
      case 'use-context':
        if (rest[0] !== s.contextName) return fail(`error: no context exists with the name: "${rest[0] ?? ''}"\n`);
        return ok(`Switched to context "${s.contextName}".\n`);
      case 'set-context': {
        const name = rest[0];
        if (!flags.bool('current') && name === undefined) return fail('error: you must specify a non-empty context name or --current\n');
        if (name !== undefined && name !== s.contextName) {
          return fail(`error: context "${name}" cannot be created in this simulator; only ${s.contextName} exists\n`);
        }
        if (ctx.namespaceExplicit) ctx.session.namespace = ctx.namespace;
        return ok(`Context "${s.contextName}" modified.\n`);
      }
      case undefined:
        return ok('Modify kubeconfig files using subcommands like "kubectl config set current-context my-context".\n\nAvailable Commands:\n  current-context   Display the current-context\n  get-contexts      Describe one or many contexts\n  set-context       Set a context entry in kubeconfig\n  use-context       Set the current-context in a kubeconfig file\n  view              Display merged kubeconfig settings or a specified kubeconfig file\n\nUsage:\n  kubectl config SUBCOMMAND [options]\n');
      default:
        return fail(`error: unknown command "${sub}" for "kubectl config"\n`);
    }
  },
};
