// The kubelet's container lifecycle: image pull (with ErrImagePull/ImagePullBackOff),
// create/start, crashes and OOM kills per the container's behaviour, CrashLoopBackOff
// with the real back-off (10 s doubling to 5 min), readiness, and the events for each.
import { createHash } from 'node:crypto';
import { apiserverCanRun } from '../api.js';
import { etcdHandshakeFailure, expiredCert } from '../pki.js';
import { MAX_PROCESS_LOG_CHARS, runProcess, type ProcessStart } from '../processes.js';
import { recordEvent, refOf } from '../events.js';
import { parseImageRef, pullError } from '../registry.js';
import { appendLog, klog, subMillis } from '../logs.js';
import { corednsStartup } from '../network/coredns.js';
import { hash32, randomHex, randomInt } from '../rng.js';
import type { ClusterState, ContainerBehavior, ContainerSpec, ContainerStatus, LogLine, Node, Pod, ProcessResume } from '../types.js';

const BACKOFF_START_MS = 10_000;
const BACKOFF_MAX_MS = 300_000;
/** A container that ran this long without crashing starts its back-off afresh. */
const BACKOFF_RESET_MS = 600_000;
/** How often the kubelet re-syncs a pod and repeats back-off / probe events. */
const SYNC_PERIOD_MS = 10_000;

function crossed(now: number, dt: number, period: number): boolean {
  return Math.floor((now - dt) / period) !== Math.floor(now / period);
}

/** A stable sha256-looking digest for an image name. */
/** A manifest digest: SHA-256, so it looks like one (no repeating runs, as a chained 32-bit hash gave). */
function imageDigest(image: string): string {
  return createHash('sha256').update(image).digest('hex');
}

export function imageID(image: string): string {
  const ref = parseImageRef(image);
  return `${ref.domain}/${ref.path}@sha256:${imageDigest(image)}`;
}

export function newContainerStatus(c: ContainerSpec): ContainerStatus {
  return {
    name: c.name, image: c.image, imageID: '', containerID: '', ready: false, started: false, restartCount: 0,
    state: { kind: 'waiting', reason: 'ContainerCreating' }, logs: [], previousLogs: [],
  };
}

/** What the program does, including control-plane components that are switched off. */
function effectiveBehavior(state: ClusterState, pod: Pod, name: string): ContainerBehavior {
  const b = pod.behavior[name] ?? {};
  if (!pod.static) return b;
  const cp = state.controlPlane;
  const up: Partial<Record<NonNullable<ContainerBehavior['role']>, boolean>> = {
    etcd: state.etcd.healthy && !state.etcd.dataLost,
    'kube-apiserver': apiserverCanRun(state),
    'kube-scheduler': cp.scheduler.running,
    'kube-controller-manager': cp.controllerManager.running,
  };
  const running = b.role ? up[b.role] : undefined;
  if (running !== false) return b;
  const etcdCert = b.role === 'kube-apiserver' && cp.apiserver.running ? expiredCert(state, 'etcd-server') : undefined;
  if (!etcdCert) return { ...b, crashAfterMs: 1000, exitCode: 1 };
  // It cannot verify etcd's certificate, so its storage never comes up: it gives up and exits.
  return { ...b, crashAfterMs: 20_000, exitCode: 1, crashLogs: [`W logging.go:59] ${etcdHandshakeFailure(state, etcdCert, 3)}`, 'E run.go:74] "command failed" err="context deadline exceeded"'] };
}

/** Start-up log lines; "I file.go:12] msg" shorthand becomes a full klog line at this moment. */
/** A program's start-up lines, written over its first few hundred milliseconds (not all at the same instant). */
function renderLogs(state: ClusterState, lines: string[], at: number): LogLine[] {
  let t = at + (Number(subMillis(at, 3)) % 400);
  return lines.map((text, i) => {
    t += i === 0 ? 0 : 1 + (Number(subMillis(t, 3)) % 7);
    const m = /^([IWE]) (\S+\.go:\d+)\] (.*)$/.exec(text);
    return m ? klog(state, t, m[1] as 'I' | 'W' | 'E', m[2]!, m[3]!) : { at: t, text };
  });
}

/**
 * What a container prints when it starts at `at`. CoreDNS asks the network model, which
 * also decides from the Corefile whether this instance will crash; a one-off process runs its
 * command (processes.ts), which decides its output and exit.
 */
