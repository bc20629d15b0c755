// `kubectl delete (TYPE NAME… | TYPE/NAME… | TYPE -l SELECTOR | TYPE --all)`: pods go
// Terminating (their kubelet stops them) unless forced; owners' dependents are left to the
// garbage collector, like kubectl's default background propagation.
import { deleteObject, objectsOfKind, type DeleteOptions, type Kind } from '../../../cluster/api.js';
import { STORED_KINDS } from '../../../cluster/stored-kinds.js';
import type { ApiError, ApiResult, ClusterState } from '../../../cluster/types.js';
import type { CommandResult } from '../../types.js';
import { fail, ok } from '../../types.js';
import { apiErrorText } from '../api-error.js';
import { ALL_NAMESPACES_FLAG, DRY_RUN_FLAG } from '../flags.js';
import { queryObjects, SELECTOR_FLAGS } from '../query.js';
import { qualifiedSingular } from '../resources.js';
import type { KubectlSubcommand } from '../types.js';
import { dryRunSuffix, parseDryRun } from './apply.js';
import { stateKey, writableKind } from './write-util.js';
import { KUSTOMIZE_FLAG } from './kustomize-flag.js';
import { kustomizeObjects } from './kustomize.js';
import { resourceTypeByKind } from '../resources.js';
import type { JsonObject } from '../manifest-fields.js';
import type { KubectlContext } from '../types.js';

const PROTECTED_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
const FORCE_WARNING = 'Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n';

/** Deleting a namespace deletes what it holds (the namespace controller's job, done at once here). */
function deleteNamespaceContents(state: ClusterState, namespace: string): void {
  const kinds: Kind[] = ['Deployment', 'DaemonSet', 'ReplicaSet', 'Pod', 'Service', 'Endpoints', 'ConfigMap', ...STORED_KINDS.filter((k) => k.namespaced).map((k) => k.kind)];
  for (const kind of kinds) {
    for (const key of Object.keys(objectsOfKind(state, kind))) {
      if (key.startsWith(`${namespace}/`)) deleteObject(state, kind, key, { force: true });
    }
  }
}

/** What the apiserver refuses to delete, dry run or not: the system namespaces (NamespaceLifecycle admission). */
export function deleteRefusal(kind: Kind, key: string): ApiError | undefined {
  if (kind !== 'Namespace' || !PROTECTED_NAMESPACES.includes(key)) return undefined;
  return { status: 403, reason: 'Forbidden', message: `namespaces "${key}" is forbidden: this namespace may not be deleted` };
}

/**
 * One object deleted as the apiserver does it: the system namespaces refuse, a namespace takes
 * what it holds along. The in-shell `delete` and the REST API (server/kubeapi) share it.
 */
export function deleteOne(state: ClusterState, kind: Kind, key: string, opts: DeleteOptions): ApiResult<unknown> {
  const refused = deleteRefusal(kind, key);
  if (refused) return { ok: false, error: refused };
  const r = deleteObject(state, kind, key, opts);
  if (r.ok && kind === 'Namespace') deleteNamespaceContents(state, key);
  return r;
}

