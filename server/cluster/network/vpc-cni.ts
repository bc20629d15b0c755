// The AWS VPC CNI's address management (ipamd, in the aws-node pod of each node): a pod's
// address is a real secondary address of one of the node's ENIs, so how many pods can get
// one is bounded by
//   - the instance type: ENIs × (addresses per ENI − 1) secondary addresses, ×16 with prefix
//     delegation (/28 prefixes, Nitro instances only);
//   - the subnet: what the other nodes' ipamd hold (their pods plus their warm pool:
//     WARM_ENI_TARGET whole ENIs by default, or WARM_IP_TARGET / MINIMUM_IP_TARGET addresses)
//     and what lives outside the cluster leave this node; prefixes need whole free /28s;
//   - ipamd's own checkpoint: addresses still held for sandboxes that died without a CNI DEL.
// ipamd reads its settings from the environment of the aws-node pod running on the node
// (a DaemonSet change reaches a node when its pod is replaced), and writes its log to
// /var/log/aws-routed-eni/ipamd.log on the host (zap JSON, like the real one).
import { appendLog, etcdLog } from '../logs.js';
import { cidrRange } from '../ipam.js';
import type { ClusterState, Node, NodeVpc, Pod } from '../types.js';

export const IPAMD_LOG = '/var/log/aws-routed-eni/ipamd.log';
export const IPAM_CHECKPOINT = '/var/run/aws-node/ipam.json';

interface EniLimits { enis: number; ipsPerEni: number; nitro: boolean }

/** ENI limits of common instance types (EC2 "IP addresses per network interface per instance type"). */
const INSTANCE_TYPES: Record<string, EniLimits> = {
  't3.small': { enis: 3, ipsPerEni: 4, nitro: true },
  't3.medium': { enis: 3, ipsPerEni: 6, nitro: true },
  't3.large': { enis: 3, ipsPerEni: 12, nitro: true },
  't3.xlarge': { enis: 4, ipsPerEni: 15, nitro: true },
  'm5.large': { enis: 3, ipsPerEni: 10, nitro: true },
  'm5.xlarge': { enis: 4, ipsPerEni: 15, nitro: true },
  'c5.large': { enis: 3, ipsPerEni: 10, nitro: true },
  'c5.xlarge': { enis: 4, ipsPerEni: 15, nitro: true },
  'r5.large': { enis: 3, ipsPerEni: 10, nitro: true },
  't2.medium': { enis: 3, ipsPerEni: 6, nitro: false },
  'm4.large': { enis: 2, ipsPerEni: 10, nitro: false },
};

export const knownInstanceType = (type: string): boolean => type in INSTANCE_TYPES;

/** EKS's max-pods for an instance type without prefix delegation: ENIs × (IPs − 1) + 2 (host-network pods). */
export function eksMaxPods(type: string): number | undefined {
  const l = INSTANCE_TYPES[type];
  return l ? l.enis * (l.ipsPerEni - 1) + 2 : undefined;
}

/** The aws-node settings ipamd acts on (the real defaults when unset). */
export interface IpamdConfig { prefixDelegation: boolean; warmENI: number; warmIP: number; minimumIP: number; warmPrefix: number }

/** aws-node's environment as the EKS add-on ships it. */
export const AWS_NODE_ENV: Record<string, string> = {
  ADDITIONAL_ENI_TAGS: '{}', AWS_VPC_CNI_NODE_PORT_SUPPORT: 'true', AWS_VPC_ENI_MTU: '9001', AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: 'false',
  AWS_VPC_K8S_CNI_EXTERNALSNAT: 'false', AWS_VPC_K8S_CNI_LOGLEVEL: 'DEBUG', AWS_VPC_K8S_CNI_LOG_FILE: '/host/var/log/aws-routed-eni/ipamd.log',
  AWS_VPC_K8S_CNI_VETHPREFIX: 'eni', ENABLE_IPv4: 'true', ENABLE_IPv6: 'false', ENABLE_POD_ENI: 'false', ENABLE_PREFIX_DELEGATION: 'false',
  WARM_ENI_TARGET: '1', WARM_PREFIX_TARGET: '1',
};

/** The aws-node pod on a node (the CNI container's role), if one runs there. */
export function awsNodePod(pods: readonly Pod[]): Pod | undefined {
  return pods.find((p) => !p.metadata.deletionTimestamp && Object.values(p.behavior).some((b) => b.role === 'cni'));
}

