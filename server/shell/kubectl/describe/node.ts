// `kubectl describe node`, laid out like kubectl's NodeDescriber.
import { podsOnNode } from '../../../cluster/network/pod-lookup.js';
import { formatBytes, formatCpu } from '../../../cluster/quantity.js';
import { jsonObject } from '../../../cluster/json.js';
import type { ClusterState, JsonValue, Node, Pod, ResourceList } from '../../../cluster/types.js';
import { age, rfc1123z } from '../age.js';
import { nodeResourcesJson } from '../manifest.js';
import { nodeRoles } from '../printers.js';
import { describeWriter, taintString, writeAnnotations, writeEvents, writeLabels, writeMultiline, type DescribeWriter } from './writer.js';

/** printResourceList: the node's list as its manifest has it (nodeResourcesJson), by resource name. */
function writeResourceList(w: DescribeWriter, title: string, r: ResourceList): void {
  w.write(0, `${title}:\n`);
  const list = nodeResourcesJson(r);
  for (const name of Object.keys(list).sort()) w.write(1, `${name}:\t${String(list[name])}\n`);
}

/** describe.go describeNodeLease: the node's Lease in kube-node-lease as stored. */
function writeLease(w: DescribeWriter, state: ClusterState, node: Node): void {
  const spec = jsonObject(state.stored?.['Lease']?.[`kube-node-lease/${node.metadata.name}`]?.fields.spec);
  const time = (v: JsonValue | undefined): string => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? rfc1123z(state, Date.parse(v) - state.epoch) : '<unset>');
  w.write(0, 'Lease:\n');
  w.write(1, `HolderIdentity:\t${typeof spec.holderIdentity === 'string' ? spec.holderIdentity : '<unset>'}\n`);
  w.write(1, `AcquireTime:\t${time(spec.acquireTime)}\n`);
  w.write(1, `RenewTime:\t${time(spec.renewTime)}\n`);
}

/** `100m (2%)`: an amount and its share of the allocatable (truncated like kubectl). */
function share(amount: number, total: number, format: (n: number) => string): string {
  const pct = total > 0 ? Math.trunc((amount / total) * 100) : 0;
  return `${format(amount)} (${pct}%)`;
}

