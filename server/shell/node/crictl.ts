// `crictl` against the node's containerd: the containers and sandboxes of the pods bound to
// this node (ps, pods, images, logs, inspect). IDs are derived from the pods' container IDs.
import { containerLogs } from '../../cluster/logs.js';
import { containerUsage } from '../../cluster/metrics.js';
import type { ClusterState, ContainerStatus, Node, Pod } from '../../cluster/types.js';
import { tabwrite } from '../kubectl/table.js';
import type { CommandResult, ShellCommand } from '../types.js';
import { compileRe2 } from '../text/regex.js';
import { fail, ok } from '../types.js';
import { isResult, lineCount, onNode, stableHex, stableInt, type NodeContext } from './common.js';

/** crictl's tabwriter: minwidth 20, padding 3. */
const CRICTL_WRITER = { minwidth: 20, padding: 3 };
const VERBS = ['version', 'ps', 'pods', 'images', 'image', 'img', 'logs', 'inspect', 'stats'];
const SOCKET = 'unix:///run/containerd/containerd.sock';

interface Container {
  id: string;
  pod: Pod;
  name: string;
  image: string;
  state: 'Running' | 'Exited';
  attempt: number;
  createdAt: number;
  finishedAt?: number;
  exitCode?: number;
  previous: boolean;
}

/** go-units HumanDuration, as crictl's CREATED column prints it (plus " ago"). */
export function humanAgo(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const minutes = Math.floor(seconds / 60);
  const hours = Math.round(ms / 3_600_000);
  let text: string;
  if (seconds < 1) text = 'Less than a second';
  else if (seconds === 1) text = '1 second';
  else if (seconds < 60) text = `${seconds} seconds`;
  else if (minutes === 1) text = 'About a minute';
  else if (minutes < 60) text = `${minutes} minutes`;
  else if (hours === 1) text = 'About an hour';
  else if (hours < 48) text = `${hours} hours`;
  else if (hours < 24 * 7 * 2) text = `${Math.floor(hours / 24)} days`;
  else if (hours < 24 * 30 * 2) text = `${Math.floor(hours / 24 / 7)} weeks`;
  else if (hours < 24 * 365 * 2) text = `${Math.floor(hours / 24 / 30)} months`;
  else text = `${Math.floor(ms / 3_600_000 / 24 / 365)} years`;
  return `${text} ago`;
}

/** The pod sandbox's id, as crictl and the CRI streaming server name it. */
export const podId = (pod: Pod): string => stableHex(`sandbox/${pod.metadata.uid}`, 64);
const imageId = (image: string): string => stableHex(`image/${image}`, 64);

function containersOf(n: NodeContext): Container[] {
  const out: Container[] = [];
  const pods = Object.values(n.state.pods).filter((p) => p.spec.nodeName === n.name);
  for (const pod of pods) {
    for (const cs of pod.status.containerStatuses) {
      const id = cs.containerID.replace(/^[a-z]+:\/\//, '') || stableHex(`${pod.metadata.uid}/${cs.name}/${cs.restartCount}`, 64);
      const base = { pod, name: cs.name, image: cs.image };
      if (cs.state.kind === 'running') out.push({ ...base, id, state: 'Running', attempt: cs.restartCount, createdAt: cs.state.startedAt, previous: false });
      if (cs.state.kind === 'terminated') {
        out.push({ ...base, id, state: 'Exited', attempt: cs.restartCount, createdAt: cs.state.startedAt, finishedAt: cs.state.finishedAt, exitCode: cs.state.exitCode, previous: false });
      }
      const last = lastExited(cs);
      if (last) {
        const attempt = cs.state.kind === 'waiting' ? cs.restartCount : cs.restartCount - 1;
        out.push({ ...base, id: stableHex(`${id}/attempt${attempt}`, 64), state: 'Exited', attempt, createdAt: last.startedAt, finishedAt: last.finishedAt, exitCode: last.exitCode, previous: true });
      }
    }
  }
  return out.sort((a, b) => b.createdAt - a.createdAt);
}

function lastExited(cs: ContainerStatus): { startedAt: number; finishedAt: number; exitCode: number } | undefined {
  const l = cs.lastState;
  return l?.kind === 'terminated' ? l : undefined;
}

/** crictl must reach containerd's socket: root only, and containerd must run. */
function runtime(n: NodeContext): CommandResult | undefined {
  const why = !n.root ? 'permission denied' : n.node.host.units.containerd?.active === false ? 'no such file or directory' : undefined;
  if (!why) return undefined;
  return fail(`FATA[0000] validate service connection: validate CRI v1 runtime API for endpoint "${SOCKET}": rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial unix /run/containerd/containerd.sock: connect: ${why}"\n`);
}

function flagValue(args: string[], names: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    for (const name of names) {
      if (args[i] === name) return args[i + 1];
      if (args[i]!.startsWith(`${name}=`)) return args[i]!.slice(name.length + 1);
    }
  }
  return undefined;
}

