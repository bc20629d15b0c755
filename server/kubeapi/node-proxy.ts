// /api/v1/nodes/NAME/proxy/…: the kubelet's healthz, configz and stats/summary. The Summary API (stats/v1alpha1), which the
// apiserver proxies to the node's port 10250 — where an operator reads a node's and its pods'
// CPU, memory and filesystem use without metrics-server. Figures come from the state: the
// node's usage (what `kubectl top node` shows), its root filesystem (df /), the running
// containers' usage (`kubectl top pod`). The kubelet writes it compact (json.Marshal).
import { kubeletWorking } from '../cluster/host.js';
import { containerUsage } from '../cluster/metrics.js';
import { wallClock } from '../cluster/logs.js';
import type { ClusterState, Node, Pod } from '../cluster/types.js';
import { statusResponse, type ApiResponse } from './status.js';
import { parseYaml } from '../shell/kubectl/commands/apply.js';

const NODE_PROXY = /^\/api\/v1\/nodes\/([^/]+)\/proxy(\/.*)?$/;

/** The answer to a node proxy path, or undefined when the path is not one. */
export function nodeProxy(state: ClusterState, path: string): ApiResponse | undefined {
  const m = NODE_PROXY.exec(path);
  if (!m) return undefined;
  const name = decodeURIComponent(m[1]!);
  const node = state.nodes[name];
  if (!node) return statusResponse(404, 'NotFound', `nodes "${name}" not found`, { name, kind: 'nodes' });
  if (!kubeletWorking(node.host)) {
    const ip = node.status.addresses.find((a) => a.type === 'InternalIP')?.address ?? name;
    return statusResponse(500, 'InternalError', `error trying to reach service: dial tcp ${ip}:10250: connect: connection refused`);
  }
  if (m[2] === '/healthz') return { status: 200, body: 'ok', contentType: 'text/plain; charset=utf-8' };
  if (m[2] === '/configz') return configz(node);
  // The kubelet's mux answers 404 "404 page not found" for what it does not serve; the apiserver passes it on.
  if (m[2] !== '/stats/summary') return statusResponse(404, 'NotFound', 'the server could not find the requested resource');
  return { status: 200, body: summary(state, node) };
}

/**
 * /configz: the configuration the kubelet runs with, `{"kubeletconfig": {…}}` — read from the
 * node's /var/lib/kubelet/config.yaml as it is now (a player's edit shows once the kubelet
 * restarted, which is how the simulation's kubelet reads it too), without apiVersion and kind.
 */
function configz(node: Node): ApiResponse {
  const parsed = parseYaml(node.host.files['/var/lib/kubelet/config.yaml'] ?? '');
  const doc = parsed.ok ? parsed.docs[0] : undefined;
  // A kubelet whose config does not parse does not run: it would have refused the proxy above.
  const config = doc !== null && typeof doc === 'object' && !Array.isArray(doc) ? { ...doc } : {};
  delete config.apiVersion;
  delete config.kind;
  return { status: 200, body: { kubeletconfig: config } };
}

const MIB = 2 ** 20;

