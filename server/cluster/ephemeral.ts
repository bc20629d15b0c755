// Ephemeral containers (`kubectl debug POD --image=…`): a PATCH of the pod's
// ephemeralcontainers subresource adds the container to spec.ephemeralContainers, and the
// pod's kubelet pulls and starts it at once (kubelet's SyncPod starts ephemeral containers
// after the others); with targetContainerName it joins that container's process namespace,
// which is how a distroless container becomes debuggable. They are never restarted: when
// their process ends they stay Terminated.
import { err, mutateObject, objectKey } from './api.js';
import { imageID, pullOnto } from './controllers/containers.js';
import { recordEvent, refOf } from './events.js';
import { asControllers } from './managed-fields.js';
import { randomHex } from './rng.js';
import type { ApiResult, ClusterState, ContainerStatus, EphemeralContainerSpec, Pod } from './types.js';

/** The status of a container, ephemeral ones included (exec, attach and shells reach both). */
export function anyContainerStatus(pod: Pod, name: string): ContainerStatus | undefined {
  return pod.status.containerStatuses.find((c) => c.name === name) ?? pod.status.ephemeralContainerStatuses?.find((c) => c.name === name);
}

/** The spec of a container, ephemeral ones included. */
export function anyContainerSpec(pod: Pod, name: string): EphemeralContainerSpec | undefined {
  return pod.spec.containers.find((c) => c.name === name) ?? pod.spec.ephemeralContainers?.find((c) => c.name === name);
}

/**
 * The simulation's ceiling on one pod's ephemeral containers. The apiserver sets none: the pod
 * is bounded only by etcd's 1.5 MiB request limit ("etcdserver: request is too large"), a few
 * thousand debug containers, whose `kubectl get pod -o yaml` alone would be megabytes — past
 * what a line may print (shell/limits.ts MAX_OUTPUT_CHARS) for every viewer of the room. At this
 * count the pod's YAML stays under a tenth of that (~550 bytes a container). Past it the update is refused the way
 * validation refuses a list that is too long (apimachinery field.TooMany).
 */
export const MAX_EPHEMERAL_CONTAINERS = 32;

/** Adds the container and, on a running pod, starts it as the kubelet would. */
export function addEphemeralContainer(state: ClusterState, pod: Pod, ec: EphemeralContainerSpec): ApiResult<Pod> {
  const key = objectKey(pod.metadata.namespace, pod.metadata.name);
  const count = (pod.spec.ephemeralContainers?.length ?? 0) + 1;
  if (count > MAX_EPHEMERAL_CONTAINERS) {
    return err(422, 'Invalid', `Pod "${pod.metadata.name}" is invalid: spec.ephemeralContainers: Too many: ${count}: must have at most ${MAX_EPHEMERAL_CONTAINERS} items`);
  }
  const written = mutateObject(state, 'Pod', key, (p) => {
    (p.spec.ephemeralContainers ??= []).push(ec);
    const status: ContainerStatus = {
      name: ec.name, image: ec.image, imageID: '', containerID: '', ready: false, started: false, restartCount: 0,
      state: { kind: 'waiting', reason: 'ContainerCreating' }, logs: [], previousLogs: [],
    };
    (p.status.ephemeralContainerStatuses ??= []).push(status);
  });
  const node = state.nodes[written.ok ? written.value.spec.nodeName ?? '' : ''];
  if (!written.ok || written.value.status.phase !== 'Running' || !node) return written;
  const involved = refOf('Pod', written.value, `spec.ephemeralContainers{${ec.name}}`);
  const image = ec.image;
  const said = [...pullOnto(node, image), { reason: 'Created', message: `Created container ${ec.name}` }, { reason: 'Started', message: `Started container ${ec.name}` }];
  for (const e of said) recordEvent(state, involved, 'Normal', e.reason, e.message, 'kubelet', node.metadata.name);
  return asControllers(state, () => mutateObject(state, 'Pod', key, (p) => {
    const cs = p.status.ephemeralContainerStatuses!.find((c) => c.name === ec.name)!;
    Object.assign(cs, { imageID: imageID(image), containerID: `containerd://${randomHex(state.rng, 64)}`, started: true, state: { kind: 'running', startedAt: state.now } });
  }));
}

/**
 * The container's process ended now with `exitCode` (an attached shell whose stdin, open once,
 * closed): an ephemeral container stays Terminated; another is restarted or not per the pod's policy.
 */
export function endContainerProcess(state: ClusterState, pod: Pod, name: string, exitCode: number): void {
  if (pod.spec.ephemeralContainers?.some((c) => c.name === name)) return endEphemeralContainer(state, pod, name, exitCode);
  const cs = pod.status.containerStatuses.find((c) => c.name === name);
  if (cs?.state.kind !== 'running') return;
  const startedAt = cs.state.startedAt;
  asControllers(state, () => mutateObject(state, 'Pod', objectKey(pod.metadata.namespace, pod.metadata.name), () => {
    cs.state = { kind: 'terminated', exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt, finishedAt: state.now };
    cs.ready = false;
    cs.started = false;
  }));
}

/** The ephemeral container's process ended (its attached shell exited): it stays Terminated. */
export function endEphemeralContainer(state: ClusterState, pod: Pod, name: string, exitCode: number): void {
  const cs = pod.status.ephemeralContainerStatuses?.find((c) => c.name === name);
  if (cs?.state.kind !== 'running') return;
  const startedAt = cs.state.startedAt;
  asControllers(state, () => mutateObject(state, 'Pod', objectKey(pod.metadata.namespace, pod.metadata.name), () => {
    cs.state = { kind: 'terminated', exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt, finishedAt: state.now };
    cs.started = false;
  }));
}
