// `ipset list` (ipset 7.15, Ubuntu 22.04): the sets the cluster's network programs keep.
// kube-proxy in iptables mode and flannel / the VPC CNI keep none (empty output); kube-proxy in
// IPVS mode matches ClusterIPs through KUBE-CLUSTER-IP (hash:ip,port), Calico its IP pools
// through cali40all-ipam-pools / cali40masq-ipam-pools (hash:net).
import { allServices } from '../../../cluster/network/services.js';
import type { ShellCommand } from '../../types.js';
import { fail, ok } from '../../types.js';
import { isResult, onNode, stableHex, type NodeContext } from '../common.js';

interface IpSet {
  name: string;
  type: string;
  revision: number;
  members: string[];
  references: number;
}

function sets(n: NodeContext): IpSet[] {
  const out: IpSet[] = [];
  if (n.state.network.proxyMode === 'ipvs') {
    const members = allServices(n.state).filter((s) => s.spec.clusterIP !== 'None' && s.spec.clusterIP)
      .flatMap((s) => s.spec.ports.map((p) => `${s.spec.clusterIP},${p.protocol.toLowerCase()}:${p.port}`));
    out.push({ name: 'KUBE-CLUSTER-IP', type: 'hash:ip,port', revision: 6, members, references: 2 });
  }
  if (n.state.network.cni.name === 'calico') {
    const pool = n.state.network.clusterCIDR;
    out.push({ name: 'cali40masq-ipam-pools', type: 'hash:net', revision: 7, members: [pool], references: 1 });
    out.push({ name: 'cali40all-ipam-pools', type: 'hash:net', revision: 7, members: [pool], references: 1 });
  }
  return out;
}

function show(n: NodeContext, s: IpSet): string {
  const initval = `0x${stableHex(`${n.name}/${s.name}`, 8)}`;
  return `Name: ${s.name}\nType: ${s.type}\nRevision: ${s.revision}\nHeader: family inet hashsize 1024 maxelem 65536 bucketsize 12 initval ${initval}\n` +
    `Size in memory: ${504 + s.members.length * 32}\nReferences: ${s.references}\nNumber of entries: ${s.members.length}\nMembers:\n${s.members.map((m) => `${m}\n`).join('')}`;
}

export const ipset: ShellCommand = (ctx, argv) => {
  const n = onNode(ctx, 'ipset');
  if (isResult(n)) return n;
  const [verb, name] = argv.slice(1).filter((a) => !a.startsWith('-'));
  if (verb !== 'list' && verb !== 'save' && verb !== '-L') return fail(`ipset v7.15: only "ipset list [SETNAME]" is available here\n`);
  if (!n.root) return fail('ipset v7.15: Kernel error received: Operation not permitted\n');
  const all = sets(n);
  if (name !== undefined) {
    const one = all.find((s) => s.name === name);
    return one ? ok(show(n, one)) : fail(`ipset v7.15: The set with the given name does not exist\n`);
  }
  return ok(all.map((s) => show(n, s)).join('\n'));
};
