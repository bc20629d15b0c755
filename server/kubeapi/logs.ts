// The pods/log subresource (`GET …/pods/NAME/log`), as the apiserver proxies it from the
// kubelet: the container's lines as text/plain, with the query kubectl sends (container,
// previous, sinceSeconds, tailLines, timestamps, limitBytes); `follow=true` is streamed by the
// edge with a cursor. The lines and the refusals are the shell's `kubectl logs` ones
// (commands/logs.ts), so both print the same.
import type { ClusterState, Pod } from '../cluster/types.js';
import { containerLogLines, logLine, logLinesSince, newLogCursor, type LogCursor } from '../shell/kubectl/commands/logs.js';
import { getObject } from '../shell/kubectl/resources.js';
import { badRequest, notFound, type ApiResponse } from './status.js';
import type { ApiRequest, Target } from './handler.js';

/** A log stream the edge goes on writing: where it is, and whether lines carry their time. */
export interface LogFollow {
  namespace: string;
  name: string;
  cursor: LogCursor;
  timestamps: boolean;
}

const flag = (v: string | undefined): boolean => v === 'true' || v === '1';

/** A non-negative integer query value, undefined when absent, NaN when malformed. */
function count(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  return /^\d{1,12}$/.test(v) ? Number(v) : NaN;
}

/** The log's text (and, with follow=true, where its stream goes on), or the refusal. */
export function podLog(state: ClusterState, req: ApiRequest, { type, namespace }: Target, name: string): { ok: true; text: string; follow?: LogFollow } | { ok: false; response: ApiResponse } {
  const pod = getObject(state, type, namespace ?? '', name) as Pod | undefined;
  if (!pod) return { ok: false, response: notFound(type, name) };
  const names = pod.spec.containers.map((c) => c.name);
  const container = req.query.container || (names.length === 1 ? names[0]! : undefined);
  if (container === undefined) return { ok: false, response: badRequest(`a container name must be specified for pod ${name}, choose one of: [${names.join(' ')}]`) };
  if (!names.includes(container)) return { ok: false, response: badRequest(`container ${container} is not valid for pod ${name}`) };
  const since = count(req.query.sinceSeconds);
  const tail = count(req.query.tailLines);
  const limit = count(req.query.limitBytes);
  if (Number.isNaN(since) || Number.isNaN(tail) || Number.isNaN(limit)) return { ok: false, response: badRequest('sinceSeconds, tailLines and limitBytes must be non-negative integers') };
  const previous = flag(req.query.previous);
  const found = containerLogLines(state, pod, container, { previous, ...(since !== undefined ? { sinceMs: since * 1000 } : {}), ...(tail !== undefined ? { tail } : {}) });
  if (!found.ok) return { ok: false, response: badRequest(found.message) };
  const timestamps = flag(req.query.timestamps);
  let text = found.lines.map((l) => logLine(state, l, '', timestamps)).join('');
  if (limit !== undefined) text = Buffer.from(text).subarray(0, limit).toString();
  if (!flag(req.query.follow) || previous) return { ok: true, text };
  return { ok: true, text, follow: { namespace: namespace ?? '', name, cursor: newLogCursor(state, pod, container), timestamps } };
}

/** What a followed log gained since its last step, or undefined when the stream ends (the pod or its container instance is gone). */
export function logStep(state: ClusterState, follow: LogFollow): string | undefined {
  const fresh = logLinesSince(state, follow.namespace, follow.name, follow.cursor);
  return fresh?.map((l) => logLine(state, l, '', follow.timestamps)).join('');
}
