// `kubectl scale (TYPE NAME | TYPE/NAME) --replicas=N`: deployments, replicasets and statefulsets.
import { mutateObject } from '../../../cluster/api.js';
import { jsonObject } from '../../../cluster/json.js';
import type { ApiResult, ClusterState, Deployment, ReplicaSet, StoredObject } from '../../../cluster/types.js';
import { fail, ok } from '../../types.js';
import type { KubectlContext, KubectlSubcommand } from '../types.js';
import { findResourceType, listObjects } from '../resources.js';
import { matchesLabels, parseLabelSelector } from '../selectors.js';
import { toManifest } from '../manifest.js';
import type { JsonObject } from '../manifest-fields.js';
import { selectorString } from '../printers.js';
import { apiFail, collect, refName, resolveTargets, stateKey, type Target } from './write-util.js';
import { dryRunSuffix, parseDryRun } from './apply.js';
import { DRY_RUN_FLAG } from '../flags.js';

export type ScalableKind = 'Deployment' | 'ReplicaSet' | 'StatefulSet';

/** The replicas an object asks for. A StatefulSet is kept as JSON: its replicas sit in spec (defaulted to 1 by the apiserver). */
export function replicasOf(kind: ScalableKind, o: Deployment | ReplicaSet | StoredObject): number {
  return kind === 'StatefulSet' ? Number(jsonObject((o as StoredObject).fields.spec).replicas ?? 1) : (o as Deployment | ReplicaSet).spec.replicas;
}

/** The scale subresource's write (kubectl scale and the REST API's /scale alike): a new generation when the size changes. */
export function scaleTo(state: ClusterState, kind: ScalableKind, key: string, replicas: number): ApiResult<Deployment | ReplicaSet | StoredObject> {
  return mutateObject(state, kind, key, (o: Deployment | ReplicaSet | StoredObject) => {
    if (replicasOf(kind, o) === replicas) return false;
    if (kind === 'StatefulSet') (o as StoredObject).fields.spec = { ...jsonObject((o as StoredObject).fields.spec), replicas };
    else (o as Deployment | ReplicaSet).spec.replicas = replicas;
    o.metadata.generation++;
    return true;
  });
}

/** The autoscaling/v1 Scale of a Deployment, ReplicaSet or StatefulSet (the /scale subresource's object). */
export function scaleObject(state: ClusterState, kind: ScalableKind, stored: Deployment | ReplicaSet | StoredObject): JsonObject {
  const manifest = toManifest(state, kind, stored);
  const meta = manifest.metadata as JsonObject;
  return {
    kind: 'Scale', apiVersion: 'autoscaling/v1',
    metadata: { name: meta.name!, namespace: meta.namespace!, uid: meta.uid!, resourceVersion: meta.resourceVersion!, creationTimestamp: meta.creationTimestamp! },
    spec: { replicas: replicasOf(kind, stored) },
    status: kind === 'StatefulSet' ? scaleStatus(manifest)
      : { replicas: (stored as Deployment | ReplicaSet).status.replicas, selector: selectorString((stored as Deployment | ReplicaSet).spec.selector).replace(/^<none>$/, '') },
  };
}

/** A StatefulSet's Scale status from its JSON: its replicas and its matchLabels as a label query. */
function scaleStatus(manifest: JsonObject): JsonObject {
  const status = jsonObject(manifest.status);
  const selector = jsonObject(jsonObject(manifest.spec).selector);
  const text = Object.entries(jsonObject(selector.matchLabels)).map(([k, v]) => `${k}=${String(v)}`).join(',');
  return { replicas: typeof status.replicas === 'number' ? status.replicas : 0, selector: text };
}

export const scaleCommand: KubectlSubcommand = {
  name: 'scale',
  short: 'Set a new size for a deployment, replica set, or replication controller',
  usage: 'kubectl scale [--resource-version=version] [--current-replicas=count] --replicas=COUNT (-f FILENAME | TYPE NAME) [options]',
  completes: 'resources',
  flags: [
    { name: 'replicas', type: 'int', default: '-1', usage: 'The new desired number of replicas. Required.' },
    { name: 'current-replicas', type: 'int', default: '-1', usage: 'Precondition for current size.' },
    { name: 'timeout', type: 'string', default: '0s', usage: 'The length of time to wait before giving up on a scale operation.' },
    { name: 'all', type: 'bool', usage: 'Select all resources in the namespace of the specified resource types' },
    { name: 'selector', short: 'l', type: 'string', usage: 'Selector (label query) to filter on, supports \'=\', \'==\', and \'!=\'.(e.g. -l key1=value1,key2=value2)' },
    DRY_RUN_FLAG,
  ],
  run: (ctx, args, flags) => {
    if (!flags.has('replicas')) return fail('error: required flag(s) "replicas" not set\n');
    const dryRun = parseDryRun(flags);
    if (typeof dryRun !== 'string') return fail(dryRun.error);
    const replicas = flags.int('replicas')!;
    if (replicas < 0) return fail('error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0\n');
    const targets = flags.bool('all') || flags.has('selector') ? selectedTargets(ctx, args, flags.string('selector')) : resolveTargets(ctx, args);
    if (!targets.ok) return fail(targets.error);
    // kubectl scale.go visits the objects found and drops the builder's errors (a missing
    // name is skipped): nothing found at all is its own error.
    if (targets.targets.length === 0) return fail(args.length === 0 ? 'error: You must provide one or more resources by argument or filename.\n' : 'error: no objects passed to scale\n');
    const current = flags.int('current-replicas')!;
    const results = targets.targets.map(({ type, key, name, obj }) => {
      if (type.kind !== 'Deployment' && type.kind !== 'ReplicaSet' && type.kind !== 'StatefulSet') return fail(`error: no scaler has been implemented for {"${type.group}" "${type.kind}"}\n`);
      const kind: ScalableKind = type.kind;
      // scale.go: a client dry run prints before any precondition; a server one checks it and writes nothing.
      if (dryRun === 'client') return ok(`${refName(type, name)} scaled${dryRunSuffix(dryRun)}\n`);
      const now = replicasOf(kind, obj as Deployment | ReplicaSet | StoredObject);
      if (current >= 0 && now !== current) return fail(`error: Expected replicas to be ${current}, was ${now}\n`);
      if (dryRun === 'server') return ok(`${refName(type, name)} scaled${dryRunSuffix(dryRun)}\n`);
      const result = scaleTo(ctx.state, kind, key, replicas);
      return result.ok ? ok(`${refName(type, name)} scaled\n`) : apiFail(result.error);
    });
    return collect(results);
  },
};

/** `--all` / `-l SELECTOR` with TYPE: every object of the type in the namespace that matches. */
function selectedTargets(ctx: KubectlContext, args: string[], selector: string | undefined): { ok: true; targets: Target[]; missing: string } | { ok: false; error: string } {
  const type = args.length === 1 ? findResourceType(args[0]!) : undefined;
  if (!type) return { ok: false, error: args.length === 0 ? 'error: You must provide one or more resources by argument or filename.\n' : `error: the server doesn't have a resource type "${args[0]}"\n` };
  const parsed = parseLabelSelector(selector ?? '');
  if (!parsed.ok) return { ok: false, error: parsed.error };
  const objects = listObjects(ctx.state, type, ctx.namespace).filter((o) => matchesLabels(parsed.requirements, o.metadata.labels));
  return { ok: true, missing: '', targets: objects.map((obj) => ({ type, name: obj.metadata.name, obj, key: stateKey(type, ctx.namespace, obj.metadata.name) })) };
}
