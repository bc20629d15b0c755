// Why a node daemon's process exits as soon as systemd starts it, read from the host's own
// state (never from a scenario flag), so fixing the state is what fixes the unit:
//   kubelet     the container runtime is not running (CRI validation fails), or swap is on
//               while the kubelet config keeps failSwapOn (kubelet refuses to start)
//   containerd  /etc/containerd/config.toml does not parse (a table defined twice)
// The messages are the real tools' (kubelet v1.29 cmd/kubelet/app, containerd v1.7
// services/server/config via pelletier/go-toml v1).
import type { NodeHost, SwapArea } from './types.js';

export const KUBELET_CONFIG = '/var/lib/kubelet/config.yaml';
export const CONTAINERD_CONFIG = '/etc/containerd/config.toml';
const CRI_ENDPOINT = 'unix:///var/run/containerd/containerd.sock';

/** /proc/swaps as the kernel prints it (mm/swapfile.c swap_show). */
export function procSwaps(swaps: readonly SwapArea[]): string {
  const rows = swaps.map((s) => {
    const pad = s.path.length < 40 ? 40 - s.path.length : 1;
    const type = s.type === 'file' ? 'file\t' : 'partition';
    return `${s.path}${' '.repeat(pad)}${type}\t${s.sizeKiB}\t${s.sizeKiB < 10_000_000 ? '\t' : ''}${s.usedKiB}\t${s.usedKiB < 10_000_000 ? '\t' : ''}${s.priority}\n`;
  });
  return `Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n${rows.join('')}`;
}

/** klog quotes a structured value the way Go's %q does: tabs and quotes escaped. */
const goQuote = (s: string): string => JSON.stringify(s);

/** The first table header that appears twice in a TOML text, with go-toml's position (line, column of the key). */
export function duplicateTomlTable(text: string): { line: number; col: number } | undefined {
  const seen = new Set<string>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*)\[([^\][]+)\]\s*(#.*)?$/.exec(lines[i]!);
    if (!m) continue;
    const key = m[2]!.trim().replace(/\s*\.\s*/g, '.');
    if (seen.has(key)) return { line: i + 1, col: m[1]!.length + 2 };
    seen.add(key);
  }
  return undefined;
}

/** The kubelet config keeps the default failSwapOn: true unless it says false. */
const failsOnSwap = (host: NodeHost): boolean => !/^failSwapOn:\s*false\s*$/m.test(host.files[KUBELET_CONFIG] ?? '');

/**
 * What the unit's process prints before it exits at start-up, or undefined if it starts.
 * Kubelet lines are klog bodies ("source] message"); containerd's is its plain stderr line.
 */
export function unitStartError(host: NodeHost, unit: string): { klog: boolean; lines: string[] } | undefined {
  if (unit === 'kubelet') {
    if (host.units.containerd && !host.units.containerd.active) {
      const sock = CRI_ENDPOINT.replace('unix://', '');
      const err = `failed to run Kubelet: validate service connection: validate CRI v1 runtime API for endpoint "${CRI_ENDPOINT}": rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial unix ${sock}: connect: no such file or directory"`;
      return { klog: true, lines: [`run.go:74] "command failed" err=${goQuote(err)}`] };
    }
    const swaps = host.swaps ?? [];
    if (swaps.length > 0 && failsOnSwap(host)) {
      const contained = procSwaps(swaps).trimEnd().split('\n').join(' ');
      const err = `failed to run Kubelet: running with swap on is not supported, please disable swap! or set --fail-swap-on flag to false. /proc/swaps contained: [${contained}]`;
      return { klog: true, lines: [`run.go:74] "command failed" err=${goQuote(err)}`] };
    }
  }
  if (unit === 'containerd') {
    const text = host.files[CONTAINERD_CONFIG];
    const dup = text === undefined ? undefined : duplicateTomlTable(text);
    if (dup) return { klog: false, lines: [`containerd: failed to load TOML: ${CONTAINERD_CONFIG}: (${dup.line}, ${dup.col}): duplicated tables`] };
  }
  return undefined;
}

/** systemd's RestartSec for the unit (kubeadm's kubelet.service: 10 s; containerd.service: 5 s). */
export const RESTART_SEC: Record<string, number> = { kubelet: 10, containerd: 5 };