function summary(state: ClusterState, node: Node): unknown {
  const time = wallClock(state, state.now).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const at = (t: number) => wallClock(state, t).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const upSeconds = Math.max(1, (state.now - node.metadata.creationTimestamp) / 1000);
  const { cpu, memory } = node.host.usage;
  const capacity = node.status.capacity.memory;
  const root = node.host.filesystems.find((f) => f.mount === '/');
  const fs = root ? fsStats(time, root.size, root.used) : undefined;
  const cpuStats = (millicores: number, seconds: number) => ({ time, usageNanoCores: Math.round(millicores * 1e6), usageCoreNanoSeconds: Math.round(millicores * 1e6 * seconds) });
  const memStats = (bytes: number, limit?: number) => ({
    time, ...(limit !== undefined ? { availableBytes: Math.max(0, limit - bytes) } : {}),
    usageBytes: Math.round(bytes * 1.3), workingSetBytes: Math.round(bytes), rssBytes: Math.round(bytes * 0.8), pageFaults: Math.round(bytes / 4096), majorPageFaults: Math.round(bytes / MIB),
  });
  const pods = Object.values(state.pods).filter((p) => p.spec.nodeName === node.metadata.name && p.status.containerStatuses.some((c) => c.state.kind === 'running'));
  return {
    node: {
      nodeName: node.metadata.name,
      systemContainers: [
        { name: 'kubelet', startTime: at(node.host.units.kubelet?.since ?? node.metadata.creationTimestamp), cpu: cpuStats(Math.min(cpu, 40), upSeconds), memory: memStats(64 * MIB) },
        { name: 'runtime', startTime: at(node.host.units.containerd?.since ?? node.metadata.creationTimestamp), cpu: cpuStats(Math.min(cpu, 15), upSeconds), memory: memStats(48 * MIB) },
        { name: 'pods', startTime: at(node.metadata.creationTimestamp), cpu: cpuStats(podsCpu(pods), upSeconds), memory: memStats(podsMemory(pods), node.status.allocatable.memory) },
      ],
      startTime: at(node.metadata.creationTimestamp),
      cpu: cpuStats(cpu, upSeconds),
      memory: memStats(memory, capacity),
      ...(fs ? { fs, runtime: { imageFs: fs, containerFs: fs } } : {}),
      rlimit: { time, maxpid: 4194304, curproc: 180 + pods.length * 12 },
    },
    pods: pods.map((p) => podStats(state, p, time, at)),
  };
}

function fsStats(time: string, capacity: number, used: number) {
  const inodes = Math.round(capacity / 16384);
  const inodesUsed = Math.round(used / 32768);
  return { time, availableBytes: Math.max(0, capacity - used), capacityBytes: capacity, usedBytes: used, inodesFree: inodes - inodesUsed, inodes, inodesUsed };
}

const podsCpu = (pods: Pod[]) => pods.reduce((sum, p) => sum + p.spec.containers.reduce((s, c) => s + (containerUsage(p, c.name)?.cpu ?? 0), 0), 0);
const podsMemory = (pods: Pod[]) => pods.reduce((sum, p) => sum + p.spec.containers.reduce((s, c) => s + (containerUsage(p, c.name)?.memory ?? 0), 0), 0);

function podStats(state: ClusterState, pod: Pod, time: string, at: (t: number) => string): unknown {
  const start = pod.status.startTime ?? pod.metadata.creationTimestamp;
  const seconds = Math.max(1, (state.now - start) / 1000);
  const containers = pod.spec.containers.flatMap((c) => {
    const usage = containerUsage(pod, c.name);
    const st = pod.status.containerStatuses.find((s) => s.name === c.name)?.state;
    if (!usage || st?.kind !== 'running') return [];
    return [{
      name: c.name, startTime: at(st.startedAt),
      cpu: { time, usageNanoCores: usage.cpu * 1e6, usageCoreNanoSeconds: Math.round(usage.cpu * 1e6 * seconds) },
      memory: { time, usageBytes: Math.round(usage.memory * 1.2), workingSetBytes: usage.memory, rssBytes: Math.round(usage.memory * 0.8), pageFaults: Math.round(usage.memory / 4096), majorPageFaults: 0 },
      rootfs: { time, usedBytes: 24576, inodesUsed: 6 },
      logs: { time, usedBytes: 4096 * (1 + st.startedAt % 7), inodesUsed: 1 },
    }];
  });
  const cpu = containers.reduce((s, c) => s + c.cpu.usageNanoCores, 0);
  const mem = containers.reduce((s, c) => s + c.memory.workingSetBytes, 0);
  return {
    podRef: { name: pod.metadata.name, namespace: pod.metadata.namespace ?? 'default', uid: pod.metadata.uid },
    startTime: at(start),
    containers,
    cpu: { time, usageNanoCores: cpu, usageCoreNanoSeconds: Math.round(cpu * seconds) },
    memory: { time, usageBytes: Math.round(mem * 1.2), workingSetBytes: mem, rssBytes: Math.round(mem * 0.8), pageFaults: Math.round(mem / 4096), majorPageFaults: 0 },
    'ephemeral-storage': { time, usedBytes: containers.reduce((s, c) => s + c.rootfs.usedBytes + c.logs.usedBytes, 0), inodesUsed: containers.length * 7 },
    process_stats: { process_count: containers.length },
  };
}
