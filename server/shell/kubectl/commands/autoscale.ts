// `kubectl autoscale (TYPE NAME | TYPE/NAME) [--min=MINPODS] --max=MAXPODS [--cpu-percent=CPU]`
// (kubectl pkg/cmd/autoscale/autoscale.go): an autoscaling/v1 HPA named after its target, kept
// as the apiserver stores it in v2 (no --cpu-percent: the default 80 % CPU target).
import { createObject } from '../../../cluster/api.js';
import { newMeta } from '../../../cluster/objects.js';
import type { StoredObject } from '../../../cluster/types.js';
import { fail, ok } from '../../types.js';
import type { KubectlSubcommand } from '../types.js';
import { apiFail, resolveOne } from './write-util.js';

const SCALABLE = ['Deployment', 'ReplicaSet', 'StatefulSet', 'ReplicationController'];

export const autoscaleCommand: KubectlSubcommand = {
  name: 'autoscale',
  short: 'Auto-scale a deployment, replica set, stateful set, or replication controller',
  usage: 'kubectl autoscale (-f FILENAME | TYPE NAME | TYPE/NAME) [--min=MINPODS] --max=MAXPODS [--cpu-percent=CPU] [options]',
  completes: 'resources',
  flags: [
    { name: 'min', type: 'int', default: '-1', usage: 'The lower limit for the number of pods that can be set by the autoscaler. If it\'s not specified or negative, the server will apply a default value.' },
    { name: 'max', type: 'int', default: '-1', usage: 'The upper limit for the number of pods that can be set by the autoscaler. Required.' },
    { name: 'cpu-percent', type: 'int', default: '-1', usage: 'The target average CPU utilization (represented as a percent of requested CPU) over all the pods. If it\'s not specified or negative, a default autoscaling policy will be used.' },
    { name: 'name', type: 'string', usage: 'The name for the newly created object. If not specified, the name of the input resource will be used.' },
  ],
  run: (ctx, args, flags) => {
    const min = flags.int('min')!;
    const max = flags.int('max')!;
    const cpu = flags.int('cpu-percent')!;
    if (max < 1) return fail(`error: --max=MAXPODS is required and must be at least 1, max: ${max}\n`);
    if (max < min) return fail(`error: --max=MAXPODS must be larger or equal to --min=MINPODS, max: ${max}, min: ${min}\n`);
    const found = resolveOne(ctx, args);
    if (!found.ok) return fail(found.error);
    const { type, name } = found.target;
    if (!SCALABLE.includes(type.kind)) return fail(`error: cannot autoscale a ${type.kind}: no scale subresource\n`);
    const hpaName = flags.string('name') ?? name;
    const fields: StoredObject['fields'] = {
      spec: {
        maxReplicas: max,
        metrics: [{ resource: { name: 'cpu', target: { averageUtilization: cpu >= 0 ? cpu : 80, type: 'Utilization' } }, type: 'Resource' }],
        minReplicas: min > -1 ? min : 1,
        scaleTargetRef: { apiVersion: type.group ? `${type.group}/v1` : 'v1', kind: type.kind, name },
      },
      status: { currentReplicas: 0, desiredReplicas: 0 },
    };
    const r = createObject(ctx.state, 'HorizontalPodAutoscaler', { kind: 'HorizontalPodAutoscaler', metadata: newMeta(ctx.state, hpaName, ctx.namespace), fields });
    return r.ok ? ok(`horizontalpodautoscaler.autoscaling/${hpaName} autoscaled\n`) : apiFail(r.error);
  },
};
