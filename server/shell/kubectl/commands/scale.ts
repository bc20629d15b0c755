// `kubectl scale (TYPE NAME | TYPE/NAME) --replicas=N`: deployments, replicasets and statefulsets.
import { mutateObject } from '../../../cluster/api.js';
import { jsonObject } from '../../../cluster/json.js';
import type { ApiResult, ClusterState, Deployment, ReplicaSet, StoredObject } from '../../../cluster/types.js';
import { fail, ok } from '../../types.js';
import type { KubectlSubcommand } from '../types.js';
import { apiFail, refName, resolveOne } from './write-util.js';

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

export const scaleCommand: KubectlSubcommand = {
  name: 'scale',
  short: 'Set a new size for a deployment, replica set, or replication controller',
  usage: 'kubectl scale [--resource-version=version] [--current-replicas=count] --replicas=COUNT (-f FILENAME | TYPE NAME) [options]',
  completes: 'resources',
  flags: [
    { name: 'replicas', type: 'int', default: '-1', usage: 'The new desired number of replicas. Required.' },
    { name: 'current-replicas', type: 'int', default: '-1', usage: 'Precondition for current size.' },
    { name: 'timeout', type: 'string', default: '0s', usage: 'The length of time to wait before giving up on a scale operation.' },
  ],
  run: (ctx, args, flags) => {
    if (!flags.has('replicas')) return fail('error: required flag(s) "replicas" not set\n');
    const replicas = flags.int('replicas')!;
    if (replicas < 0) return fail('error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0\n');
    const found = resolveOne(ctx, args);
    if (!found.ok) return fail(found.error);
    const { type, key, name, obj } = found.target;
    if (type.kind !== 'Deployment' && type.kind !== 'ReplicaSet' && type.kind !== 'StatefulSet') return fail(`error: no scaler has been implemented for {"${type.group}" "${type.kind}"}\n`);
    const current = flags.int('current-replicas')!;
    const kind: ScalableKind = type.kind;
    const now = replicasOf(kind, obj as Deployment | ReplicaSet | StoredObject);
    if (current >= 0 && now !== current) return fail(`error: Expected replicas to be ${current}, was ${now}\n`);
    const result = scaleTo(ctx.state, kind, key, replicas);
    return result.ok ? ok(`${refName(type, name)} scaled\n`) : apiFail(result.error);
  },
};
