// The kubelet on every node: node heartbeats, pod sandboxes (pod IPs from the node's
// podCIDR, CNI failures), containers (see containers.ts), pod phase and conditions,
// graceful termination, disk eviction (eviction.ts). A node whose kubelet is stopped changes
// nothing; a kubelet whose container runtime is down reports the node NotReady and syncs no pod.
import { commitWrite, deleteObject, keyOf, LEASE_SIZE, mutateObject, noteLocalChange, writeRefused } from '../api.js';
import { recordEvent, refOf } from '../events.js';
import { journal, kubeletSay, kubeletWorking } from '../host.js';
import type { ClusterState, Node, Pod, PodCondition } from '../types.js';
import { jsonCopy, sameJson } from '../json.js';
import { containerUsage, followDue, newContainerStatus, syncContainer } from './containers.js';
import { evictionManager } from './eviction.js';
import { enforceActiveDeadlines } from './active-deadline.js';
import { logRefusedWrites, unitPid } from './kubelet-errors.js';
import { cidrRange, intToIp } from '../ipam.js';
import { goDuration } from '../quantity.js';
import { installCniPlugins, sandboxNetwork, type SandboxNetwork } from '../network/cni-config.js';
import { logAssigned, logAssignFailure, podAddressLimit, reconcileCheckpoint, type PodAddressLimit } from '../network/vpc-cni.js';
import { isActivePod, isTerminating, type TickContext } from './context.js';

const HEARTBEAT_MS = 10_000;
const SANDBOX_RETRY_MS = 10_000;
/**
 * A node whose pods are all settled is looked at again after this long, or as soon as one
 * of its pods is written (a pod's behaviour changed from outside shows up within it).
 */
const RESYNC_MS = 10_000;
/** Containers stop this long after SIGTERM (most programs exit quickly). */
const STOP_MS = 2_000;
/** What the node itself uses besides pods (system daemons, kernel). */
const SYSTEM_USAGE = { cpu: 90, memory: 900 * 2 ** 20 };

export function nodeIP(node: Node): string {
  return node.status.addresses.find((a) => a.type === 'InternalIP')?.address ?? '';
}

/**
 * The kubelet renews its node Lease every 10 s (a small etcd write; the node's heartbeat
 * time stands for it) and rewrites the node status only when a condition changes.
 */
