// What each image runs. A container's simulated behaviour is its program; the program
// belongs to the image, so the cluster remembers it per image (state.imagePrograms, from
// the built workloads and the spec's `images`): deleting and recreating a workload from its
// own YAML does not cure a program, going back to an image brings its program back, and a
// release to a tag nobody pushed fails to pull.
import { behaviorFrom } from './objects.js';
import type { ClusterSpec } from './spec.js';
import type { ClusterState, ContainerBehavior, PodSpec, PodTemplate } from './types.js';

/** The programs of the spec's `images`, then of every built workload's images (the first description wins). */
export function imagePrograms(state: ClusterState, spec: ClusterSpec): Record<string, ContainerBehavior> {
  const out: Record<string, ContainerBehavior> = {};
  for (const [image, b] of Object.entries(spec.images)) out[image] = behaviorFrom(b);
  const templates: Pick<PodTemplate, 'spec' | 'behavior'>[] = [...Object.values(state.deployments), ...Object.values(state.daemonsets)].map((w) => w.spec.template);
  for (const t of [...templates, ...Object.values(state.pods)]) {
    for (const c of t.spec.containers) {
      const b = t.behavior[c.name];
      if (b && Object.keys(b).length > 0 && !(c.image in out)) out[c.image] = structuredClone(b);
    }
  }
  return out;
}

/**
 * A container whose image is new to it (a created object, a changed image) runs what that
 * image runs in this cluster; an image the cluster does not know keeps what it had, and
 * whether it pulls is the registry's to say (registry.ts), not the old image's pull error.
 */
export function adoptImagePrograms(state: ClusterState, spec: PodSpec, behavior: Record<string, ContainerBehavior>, before: PodSpec | undefined): void {
  for (const c of spec.containers) {
    if (before?.containers.some((b) => b.name === c.name && b.image === c.image)) continue;
    const known = state.imagePrograms?.[c.image];
    if (known) behavior[c.name] = structuredClone(known);
    else if (behavior[c.name]?.imagePullError !== undefined) delete behavior[c.name]!.imagePullError;
  }
}

/**
 * A container with a command (or args) of an image whose program the cluster does not model
 * runs that command as its process (processes.ts), whatever owns the pod: its output is its
 * log and its exit its state, as the kubelet runs it. A modelled program (a scenario's app,
 * CoreDNS) keeps its behaviour; a process whose command was taken away runs the image's
 * entrypoint again, which the model keeps running.
 */
export function runCommands(state: ClusterState, spec: PodSpec, behavior: Record<string, ContainerBehavior>): void {
  for (const c of spec.containers) {
    const b = behavior[c.name] ?? {};
    const command = (c.command ?? c.args) !== undefined;
    if (command && state.imagePrograms?.[c.image] === undefined && Object.keys(b).length === 0) behavior[c.name] = { role: 'process' };
    else if (!command && b.role === 'process') behavior[c.name] = {};
  }
}
