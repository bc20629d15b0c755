// `kubectl` (and `k`): finds the subcommand, parses its flags like pflag, checks that the
// apiserver answers and that RBAC lets a limited kubeconfig user make its requests
// (authorize.ts), and runs it. Errors are printed like kubectl prints them.
import { answering, apiUnavailable, UNABLE_TO_CONNECT } from '../../cluster/api.js';
import { asClient } from '../../cluster/managed-fields.js';
import type { ClusterState } from '../../cluster/types.js';
import { apiErrorText, tagApiError } from './api-error.js';
import { forbidden } from './authorize.js';
import { tlsRejected } from '../../cluster/controlplane.js';
import { WORKSTATION_IP } from '../../cluster/network/outside.js';
import { unauthenticated } from './credentials.js';
import { extendContext } from '../input.js';
import { STEPS_PER_KUBECTL } from '../budget.js';
import type { CommandContext, CommandResult, ShellCommand, ShellSession } from '../types.js';
import { fail, ok } from '../types.js';
import { subcommands } from './commands/index.js';
import { ALL_NAMESPACES_FLAG, findSubcommandIndex, GLOBAL_FLAGS, parseFlags } from './flags.js';
import { findResourceType, listObjects, RESOURCE_TYPES } from './resources.js';
import type { FlagSpec, KubectlSubcommand } from './types.js';

export function findSubcommand(name: string): KubectlSubcommand | undefined {
  const named = (c: KubectlSubcommand): boolean => c.name === name || c.aliases?.includes(name) === true;
  return subcommands.find(named) ?? [helpCommand, optionsCommand].find(named);
}

/** `kubectl help [COMMAND]`: cobra's help command, the same text as `--help`. */
const helpCommand: KubectlSubcommand = {
  name: 'help',
  short: 'Help about any command',
  usage: 'kubectl help [command] [flags]',
  flags: [],
  offline: true,
  run: (_ctx, args) => {
    if (args.length === 0) return ok(rootHelp());
    const cmd = findSubcommand(args[0]!);
    return cmd ? ok(commandHelp(cmd)) : ok(`Unknown help topic [\`${args[0]}\`]\n${rootHelp()}`);
  },
};

/** `kubectl options`: the global flags every command takes. */
const optionsCommand: KubectlSubcommand = {
  name: 'options',
  short: 'Print the list of flags inherited by all commands',
  usage: 'kubectl options [flags] [options]',
  flags: [],
  offline: true,
  run: () => ok(`The following options can be passed to any command:\n\n${flagLines(GLOBAL_FLAGS).join('\n')}`),
};

/** Made once per subcommand: every line parses its flags against them (parseFlags indexes them once too). */
const flagSpecs = new WeakMap<KubectlSubcommand, FlagSpec[]>();

/** Local flags first so a subcommand may redefine a global one. */
function flagSpecsOf(cmd: KubectlSubcommand): FlagSpec[] {
  let specs = flagSpecs.get(cmd);
  if (!specs) {
    const local = new Set(cmd.flags.map((f) => f.name));
    specs = [...cmd.flags, ...GLOBAL_FLAGS.filter((f) => !local.has(f.name))];
    flagSpecs.set(cmd, specs);
  }
  return specs;
}

export const kubectlCommand: ShellCommand = (ctx, argv) => {
  const { value, errors } = answering(ctx.state, () => runKubectl(ctx, argv));
  for (const e of errors) tagApiError(ctx.facts, e.message);
  return value;
};