export function startupLogs(state: ClusterState, pod: Pod, name: string, at: number, b: ContainerBehavior = pod.behavior[name] ?? {}, started?: ProcessStart): LogLine[] {
  if (b.role === 'process') {
    const outcome = started ?? runProcess(state, pod, name);
    // (Only the build asks for logs without starting: a deferred start there just runs on, silent.)
    const ran = 'deferred' in outcome ? { lines: [], exitCode: 0, afterMs: undefined } : outcome;
    const own = pod.behavior[name] ?? (pod.behavior[name] = {});
    settle(own, ran);
    if (ran.startError) Object.assign(own, { exitReason: 'StartError', exitMessage: ran.startError });
    else for (const k of ['exitReason', 'exitMessage'] as const) delete own[k];
    return ran.lines.map((line) => ({ at: at + line.afterMs, text: line.text }));
  }
  if (b.role !== 'coredns') return renderLogs(state, b.startupLogs ?? [], at);
  const boot = corednsStartup(state, pod);
  const own = pod.behavior[name] ?? (pod.behavior[name] = {});
  if (boot.crash) Object.assign(own, { crashAfterMs: boot.crash.afterMs, exitCode: boot.crash.exitCode, crashLogs: boot.crash.logs });
  else for (const k of ['crashAfterMs', 'exitCode', 'crashLogs'] as const) delete own[k];
  return renderLogs(state, boot.logs, at);
}

/** How the process ends: a process that runs until stopped (`sleep infinity`, a followed loop) keeps the container running. */
function settle(own: ContainerBehavior, ran: { exitCode: number; afterMs: number | undefined }): void {
  if (ran.afterMs === undefined) for (const k of ['crashAfterMs', 'exitCode', 'crashLogs'] as const) delete own[k];
  else Object.assign(own, { crashAfterMs: ran.afterMs, exitCode: ran.exitCode, crashLogs: [] });
}

/** How far ahead of the clock a followed script is kept: its next slice runs once the clock is this close. */
const FOLLOW_LEAD_MS = 60_000;

/** The container's followed script is due for its next slice (the kubelet syncs the pod for it). */
export function followDue(cs: ContainerStatus, now: number): boolean {
  return cs.follow !== undefined && cs.state.kind === 'running' && now + FOLLOW_LEAD_MS >= cs.state.startedAt + cs.follow.elapsedMs;
}

/**
 * A followed script's next slice (processes.ts), when the clock nears what was followed: its
 * lines join the log (the oldest go past 64 KiB), and a loop that ended sets when it exits.
 */
function followProcess(s: Sync, startedAt: number, follow: ProcessResume): void {
  const { state, pod, spec, cs } = s;
  if (!followDue(cs, state.now)) return;
  const next = runProcess(state, pod, spec.name, follow);
  // No steps left for scripts in this tick: the next sync tries again (its lines keep their times).
  if ('deferred' in next) return;
  cs.follow = next.resume;
  for (const line of next.lines) appendLog(cs.logs, { at: startedAt + line.afterMs, text: line.text });
  let chars = cs.logs.reduce((n, l) => n + l.text.length + 1, 0);
  while (chars > MAX_PROCESS_LOG_CHARS && cs.logs.length > 0) chars -= cs.logs.shift()!.text.length + 1;
  settle(pod.behavior[spec.name] ?? (pod.behavior[spec.name] = {}), next);
}

interface Sync {
  state: ClusterState;
  node: Node;
  pod: Pod;
  spec: ContainerSpec;
  cs: ContainerStatus;
  dt: number;
}

function event(s: Sync, type: 'Normal' | 'Warning', reason: string, message: string): void {
  recordEvent(s.state, refOf('Pod', s.pod, `spec.containers{${s.spec.name}}`), type, reason, message, 'kubelet', s.node.metadata.name);
}

function backOff(cs: ContainerStatus, reset: boolean): number {
  const next = reset || !cs.backOffMs ? BACKOFF_START_MS : Math.min(BACKOFF_MAX_MS, cs.backOffMs * 2);
  cs.backOffMs = next;
  return next;
}

const formatBackOff = (ms: number) => (ms >= 60_000 ? `${Math.floor(ms / 60_000)}m${ms % 60_000 ? `${(ms % 60_000) / 1000}s` : '0s'}` : `${ms / 1000}s`);

