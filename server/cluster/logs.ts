// Log lines in the formats the real components print (klog, etcd's zap JSON), bounded
// log buffers, and which buffer `kubectl logs POD -c C [--previous]` reads.
import type { ClusterState, LogLine, Pod } from './types.js';

export const MAX_LOG_LINES = 500;

export function appendLog(lines: LogLine[], line: LogLine, max = MAX_LOG_LINES): void {
  lines.push(line);
  if (lines.length > max) lines.splice(0, lines.length - max);
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Wall-clock Date of a simulated time (the scenario's epoch + offset). */
export function wallClock(state: ClusterState, at: number): Date {
  return new Date(state.epoch + at);
}

/**
 * The digits below the millisecond of a log time (simulated time counts milliseconds): DIGITS
 * of them, the same for the same instant, and without the runs of zeros a multiple of a whole
 * second gave (real clocks never land there).
 */
export function subMillis(at: number, digits: 3 | 6): string {
  const h = Math.imul(Math.floor(Math.abs(at) % 2 ** 31) ^ 0x5bd1e995, 0x9e3779b1) >>> 0;
  return pad(((h ^ (h >>> 15)) >>> 0) % 10 ** digits, digits);
}

/** A klog header line: `E0603 09:14:02.125311       1 status.go:71] message`. */
export function klog(state: ClusterState, at: number, severity: 'I' | 'W' | 'E', source: string, message: string, pid = 1): LogLine {
  const d = wallClock(state, at);
  const micros = pad(d.getUTCMilliseconds(), 3) + subMillis(at, 3);
  const text = `${severity}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${micros} ${String(pid).padStart(7)} ${source}] ${message}`;
  return { at, text };
}

/** An etcd (zap JSON) log line. */
export function etcdLog(state: ClusterState, at: number, level: 'info' | 'warn' | 'error' | 'fatal', caller: string, msg: string, fields: Record<string, unknown> = {}): LogLine {
  const ts = wallClock(state, at).toISOString().replace('Z', '') + `${subMillis(at, 3)}Z`;
  return { at, text: JSON.stringify({ level, ts, caller, msg, ...fields }) };
}

/** The log a control-plane component writes (whatever instance of its container runs), if the container is one. */
function componentLog(state: ClusterState, pod: Pod, container: string): LogLine[] | undefined {
  if (!pod.static) return undefined;
  switch (pod.behavior[container]?.role) {
    case 'etcd': return state.etcd.logs;
    case 'kube-apiserver': return state.controlPlane.apiserver.logs;
    case 'kube-scheduler': return state.controlPlane.scheduler.logs;
    case 'kube-controller-manager': return state.controlPlane.controllerManager.logs;
    default: return undefined;
  }
}

/**
 * The lines `kubectl logs` shows for one container of a pod. A control-plane container
 * shows the part of its component's log written while that instance ran (or, if none,
 * what the instance printed itself, e.g. its crash message).
 */
export function containerLogs(state: ClusterState, pod: Pod, container: string, previous: boolean): LogLine[] {
  const status = pod.status.containerStatuses.find((c) => c.name === container);
  if (!status) return [];
  // A process writes its lines over time (a loop that sleeps): what it has not written yet is not there.
  const own = (previous ? status.previousLogs : status.logs).filter((l) => l.at <= state.now);
  const instance = previous ? status.lastState : status.state;
  const component = componentLog(state, pod, container);
  if (!component || !instance || instance.kind === 'waiting') return own;
  // What the component logged after the previous instance ended (e.g. while the kubelet was about to restart it) is this instance's.
  const before = previous ? undefined : status.lastState;
  const from = before?.kind === 'terminated' ? before.finishedAt + 1 : instance.startedAt;
  const to = instance.kind === 'terminated' ? instance.finishedAt : Infinity;
  const lines = component.filter((l) => l.at >= from && l.at <= to);
  return lines.length > 0 ? lines : own;
}