const runKubectl: ShellCommand = (ctx, argv) => {
  ctx.budget.spend(STEPS_PER_KUBECTL);
  const rest = argv.slice(1);
  const index = findSubcommandIndex(rest);
  if (index < 0) {
    if (rest.includes('--version')) return fail('error: unknown flag: --version\nSee \'kubectl --help\' for usage.\n');
    return ok(rootHelp());
  }
  const name = rest[index]!;
  const cmd = findSubcommand(name);
  if (!cmd) return unknownCommand(name);

  const parsed = parseFlags([...rest.slice(0, index), ...rest.slice(index + 1)], flagSpecsOf(cmd));
  if (!parsed.ok) return fail(`error: ${parsed.error}\nSee 'kubectl ${cmd.name} --help' for usage.\n`);
  const flags = parsed.flags;
  if (flags.bool('help')) return ok(commandHelp(cmd));

  // `get --raw` reaches health endpoints that answer while etcd does not (raw.ts).
  if (!cmd.offline && flags.string('raw') === undefined) {
    const unavailable = apiUnavailable(ctx.state);
    if (unavailable) {
      if (unavailable.message.startsWith(UNABLE_TO_CONNECT)) tlsRejected(ctx.state, WORKSTATION_IP);
      return fail(apiErrorText(unavailable));
    }
    const refused = unauthenticated(ctx, flags.string('kubeconfig'));
    if (refused) return fail(refused);
  }
  const namespace = flags.string('namespace');
  const declaresAll = cmd.flags.some((f) => f.name === ALL_NAMESPACES_FLAG.name);
  const allNamespaces = declaresAll && flags.bool('all-namespaces');
  const refused = forbidden(ctx.state, cmd.name, flags.args, allNamespaces ? undefined : namespace ?? ctx.session.namespace, flags);
  if (refused) return fail(refused);
  // Its stdin is read only if the subcommand asks (`apply -f -`).
  const sub = extendContext(ctx, {
    namespace: namespace ?? ctx.session.namespace,
    namespaceExplicit: namespace !== undefined,
    allNamespaces,
    commandName: cmd.name,
  });
  // What the command writes is recorded under its field manager (cluster/managed-fields.ts).
  const who = fieldManagerOf(cmd.name, flags.string('field-manager'), flags.args, cmd.flags.some((f) => f.name === 'subresource') ? flags.string('subresource') : undefined);
  return asClient(ctx.state, who, () => cmd.run(sub, flags.args, flags));
};

/**
 * kubectl's --field-manager defaults (AddFieldManagerFlagVar in pkg/cmd; apply.go
 * FieldManagerClientSideApply); commands without one are named by the apiserver after the
 * user agent, `kubectl`; scale writes the scale subresource, and `--subresource` the one it names.
 */
const FIELD_MANAGERS: Record<string, string> = {
  create: 'kubectl-create', apply: 'kubectl-client-side-apply', edit: 'kubectl-edit', patch: 'kubectl-patch', label: 'kubectl-label',
  annotate: 'kubectl-annotate', replace: 'kubectl-replace', run: 'kubectl-run', expose: 'kubectl-expose', set: 'kubectl-set',
  rollout: 'kubectl-rollout', taint: 'kubectl-taint', autoscale: 'kubectl-autoscale',
};

function fieldManagerOf(command: string, given: string | undefined, args: string[], subresource: string | undefined): { manager: string; subresource?: string; fields?: string[][] } {
  if (command === 'scale') return { manager: given ?? 'kubectl', subresource: 'scale', fields: [['spec', 'replicas']] };
  const manager = given ?? FIELD_MANAGERS[command] ?? 'kubectl';
  if (subresource === 'scale') return { manager, subresource, fields: [['spec', 'replicas']] };
  if (subresource === 'status') return { manager, subresource, fields: [['status']] };
  if (command !== 'label' && command !== 'annotate') return { manager };
  // `KEY=VALUE` and `KEY-` arguments: the keys this write sets.
  const section = command === 'label' ? 'labels' : 'annotations';
  const keys = args.flatMap((a) => {
    const set = /^([^=]+)=/.exec(a);
    return set ? [set[1]!] : [];
  });
  return { manager, fields: keys.map((k) => ['metadata', section, k]) };
}

function unknownCommand(name: string): CommandResult {
  const names = subcommands.map((c) => c.name);
  const close = names.filter((n) => n.startsWith(name) || levenshtein(n, name) <= 2);
  const suggestion = close.length > 0 ? `\nDid you mean this?\n${close.map((n) => `\t${n}\n`).join('')}` : '';
  return fail(`error: unknown command "${name}" for "kubectl"\n${suggestion}Run 'kubectl --help' for usage.\n`);
}

function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** kubectl's command groups, for `kubectl` alone; unlisted subcommands go under "Other Commands". */
const HELP_GROUPS: [string, string[]][] = [
  ['Basic Commands (Beginner)', ['create', 'expose', 'run', 'set']],
  ['Basic Commands (Intermediate)', ['explain', 'get', 'edit', 'delete']],
  ['Deploy Commands', ['rollout', 'scale', 'autoscale']],
  ['Cluster Management Commands', ['certificate', 'cluster-info', 'top', 'cordon', 'uncordon', 'drain', 'taint']],
  ['Troubleshooting and Debugging Commands', ['describe', 'logs', 'attach', 'exec', 'port-forward', 'proxy', 'cp', 'auth', 'debug', 'events']],
  ['Advanced Commands', ['diff', 'apply', 'patch', 'replace', 'wait', 'kustomize']],
  ['Settings Commands', ['label', 'annotate', 'completion']],
];