/** kubelet images/image_manager.go EnsureImageExists: the pull's events, and ErrImagePull with the CRI's error as the waiting message. */
function pullImage(s: Sync, b: ContainerBehavior): boolean {
  const { state, node, spec, cs } = s;
  const image = spec.image;
  const error = b.imagePullError ?? (node.host.images.includes(image) ? undefined : pullError(state, node, image));
  if (error) {
    event(s, 'Normal', 'Pulling', `Pulling image "${image}"`);
    event(s, 'Warning', 'Failed', `Failed to pull image "${image}": ${error}`);
    event(s, 'Warning', 'Failed', 'Error: ErrImagePull');
    cs.state = { kind: 'waiting', reason: 'ErrImagePull', message: error };
    cs.backOffUntil = state.now + backOff(cs, false);
    return false;
  }
  for (const e of pullOnto(node, image)) event(s, 'Normal', e.reason, e.message);
  return true;
}

/** The kubelet getting an image onto its node (already there, or pulled now): the events it records. */
export function pullOnto(node: Node, image: string): { reason: string; message: string }[] {
  if (node.host.images.includes(image)) return [{ reason: 'Pulled', message: `Container image "${image}" already present on machine` }];
  const h = hash32(image);
  const secs = (0.8 + (h % 4000) / 1000).toFixed(3);
  node.host.images.push(image);
  return [
    { reason: 'Pulling', message: `Pulling image "${image}"` },
    { reason: 'Pulled', message: `Successfully pulled image "${image}" in ${secs}s (${secs}s including waiting). Image size: ${20_000_000 + (h % 90_000_000)} bytes.` },
  ];
}

function start(s: Sync, b: ContainerBehavior): void {
  const { state, pod, spec, cs } = s;
  const ran = b.role === 'process' ? runProcess(state, pod, spec.name) : undefined;
  // The scripts starting in this tick took its share of work: this one starts in the next.
  if (ran && 'deferred' in ran) return;
  if (cs.containerID) {
    cs.restartCount++;
    cs.previousLogs = cs.logs;
  }
  cs.imageID = imageID(spec.image);
  cs.containerID = `containerd://${randomHex(state.rng, 64)}`;
  cs.state = { kind: 'running', startedAt: state.now };
  cs.started = true;
  cs.ready = false;
  cs.backOffUntil = undefined; // (assigning keeps the object in fast mode; delete would not)
  cs.logs = startupLogs(state, pod, spec.name, state.now, b, ran);
  cs.follow = ran?.resume;
  event(s, 'Normal', 'Created', `Created container ${spec.name}`);
  event(s, 'Normal', 'Started', `Started container ${spec.name}`);
}

/** When the running instance dies per its behaviour (and how), or undefined. */
function deathOf(s: Sync, b: ContainerBehavior, startedAt: number): { at: number; reason: string; exitCode: number; message?: string } | undefined {
  const limit = s.spec.resources.limits.memory;
  if (limit !== undefined && b.memoryUse !== undefined && b.memoryUse > limit) {
    return { at: startedAt + (b.crashAfterMs ?? 3000), reason: 'OOMKilled', exitCode: 137 };
  }
  if (b.crashAfterMs === undefined) return undefined;
  const exitCode = b.exitCode ?? 1;
  return { at: startedAt + b.crashAfterMs, reason: b.exitReason ?? (exitCode === 0 ? 'Completed' : 'Error'), exitCode, ...(b.exitMessage ? { message: b.exitMessage } : {}) };
}

function mayRestart(pod: Pod, exitCode: number): boolean {
  return pod.spec.restartPolicy === 'Always' || (pod.spec.restartPolicy === 'OnFailure' && exitCode !== 0);
}

