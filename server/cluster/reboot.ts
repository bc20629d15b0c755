// A node reboot (`sudo reboot` on the node): systemd stops every unit, the kernel ends every
// process, boots, turns on the swap areas /etc/fstab lists, and the units start again (and may
// fail again: a reboot repairs nothing that lives on disk) — except a masked one, which stays down. The
// containers the kubelet ran are gone: each shows as terminated (exit 255, reason Unknown,
// what the kubelet reports for a container lost with its sandbox) until a working kubelet
// starts it again. Nothing in the API changes by itself: a fault that needs fixing in an
// object, a file or a masked unit survives the reboot.
import { noteLocalChange } from './api.js';
import { fstabSwaps, kernelBanner, setUnitActive, swapOn } from './host.js';
import { appendLog } from './logs.js';
import { randomInt } from './rng.js';
import type { ClusterState } from './types.js';

export function rebootNode(state: ClusterState, nodeName: string): boolean {
  const node = state.nodes[nodeName];
  if (!node) return false;
  for (const unit of Object.keys(node.host.units)) setUnitActive(state, nodeName, unit, false);
  appendLog(node.host.syslog, { at: state.now, text: 'systemd-logind[612]: The system will reboot now!' });
  for (const pod of Object.values(state.pods)) {
    if (pod.spec.nodeName !== nodeName) continue;
    for (const cs of pod.status.containerStatuses) {
      if (cs.state.kind !== 'running') continue;
      cs.state = { kind: 'terminated', reason: 'Unknown', exitCode: 255, startedAt: cs.state.startedAt, finishedAt: state.now };
      cs.ready = false;
      cs.started = false;
    }
    noteLocalChange(state, 'Pod', pod);
  }
  const host = node.host;
  appendLog(host.syslog, { at: state.now, text: kernelBanner(node.status.nodeInfo.kernelVersion) });
  host.swaps = [];
  for (const path of fstabSwaps(host)) {
    if (swapOn(host, path) !== undefined) continue;
    const area = host.swaps.at(-1)!;
    appendLog(host.syslog, { at: state.now, text: `kernel: [    4.${String(randomInt(state.rng, 100000, 999999))}] Adding ${area.sizeKiB}k swap on ${path}.  Priority:${area.priority} extents:1 across:${area.sizeKiB}k SS` });
  }
  // Boot: containerd first, then the kubelet (a masked unit is not started).
  for (const unit of ['containerd', ...Object.keys(node.host.units).filter((u) => u !== 'containerd')]) {
    if (node.host.units[unit]) setUnitActive(state, nodeName, unit, true);
  }
  return true;
}
