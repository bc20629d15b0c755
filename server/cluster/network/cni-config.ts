// What the container runtime does with /etc/cni/net.d when the kubelet asks for a pod
// sandbox: containerd's CRI plugin loads the FIRST network config in lexical order
// (*.conf, *.conflist, *.json) and runs its plugins from /opt/cni/bin. So a config left
// behind that sorts first wins (containerd's own 10-containerd-net.conflist sorts before
// 10-flannel.conflist: pods get 10.88.x.x addresses no other node routes), a plugin binary
// missing after an interrupted upgrade fails every sandbox, and flannel's bridge refuses a
// cni0 that still carries another range's gateway. Nodes whose host holds no config keep
// the simple model (the cluster's CNI, the node's podCIDR).
import { cidrRange, intToIp, ipToInt } from '../ipam.js';
import type { ClusterState, Node, Pod } from '../types.js';

export const CNI_CONF_DIR = '/etc/cni/net.d/';
export const CNI_BIN_DIR = '/opt/cni/bin';

/** The plugin binaries a CNI's installer puts in /opt/cni/bin (upstream containernetworking/plugins plus its own). */
export const CNI_PLUGINS = ['bandwidth', 'bridge', 'dhcp', 'firewall', 'host-device', 'host-local', 'ipvlan', 'loopback', 'macvlan', 'portmap', 'ptp', 'sbr', 'static', 'tuning', 'vlan', 'vrf'];

/** The config a CNI's installer writes, by CNI (file name and text as the real DaemonSets write them). */
export function defaultCniConfig(cni: string): { file: string; text: string; plugins: string[] } {
  switch (cni) {
    case 'flannel':
      return { file: '10-flannel.conflist', plugins: ['flannel'], text: `{
  "name": "cbr0",
  "cniVersion": "0.3.1",
  "plugins": [
    {
      "type": "flannel",
      "delegate": {
        "hairpinMode": true,
        "isDefaultGateway": true
      }
    },
    {
      "type": "portmap",
      "capabilities": {
        "portMappings": true
      }
    }
  ]
}
` };
    case 'calico':
      return { file: '10-calico.conflist', plugins: ['calico', 'calico-ipam'], text: '{\n  "name": "k8s-pod-network",\n  "cniVersion": "0.3.1",\n  "plugins": [\n    {\n      "type": "calico",\n      "log_level": "info",\n      "datastore_type": "kubernetes",\n      "mtu": 0,\n      "ipam": {\n          "type": "calico-ipam"\n      },\n      "policy": {\n          "type": "k8s"\n      },\n      "kubernetes": {\n          "kubeconfig": "/etc/cni/net.d/calico-kubeconfig"\n      }\n    },\n    {\n      "type": "portmap",\n      "snat": true,\n      "capabilities": {"portMappings": true}\n    },\n    {\n      "type": "bandwidth",\n      "capabilities": {"bandwidth": true}\n    }\n  ]\n}\n' };
    case 'cilium':
      return { file: '05-cilium.conflist', plugins: ['cilium-cni'], text: '{\n  "cniVersion": "0.3.1",\n  "name": "cilium",\n  "plugins": [\n    {\n       "type": "cilium-cni",\n       "enable-debug": false,\n       "log-file": "/var/run/cilium/cilium-cni.log"\n    }\n  ]\n}\n' };
    default:
      return { file: '10-aws.conflist', plugins: ['aws-cni', 'egress-cni'], text: '{\n  "cniVersion": "0.4.0",\n  "name": "aws-cni",\n  "disableCheck": true,\n  "plugins": [\n    {\n      "name": "aws-cni",\n      "type": "aws-cni",\n      "vethPrefix": "eni",\n      "mtu": "9001",\n      "podSGEnforcingMode": "strict",\n      "pluginLogFile": "/var/log/aws-routed-eni/plugin.log",\n      "pluginLogLevel": "DEBUG"\n    },\n    {\n      "name": "egress-cni",\n      "type": "egress-cni",\n      "mtu": "9001",\n      "enabled": "false",\n      "randomizeSNAT": "prng",\n      "nodeIP": "",\n      "ipam": {\n         "type": "host-local",\n         "ranges": [[{"subnet": "fd00::ac:00/118"}]],\n         "routes": [{"dst": "::/0"}],\n         "dataDir": "/run/cni/v4pd/egress-v6-ipam"\n      },\n      "pluginLogFile": "/var/log/aws-routed-eni/egress-v6-plugin.log",\n      "pluginLogLevel": "DEBUG"\n    },\n    {\n      "type": "portmap",\n      "capabilities": {"portMappings": true},\n      "snat": true\n    }\n  ]\n}\n' };
  }
}

/** How a sandbox gets its network on this node: the plugin and the range it allocates from, or the runtime's error. */
export type SandboxNetwork =
  | { ok: true; plugin: string; range: string; bridge?: { name: string; address: string } }
  | { ok: false; plugin: string; error: string };