function ipamdConfig(pod: Pod | undefined): IpamdConfig {
  const env = new Map((pod?.spec.containers[0]?.env ?? []).map((e) => [e.name, e.value]));
  const num = (name: string, dflt: number): number => {
    const v = Number(env.get(name));
    return env.has(name) && Number.isInteger(v) && v >= 0 ? v : dflt;
  };
  return {
    prefixDelegation: env.get('ENABLE_PREFIX_DELEGATION') === 'true',
    warmENI: num('WARM_ENI_TARGET', 1), warmIP: num('WARM_IP_TARGET', 0), minimumIP: num('MINIMUM_IP_TARGET', 0), warmPrefix: num('WARM_PREFIX_TARGET', 1),
  };
}

const pdActive = (l: EniLimits, c: IpamdConfig): boolean => c.prefixDelegation && l.nitro;

/** Addresses the node's ENIs can hold for pods. */
function eniCapacity(l: EniLimits, c: IpamdConfig): number {
  const slots = l.enis * (l.ipsPerEni - 1);
  return pdActive(l, c) ? slots * 16 : slots;
}

/** Addresses a node's ipamd keeps in the subnet for `inUse` assigned ones: those plus its warm pool. */
function held(l: EniLimits, c: IpamdConfig, inUse: number): number {
  let want: number;
  if (pdActive(l, c)) want = (Math.ceil(inUse / 16) + c.warmPrefix) * 16;
  else if (c.warmIP > 0 || c.minimumIP > 0) want = Math.max(inUse + c.warmIP, c.minimumIP);
  else want = (Math.ceil(inUse / (l.ipsPerEni - 1)) + c.warmENI) * (l.ipsPerEni - 1);
  return Math.min(eniCapacity(l, c), want);
}

/** Pods of a node holding an address of their own (not host-network). */
const addressed = (pods: readonly Pod[]): number => pods.filter((p) => p.status.podIP && !p.spec.hostNetwork).length;

/** What bounds a node's pod addresses now. */
export interface PodAddressLimit {
  /** Addresses pods may hold on the node (leaked ones included in `inUse`). */
  limit: number;
  inUse: number;
  /** Which bound it is: the instance's ENIs, the subnet's free addresses, or none known. */
  by: 'eni' | 'subnet' | 'none';
  config?: IpamdConfig;
}

/**
 * How many addresses the node's pods can hold. Nodes without VPC state keep the simple cap
 * (`host.maxPodIPs`, 0 = unlimited).
 */
export function podAddressLimit(state: ClusterState, node: Node, podsByNode: ReadonlyMap<string, Pod[]>): PodAddressLimit {
  const pods = podsByNode.get(node.metadata.name) ?? [];
  const vpc = node.host.vpc;
  const limits = vpc ? INSTANCE_TYPES[vpc.instanceType] : undefined;
  if (!vpc || !limits || state.network.cni.name !== 'aws-node') {
    const inUse = addressed(pods);
    return { limit: node.host.maxPodIPs > 0 ? node.host.maxPodIPs : Infinity, inUse, by: node.host.maxPodIPs > 0 ? 'eni' : 'none' };
  }
  const config = ipamdConfig(awsNodePod(pods));
  const inUse = addressed(pods) + vpc.leaked.length;
  const eni = eniCapacity(limits, config);
  const subnet = state.network.subnets?.[vpc.subnet];
  if (!subnet) return { limit: eni, inUse, by: 'eni', config };
  // AWS reserves 5 addresses of every subnet.
  let free = cidrRange(subnet.cidr).size - 5 - subnet.used;
  for (const other of Object.values(state.nodes)) {
    const o = other.host.vpc;
    const ol = o ? INSTANCE_TYPES[o.instanceType] : undefined;
    if (other === node || !o || !ol || o.subnet !== vpc.subnet) continue;
    const otherPods = podsByNode.get(other.metadata.name) ?? [];
    free -= held(ol, ipamdConfig(awsNodePod(otherPods)), addressed(otherPods) + o.leaked.length);
  }
  // Prefixes need whole free /28 blocks of the subnet.
  const room = Math.max(0, pdActive(limits, config) ? Math.floor(free / 16) * 16 : free);
  return room < eni ? { limit: room, inUse, by: 'subnet', config } : { limit: eni, inUse, by: 'eni', config };
}

const LOG_CALLERS = { rpc: 'rpc/rpc.pb.go:863', datastore: 'datastore/data_store.go:607', ipamd: 'ipamd/ipamd.go:' } as const;

function ipamdLine(state: ClusterState, vpc: NodeVpc, level: 'debug' | 'info' | 'error', caller: string, msg: string): void {
  appendLog(vpc.ipamdLog, etcdLog(state, state.now, level as 'info', caller, msg));
}

