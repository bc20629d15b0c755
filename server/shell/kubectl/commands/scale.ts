// `kubectl scale (TYPE NAME | TYPE/NAME) --replicas=N`: deployments, replicasets and statefulsets.
import { mutateObject } from '../../../cluster/api.js';
import { jsonObject } from '../../../cluster/json.js';
import type { Deployment, ReplicaSet, StoredObject } from '../../../cluster/types.js';
import { fail, ok } from '../../types.js';
import type { KubectlSubcommand } from '../types.js';
import { apiFail, refName, resolveOne } from './write-util.js';

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
    // A StatefulSet is kept as JSON: its replicas sit in spec (defaulted to 1 by the apiserver).
    const stored = type.kind === 'StatefulSet';
    const replicasOf = (o: unknown): number => (stored ? Number(jsonObject((o as StoredObject).fields.spec).replicas ?? 1) : (o as Deployment | ReplicaSet).spec.replicas);
    if (current >= 0 && replicasOf(obj) !== current) {
      return fail(`error: Expected replicas to be ${current}, was ${replicasOf(obj)}\n`);
    }
    const result = mutateObject(ctx.state, type.kind, key, (o) => {
      if (replicasOf(o) === replicas) return false;
      if (stored) (o as StoredObject).fields.spec = { ...jsonObject((o as StoredObject).fields.spec), replicas };
      else (o as Deployment | ReplicaSet).spec.replicas = replicas;
      o.metadata.generation++;
      return true;
    });
    return result.ok ? ok(`${refName(type, name)} scaled\n`) : apiFail(result.error);
  },
};