function findContainer(n: NodeContext, id: string): Container | CommandResult {
  const c = id.length > 0 ? containersOf(n).find((x) => x.id.startsWith(id)) : undefined;
  return c ?? fail(`FATA[0000] rpc error: code = NotFound desc = an error occurred when try to find container "${id}": not found\n`);
}

export const crictl: ShellCommand = (ctx, argv) => {
  const n = onNode(ctx, 'crictl');
  if (isResult(n)) return n;
  const args = argv.slice(1);
  const verb = args.find((a) => !a.startsWith('-'));
  if (verb === undefined || verb === 'help' || args.includes('--help') || args.includes('-h')) return ok(HELP);
  if (!VERBS.includes(verb)) return fail(`No help topic for '${verb}'\n`);
  const denied = runtime(n);
  if (denied) return denied;
  const rest = args.slice(args.indexOf(verb) + 1);
  switch (verb) {
    case 'version': return ok(`Version:  0.1.0\nRuntimeName:  containerd\nRuntimeVersion:  v1.7.13\nRuntimeApiVersion:  v1\n`);
    case 'ps': return ps(n, rest);
    case 'pods': return pods(n, rest);
    case 'images':
    case 'image':
    case 'img': return images(n);
    case 'logs': return logs(n, rest);
    case 'stats': return stats(n, rest);
    default: return inspect(n, rest);
  }
};

function ps(n: NodeContext, args: string[]): CommandResult {
  const all = args.includes('-a') || args.includes('--all');
  const quiet = args.includes('-q') || args.includes('--quiet');
  const name = flagValue(args, ['--name']);
  const pod = flagValue(args, ['--pod', '-p']);
  const state = flagValue(args, ['--state', '-s'])?.toLowerCase();
  let list = containersOf(n).filter((c) => all || state !== undefined || c.state === 'Running');
  if (name !== undefined) {
    const re = compileRe2(name);
    if (!re) return fail(`FATA[0000] listing containers: error parsing regexp: ${name}\n`);
    list = list.filter((c) => re.test(c.name));
  }
  if (pod !== undefined) list = list.filter((c) => podId(c.pod).startsWith(pod));
  if (state !== undefined) list = list.filter((c) => c.state.toLowerCase() === state);
  if (quiet) return ok(list.map((c) => `${c.id}\n`).join(''));
  const rows = list.map((c) => [
    c.id.slice(0, 13), imageId(c.image).slice(0, 13), humanAgo(n.state.now - c.createdAt), c.state, c.name, String(c.attempt), podId(c.pod).slice(0, 13), c.pod.metadata.name,
  ]);
  const header = ['CONTAINER', 'IMAGE', 'CREATED', 'STATE', 'NAME', 'ATTEMPT', 'POD ID', 'POD'];
  return ok(tabwrite([header, ...rows].map((r) => r.join('\t')).join('\n') + '\n', CRICTL_WRITER));
}