/** ipamd refuses an AddNetwork: what it logs, depending on what bounds the node. */
export function logAssignFailure(state: ClusterState, node: Node, pod: Pod, limit: PodAddressLimit): void {
  const vpc = node.host.vpc;
  const l = vpc ? INSTANCE_TYPES[vpc.instanceType] : undefined;
  if (!vpc || !l) return;
  const sandbox = pod.metadata.uid.replace(/-/g, '').repeat(2);
  const per = limit.config && pdActive(l, limit.config) ? 16 : l.ipsPerEni - 1;
  ipamdLine(state, vpc, 'info', 'rpc/rpc.pb.go:881', `Received AddNetwork for NS /var/run/netns/cni-${pod.metadata.uid}, Sandbox ${sandbox}, ifname eth0`);
  if (limit.by === 'subnet') {
    ipamdLine(state, vpc, 'error', `${LOG_CALLERS.ipamd}813`, `Failed to increase pool size due to not able to allocate ENI AllocENI: failed to create ENI: InsufficientFreeAddressesInSubnet: The specified subnet does not have enough free addresses to satisfy the request.\n\tstatus code: 400, request id: ${[...pod.metadata.uid].reverse().join('')}`);
  } else {
    ipamdLine(state, vpc, 'debug', `${LOG_CALLERS.ipamd}1167`, 'Skipping ENI allocation as the max ENI limit is already reached');
  }
  const prefix = limit.config && pdActive(l, limit.config) ? 'Prefix pool stats' : 'IP pool stats';
  ipamdLine(state, vpc, 'debug', `${LOG_CALLERS.ipamd}1669`, `${prefix} for network card 0: Total IPs/Prefixes = ${limit.limit}/0, AssignedIPs/CooldownIPs: ${limit.inUse}/0, c.maxIPsPerENI = ${per}`);
  ipamdLine(state, vpc, 'error', LOG_CALLERS.datastore, 'DataStore has no available IP/Prefix addresses');
  ipamdLine(state, vpc, 'info', LOG_CALLERS.rpc, 'Send AddNetworkReply: IPv4Addr: , IPv6Addr: , DeviceNumber: -1, err: AssignPodIPv4Address: no available IP/Prefix addresses');
}

/** ipamd hands an address to a sandbox. */
export function logAssigned(state: ClusterState, node: Node, pod: Pod, ip: string): void {
  const vpc = node.host.vpc;
  if (!vpc) return;
  ipamdLine(state, vpc, 'info', 'datastore/data_store.go:899', `AssignPodIPv4Address: Assign IP ${ip} to sandbox aws-cni/${pod.metadata.uid.replace(/-/g, '').repeat(2)}/eth0`);
}

/**
 * ipamd starting in a new aws-node pod reconciles its checkpoint with the sandboxes the
 * runtime reports: addresses of sandboxes that are gone are released.
 */
export function reconcileCheckpoint(state: ClusterState, node: Node, pods: readonly Pod[]): void {
  const vpc = node.host.vpc;
  if (!vpc || vpc.leaked.length === 0) return;
  const ipamd = awsNodePod(pods);
  const running = ipamd?.status.containerStatuses.some((c) => c.state.kind === 'running');
  if (!ipamd || !running || ipamd.metadata.creationTimestamp <= vpc.leakedAt) return;
  for (const leak of vpc.leaked) {
    ipamdLine(state, vpc, 'info', 'datastore/data_store.go:536', `Unable to find sandbox ${leak.containerID} in the runtime, releasing IP ${leak.ip} (pod ${leak.namespace}/${leak.pod})`);
  }
  vpc.leaked = [];
}

/** ipamd's checkpoint file: one allocation per pod address, leaked ones included. */
export function checkpointText(node: Node, pods: readonly Pod[]): string {
  const vpc = node.host.vpc;
  const allocations = [
    ...(vpc?.leaked ?? []).map((l) => ({ ip: l.ip, containerID: l.containerID, namespace: l.namespace, pod: l.pod })),
    ...pods.filter((p) => p.status.podIP && !p.spec.hostNetwork).map((p) => ({ ip: p.status.podIP!, containerID: p.metadata.uid.replace(/-/g, '').repeat(2), namespace: p.metadata.namespace ?? 'default', pod: p.metadata.name })),
  ].map((a) => ({ networkName: 'aws-cni', containerID: a.containerID, ifName: 'eth0', ipv4: a.ip, metadata: { k8sPodNamespace: a.namespace, k8sPodName: a.pod } }));
  return `${JSON.stringify({ version: 'vpc-cni-ipam/1', allocations })}\n`;
}