function heartbeat(state: ClusterState, node: Node): void {
  const ready = node.status.conditions.find((c) => c.type === 'Ready');
  if (ready && ready.status === 'True') {
    if (state.now - ready.lastHeartbeatTime < HEARTBEAT_MS || writeRefused(state)) return;
    commitWrite(state, LEASE_SIZE);
    for (const c of node.status.conditions) c.lastHeartbeatTime = state.now;
    return;
  }
  mutateObject(state, 'Node', node.metadata.name, (n) => {
    for (const c of n.status.conditions) {
      c.lastHeartbeatTime = state.now;
      if (c.status === 'Unknown' || (c.type === 'Ready' && c.status !== 'True')) {
        c.lastTransitionTime = state.now;
        if (c.type === 'Ready') Object.assign(c, { status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' });
        else if (c.type === 'MemoryPressure') Object.assign(c, { status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' });
        else if (c.type === 'DiskPressure') Object.assign(c, { status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' });
        else if (c.type === 'PIDPressure') Object.assign(c, { status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' });
      }
    }
  });
}

/** kubelet's PLEG threshold: relisting that has not succeeded for this long makes PLEG unhealthy. */
const PLEG_THRESHOLD_MS = 3 * 60_000;

/**
 * The kubelet runs but containerd does not answer: every status sync fails (v1.29
 * remote_runtime.go / kubelet.go), so it posts Ready=False every 10 s with the runtime's
 * errors, and from 3 min on PLEG's too. It cannot start, stop or report any container.
 */
function runtimeDown(state: ClusterState, node: Node): void {
  const ready = node.status.conditions.find((c) => c.type === 'Ready');
  if (!ready || (ready.status === 'False' && state.now - ready.lastHeartbeatTime < HEARTBEAT_MS)) return;
  const runtime = node.host.units.containerd;
  const downSince = Math.max(runtime?.failed?.firstAt ?? runtime?.since ?? state.now, node.host.units.kubelet?.since ?? state.now);
  const down = state.now - downSince;
  const message = down >= PLEG_THRESHOLD_MS
    ? `[container runtime is down, PLEG is not healthy: pleg was last seen active ${goDuration(down)} ago; threshold is 3m0s]`
    : 'container runtime is down';
  const sock = 'dial unix /var/run/containerd/containerd.sock: connect: no such file or directory';
  kubeletSay(state, node.metadata.name, 'E', 'remote_runtime.go:633', `"Status from runtime service failed" err="rpc error: code = Unavailable desc = connection error: desc = \\"transport: Error while dialing: ${sock}\\""`);
  kubeletSay(state, node.metadata.name, 'E', 'kubelet.go:2355', `"Skipping pod synchronization" err="${message}"`);
  if (writeRefused(state)) return;
  mutateObject(state, 'Node', node.metadata.name, (n) => {
    for (const c of n.status.conditions) {
      c.lastHeartbeatTime = state.now;
      if (c.type !== 'Ready') continue;
      if (c.status !== 'False') c.lastTransitionTime = downSince;
      Object.assign(c, { status: 'False', reason: 'KubeletNotReady', message });
    }
  });
}

/**
 * Lowest free address of the node's podCIDR (.2 upwards), or undefined if the CNI has none
 * left: the node's pods (and addresses its IPAM leaked) hold `limit` already.
 */
function allocatePodIP(node: Node, pods: Pod[], limit: PodAddressLimit, range: string): string | undefined {
  if (limit.inUse >= limit.limit) return undefined;
  const used = new Set<string>(node.host.vpc?.leaked.map((l) => l.ip));
  for (const p of pods) if (p.status.podIP && !p.spec.hostNetwork) used.add(p.status.podIP);
  const { first, size } = cidrRange(range);
  for (let i = 2; i < size - 1; i++) {
    const ip = intToIp(first + i);
    if (!used.has(ip)) return ip;
  }
  return undefined;
}

/** The CNI ADD failure; the sandbox id is stable per pod so repeated failures aggregate into one event. */
function sandboxFailure(state: ClusterState, pod: Pod, net: SandboxNetwork): string {
  const id = pod.metadata.uid.replace(/-/g, '').repeat(2);
  const setup = `Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "${id}": `;
  // A plugin the runtime cannot find fails before any plugin runs.
  if (!net.ok && net.error.startsWith('failed to find plugin')) return `${setup}${net.error}`;
  const name = net.plugin === 'flannel' ? 'cbr0' : net.plugin;
  const cause = !net.ok ? net.error : !state.network.cni.healthy ? 'error getting ClusterInformation: connection is unauthorized: Unauthorized' : 'add cmd: failed to assign an IP address to container';
  return `${setup}plugin type="${net.plugin}" name="${name}" failed (add): ${cause}`;
}

/** containerd's own line for the failed RunPodSandbox (`journalctl -u containerd`). */
function logSandboxFailure(state: ClusterState, node: Node, pod: Pod, message: string): void {
  const pid = unitPid(node, 'containerd');
  const at = new Date(state.epoch + state.now).toISOString().replace('Z', '') + '512304Z';
  const error = message.replace(/^Failed to create pod sandbox: rpc error: code = Unknown desc = /, '').replace(/"/g, '\\"');
  journal(state, node.metadata.name, 'containerd', {
    at: state.now,
    text: `containerd[${pid}]: time="${at}" level=error msg="RunPodSandbox for &PodSandboxMetadata{Name:${pod.metadata.name},Uid:${pod.metadata.uid},Namespace:${pod.metadata.namespace},Attempt:0,} failed, error" error="${error}"`,
  });
}

function setCondition(pod: Pod, now: number, type: PodCondition['type'], status: PodCondition['status'], reason?: string, message?: string): void {
  const prev = pod.status.conditions.find((c) => c.type === type);
  if (prev && prev.status === status && prev.reason === reason && prev.message === message) return;
  const cond: PodCondition = { type, status, lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : now };
  if (reason) cond.reason = reason;
  if (message) cond.message = message;
  const order: PodCondition['type'][] = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'];
  pod.status.conditions = [...pod.status.conditions.filter((c) => c.type !== type), cond].sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
}

/** Phase and Ready/ContainersReady from the container statuses. */
function derivePodStatus(pod: Pod, now: number): void {
  const statuses = pod.status.containerStatuses;
  const unready = statuses.filter((c) => !c.ready).map((c) => c.name);
  const everStarted = statuses.some((c) => c.containerID !== '');
  const allDone = statuses.every((c) => c.state.kind === 'terminated');
  if (pod.spec.restartPolicy !== 'Always' && allDone && statuses.length > 0) {
    const failed = statuses.some((c) => c.state.kind === 'terminated' && c.state.exitCode !== 0);
    pod.status.phase = failed && pod.spec.restartPolicy === 'Never' ? 'Failed' : failed ? 'Running' : 'Succeeded';
  } else {
    pod.status.phase = everStarted ? 'Running' : 'Pending';
  }
  const msg = `containers with unready status: [${unready.join(' ')}]`;
  if (unready.length === 0) {
    setCondition(pod, now, 'Ready', 'True');
    setCondition(pod, now, 'ContainersReady', 'True');
  } else {
    setCondition(pod, now, 'Ready', 'False', 'ContainersNotReady', msg);
    setCondition(pod, now, 'ContainersReady', 'False', 'ContainersNotReady', msg);
  }
}

function terminate(ctx: TickContext, node: Node, pod: Pod): void {
  const { state } = ctx;
  const requestedAt = pod.metadata.deletionTimestamp! - pod.spec.terminationGracePeriodSeconds * 1000;
  const goneAt = Math.min(pod.metadata.deletionTimestamp!, requestedAt + STOP_MS);
  const running = pod.status.containerStatuses.filter((c) => c.state.kind === 'running');
  if (running.length > 0) {
    for (const c of running) recordEvent(state, refOf('Pod', pod, `spec.containers{${c.name}}`), 'Normal', 'Killing', `Stopping container ${c.name}`, 'kubelet', node.metadata.name);
    mutateObject(state, 'Pod', keyOf(pod), (p) => {
      for (const c of p.status.containerStatuses) {
        if (c.state.kind !== 'running') continue;
        c.state = { kind: 'terminated', reason: 'Completed', exitCode: 0, startedAt: c.state.startedAt, finishedAt: state.now };
        c.ready = false;
      }
      setCondition(p, state.now, 'Ready', 'False', 'ContainersNotReady', `containers with unready status: [${p.status.containerStatuses.map((c) => c.name).join(' ')}]`);
    });
  }
  if (state.now >= goneAt) deleteObject(state, 'Pod', keyOf(pod), { force: true });
}

/** How a pod's status change is saved: through the apiserver, or only in the kubelet's own view. */
type PodWrite = (state: ClusterState, pod: Pod, change: (p: Pod) => boolean) => void;
const writeThroughApi: PodWrite = (state, pod, change) => void mutateObject(state, 'Pod', keyOf(pod), change);
/**
 * Static pods are the kubelet's own: it keeps (re)starting their containers from the
 * manifests even when it cannot reach the apiserver, so `crictl ps -a` shows a crashed
 * kube-apiserver as Exited. The mirror pod's status is simply not reported meanwhile.
 */
const writeLocally: PodWrite = (state, pod, change) => {
  if (change(pod)) noteLocalChange(state, 'Pod', pod);
};

function syncPod(ctx: TickContext, node: Node, pod: Pod, pods: Pod[], write: PodWrite = writeThroughApi): void {
  const { state } = ctx;
  if (isTerminating(pod)) return terminate(ctx, node, pod);
  write(state, pod, (p) => {
    const before = jsonCopy(p.status);
    if (p.status.containerStatuses.length === 0) {
      p.status.containerStatuses = p.spec.containers.map(newContainerStatus);
      p.status.startTime = state.now;
      p.status.hostIP = nodeIP(node);
      setCondition(p, state.now, 'Initialized', 'True');
      setCondition(p, state.now, 'PodReadyToStartContainers', 'False');
    }
    if (!p.status.podIP) {
      const net = sandboxNetwork(state, node);
      const limit = p.spec.hostNetwork || !state.network.cni.healthy || !net.ok ? undefined : podAddressLimit(state, node, ctx.podsByNode);
      const ip = p.spec.hostNetwork ? nodeIP(node) : limit && net.ok ? allocatePodIP(node, pods, limit, net.range) : undefined;
      if (!ip) {
        // The kubelet retries the sandbox on its sync loop (every 10 s), not every second.
        const retry = p.status.startTime === state.now || Math.floor((state.now - ctx.dt) / SANDBOX_RETRY_MS) !== Math.floor(state.now / SANDBOX_RETRY_MS);
        if (retry) {
          const message = sandboxFailure(state, p, net);
          recordEvent(state, refOf('Pod', p), 'Warning', 'FailedCreatePodSandBox', message, 'kubelet', node.metadata.name);
          logSandboxFailure(state, node, p, message);
        }
        if (retry && limit) logAssignFailure(state, node, p, limit);
        derivePodStatus(p, state.now);
        return !sameJson(p.status, before);
      }
      p.status.podIP = ip;
      if (limit) logAssigned(state, node, p, ip);
      // The bridge plugin creates its bridge with the gateway address on first use.
      if (net.ok && net.bridge && !p.spec.hostNetwork) node.host.links = { ...node.host.links, [net.bridge.name]: net.bridge.address };
      setCondition(p, state.now, 'PodReadyToStartContainers', 'True');
    }
    p.spec.containers.forEach((spec, i) => syncContainer(state, node, p, spec, p.status.containerStatuses[i]!, ctx.dt));
    derivePodStatus(p, state.now);
    return !sameJson(p.status, before);
  });
}

/** Cheap test: does this pod need a kubelet sync this step? (Settled running pods do not.) */
function needsSync(pod: Pod, now: number): boolean {
  // A pod in a final phase (Succeeded, Failed: e.g. evicted) is never started again.
  if (!isActivePod(pod) && !isTerminating(pod)) return false;
  if (isTerminating(pod) || !pod.status.podIP || pod.status.containerStatuses.length === 0) return true;
  const statuses = pod.status.containerStatuses;
  for (let i = 0; i < statuses.length; i++) {
    const cs = statuses[i]!;
    if (cs.state.kind !== 'running' || !cs.ready || followDue(cs, now)) return true;
    const b = pod.behavior[cs.name];
    if (!b) continue;
    const limit = pod.spec.containers[i]?.resources.limits.memory;
    if (b.crashAfterMs !== undefined || b.ready === false || (b.memoryUse !== undefined && limit !== undefined && b.memoryUse > limit)) return true;
  }
  return pod.static === true;
}

/** What `kubectl top node` shows: the node's own daemons plus its running containers. */
function nodeUsage(pods: Pod[]): { cpu: number; memory: number } {
  const usage = { ...SYSTEM_USAGE };
  for (const pod of pods) {
    pod.spec.containers.forEach((spec, i) => {
      const u = containerUsage(pod, spec, pod.status.containerStatuses[i]);
      usage.cpu += u.cpu;
      usage.memory += u.memory;
    });
  }
  return usage;
}

export function kubeletController(ctx: TickContext): void {
  const { state } = ctx;
  const refusal = writeRefused(state);
  const refused = refusal !== null;
  for (const name in state.nodes) {
    const node = state.nodes[name]!;
    if (!node.host.units.kubelet?.active) continue;
    if (node.host.units.containerd?.active === false) {
      runtimeDown(state, node);
      continue;
    }
    heartbeat(state, node);
    if (refusal) logRefusedWrites(state, node, refusal, ctx.dt);
    const pods = ctx.podsByNode.get(name) ?? [];
    reconcileCheckpoint(state, node, pods);
    installCniPlugins(state, node, pods);
    // While the apiserver refuses writes the kubelet cannot report anything new; it still runs its static pods.
    if (refused) {
      for (const pod of pods) if (pod.static && !isTerminating(pod)) syncPod(ctx, node, pod, pods, writeLocally);
      continue;
    }
    evictionManager(state, node, pods, ctx.dt);
    enforceActiveDeadlines(state, node, pods);
    const sync = node.host.kubeletSync;
    if (sync.syncedRevision >= sync.dirtyRevision && state.now < sync.wakeAt) continue;
    let busy = false;
    const retryStep = Math.floor((state.now - ctx.dt) / SANDBOX_RETRY_MS) !== Math.floor(state.now / SANDBOX_RETRY_MS);
    for (const pod of pods) {
      if (!needsSync(pod, state.now)) continue;
      busy = true;
      // A sandbox that failed is tried again on the sync loop's period, not every step.
      if (!retryStep && !pod.status.podIP && pod.status.containerStatuses.length > 0 && !isTerminating(pod)) continue;
      syncPod(ctx, node, pod, pods);
    }
    node.host.usage = nodeUsage(pods);
    sync.syncedRevision = state.etcd.revision;
    sync.wakeAt = busy ? state.now : state.now + RESYNC_MS;
  }
}