interface NetConf { name?: string; type?: string; plugins?: { type?: string; ipam?: { subnet?: string; ranges?: { subnet?: string }[][] } }[]; ipam?: { subnet?: string; ranges?: { subnet?: string }[][] } }

/** The config file containerd loads: the first of /etc/cni/net.d in lexical order. */
export function activeCniConfig(node: Node): { path: string; text: string } | undefined {
  const path = Object.keys(node.host.files).filter((p) => p.startsWith(CNI_CONF_DIR) && /\.(conf|conflist|json)$/.test(p) && !p.slice(CNI_CONF_DIR.length).includes('/')).sort()[0];
  return path ? { path, text: node.host.files[path]! } : undefined;
}

/** Parsed configs by text (a config is read on every sandbox attempt); bounded, texts may come from players. */
const PARSED = new Map<string, NetConf | string>();

function parseConf(text: string): NetConf | string {
  let parsed = PARSED.get(text);
  if (parsed === undefined) {
    try {
      parsed = JSON.parse(text) as NetConf;
      if (typeof parsed !== 'object' || parsed === null) parsed = 'error parsing configuration list: not a JSON object';
    } catch (e) {
      parsed = `error parsing configuration list: ${(e as Error).message}`;
    }
    if (PARSED.size >= 64) PARSED.clear();
    PARSED.set(text, parsed);
  }
  return parsed;
}

/** The network a new sandbox on this node gets. */
export function sandboxNetwork(state: ClusterState, node: Node): SandboxNetwork {
  const conf = activeCniConfig(node);
  const cni = state.network.cni.name === 'aws-node' ? 'aws-cni' : state.network.cni.name;
  if (!conf) return { ok: true, plugin: cni, range: node.spec.podCIDR };
  const parsed = parseConf(conf.text);
  if (typeof parsed === 'string') return { ok: false, plugin: cni, error: parsed };
  const plugins = Array.isArray(parsed.plugins) ? parsed.plugins.filter((p) => typeof p === 'object' && p !== null) : [parsed];
  const first = plugins[0] ?? {};
  const plugin = typeof first.type === 'string' ? first.type : 'unknown';
  const installed = node.host.cniBin;
  if (installed) {
    const missing = plugins.map((p) => (typeof p.type === 'string' ? p.type : '')).find((t) => t !== '' && !Object.hasOwn(installed, t));
    if (missing) return { ok: false, plugin, error: `failed to find plugin "${missing}" in path [${CNI_BIN_DIR}]` };
  }
  if (plugin === 'bridge') {
    const ipam = first.ipam;
    const range = (Array.isArray(ipam?.ranges) && Array.isArray(ipam.ranges[0]) ? ipam.ranges[0][0]?.subnet : undefined) ?? ipam?.subnet;
    return typeof range === 'string' && /^\d{1,3}(\.\d{1,3}){3}\/(1[6-9]|2\d|30)$/.test(range) ? { ok: true, plugin, range } : { ok: false, plugin, error: 'failed to allocate for range 0: no IP addresses available in range set' };
  }
  if (plugin === 'flannel') {
    // flannel delegates to the bridge plugin with the node's subnet (/run/flannel/subnet.env); cni0 must carry its gateway.
    const { first: base } = cidrRange(node.spec.podCIDR);
    const want = `${intToIp(base + 1)}/${node.spec.podCIDR.split('/')[1]}`;
    const have = node.host.links?.cni0;
    if (have !== undefined && have !== want) return { ok: false, plugin, error: `failed to delegate add: failed to set bridge addr: "cni0" already has an IP address different from ${want}` };
    return { ok: true, plugin, range: node.spec.podCIDR, bridge: { name: 'cni0', address: want } };
  }
  return { ok: true, plugin, range: node.spec.podCIDR };
}

/** A pod address other nodes route to: inside the node's podCIDR (or the node's own, host network). */
export function podRoutable(state: ClusterState, pod: Pod): boolean {
  const node = state.nodes[pod.spec.nodeName ?? ''];
  if (!node || pod.spec.hostNetwork || !pod.status.podIP) return true;
  const { first, size } = cidrRange(node.spec.podCIDR);
  const n = ipToInt(pod.status.podIP);
  return n >= first && n < first + size;
}

/**
 * The CNI DaemonSet's installer (flannel's install-cni-plugin init container, aws-node's
 * entrypoint) copies its binaries into /opt/cni/bin whenever its pod starts on the node.
 */
export function installCniPlugins(state: ClusterState, node: Node, pods: readonly Pod[]): void {
  const installed = node.host.cniBin;
  if (!installed || !node.host.cniBinMissingSince) return;
  const cniPod = pods.find((p) => !p.metadata.deletionTimestamp && Object.values(p.behavior).some((b) => b.role === 'cni'));
  const started = cniPod?.status.containerStatuses.find((c) => c.state.kind === 'running');
  if (!started || started.state.kind !== 'running' || started.state.startedAt <= node.host.cniBinMissingSince) return;
  for (const name of defaultCniConfig(state.network.cni.name).plugins) installed[name] ??= 2_900_000;
  delete node.host.cniBinMissingSince;
}
