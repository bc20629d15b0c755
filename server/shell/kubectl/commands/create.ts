// `kubectl create namespace|configmap|deployment …` and `kubectl run NAME --image=…`.
import { createObject } from '../../../cluster/api.js';
import { runCommands } from '../../../cluster/images.js';
import { newMeta, podFromTemplate } from '../../../cluster/objects.js';
import type { ConfigMap, ContainerSpec, Deployment, PodTemplate } from '../../../cluster/types.js';
import type { CommandResult } from '../../types.js';
import { fail, ok } from '../../types.js';
import type { KubectlContext, KubectlSubcommand } from '../types.js';
import { fromFiles, writeCreate } from './apply.js';
import { createStored, CREATE_STORED_FLAGS, isStoredGenerator } from './create-stored.js';
import { apiFail } from './write-util.js';
import { CREATE_SERVICE_FLAGS, createServiceCommand } from './expose.js';
import { CREATE_TOKEN_FLAGS, createToken } from './create-token.js';
import { GENERATOR_FLAGS, generated } from './generated.js';
import { dataSources } from './data-sources.js';

/** A one-container pod template, as `create deployment` and `run` build it. */
export function simpleTemplate(name: string, image: string, labels: Record<string, string>, opts: { port?: number; command?: string[]; args?: string[]; restart?: 'Always' | 'OnFailure' | 'Never' } = {}): PodTemplate {
  const container: ContainerSpec = { name, image, ports: opts.port ? [{ containerPort: opts.port, protocol: 'TCP' }] : [], resources: { requests: {}, limits: {} }, env: [] };
  if (opts.command?.length) container.command = opts.command;
  if (opts.args?.length) container.args = opts.args;
  return {
    metadata: { labels, annotations: {} },
    spec: {
      containers: [container],
      nodeSelector: {}, tolerations: [], restartPolicy: opts.restart ?? 'Always', hostNetwork: false, dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default', schedulerName: 'default-scheduler', terminationGracePeriodSeconds: 30,
    },
    behavior: { [name]: {} },
  };
}

function createNamed(ctx: KubectlContext, what: string, args: string[], flags: Parameters<KubectlSubcommand['run']>[2]): CommandResult {
  if (isStoredGenerator(what)) return createStored(ctx, what, args, flags);
  if (what === 'service' || what === 'svc') return createServiceCommand(ctx, args, flags);
  if (what === 'token') return createToken(ctx, args, flags);
  const name = args[0];
  if (name === undefined) return fail(`error: exactly one NAME is required, got 0\nSee 'kubectl create ${what} -h' for help and examples\n`);
  const { state } = ctx;
  switch (what) {
    case 'namespace':
    case 'ns': {
      const r = createObject(state, 'Namespace', { metadata: newMeta(state, name, undefined), status: { phase: 'Active' } });
      return r.ok ? ok(`namespace/${name} created\n`) : apiFail(r.error);
    }
    case 'configmap':
    case 'cm': {
      const data = dataSources(ctx, flags);
      if (typeof data === 'string') return fail(data);
      const cm: ConfigMap = { metadata: newMeta(state, name, ctx.namespace), data };
      const r = writeCreate(state, 'ConfigMap', cm);
      return r.ok ? ok(`configmap/${name} created\n`) : apiFail(r.error);
    }
    case 'deployment':
    case 'deploy': {
      const image = flags.all('image')[0];
      if (image === undefined) return fail('error: required flag(s) "image" not set\n');
      const labels = { app: name };
      const port = flags.int('port') ?? -1;
      const template = simpleTemplate(image.split('/').at(-1)!.split(':')[0]!, image, labels, port > 0 ? { port, command: args.slice(1) } : { command: args.slice(1) });
      runCommands(state, template.spec, template.behavior);
      const d: Deployment = {
        metadata: newMeta(state, name, ctx.namespace, labels),
        spec: {
          replicas: flags.int('replicas') ?? 1, selector: { matchLabels: { ...labels } }, template,
          strategy: { type: 'RollingUpdate', maxSurge: '25%', maxUnavailable: '25%' }, revisionHistoryLimit: 10, paused: false, progressDeadlineSeconds: 600,
        },
        status: { observedGeneration: 0, replicas: 0, updatedReplicas: 0, readyReplicas: 0, availableReplicas: 0, unavailableReplicas: 0, conditions: [] },
      };
      const r = createObject(state, 'Deployment', d);
      // create_deployment.go wraps the apiserver's error: `failed to create deployment: <message>`.
      if (!r.ok) return r.error.status === 0 ? apiFail(r.error) : fail(`error: failed to create deployment: ${r.error.message}\n`);
      return ok(`deployment.apps/${name} created\n`);
    }
    default:
      return fail(`error: unknown command "${what}" for "kubectl create"\nRun 'kubectl create --help' for usage.\n`);
  }
}

export const createCommand: KubectlSubcommand = {
  name: 'create',
  short: 'Create a resource from a file or from stdin',
  usage: 'kubectl create -f FILENAME [options]',
  completions: ['clusterrole', 'clusterrolebinding', 'configmap', 'cronjob', 'deployment', 'ingress', 'job', 'namespace', 'poddisruptionbudget', 'quota', 'role', 'rolebinding', 'priorityclass', 'secret', 'service', 'serviceaccount', 'token'],
  flags: [
    ...CREATE_STORED_FLAGS,
    ...CREATE_SERVICE_FLAGS,
    ...CREATE_TOKEN_FLAGS,
    ...GENERATOR_FLAGS,
    { name: 'image', type: 'stringArray', usage: 'Image names to run.' },
    { name: 'replicas', short: 'r', type: 'int', default: '1', usage: 'Number of replicas to create. Default is 1.' },
    { name: 'port', type: 'int', default: '-1', usage: 'The containerPort that this deployment exposes.' },
    { name: 'from-literal', type: 'stringArray', usage: 'Specify a key and literal value to insert in configmap (i.e. mykey=somevalue)' },
    { name: 'filename', short: 'f', type: 'stringArray', usage: 'Filename, directory, or URL to files to use to create the resource' },
    { name: 'dry-run', type: 'string', default: 'none', usage: 'Must be "none", "server", or "client".' },
    { name: 'validate', type: 'string', default: 'strict', usage: 'Must be one of: strict (or true), warn, ignore (or false).' },
    { name: 'save-config', type: 'bool', usage: 'If true, the configuration of current object will be saved in its annotation. Otherwise, the annotation will be unchanged. This flag is useful when you want to perform kubectl apply on this object in the future.' },
  ],
  run: (ctx, args, flags) => {
    if (flags.has('filename')) return fromFiles(ctx, flags, 'create');
    const [what, ...rest] = args;
    if (what === undefined) return fail('error: must specify one of -f and -k\n\nerror: Required resource not specified.\n');
    return generated(ctx, flags, (c) => createNamed(c, what, rest, flags));
  },
};