export const deleteCommand: KubectlSubcommand = {
  name: 'delete',
  short: 'Delete resources by file names, stdin, resources and names, or by resources and label selector',
  usage: 'kubectl delete ([-f FILENAME] | [-k DIRECTORY] | TYPE [(NAME | -l label | --all)]) [options]',
  completes: 'resources',
  flags: [
    ALL_NAMESPACES_FLAG,
    ...SELECTOR_FLAGS,
    KUSTOMIZE_FLAG,
    { name: 'all', type: 'bool', usage: 'Delete all resources, in the namespace of the specified resource types.' },
    { name: 'force', type: 'bool', usage: 'If true, immediately remove resources from API and bypass graceful deletion.' },
    { name: 'grace-period', type: 'int', default: '-1', usage: 'Period of time in seconds given to the resource to terminate gracefully.' },
    { name: 'now', type: 'bool', usage: 'If true, resources are signaled for immediate shutdown (same as --grace-period=1).' },
    { name: 'wait', type: 'bool', default: 'true', usage: 'If true, wait for resources to be gone before returning.' },
    { name: 'ignore-not-found', type: 'bool', usage: 'Treat "resource not found" as a successful delete.' },
    { name: 'cascade', type: 'string', default: 'background', usage: 'Must be "background", "orphan", or "foreground".' },
    { name: 'timeout', type: 'string', default: '0s', usage: 'The length of time to wait before giving up on a delete.' },
    DRY_RUN_FLAG,
  ],
  run: (ctx, args, flags) => {
    const kustomized = kustomizeObjects(ctx, flags);
    if (kustomized && !kustomized.ok) return kustomized.result;
    if (kustomized) {
      if (args.length > 0) return fail(`error: Unexpected args: [${args.join(' ')}]\nSee 'kubectl delete -h' for help and examples\n`);
      const r = deleteBuilt(ctx, kustomized.objects, kustomized.dir, flags.bool('ignore-not-found'));
      return { ...r, stderrFirst: kustomized.stderr };
    }
    if (args.length === 0) {
      return fail('error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   \'-f rsrc.yaml\'\n   \'--filename=rsrc.json\'\n   \'<resource> <name>\'\n   \'<resource>\'\n');
    }
    const named = args.length > 1 || args.some((a) => a.includes('/'));
    if (!named && !flags.has('selector') && !flags.bool('all') && !flags.has('field-selector')) {
      return fail('error: resource(s) were provided, but no name was specified\n');
    }
    let grace = flags.int('grace-period')!;
    const force = flags.bool('force');
    if (flags.bool('now')) {
      if (grace !== -1) return fail('error: --now and --grace-period cannot be specified together\n');
      grace = 1;
    }
    if (grace === 0 && !force) grace = 1; // kubectl turns --grace-period=0 into 1 unless --force
    if (force && grace < 0) grace = 0;
    const dryRun = parseDryRun(flags);
    if (typeof dryRun !== 'string') return fail(dryRun.error);
    const query = queryObjects(ctx, args, flags);
    if (!query.ok) return fail(query.error);
    const { items, errors, byName } = query.result;
    const missing = flags.bool('ignore-not-found') ? '' : errors;
    // delete.go DeleteResult: nothing found is `No resources found` on stdout, whatever the namespace
    // (a listing's too under --ignore-not-found; named objects it ignored print nothing: the real kubectl v1.29.4).
    if (items.length === 0 && missing === '') return ok(flags.bool('ignore-not-found') && byName ? '' : 'No resources found\n');

    const forced = force && grace === 0;
    const results: CommandResult[] = [];
    if (forced && items.length > 0) results.push({ stdout: '', stderr: FORCE_WARNING, exitCode: 0 });
    for (const { type, obj } of items) {
      const name = obj.metadata.name;
      const kind = writableKind(type);
      if (!kind) {
        results.push(fail(`Error from server (MethodNotAllowed): the server does not allow this method on the requested resource\n`));
        continue;
      }
      const opts: DeleteOptions = {};
      if (grace >= 0) opts.gracePeriodSeconds = grace;
      if (forced) opts.force = true;
      const key = stateKey(type, obj.metadata.namespace ?? ctx.namespace, name);
      // delete.go: a client dry run only prints; a server one is refused as a delete would be, and deletes nothing.
      const refused = dryRun === 'server' ? deleteRefusal(kind, key) : undefined;
      const r: ApiResult<unknown> = dryRun === 'none' ? deleteOne(ctx.state, kind, key, opts) : refused ? { ok: false, error: refused } : { ok: true, value: undefined };
      if (!r.ok) {
        results.push(fail(apiErrorText(r.error)));
        continue;
      }
      results.push({ stdout: `${qualifiedSingular(type)} "${name}" ${forced ? 'force deleted' : 'deleted'}${dryRunSuffix(dryRun)}\n`, stderr: '', exitCode: 0 });
    }
    const stderr = results.map((r) => r.stderr).join('') + missing;
    return { stdout: results.map((r) => r.stdout).join(''), stderr, exitCode: results.some((r) => r.exitCode !== 0) || missing !== '' ? 1 : 0 };
  },
};

/** `kubectl delete -k DIR`: each built object the cluster has, as the builder names it. */
function deleteBuilt(ctx: KubectlContext, objects: JsonObject[], dir: string, ignoreNotFound: boolean): { stdout: string; stderr: string; exitCode: number } {
  let stdout = '';
  let stderr = '';
  for (const obj of objects) {
    const type = typeof obj.kind === 'string' ? resourceTypeByKind(obj.kind) : undefined;
    const metadata = (obj.metadata ?? {}) as JsonObject;
    const name = typeof metadata.name === 'string' ? metadata.name : '';
    const kind = type && writableKind(type);
    if (!type || !kind) {
      stderr += `error: resource mapping not found for name: "${name}" namespace: "${typeof metadata.namespace === 'string' ? metadata.namespace : ''}" from "${dir}": no matches for kind "${String(obj.kind)}" in version "${String(obj.apiVersion)}"\nensure CRDs are installed first\n`;
      continue;
    }
    const namespace = typeof metadata.namespace === 'string' && metadata.namespace !== '' ? metadata.namespace : ctx.namespace;
    const r = deleteOne(ctx.state, kind, stateKey(type, namespace, name), {});
    if (r.ok) stdout += `${qualifiedSingular(type)} "${name}" deleted\n`;
    else if (r.error.reason === 'NotFound') {
      if (!ignoreNotFound) stderr += apiErrorText({ ...r.error, message: `error when deleting "${dir}": ${r.error.message}` });
    } else stderr += apiErrorText(r.error);
  }
  return { stdout, stderr, exitCode: stderr === '' ? 0 : 1 };
}
