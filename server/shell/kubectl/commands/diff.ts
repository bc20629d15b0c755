// What `kubectl diff -f FILE` prints for one object: it writes the live object and the object
// as the server would store it (a server-side dry run) into /tmp/LIVE-N and /tmp/MERGED-N, and
// runs `diff -u -N` on the two directories, so GNU diff names each file that differs
// (diff.go: files named GROUP.VERSION.KIND.NAMESPACE.NAME, managedFields left out).
import { nextUint32, sideRng } from '../../../cluster/rng.js';
import type { ClusterState } from '../../../cluster/types.js';
import { diffTexts } from '../../text/diff.js';
import type { CommandResult } from '../../types.js';
import type { LineBudget } from '../../budget.js';
import { manifestYaml } from '../output.js';
import type { Json } from '../manifest.js';
import type { ResourceType } from '../resources.js';

export interface DiffDirs { live: string; merged: string }

/** The two temporary directories of one `kubectl diff` (os.MkdirTemp's random suffix). */
export function diffDirs(state: ClusterState): DiffDirs {
  const rng = sideRng(state.rng, `diff@${state.now}`);
  return { live: `/tmp/LIVE-${nextUint32(rng)}`, merged: `/tmp/MERGED-${nextUint32(rng)}` };
}

/** GNU diff's file time in a unified header: `2024-06-03 10:00:00.123456789 +0000`. */
function fileTime(state: ClusterState, at: number | undefined): string {
  if (at === undefined) return '1970-01-01 00:00:00.000000000 +0000';
  const iso = new Date(at).toISOString();
  const nanos = String(nextUint32(sideRng(state.rng, `mtime@${at}`)) % 1_000_000_000).padStart(9, '0');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${nanos} +0000`;
}

export function objectDiff(
  state: ClusterState, budget: LineBudget, dirs: DiffDirs,
  object: { type: ResourceType; namespace: string | undefined; name: string },
  live: Json | undefined, merged: Json,
): CommandResult {
  const { type, namespace, name } = object;
  const file = `${type.group ? `${type.group}.` : ''}${type.apiVersion.split('/').at(-1)}.${type.kind}.${namespace ?? ''}.${name}`;
  const [left, right] = [`${dirs.live}/${file}`, `${dirs.merged}/${file}`];
  const liveText = live === undefined ? '' : manifestYaml(live, budget);
  const r = diffTexts(liveText, manifestYaml(merged, budget), [left, right], { unified: 3 });
  if (r.exitCode === 0) return r;
  const now = state.epoch + state.now;
  const body = r.stdout.slice(r.stdout.indexOf('\n', r.stdout.indexOf('\n') + 1) + 1);
  return {
    stdout: `diff -u -N ${left} ${right}\n--- ${left}\t${fileTime(state, live === undefined ? undefined : now)}\n+++ ${right}\t${fileTime(state, now)}\n${body}`,
    stderr: '', exitCode: 1,
  };
}