/** go-units HumanSize: decimal units, 4 significant digits (`%.4g`), as crictl stats prints MEM and DISK. */
function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
  let size = bytes;
  let i = 0;
  while (size >= 1000 && i < units.length - 1) {
    size /= 1000;
    i++;
  }
  return `${Number(size.toPrecision(4))}${units[i]}`;
}

/**
 * `crictl stats [-a] [ID]` (cri-tools cmd/crictl/stats.go, v1.29): two samples a second apart
 * (the simulated second passes), sorted by container ID; CPU % of one core and the working set
 * from what metrics-server reports (containerUsage), the writable layer's bytes and inodes.
 * A container that does not run has no CPU or memory and shows with -a only.
 */
function stats(n: NodeContext, args: string[]): CommandResult {
  const all = args.includes('-a') || args.includes('--all');
  const id = args.find((a) => !a.startsWith('-'));
  const list = containersOf(n).filter((c) => !c.previous && (id === undefined || c.id.startsWith(id))).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  n.ctx.passTime?.(1000);
  const rows: string[][] = [];
  for (const c of list) {
    const usage = c.state === 'Running' ? containerUsage(c.pod, c.name) : undefined;
    if (!usage && !all) continue;
    const disk = usage ? stableInt(`layer/${c.id}`, 4, 160) * 4096 : 0;
    const inodes = usage ? stableInt(`inodes/${c.id}`, 3, 40) : 0;
    rows.push([c.id.slice(0, 13), c.name, ((usage?.cpu ?? 0) / 10).toFixed(2), humanSize(usage?.memory ?? 0), humanSize(disk), String(inodes)]);
  }
  return ok(tabwrite([['CONTAINER', 'NAME', 'CPU %', 'MEM', 'DISK', 'INODES'], ...rows].map((r) => r.join('\t')).join('\n') + '\n', CRICTL_WRITER));
}

function pods(n: NodeContext, args: string[]): CommandResult {
  const name = flagValue(args, ['--name']);
  const list = Object.values(n.state.pods)
    .filter((p) => p.spec.nodeName === n.name && (name === undefined || p.metadata.name.includes(name)))
    .sort((a, b) => b.metadata.creationTimestamp - a.metadata.creationTimestamp);
  if (args.includes('-q') || args.includes('--quiet')) return ok(list.map((p) => `${podId(p)}\n`).join(''));
  const rows = list.map((p) => {
    const ready = p.metadata.deletionTimestamp === undefined && p.status.phase !== 'Succeeded' && p.status.phase !== 'Failed';
    return [podId(p).slice(0, 13), humanAgo(n.state.now - (p.status.startTime ?? p.metadata.creationTimestamp)), ready ? 'Ready' : 'NotReady', p.metadata.name, p.metadata.namespace ?? '', '0', '(default)'];
  });
  const header = ['POD ID', 'CREATED', 'STATE', 'NAME', 'NAMESPACE', 'ATTEMPT', 'RUNTIME'];
  return ok(tabwrite([header, ...rows].map((r) => r.join('\t')).join('\n') + '\n', CRICTL_WRITER));
}

/** The images containerd holds on a node (pulled ones and those its pods run, and the pause image), sorted, with their size in MB. */
export function nodeImages(state: ClusterState, node: Node): { image: string; id: string; mb: number }[] {
  const names = new Set(node.host.images);
  for (const p of Object.values(state.pods)) if (p.spec.nodeName === node.metadata.name) for (const c of p.spec.containers) names.add(c.image);
  names.add('registry.k8s.io/pause:3.9');
  return [...names].sort().map((image) => ({ image, id: imageId(image), mb: stableInt(image, 3, 160) + stableInt(`${image}.`, 0, 9) / 10 }));
}

