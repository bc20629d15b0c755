// What kubectl's write commands share: finding the one object a command names
// (`TYPE NAME` or `TYPE/NAME`), the `deployment.apps/web` way of naming it in output,
// and printing a refused write (`Error from server: etcdserver: mvcc: database space exceeded`).
import type { Kind } from '../../../cluster/api.js';
import type { ApiError } from '../../../cluster/types.js';
import type { CommandResult } from '../../types.js';
import { fail } from '../../types.js';
import { apiErrorText } from '../api-error.js';
import { getObject, notFoundError, qualifiedSingular, resolveResourceArgs, type KubeObject, type ResourceType } from '../resources.js';
import type { KubectlContext } from '../types.js';

export const apiFail = (error: ApiError): CommandResult => fail(apiErrorText(error));

/** `deployment.apps/web`, `node/worker-1`. */
export const refName = (type: ResourceType, name: string): string => `${qualifiedSingular(type)}/${name}`;

/** The key the state stores an object under: `namespace/name`, or the name for cluster-scoped types. */
export const stateKey = (type: ResourceType, namespace: string, name: string): string => (type.namespaced ? `${namespace}/${name}` : name);

/** The apiserver kind of a resource type (every type but events can be written). */
export const writableKind = (type: ResourceType): Kind | undefined => (type.kind === 'Event' ? undefined : (type.kind as Kind));

export interface Target {
  type: ResourceType;
  name: string;
  obj: KubeObject;
  key: string;
}

/** Resolves the objects named by `TYPE NAME…` / `TYPE/NAME…`; an error (with newline) otherwise. */
export function resolveTargets(ctx: KubectlContext, args: string[], opts: { allowMissing?: boolean } = {}): { ok: true; targets: Target[]; missing: string } | { ok: false; error: string } {
  const resolved = resolveResourceArgs(args, ctx.state.stored);
  if (!resolved.ok) return resolved;
  const targets: Target[] = [];
  let missing = '';
  for (const { type, names } of resolved.requests) {
    if (names.length === 0) return { ok: false, error: 'error: resource(s) were provided, but no name was specified\n' };
    for (const name of names) {
      const obj = getObject(ctx.state, type, ctx.namespace, name);
      if (obj) targets.push({ type, name, obj, key: stateKey(type, ctx.namespace, name) });
      else if (!opts.allowMissing) missing += notFoundError(type, name);
    }
  }
  return { ok: true, targets, missing };
}

/** Exactly one object: `kubectl scale deploy web`, `kubectl rollout restart deploy/web`. */
export function resolveOne(ctx: KubectlContext, args: string[]): { ok: true; target: Target } | { ok: false; error: string } {
  const r = resolveTargets(ctx, args);
  if (!r.ok) return r;
  if (r.missing) return { ok: false, error: r.missing };
  const target = r.targets[0];
  if (!target) return { ok: false, error: 'error: resource(s) were provided, but no name was specified\n' };
  return { ok: true, target };
}

/** Combines per-object results: stdout lines, error lines, exit 1 if anything failed. */
export function collect(parts: CommandResult[]): CommandResult {
  const stdout = parts.map((p) => p.stdout).join('');
  const stderr = parts.map((p) => p.stderr).join('');
  const first = parts.map((p) => p.stderrFirst ?? '').join('');
  return { stdout, stderr, exitCode: parts.some((p) => p.exitCode !== 0) ? 1 : 0, ...(first !== '' ? { stderrFirst: first } : {}) };
}