export function describeNode(state: ClusterState, node: Node): string {
  const w = describeWriter();
  w.write(0, `Name:\t${node.metadata.name}\n`);
  w.write(0, `Roles:\t${nodeRoles(node)}\n`);
  writeLabels(w, 0, 'Labels', node.metadata.labels);
  writeAnnotations(w, 0, node.metadata.annotations);
  w.write(0, `CreationTimestamp:\t${rfc1123z(state, node.metadata.creationTimestamp)}\n`);
  writeMultiline(w, 0, 'Taints', node.spec.taints.map(taintString));
  w.write(0, `Unschedulable:\t${node.spec.unschedulable}\n`);
  writeLease(w, state, node);

  w.write(0, 'Conditions:\n');
  w.write(1, 'Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n');
  w.write(1, '----\t------\t-----------------\t------------------\t------\t-------\n');
  for (const c of node.status.conditions) {
    w.write(1, `${c.type} \t${c.status} \t${rfc1123z(state, c.lastHeartbeatTime)} \t${rfc1123z(state, c.lastTransitionTime)} \t${c.reason} \t${c.message}\n`);
  }
  w.write(0, 'Addresses:\n');
  for (const a of node.status.addresses) w.write(1, `${a.type}:\t${a.address}\n`);
  writeResourceList(w, 'Capacity', node.status.capacity);
  writeResourceList(w, 'Allocatable', node.status.allocatable);
  const info = node.status.nodeInfo;
  w.write(0, 'System Info:\n');
  w.write(1, 'Machine ID:\t\n');
  w.write(1, 'System UUID:\t\n');
  w.write(1, 'Boot ID:\t\n');
  w.write(1, `Kernel Version:\t${info.kernelVersion}\n`);
  w.write(1, `OS Image:\t${info.osImage}\n`);
  w.write(1, `Operating System:\t${info.operatingSystem}\n`);
  w.write(1, `Architecture:\t${info.architecture}\n`);
  w.write(1, `Container Runtime Version:\t${info.containerRuntimeVersion}\n`);
  w.write(1, `Kubelet Version:\t${info.kubeletVersion}\n`);
  w.write(1, `Kube-Proxy Version:\t${info.kubeletVersion}\n`);
  w.write(0, `PodCIDR:\t${node.spec.podCIDR}\n`);
  w.write(0, `PodCIDRs:\t${node.spec.podCIDR}\n`);
  if (node.spec.providerID) w.write(0, `ProviderID:\t${node.spec.providerID}\n`);

  const { pods, total } = nodeAllocation(state, node);
  const alloc = node.status.allocatable;
  w.write(0, `Non-terminated Pods:\t(${pods.length} in total)\n`);
  // describeNodeResource leaves an empty column after the name (`Name\t\t`).
  w.write(1, 'Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n');
  w.write(1, '---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n');
  for (const pod of pods) {
    const r = podTotals(pod);
    w.write(1, `${pod.metadata.namespace}\t${pod.metadata.name}\t\t${share(r.cpuReq, alloc.cpu, formatCpu)}\t${share(r.cpuLim, alloc.cpu, formatCpu)}\t${share(r.memReq, alloc.memory, formatBytes)}\t${share(r.memLim, alloc.memory, formatBytes)}\t${age(state, pod.metadata.creationTimestamp)}\n`);
  }
  w.write(0, 'Allocated resources:\n');
  w.write(1, '(Total limits may be over 100 percent, i.e., overcommitted.)\n');
  w.write(1, 'Resource\tRequests\tLimits\n');
  w.write(1, '--------\t--------\t------\n');
  w.write(1, `cpu\t${share(total.cpuReq, alloc.cpu, formatCpu)}\t${share(total.cpuLim, alloc.cpu, formatCpu)}\n`);
  w.write(1, `memory\t${share(total.memReq, alloc.memory, formatBytes)}\t${share(total.memLim, alloc.memory, formatBytes)}\n`);
  w.write(1, 'ephemeral-storage\t0 (0%)\t0 (0%)\n');
  w.write(1, 'hugepages-1Gi\t0 (0%)\t0 (0%)\n');
  w.write(1, 'hugepages-2Mi\t0 (0%)\t0 (0%)\n');
  writeEvents(w, state, node.metadata.uid);
  return w.done();
}

/** The pods that hold resources on a node, sorted as describe lists them, and their requests and limits added up. */
function nodeAllocation(state: ClusterState, node: Node) {
  const pods = podsOnNode(state, node.metadata.name)
    .filter((p) => p.status.phase !== 'Succeeded' && p.status.phase !== 'Failed')
    .sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}` < `${b.metadata.namespace}/${b.metadata.name}` ? -1 : 1);
  const total = { cpuReq: 0, cpuLim: 0, memReq: 0, memLim: 0 };
  for (const pod of pods) {
    const r = podTotals(pod);
    total.cpuReq += r.cpuReq;
    total.cpuLim += r.cpuLim;
    total.memReq += r.memReq;
    total.memLim += r.memLim;
  }
  return { pods, total };
}

/** The node's CPU requests as describe's "Allocated resources" shows them: `1950m (97%)`. */
export function allocatedCpu(state: ClusterState, node: Node): string {
  return share(nodeAllocation(state, node).total.cpuReq, node.status.allocatable.cpu, formatCpu);
}

function podTotals(pod: Pod): { cpuReq: number; cpuLim: number; memReq: number; memLim: number } {
  let cpuReq = 0, cpuLim = 0, memReq = 0, memLim = 0;
  for (const c of pod.spec.containers) {
    // A limit without a request defaults the request to the limit (apiserver defaulting).
    cpuReq += c.resources.requests.cpu ?? c.resources.limits.cpu ?? 0;
    memReq += c.resources.requests.memory ?? c.resources.limits.memory ?? 0;
    cpuLim += c.resources.limits.cpu ?? 0;
    memLim += c.resources.limits.memory ?? 0;
  }
  return { cpuReq, cpuLim, memReq, memLim };
}