function images(n: NodeContext): CommandResult {
  const rows = nodeImages(n.state, n.node).map(({ image, id, mb }) => {
    const at = image.lastIndexOf(':');
    const slash = image.lastIndexOf('/');
    const [repo, tag] = at > slash ? [image.slice(0, at), image.slice(at + 1)] : [image, 'latest'];
    const fullRepo = repo.includes('/') && repo.split('/')[0]!.includes('.') ? repo : `docker.io/${repo.includes('/') ? repo : `library/${repo}`}`;
    return [fullRepo, tag, id.slice(0, 13), `${mb.toFixed(1)}MB`];
  });
  return ok(tabwrite([['IMAGE', 'TAG', 'IMAGE ID', 'SIZE'], ...rows].map((r) => r.join('\t')).join('\n') + '\n', CRICTL_WRITER));
}

function logs(n: NodeContext, args: string[]): CommandResult {
  let tail: number | undefined;
  let id: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const count = lineCount(args[i]!, args[i + 1]);
    if (count) {
      tail = count.count;
      i += count.used - 1;
    } else if (!args[i]!.startsWith('-')) id = args[i];
  }
  if (id === undefined) return fail('FATA[0000] ID cannot be empty\n');
  const c = findContainer(n, id);
  if ('stdout' in c) return c;
  let lines = containerLogs(n.state, c.pod, c.name, c.previous);
  if (tail !== undefined && tail >= 0) lines = tail === 0 ? [] : lines.slice(-tail);
  return ok(lines.map((l) => `${l.text}\n`).join(''));
}

function inspect(n: NodeContext, args: string[]): CommandResult {
  const id = args.find((a) => !a.startsWith('-'));
  if (id === undefined) return fail('FATA[0000] ID cannot be empty\n');
  const c = findContainer(n, id);
  if ('stdout' in c) return c;
  const iso = (at: number | undefined): string => (at === undefined ? '0001-01-01T00:00:00Z' : new Date(n.state.epoch + at).toISOString().replace('.000Z', 'Z'));
  const ns = c.pod.metadata.namespace ?? 'default';
  const doc = {
    status: {
      id: c.id,
      metadata: { attempt: c.attempt, name: c.name },
      state: c.state === 'Running' ? 'CONTAINER_RUNNING' : 'CONTAINER_EXITED',
      createdAt: iso(c.createdAt),
      startedAt: iso(c.createdAt),
      finishedAt: iso(c.finishedAt),
      exitCode: c.exitCode ?? 0,
      image: { image: c.image },
      imageRef: `sha256:${imageId(c.image)}`,
      reason: c.state === 'Exited' ? (c.exitCode === 137 ? 'OOMKilled' : c.exitCode === 0 ? 'Completed' : 'Error') : '',
      labels: {
        'io.kubernetes.container.name': c.name,
        'io.kubernetes.pod.name': c.pod.metadata.name,
        'io.kubernetes.pod.namespace': ns,
        'io.kubernetes.pod.uid': c.pod.metadata.uid,
      },
      logPath: `/var/log/pods/${ns}_${c.pod.metadata.name}_${c.pod.metadata.uid}/${c.name}/${c.attempt}.log`,
    },
    info: { sandboxID: podId(c.pod), pid: c.state === 'Running' ? stableInt(c.id, 1000, 60000) : 0 },
  };
  return ok(`${JSON.stringify(doc, null, 2)}\n`);
}

const HELP = `NAME:
   crictl - client for CRI

USAGE:
   crictl [global options] command [command options] [arguments...]

VERSION:
   v1.29.0

COMMANDS:
   images, image, img  List images
   inspect             Display the status of one or more containers
   logs                Fetch the logs of a container
   pods                List pods
   ps                  List containers
   stats               List container(s) resource usage statistics
   version             Display runtime version information
   help, h             Shows a list of commands or help for one command

GLOBAL OPTIONS:
   --runtime-endpoint value, -r value  Endpoint of CRI container runtime service (default: uses in order the first successful one of [unix:///var/run/dockershim.sock unix:///run/containerd/containerd.sock unix:///run/crio/crio.sock unix:///var/run/cri-dockerd.sock]). Default is now deprecated and the endpoint should be set instead. [$CONTAINER_RUNTIME_ENDPOINT]
   --help, -h                          show help
`;