function runContainer(s: Sync, b: ContainerBehavior, startedAt: number): void {
  const { state, node, pod, spec, cs } = s;
  if (cs.follow) {
    followProcess(s, startedAt, cs.follow);
    b = effectiveBehavior(state, pod, spec.name);
  }
  const death = deathOf(s, b, startedAt);
  if (death && state.now >= death.at) {
    for (const line of renderLogs(state, b.crashLogs ?? [], state.now)) appendLog(cs.logs, line);
    if (death.reason === 'OOMKilled') {
      const pid = randomInt(state.rng, 2000, 60000);
      appendLog(node.host.syslog, { at: state.now, text: `kernel: Memory cgroup out of memory: Killed process ${pid} (${spec.name}) total-vm:${Math.round((b.memoryUse ?? 0) / 1024) + 80_000}kB, anon-rss:${Math.round((b.memoryUse ?? 0) / 1024)}kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:1024kB oom_score_adj:${pod.status.qosClass === 'Guaranteed' ? -997 : 984}` });
    }
    cs.state = { kind: 'terminated', reason: death.reason, exitCode: death.exitCode, startedAt, finishedAt: state.now, ...(death.message ? { message: death.message } : {}) };
    cs.ready = false;
    cs.started = false;
    cs.follow = undefined;
    return;
  }
  const probe = spec.readinessProbe;
  const warmedUp = !probe || state.now >= startedAt + probe.initialDelaySeconds * 1000;
  const port = probe?.port ?? spec.ports[0]?.containerPort ?? 80;
  // A program that says which port it serves (httpPort) refuses a probe sent to another one.
  const refused = probe !== undefined && probe.type !== 'exec' && b.httpPort !== undefined && port !== b.httpPort;
  cs.ready = warmedUp && b.ready !== false && !refused;
  if (probe && warmedUp && (b.ready === false || refused) && crossed(state.now, s.dt, probe.periodSeconds * 1000)) {
    const dial = `dial tcp ${pod.status.podIP}:${port}: connect: connection refused`;
    // The kubelet's prober: net/http's error for an HTTP probe, the dialer's for a TCP one.
    const why = probe.type === 'http' ? (refused ? `Get "http://${pod.status.podIP}:${port}${probe.path ?? '/'}": ${dial}` : 'HTTP probe failed with statuscode: 503')
      : probe.type === 'tcp' ? dial : 'command exited with non-zero status 1';
    event(s, 'Warning', 'Unhealthy', `Readiness probe failed: ${why}`);
  }
}

/** Advance one container by one kubelet sync. */
export function syncContainer(state: ClusterState, node: Node, pod: Pod, spec: ContainerSpec, cs: ContainerStatus, dt: number): void {
  const s: Sync = { state, node, pod, spec, cs, dt };
  const b = effectiveBehavior(state, pod, spec.name);
  const st = cs.state;
  const podName = `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
  switch (st.kind) {
    case 'running':
      runContainer(s, b, st.startedAt);
      return;
    case 'terminated': {
      if (!mayRestart(pod, st.exitCode)) return;
      const ranLong = st.finishedAt - st.startedAt >= BACKOFF_RESET_MS;
      cs.lastState = st;
      if (cs.restartCount === 0 || ranLong) {
        // The first restart after a clean run happens at once; back-off starts after it.
        cs.backOffMs = undefined;
        if (pullImage(s, b)) start(s, b);
        return;
      }
      const delay = backOff(cs, false);
      cs.backOffUntil = state.now + delay;
      cs.state = { kind: 'waiting', reason: 'CrashLoopBackOff', message: `back-off ${formatBackOff(delay)} restarting failed container=${spec.name} pod=${podName}` };
      event(s, 'Warning', 'BackOff', `Back-off restarting failed container ${spec.name} in pod ${podName}`);
      return;
    }
    case 'waiting':
      if (cs.backOffUntil !== undefined && state.now < cs.backOffUntil) {
        if (st.reason === 'ErrImagePull') {
          cs.state = { kind: 'waiting', reason: 'ImagePullBackOff', message: `Back-off pulling image "${spec.image}"` };
          event(s, 'Normal', 'BackOff', `Back-off pulling image "${spec.image}"`);
          event(s, 'Warning', 'Failed', 'Error: ImagePullBackOff');
        } else if (crossed(state.now, dt, SYNC_PERIOD_MS)) {
          if (st.reason === 'CrashLoopBackOff') event(s, 'Warning', 'BackOff', `Back-off restarting failed container ${spec.name} in pod ${podName}`);
          else if (st.reason === 'ImagePullBackOff') event(s, 'Normal', 'BackOff', `Back-off pulling image "${spec.image}"`);
        }
        return;
      }
      if (pullImage(s, b)) start(s, b);
  }
}

/** CPU / memory the container uses now (for `kubectl top`), from its behaviour and requests. */
export function containerUsage(pod: Pod, spec: ContainerSpec, cs: ContainerStatus | undefined): { cpu: number; memory: number } {
  if (cs?.state.kind !== 'running') return { cpu: 0, memory: 0 };
  const b = pod.behavior[spec.name] ?? {};
  const req = spec.resources.requests;
  const cpu = b.cpuUse ?? Math.max(1, Math.round((req.cpu ?? 10) * 0.08));
  const memory = b.memoryUse ?? Math.round(Math.max(req.memory ?? 0, 24 * 2 ** 20) * 0.55);
  return { cpu, memory };
}
