// `kubectl config`: one context (the cluster's), whose namespace is the session's default.
import { fail, ok } from '../../types.js';
import { renderTable } from '../table.js';
import type { KubectlContext, KubectlSubcommand } from '../types.js';

function kubeconfigYaml(ctx: KubectlContext): string {
  const s = ctx.state;
  const user = s.contextName.split('@')[0] ?? 'kubernetes-admin';
  const namespace = ctx.session.namespace === 'default' ? '' : `    namespace: ${ctx.session.namespace}\n`;
  return `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: DATA+OMITTED
    server: ${s.controlPlane.apiserver.endpoint}
  name: ${s.clusterName}
contexts:
- context:
    cluster: ${s.clusterName}
${namespace}    user: ${user}
  name: ${s.contextName}
current-context: ${s.contextName}
kind: Config
preferences: {}
users:
- name: ${user}
  user:
    client-certificate-data: DATA+OMITTED
    client-key-data: DATA+OMITTED
`;
}

export const configCommand: KubectlSubcommand = {
  name: 'config',
  short: 'Modify kubeconfig files',
  usage: 'kubectl config SUBCOMMAND [options]',
  offline: true,
  completions: ['current-context', 'get-contexts', 'set-context', 'use-context', 'view', 'get-clusters'],
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
      case 'view':
        return ok(kubeconfigYaml(ctx));
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
