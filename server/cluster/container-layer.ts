// A container's writable layer: the files and directories `kubectl cp` and shells in the container wrote. It
// belongs to one run of the container: a restart (new restart count) or a new pod under the
// same name (new uid) starts from the image again, as containerd's new snapshot does.
import { anyContainerStatus } from './ephemeral.js';
import type { ClusterState, ContainerLayer, Pod, SimTime } from './types.js';

const keyOf = (pod: Pod, container: string): string => `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}/${container}`;

function restartsOf(pod: Pod, container: string): number {
  return anyContainerStatus(pod, container)?.restartCount ?? 0;
}

const current = (layer: ContainerLayer | undefined, pod: Pod, container: string): boolean =>
  layer !== undefined && layer.uid === pod.metadata.uid && layer.restarts === restartsOf(pod, container);

/** The files written in this run of the container (none when it has not written any). */
export function containerFiles(state: ClusterState, pod: Pod, container: string): Readonly<Record<string, string>> {
  const layer = state.containerLayers?.[keyOf(pod, container)];
  return layer && current(layer, pod, container) ? layer.files : {};
}

/** The layer to write into; layers of containers gone or restarted are dropped on the way. */
function writableLayer(state: ClusterState, pod: Pod, container: string): ContainerLayer {
  const layers = (state.containerLayers ??= {});
  const key = keyOf(pod, container);
  const layer = layers[key];
  if (layer && current(layer, pod, container)) return layer;
  for (const [k, l] of Object.entries(layers)) {
    const [ns, name] = k.split('/', 2) as [string, string];
    if (state.pods[`${ns}/${name}`]?.metadata.uid !== l.uid) delete layers[k];
  }
  const fresh: ContainerLayer = { uid: pod.metadata.uid, restarts: restartsOf(pod, container), files: {} };
  layers[key] = fresh;
  return fresh;
}

/** The files of the layer to write into. */
export function writableFiles(state: ClusterState, pod: Pod, container: string): Record<string, string> {
  return writableLayer(state, pod, container).files;
}

/** The directories made in this run of the container (mkdir in any shell or exec there), to add to. */
export function writableDirs(state: ClusterState, pod: Pod, container: string): string[] {
  return (writableLayer(state, pod, container).dirs ??= []);
}

/** When the shells of this run of the container last wrote each path (created on the first write). */
export function layerTimes(state: ClusterState, pod: Pod, container: string, write: boolean): Record<string, SimTime> | undefined {
  if (!write) {
    const layer = state.containerLayers?.[keyOf(pod, container)];
    return layer && current(layer, pod, container) ? layer.times : undefined;
  }
  writableFiles(state, pod, container);
  return (state.containerLayers![keyOf(pod, container)]!.times ??= {});
}

/** Bytes in every container's writable layer of the cluster (they share the nodes' disks; a directory weighs its path). */
export function containerLayersBytes(state: ClusterState): number {
  let total = 0;
  for (const layer of Object.values(state.containerLayers ?? {})) {
    for (const text of Object.values(layer.files)) total += text.length;
    for (const dir of layer.dirs ?? []) total += dir.length;
  }
  return total;
}