function rootHelp(): string {
  const line = (c: KubectlSubcommand): string => `  ${c.name.padEnd(16)}${c.short ?? ''}\n`;
  const grouped = new Set(HELP_GROUPS.flatMap(([, names]) => names));
  const sections = HELP_GROUPS.map(([title, names]) => {
    const cmds = names.map((n) => subcommands.find((c) => c.name === n)).filter((c) => c !== undefined);
    return cmds.length > 0 ? `${title}:\n${cmds.map(line).join('')}` : '';
  }).filter((s) => s !== '');
  const others = subcommands.filter((c) => !grouped.has(c.name));
  if (others.length > 0) sections.push(`Other Commands:\n${others.map(line).join('')}`);
  return [
    'kubectl controls the Kubernetes cluster manager.\n\n Find more information at: https://kubernetes.io/docs/reference/kubectl/\n',
    ...sections,
    'Usage:\n  kubectl [flags] [options]\n\nUse "kubectl <command> --help" for more information about a given command.\nUse "kubectl options" for a list of global command-line options (applies to all commands).\n',
  ].join('\n');
}

/** Flags as kubectl's help lays them out: `    -n, --namespace='':` then the usage on a tab. */
function flagLines(flags: FlagSpec[]): string[] {
  return flags.map((f) => {
    const names = f.short ? `-${f.short}, --${f.name}` : `--${f.name}`;
    const value = f.type === 'bool' ? `=${f.default ?? 'false'}` : `=${f.default !== undefined ? `'${f.default}'` : "''"}`;
    return `    ${names}${value}:\n\t${f.usage ?? ''}\n`;
  });
}

function commandHelp(cmd: KubectlSubcommand): string {
  const options = flagLines(cmd.flags);
  return `${cmd.short ?? ''}\n\n${options.length > 0 ? `Options:\n${options.join('\n')}\n` : ''}Usage:\n  ${cmd.usage ?? `kubectl ${cmd.name} [options]`}\n\nUse "kubectl options" for a list of global command-line options (applies to all commands).\n`;
}

/**
 * Tab completion candidates for the word being typed. `words` are the words after `kubectl`,
 * the last one being the (possibly empty) word under the cursor.
 */
export function kubectlCompletions(state: ClusterState, session: ShellSession, words: string[]): string[] {
  const current = words.at(-1) ?? '';
  const before = words.slice(0, -1);
  const starts = (cands: string[]): string[] => [...new Set(cands.filter((c) => c.startsWith(current)))];
  const index = findSubcommandIndex(before);
  const namespaceNames = (): string[] => Object.keys(state.namespaces).sort();
  const previous = before.at(-1);
  if (previous === '-n' || previous === '--namespace') return starts(namespaceNames());
  if (index < 0) {
    if (current.startsWith('-')) return starts(GLOBAL_FLAGS.map((f) => `--${f.name}`));
    return starts(subcommands.map((c) => c.name).sort());
  }
  const cmd = findSubcommand(before[index]!);
  if (!cmd) return [];
  if (current.startsWith('-')) return starts(flagSpecsOf(cmd).map((f) => `--${f.name}`));

  const parsed = parseFlags([...before.slice(0, index), ...before.slice(index + 1)], flagSpecsOf(cmd));
  const args = parsed.ok ? parsed.flags.args : [];
  const nsFlag = parsed.ok ? parsed.flags.string('namespace') : undefined;
  const namespace = nsFlag ?? session.namespace;
  const namesOf = (plural: string): string[] => {
    const type = findResourceType(plural);
    return type ? listObjects(state, type, namespace).map((o) => o.metadata.name) : [];
  };
  if (cmd.completions && args.length === 0) return starts(cmd.completions);
  const resourceArgs = cmd.completions ? args.slice(1) : args;
  switch (cmd.completes) {
    case 'pods': return starts(namesOf('pods'));
    case 'nodes': return starts(namesOf('nodes'));
    case 'resources': {
      const slash = current.indexOf('/');
      if (slash >= 0) {
        const typed = current.slice(0, slash);
        return starts(namesOf(typed).map((n) => `${typed}/${n}`));
      }
      if (resourceArgs.length === 0) return starts(RESOURCE_TYPES.flatMap((t) => [t.plural, ...t.shortNames]).sort());
      return starts(namesOf(resourceArgs[0]!.split(',')[0]!));
    }
    default: return [];
  }
}
