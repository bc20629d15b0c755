// `kubectl describe TYPE [NAME_PREFIX | -l selector]`: by exact name, else every object whose
// name starts with the given text, like kubectl.
import { isStoredKind } from '../../../cluster/stored-kinds.js';
import type { ClusterState, StoredObject } from '../../../cluster/types.js';
import { describeStored } from '../describe/stored.js';
import { fail } from '../../types.js';
import { describeNode } from '../describe/node.js';
import {
  describeConfigMap, describeDaemonSet, describeDeployment, describeEndpoints, describeEvent, describeNamespace,
  describeReplicaSet, describeService,
} from '../describe/others.js';
import { describePod } from '../describe/pod.js';
import { tagObjects } from '../facts.js';
import { ALL_NAMESPACES_FLAG } from '../flags.js';
import { listNamespace, SELECTOR_FLAGS } from '../query.js';
import {
  deprecationWarnings, getObject, listObjects, notFoundError, resolveResourceArgs, type KubeObject, type ResourceType,
} from '../resources.js';
import { matchesLabels, parseLabelSelector } from '../selectors.js';
import type { KubectlSubcommand } from '../types.js';
import { mapChars } from '../listing.js';

type Describer = (state: ClusterState, obj: never) => string;

const DESCRIBERS: Record<string, Describer> = {
  Pod: describePod,
  Node: describeNode,
  Deployment: describeDeployment,
  ReplicaSet: describeReplicaSet,
  DaemonSet: describeDaemonSet,
  Service: describeService,
  Endpoints: describeEndpoints,
  ConfigMap: describeConfigMap,
  Namespace: describeNamespace,
  Event: describeEvent,
};

export function describeObject(state: ClusterState, type: ResourceType, obj: KubeObject): string {
  if (isStoredKind(type.kind)) return describeStored(state, obj as StoredObject);
  return (DESCRIBERS[type.kind] as (s: ClusterState, o: KubeObject) => string)(state, obj);
}

/** Describing an object also reads its events and related objects: steps of work besides what it prints. */
const STEPS_PER_DESCRIBED_OBJECT = 5000;
/** And per character of its maps (mapChars), charged before it is described: a ConfigMap's 1000 keys are sorted and padded (~0.1 µs a character). */
const STEPS_PER_DESCRIBED_CHAR = 4;

export const describeCommand: KubectlSubcommand = {
  name: 'describe',
  short: 'Show details of a specific resource or group of resources',
  usage: 'kubectl describe (-f FILENAME | TYPE [NAME_PREFIX | -l label] | TYPE/NAME) [options]',
  completes: 'resources',
  flags: [
    ALL_NAMESPACES_FLAG,
    ...SELECTOR_FLAGS,
    { name: 'show-events', type: 'bool', default: 'true', usage: 'If true, display events related to the described object.' },
    { name: 'chunk-size', type: 'int', default: '500', usage: 'Return large lists in chunks rather than all at once.' },
  ],
  run: (ctx, args, flags) => {
    if (args.length === 0) {
      return fail('You must specify the type of resource to describe. Use "kubectl api-resources" for a complete list of supported resources.\n');
    }
    const resolved = resolveResourceArgs(args, ctx.state.stored);
    if (!resolved.ok) return fail(resolved.error);
    const selector = parseLabelSelector(flags.string('selector') ?? '');
    if (!selector.ok) return fail(selector.error);
    const found: { type: ResourceType; obj: KubeObject }[] = [];
    let stderr = '';
    for (const { type, names } of resolved.requests) {
      let listed: KubeObject[] | undefined;
      const candidates = () => (listed ??= listObjects(ctx.state, type, listNamespace(ctx)));
      if (names.length === 0) {
        for (const obj of candidates()) if (matchesLabels(selector.requirements, obj.metadata.labels)) found.push({ type, obj });
        continue;
      }
      for (const name of names) {
        // An exact name needs no listing (and is then the only match, like kubectl).
        const exact = getObject(ctx.state, type, ctx.namespace, name);
        const matches = exact ? [exact] : candidates().filter((o) => o.metadata.name.startsWith(name));
        if (matches.length === 0) stderr += notFoundError(type, name);
        for (const obj of matches) found.push({ type, obj });
      }
    }
    const withoutEvents = (text: string): string => (flags.bool('show-events') ? text : text.replace(/^Events:.*(\n {2}.*)*\n?/m, ''));
    const stdout = found.map(({ type, obj }) => {
      ctx.budget.spend(STEPS_PER_DESCRIBED_OBJECT + STEPS_PER_DESCRIBED_CHAR * mapChars(type, obj, ctx.budget.remaining));
      return withoutEvents(describeObject(ctx.state, type, obj));
    }).join('\n\n');
    tagObjects(ctx, flags.bool('show-events') ? found : found.filter(({ type }) => type.kind !== 'Event'), stdout, 'describe');
    const warnings = deprecationWarnings(resolved.requests.map((r) => r.type));
    // describe.go Run: the namespace is named unless -A, whatever the kinds' scope (`describe pv` too).
    if (found.length === 0 && stderr === '') {
      return { stdout: '', stderr: ctx.allNamespaces ? 'No resources found\n' : `No resources found in ${ctx.namespace} namespace.\n`, ...warnings, exitCode: 0 };
    }
    return { stdout, stderr, ...warnings, exitCode: stderr === '' ? 0 : 1 };
  },
};
