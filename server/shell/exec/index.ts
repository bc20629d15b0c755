// Programs inside a container for `kubectl exec POD [-c C] -- PROGRAM ARGS…`. What an
// image contains matters (nginx has curl but no nslookup; busybox has nslookup and wget;
// CoreDNS has nothing but /coredns), and a missing program fails like containerd does.
import { registerProcessRunner } from '../../cluster/processes.js';
import { containerFiles } from '../../cluster/container-layer.js';
import { anyContainerSpec, anyContainerStatus, endContainerProcess } from '../../cluster/ephemeral.js';
import { randomHex } from '../../cluster/rng.js';
import type { ClusterState, Pod } from '../../cluster/types.js';
import { renderResolvConf, resolveName } from '../../cluster/network/dns.js';
import { podAnswers, podByIP, serviceByClusterIP } from '../../cluster/network/services.js';
import { enterPlace, MAX_NESTED_SHELLS } from '../login.js';
import { needsMoreInput, parseLine } from '../parse.js';
import type { ProgramResult, ShellProgram } from '../program.js';
import { tagLines } from '../reveals.js';
import { forkSession, imageDistro, newSession } from '../session.js';
import { shellEntry } from '../entry.js';
import { factKey, type Fact, type FactInterest } from '../../cluster/facts.js';
import type { CommandContext, CommandResult, ContainerShell, ShellSession } from '../types.js';
import { dig, getent, host, nslookup, type Flavor, type Timed } from './dns-tools.js';
import { POD_TOOLS as NET_TOOLS, type PodTool } from './net-tools.js';
import { tar } from './tar.js';
import { curl, wget } from './http-tools.js';
import { etcdctl } from '../node/etcdctl.js';
import { commandLine, inContainerShell, runAsProcess } from './process.js';
import { durationMs } from '../builtins.js';
import { MAX_SLEEP_PER_LINE_MS } from '../limits.js';
import { STEPS_PER_NODE_TOOL, type LineBudget } from '../budget.js';

type Program = (state: ClusterState, pod: Pod, container: string, argv: string[]) => Timed;

/** The programs that read the session (stdin, the container's files): the network tools and tar. */
const POD_TOOLS: Record<string, PodTool> = { ...NET_TOOLS, tar };

const BASE = ['sh', 'cat', 'env', 'hostname', 'ls', 'echo', 'true', 'false', 'tar', 'test', 'sleep'];

/** What an image holds: the programs on its $PATH and the nslookup flavour it ships. */
interface Toolbox {
  tools: Set<string>;
  flavor: Flavor;
}

// A few fixed toolboxes (not one per image string: images are typed by players).
const NOTHING: Toolbox = { tools: new Set(), flavor: 'busybox' };
const DNS_IMAGE: Toolbox = { tools: new Set([...BASE, 'bash', 'nslookup', 'dig', 'host', 'getent', 'curl', 'wget', 'ping', 'ip']), flavor: 'bind' };
/** nicolaka/netshoot (Alpine): bind-tools, curl, iproute2's ip and ss, tcpdump, netcat-openbsd, busybox's netstat, traceroute and wget. */
const NETSHOOT: Toolbox = { tools: new Set([...DNS_IMAGE.tools, 'ss', 'netstat', 'tcpdump', 'nc', 'traceroute']), flavor: 'bind' };
const WEB_SERVER: Toolbox = { tools: new Set([...BASE, 'bash', 'curl', 'getent']), flavor: 'bind' };
const CURL_IMAGE: Toolbox = { tools: new Set([...BASE, 'curl']), flavor: 'busybox' };
const BUSYBOX: Toolbox = { tools: new Set([...BASE, 'nslookup', 'wget', 'ping', 'ip', 'ifconfig', 'curl', 'chroot', 'netstat', 'traceroute']), flavor: 'busybox' };

const ETCD_IMAGE = /\/etcd:/i;

function toolbox(image: string): Toolbox {
  const i = image.toLowerCase();
  // Distroless: CoreDNS, pause, and since v1.29 / etcd 3.5 the control plane's own images.
  if (i.includes('coredns') || i.includes('distroless') || i.includes('pause') || /\/(etcd|kube-apiserver|kube-controller-manager|kube-scheduler):/.test(i)) return NOTHING;
  if (i.includes('netshoot')) return NETSHOOT;
  if (i.includes('dnsutils') || i.includes('jessie-dnsutils') || i.includes('ubuntu') || i.includes('debian')) return DNS_IMAGE;
  if (i.includes('nginx') || i.includes('httpd')) return WEB_SERVER;
  if (i.includes('curl')) return CURL_IMAGE;
  // busybox, alpine and most small app images: busybox applets.
  return BUSYBOX;
}

const out = (stdout: string, exitCode = 0): CommandResult => ({ stdout, stderr: '', exitCode });
const err = (stderr: string, exitCode = 1): CommandResult => ({ stdout: '', stderr, exitCode });

function hostsFile(pod: Pod): string {
  const lines = ['# Kubernetes-managed hosts file.', '127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback', 'fe00::0\tip6-localnet', 'fe00::0\tip6-mcastprefix', 'fe00::1\tip6-allnodes', 'fe00::2\tip6-allrouters'];
  if (pod.status.podIP && !pod.spec.hostNetwork) lines.push(`${pod.status.podIP}\t${pod.metadata.name}`);
  return `${lines.join('\n')}\n`;
}

/** The files kubelet mounts into every container. */
export function podFiles(state: ClusterState, pod: Pod): Record<string, string> {
  return { '/etc/resolv.conf': renderResolvConf(state, pod), '/etc/hosts': hostsFile(pod), '/etc/hostname': `${pod.metadata.name}\n` };
}

function cat(state: ClusterState, pod: Pod, container: string, argv: string[]): CommandResult {
  let stdout = '';
  let stderr = '';
  const files = { ...podFiles(state, pod), ...containerFiles(state, pod, container) };
  for (const path of argv.slice(1)) {
    if (files[path] !== undefined) stdout += files[path];
    else stderr += `cat: ${path}: No such file or directory\n`;
  }
  return { stdout, stderr, exitCode: stderr ? 1 : 0 };
}

/** Docker-link style variables kubelet injects for the services of the pod's namespace. */
function serviceEnv(state: ClusterState, ns: string): string[] {
  const lines: string[] = [];
  for (const key of Object.keys(state.services).sort()) {
    const svc = state.services[key]!;
    if (svc.metadata.namespace !== ns && !(key === 'default/kubernetes')) continue;
    if (svc.spec.clusterIP === 'None') continue;
    const name = svc.metadata.name.toUpperCase().replaceAll('-', '_');
    const first = svc.spec.ports[0];
    if (!first) continue;
    lines.push(`${name}_SERVICE_HOST=${svc.spec.clusterIP}`, `${name}_SERVICE_PORT=${first.port}`);
    for (const p of svc.spec.ports) if (p.name) lines.push(`${name}_SERVICE_PORT_${p.name.toUpperCase().replaceAll('-', '_')}=${p.port}`);
    lines.push(`${name}_PORT=${first.protocol.toLowerCase()}://${svc.spec.clusterIP}:${first.port}`);
    for (const p of svc.spec.ports) {
      const pre = `${name}_PORT_${p.port}_${p.protocol}`;
      lines.push(`${pre}=${p.protocol.toLowerCase()}://${svc.spec.clusterIP}:${p.port}`, `${pre}_PROTO=${p.protocol.toLowerCase()}`, `${pre}_PORT=${p.port}`, `${pre}_ADDR=${svc.spec.clusterIP}`);
    }
  }
  return lines;
}

function env(state: ClusterState, pod: Pod, container: string): CommandResult {
  const spec = pod.spec.containers.find((c) => c.name === container);
  const lines = ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', `HOSTNAME=${pod.metadata.name}`];
  for (const e of spec?.env ?? []) lines.push(`${e.name}=${e.value}`);
  lines.push(...serviceEnv(state, pod.metadata.namespace ?? 'default'));
  const nginx = /nginx:(\d+\.\d+\.\d+)/.exec(spec?.image ?? '');
  if (nginx) lines.push(`NGINX_VERSION=${nginx[1]}`, 'NJS_VERSION=0.8.2', 'PKG_RELEASE=1~bookworm');
  lines.push('HOME=/root');
  return out(`${lines.join('\n')}\n`);
}

/** A stable MAC-looking address for an interface. */
function mac(seed: string): string {
  let h = 7;
  for (const ch of seed) h = (h * 131 + ch.charCodeAt(0)) >>> 0;
  const bytes = [0x0a | ((h >>> 24) & 0xf0), (h >>> 16) & 255, (h >>> 8) & 255, h & 255, (h >>> 4) & 255, (h >>> 12) & 255];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/**
 * The pod's gateway: Calico and the AWS VPC CNI give a /32 and a link-local next hop answered
 * by proxy ARP on the host's veth (Calico's MAC ee:ee:ee:ee:ee:ee); bridge CNIs a /24 through
 * the bridge's first address.
 */
function podGateway(state: ClusterState, pod: Pod): { gw: string; prefix: number; link: boolean; mac: string } {
  const cni = state.network.cni.name;
  if (cni === 'aws-node' || cni === 'calico') return { gw: '169.254.1.1', prefix: 32, link: true, mac: cni === 'calico' ? 'ee:ee:ee:ee:ee:ee' : mac(`veth/${pod.metadata.uid}`) };
  const o = (pod.status.podIP ?? '0.0.0.0').split('.');
  return { gw: `${o[0]}.${o[1]}.${o[2]}.1`, prefix: 24, link: false, mac: mac(`bridge/${pod.spec.nodeName ?? ''}`) };
}

function ipAddr(state: ClusterState, pod: Pod, _c: string, argv: string[]): CommandResult {
  const args = argv.slice(1).filter((a) => a !== '-4');
  const sub = args[0] ?? 'addr';
  if (pod.spec.hostNetwork) return err('ip: host-network pods share the node\'s interfaces; ssh to the node\n');
  const ip = pod.status.podIP ?? '';
  const { gw, prefix, link, mac: gwMac } = podGateway(state, pod);
  const net = `${ip.split('.').slice(0, 3).join('.')}.0/24`;
  if (['route', 'r', 'ro', 'rou'].includes(sub)) {
    if (args[1] === 'get' && args[2]) {
      const target = args[2];
      const local = !link && target.split('.').slice(0, 3).join('.') === ip.split('.').slice(0, 3).join('.');
      return out(`${target} ${local ? '' : `via ${gw} `}dev eth0 src ${ip} uid 0 \n    cache \n`);
    }
    return out(link ? `default via ${gw} dev eth0 \n${gw} dev eth0 scope link \n` : `default via ${gw} dev eth0 \n${net} dev eth0 proto kernel scope link src ${ip} \n`);
  }
  // The gateway's entry once the pod has sent anything (the kubelet's probes and its DNS make sure of that).
  if (['neigh', 'neighbor', 'neighbour', 'n'].includes(sub)) return out(`${gw} dev eth0 lladdr ${gwMac} STALE\n`);
  if (!['addr', 'a', 'address'].includes(sub)) return err(`Object "${sub}" is unknown, try "ip help".\n`);
  const ifindex = 3 + (Number(ip.split('.')[3] ?? 0) % 50);
  const text = [
    '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000',
    '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00',
    '    inet 127.0.0.1/8 scope host lo',
    '       valid_lft forever preferred_lft forever',
    `3: eth0@if${ifindex}: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 9001 qdisc noqueue state UP group default `,
    `    link/ether ${mac(pod.metadata.uid)} brd ff:ff:ff:ff:ff:ff link-netnsid 0`,
    `    inet ${ip}/${prefix} scope global eth0`,
    '       valid_lft forever preferred_lft forever',
  ];
  return out(`${text.join('\n')}\n`);
}

/** busybox ping: pod and node IPs answer, service VIPs never do (only kube-proxy's NAT knows them). */
function ping(state: ClusterState, pod: Pod, _c: string, argv: string[]): CommandResult {
  const cIdx = argv.indexOf('-c');
  const count = cIdx >= 0 ? Math.max(1, Math.min(10, Number(argv[cIdx + 1]) || 4)) : 4;
  const target = argv.slice(1).filter((a, i, all) => !a.startsWith('-') && all[i - 1] !== '-c')[0];
  if (!target) return err('BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: ping [OPTIONS] HOST\n');
  let ip = target;
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(target)) {
    const r = resolveName(state, pod, target, 'A');
    if (r.kind !== 'answer') return err(`ping: bad address '${target}'\n`);
    ip = r.records[0]!.data;
  }
  const answers = !serviceByClusterIP(state, ip) && (podAnswers(podByIP(state, ip)) || Object.values(state.nodes).some((n) => n.status.addresses.some((a) => a.address === ip)) || Object.values(state.network.externalDNS).includes(ip));
  const lines = [`PING ${target} (${ip}): 56 data bytes`];
  const times: number[] = [];
  if (answers) {
    for (let i = 0; i < count; i++) {
      const t = 0.3 + ((ip.length * 37 + i * 53) % 200) / 1000;
      times.push(t);
      lines.push(`64 bytes from ${ip}: seq=${i} ttl=${ip.startsWith('10.') ? 62 : 52} time=${t.toFixed(3)} ms`);
    }
  }
  lines.push('', `--- ${target} ping statistics ---`, `${count} packets transmitted, ${times.length} packets received, ${answers ? 0 : 100}% packet loss`);
  if (answers) lines.push(`round-trip min/avg/max = ${Math.min(...times).toFixed(3)}/${(times.reduce((a, b) => a + b, 0) / times.length).toFixed(3)}/${Math.max(...times).toFixed(3)} ms`);
  return { stdout: `${lines.join('\n')}\n`, stderr: '', exitCode: answers ? 0 : 1 };
}

/**
 * `sleep N` / `sleep infinity` (coreutils and busybox both read it): as `kubectl exec` the
 * time passes; as a container's command (`kubectl run ns --image=nicolaka/netshoot -- sleep
 * infinity`, the usual way to keep a debug pod up) the container runs that long.
 */
function containerSleep(_s: ClusterState, _p: Pod, _c: string, argv: string[]): Timed & { runsMs?: number } {
  const args = argv.slice(1);
  if (args.length === 0) return err("sleep: missing operand\nTry 'sleep --help' for more information.\n");
  const ms = args.length === 1 && /^inf(inity)?$/i.test(args[0]!) ? Infinity : durationMs(args);
  if (typeof ms !== 'number') return err(`sleep: invalid time interval '${ms.bad}'\nTry 'sleep --help' for more information.\n`);
  return { stdout: '', stderr: '', exitCode: 0, elapsedMs: Math.min(ms, MAX_SLEEP_PER_LINE_MS), runsMs: ms };
}

/** Tools whose output is a name lookup's answer (facts of source `dns`); the rest are requests (`traffic`). */
const DNS_TOOLS = new Set(['nslookup', 'dig', 'host', 'getent', 'cat']);

const PROGRAMS: Record<string, Program> = {
  cat,
  env: (s, p, c) => env(s, p, c),
  hostname: (_s, p) => out(`${p.metadata.name}\n`),
  echo: (_s, _p, _c, argv) => out(`${argv.slice(1).join(' ')}\n`),
  true: () => out(''),
  sleep: containerSleep,
  false: () => out('', 1),
  nslookup: (s, p, c, argv) => nslookup(s, p, argv, toolbox(imageOf(p, c)).flavor),
  dig: (s, p, _c, argv) => dig(s, p, argv),
  host: (s, p, _c, argv) => host(s, p, argv),
  getent: (s, p, _c, argv) => getent(s, p, argv),
  curl: (s, p, _c, argv) => curl(s, p, argv),
  wget: (s, p, _c, argv) => wget(s, p, argv),
  ping,
  ip: ipAddr,
  ifconfig: (s, p, c) => ipAddr(s, p, c, ['ip', 'addr']),
};

/** Whether the container's image has the program on its $PATH (`tar` for kubectl cp). */
export function imageHas(pod: Pod, container: string, program: string): boolean {
  return toolbox(imageOf(pod, container)).tools.has(program);
}

export function imageOf(pod: Pod, container: string): string {
  return anyContainerSpec(pod, container)?.image ?? '';
}

/** `sh -c "…"`: the first simple command of the script, with $VAR from the container env. */
function shellScript(script: string): string[] | undefined {
  const parsed = parseLine(script);
  if (!parsed.ok) return undefined;
  const cmd = parsed.list[0]?.first.commands[0];
  if (cmd?.kind !== 'simple') return undefined;
  return cmd.words.map((w) => w.parts.map((p) => (p.kind === 'lit' ? p.text : '')).join(''));
}

/** The apiserver's InternalError message when the runtime cannot start `program` in the container (runc's exec error). */
export function notFoundMessage(state: ClusterState, program: string): string {
  const id = randomHex(state.rng, 64);
  return `Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "${id}": OCI runtime exec failed: exec failed: unable to start container process: exec: "${program}": executable file not found in $PATH: unknown`;
}

/** What kubectl prints when the runtime cannot start `program` in the container. */
export function notFound(state: ClusterState, program: string): CommandResult {
  return err(`error: ${notFoundMessage(state, program)}\n`);
}

/** The container runs (an exec can reach it), else kubectl's upgrade error names it. */
export function containerRunning(pod: Pod, container: string): boolean {
  return anyContainerStatus(pod, container)?.state.kind === 'running';
}

/**
 * Run `argv` in a container of a running pod, printing what `kubectl exec` prints: the
 * program's output and, for a non-zero exit, `command terminated with exit code N`.
 */
export function runInContainer(ctx: CommandContext, pod: Pod, container: string, argv: string[]): CommandResult {
  if (!containerRunning(pod, container)) return err(`error: unable to upgrade connection: container not found ("${container}")\n`);
  const ran = execInContainer(ctx, pod, container, argv);
  return 'failed' in ran ? err(`error: ${ran.failed}\n`) : terminated(ran);
}

/** `argv` reading the piped stdin in a running container (execWithStdin), what it printed tagged as a shell's is; or kubectl's error. */
function piped(ctx: CommandContext, pod: Pod, container: string, argv: string[]): StdinRun | CommandResult {
  if (!containerRunning(pod, container)) return err(`error: unable to upgrade connection: container not found ("${container}")\n`);
  const passTime = ctx.passTime;
  const ran = execWithStdin(ctx.state, pod, container, argv, ctx.stdin, { budget: ctx.budget, ...(passTime ? { advance: (ms: number) => void passTime(ms) } : {}) });
  if (ran.failed !== undefined) return err(`error: ${ran.failed}\n`);
  tagLines(ctx.facts, { source: 'traffic', namespace: pod.metadata.namespace, name: pod.metadata.name, field: programName(argv) }, ran.stdout);
  return ran;
}

/** `runInContainer` for `kubectl exec -i` with piped stdin. */
export function runWithStdin(ctx: CommandContext, pod: Pod, container: string, argv: string[]): CommandResult {
  const ran = piped(ctx, pod, container, argv);
  return 'session' in ran ? terminated({ stdout: ran.stdout, stderr: '', exitCode: ran.exitCode }) : ran;
}

/**
 * The shell that is the container's own process and reads its stdin (`kubectl run -i … -- sh`,
 * `stdin: true` in the spec; an image's default command is its shell): what `attach -i` talks to.
 */
export function attachedShell(pod: Pod, container: string): string | undefined {
  const spec = anyContainerSpec(pod, container);
  const argv = [...(spec?.command ?? []), ...(spec?.args ?? [])];
  const word = argv[0] ?? 'sh';
  return spec?.stdin === true && argv.length <= 1 && isShell(word) && imageHas(pod, container, shellName(word)) ? word : undefined;
}

/**
 * The attached shell read all of its stdin (a pipe's end, or `exit`): with stdin open only once
 * (stdinOnce, `kubectl run -i`), the container's process ends with the shell's status.
 */
export function stdinClosed(state: ClusterState, pod: Pod, container: string, exitCode: number): void {
  if (anyContainerSpec(pod, container)?.stdinOnce === true) endContainerProcess(state, pod, container, exitCode);
}

/** `… | kubectl attach -i POD` (and `kubectl run -i`): the piped text is the stdin of the container's shell; attach prints what it writes, and reports no exit status. */
export function attachWithStdin(ctx: CommandContext, pod: Pod, container: string, shellWord: string): CommandResult {
  const ran = piped(ctx, pod, container, [shellWord]);
  if (!('session' in ran)) return ran;
  stdinClosed(ctx.state, pod, container, ran.exitCode);
  return out(ran.stdout);
}

/**
 * What `argv` run in a running container gives: its output and exit status as the runtime
 * reports them (kubectl adds `command terminated with exit code N`), or the runtime's failure
 * to start it (`failed`: the error stream's message). The API's exec serves this too (kubeapi/exec.ts).
 */
export function execInContainer(ctx: CommandContext, pod: Pod, container: string, argv: string[]): CommandResult | { failed: string } {
  // The etcd image ships etcd, etcdctl and etcdutl, nothing else: its etcdctl, on the host network with the
  // node's etcd certificates mounted, answers as the node's does.
  if (ETCD_IMAGE.test(imageOf(pod, container)) && argv[0]?.replace(/^\/usr\/local\/bin\//, '') === 'etcdctl' && pod.spec.nodeName) {
    const env = Object.fromEntries(pod.spec.containers.find((c) => c.name === container)!.env.map((e) => [e.name, e.value]));
    const inPod: CommandContext = Object.assign(Object.create(ctx) as CommandContext, { env, session: Object.assign(Object.create(ctx.session) as ShellSession, { node: pod.spec.nodeName, root: true }) });
    return etcdctl(inPod, ['etcdctl', ...argv.slice(1)]);
  }
  const shell = isShell(argv[0] ?? '') && argv[1] === '-c' && argv[2] !== undefined && imageHas(pod, container, shellName(argv[0]!)) ? argv[2] : undefined;
  if (shell === undefined) ctx.budget.spend(STEPS_PER_NODE_TOOL);
  const ran = shell === undefined ? runProgram(ctx.state, pod, container, argv, ctx) : { missing: argv[0]! };
  if ('missing' in ran) {
    // A script, or a command of a shell image the exec programs lack (date, sleep, seq…): the container's shell runs it.
    if (!imageHas(pod, container, 'sh')) return { failed: notFoundMessage(ctx.state, ran.missing) };
    const passTime = ctx.passTime;
    const inShell = inContainerShell(ctx.state, pod, container, shell ?? commandLine(argv), shell !== undefined ? shellName(argv[0]!) : 'sh', {
      budget: ctx.budget, sleepAllowanceMs: MAX_SLEEP_PER_LINE_MS, advance: (ms) => void passTime?.(ms),
    });
    if (shell === undefined && inShell.exitCode === 127) return { failed: notFoundMessage(ctx.state, ran.missing) };
    tagLines(ctx.facts, { source: 'traffic', namespace: pod.metadata.namespace, name: pod.metadata.name, field: programName(argv) }, inShell.output);
    return { stdout: inShell.output, stderr: '', exitCode: inShell.exitCode };
  }
  const source = DNS_TOOLS.has(ran.program) ? 'dns' : 'traffic';
  tagLines(ctx.facts, { source, namespace: pod.metadata.namespace, name: pod.metadata.name, field: ran.program }, `${ran.result.stdout}\n${ran.result.stderr}`);
  // A lookup that waited out a resolver timeout took that long (`time` shows it).
  const { elapsedMs, ...result } = ran.result;
  if (elapsedMs) ctx.passTime?.(elapsedMs);
  return result;
}

/**
 * What `argv` does in the container: the program's output and exit status, or the program
 * the image lacks. Also what a container runs as its own process (cluster/processes.ts).
 */
export function runProgram(state: ClusterState, pod: Pod, container: string, argv: string[], ctx?: CommandContext): { program: string; result: Timed } | { missing: string } {
  let words = argv;
  const { tools } = toolbox(imageOf(pod, container));
  if (words.length === 1 && isShell(words[0]!) && tools.has(shellName(words[0]!))) return { program: 'sh', result: out('') }; // stdin is empty: the shell ends at once
  if ((words[0] === 'sh' || words[0] === 'bash' || words[0] === '/bin/sh' || words[0] === '/bin/bash') && tools.has(words[0].replace('/bin/', ''))) {
    if (words[1] !== '-c' || words[2] === undefined) return { program: 'sh', result: out('') };
    const inner = shellScript(words[2]);
    if (!inner || inner.length === 0) return { program: 'sh', result: out('') };
    if (!tools.has(inner[0]!.replace(/^.*\//, ''))) return { program: 'sh', result: { stdout: '', stderr: `sh: ${inner[0]}: not found\n`, exitCode: 127 } };
    words = inner;
  }
  const name = (words[0] ?? '').replace(/^\/(usr\/)?s?bin\//, '');
  const tool = POD_TOOLS[name];
  if (tool && tools.has(name)) {
    // A container's own process (no kubectl exec) has no terminal to show a capture or a port check on.
    return { program: name, result: ctx ? tool(ctx, pod, container, [name, ...words.slice(1)]) : out('') };
  }
  const program = PROGRAMS[name];
  if (!program || !tools.has(name)) return { missing: words[0] ?? '' };
  return { program: name, result: program(state, pod, container, [name, ...words.slice(1)]) };
}

registerProcessRunner(runAsProcess);

/** What a command run with stdin gave (execWithStdin): the shell's output is one stream, as a terminal shows it. */
export interface StdinRun {
  stdout: string;
  exitCode: number;
  /** The runtime could not start the command (the error stream's message). */
  failed?: string;
  /** The facts the output showed, when run with an interest. */
  observed: Fact[];
  /** The container shell's session after the run (an interactive shell carries its cwd and variables on). */
  session: ShellSession;
}

export interface StdinOptions {
  interest?: FactInterest;
  /** One budget for the whole run: a line each of busy loops must not get a fresh one apiece. */
  budget: LineBudget;
  advance?: (ms: number) => void;
  /** An interactive shell's state carried from its last line (the API's tty exec). */
  cwd?: string;
  vars?: Record<string, string>;
}

/**
 * `argv` run in a running container reading `stdin` (`kubectl exec -i`, the API's exec with
 * stdin): a lone shell (`sh`, `bash`) reads stdin as its script, one complete command after
 * another until `exit`; `sh -c SCRIPT` runs the script with stdin; any other program gets it
 * piped in. It runs in a session of its own in the container, never the caller's.
 */
export function execWithStdin(state: ClusterState, pod: Pod, container: string, argv: string[], stdin: string, options: StdinOptions): StdinRun {
  const [program = '', ...args] = argv;
  const lone = isShell(program) && args.length === 0;
  const script = isShell(program) && args[0] === '-c' && args[1] !== undefined ? args[1] : undefined;
  const shellWord = lone || script !== undefined ? program : 'sh';
  const session = newSession(state);
  const none = (failed: string): StdinRun => ({ stdout: '', exitCode: 1, failed, observed: [], session });
  if (!imageHas(pod, container, shellName(shellWord))) return none(notFoundMessage(state, program));
  const ctx: CommandContext = { state, session, env: {}, stdin: '', budget: options.budget };
  openShell(ctx, pod, container, shellWord);
  if (options.cwd !== undefined) session.cwd = options.cwd;
  if (options.vars !== undefined) session.vars = { ...options.vars };
  const lineOptions = { ...(options.interest ? { interest: options.interest } : {}), budget: options.budget, ...(options.advance ? { advance: options.advance } : {}) };
  if (!lone) {
    const ran = shellEntry().runLine(state, session, script ?? commandLine(argv), { ...lineOptions, stdin });
    // The container's shell did not find the program: the runtime could not start it.
    if (script === undefined && ran.exitCode === 127) return none(notFoundMessage(state, program));
    return { stdout: ran.output, exitCode: ran.exitCode, observed: ran.observed ?? [], session };
  }
  const observed: Fact[] = [];
  let stdout = '';
  let pending = '';
  const lines = stdin.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const [i, line] of lines.entries()) {
    // A command over several lines (`for …; do`, a quote left open) runs once it is whole, or at the end.
    pending = pending === '' ? line : `${pending}\n${line}`;
    if (i < lines.length - 1 && needsMoreInput(pending)) continue;
    const ran = shellEntry().runLine(state, session, pending, lineOptions);
    pending = '';
    stdout += ran.output;
    observed.push(...(ran.observed ?? []));
    if (session.container === undefined) {
      // `exit` left the shell: kubectl says `command terminated…` itself, from the error stream.
      const said = `command terminated with exit code ${ran.exitCode}\n`;
      return { stdout: stdout.endsWith(said) ? stdout.slice(0, -said.length) : stdout, exitCode: ran.exitCode, observed: once(observed), session };
    }
    if (options.budget.exhausted) break;
  }
  return { stdout, exitCode: session.lastExitCode ?? 0, observed: once(observed), session };
}

/** Each fact once, in the order first shown. */
function once(facts: readonly Fact[]): Fact[] {
  const seen = new Map<string, Fact>();
  for (const fact of facts) if (!seen.has(factKey(fact))) seen.set(factKey(fact), fact);
  return [...seen.values()];
}


function terminated(r: CommandResult): CommandResult {
  return r.exitCode === 0 ? r : { ...r, stderr: `${r.stderr}command terminated with exit code ${r.exitCode}\n` };
}

// Interactive shells in a container: `kubectl exec -it POD -- sh`, `kubectl run -it`, `kubectl
// debug node/X -it`. The session moves into the container (login.ts keeps where it came from),
// and the lines typed there run with the image's programs (containerPrograms) besides the
// shell's builtins and text tools (busybox applets, coreutils).

/** The program a script or command line runs first, for tagging what it printed. */
const programName = (argv: string[]): string => (argv[0] ?? '').replace(/^.*\//, '');

const isShell = (word: string): boolean => /^(\/bin\/)?(ba)?sh$/.test(word);
const shellName = (word: string): 'sh' | 'bash' => (word.endsWith('bash') ? 'bash' : 'sh');

/** The message a shell prints when it cannot start one more process. */
function forkFailure(shell: 'sh' | 'bash'): string {
  return shell === 'bash' ? 'bash: fork: retry: Resource temporarily unavailable\n' : "sh: can't fork: Resource temporarily unavailable\n";
}

export interface ShellOpening {
  /** `kubectl run -it` (what kubectl prints when the shell ends; `remove`: --rm). */
  attached?: 'keep' | 'remove';
  /** `kubectl debug node/X`: the node mounted at /host. */
  hostNode?: string;
}

/**
 * Opens `shellWord` (sh, bash, /bin/sh…) interactively in a running container: kubectl's
 * messages when it cannot (no such container, no such program in the image), else the
 * session is inside and the result is empty.
 */
export function openShell(ctx: CommandContext, pod: Pod, container: string, shellWord: string, opening: ShellOpening = {}): CommandResult | undefined {
  if (!isShell(shellWord)) return undefined;
  const status = anyContainerStatus(pod, container);
  if (!status || status.state.kind !== 'running') return err(`error: unable to upgrade connection: container not found ("${container}")\n`);
  const shell = shellName(shellWord);
  if (!toolbox(imageOf(pod, container)).tools.has(shell)) return notFound(ctx.state, shellWord);
  const inside: ContainerShell = { namespace: pod.metadata.namespace ?? 'default', pod: pod.metadata.name, container, shell, ...opening };
  // The image's WORKDIR: netshoot's is /root, the others here run from /.
  const cwd = /netshoot/.test(imageOf(pod, container)) ? '/root' : '/';
  if (!enterPlace(ctx.session, { root: true, cwd, container: inside })) return err(`error: Internal error occurred: error executing command in container: ${MAX_NESTED_SHELLS} shells are open in this terminal already\n`);
  return out('');
}

/** `sh` / `bash` typed in a container's shell: `-c SCRIPT` runs it, no argument opens a nested shell. */
const nestedShell: ShellProgram = (ctx, argv, shell): ProgramResult => {
  const inside = ctx.session.container!;
  const name = shellName(argv[0]!);
  if (argv[1] === '-c') {
    if (argv[2] === undefined) return err(`${name}: -c: option requires an argument\n`, 2);
    const ran = shell.runLine({ ...forkSession(ctx.session), script: true }, argv[2], ctx.facts);
    return { stdout: ran.output, stderr: '', exitCode: ran.exitCode };
  }
  if (argv.length > 1) return err(`${name}: can't open '${argv[1]}': No such file or directory\n`, 2);
  if (!enterPlace(ctx.session, { root: true, cwd: ctx.session.cwd ?? '/', container: { ...inside, shell: name } })) return err(forkFailure(inside.shell), 2);
  return out('');
};

/** busybox `chroot /host` in a node's debug pod: a root shell on the node itself. */
const chroot: ShellProgram = (ctx, argv, shell): ProgramResult => {
  const inside = ctx.session.container!;
  const dir = argv[1];
  if (dir === undefined) return err('BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: chroot NEWROOT [PROG ARGS]\n', 1);
  const target = dir.replace(/\/+$/, '');
  if (inside.hostNode === undefined || (target !== '/host' && !(target === 'host' && (ctx.session.cwd ?? '/') === '/'))) {
    return err(`chroot: can't change root directory to '${dir}': No such file or directory\n`, 1);
  }
  if (argv.length > 2) {
    const ran = shell.runLine({ ...forkSession(ctx.session), container: undefined, node: inside.hostNode, root: true }, argv.slice(2).join(' '), ctx.facts);
    return { stdout: ran.output, stderr: '', exitCode: ran.exitCode };
  }
  if (!enterPlace(ctx.session, { node: inside.hostNode, root: true, cwd: '/' })) return err(forkFailure(inside.shell), 1);
  return out('');
};

/** Shell programs for the image's tools that have their own meaning inside a container. */
const IN_SHELL: Record<string, ShellProgram> = { sh: nestedShell, bash: nestedShell, chroot };
/** What the shell's own builtins and text tools do better than the one-shot exec programs (stdin, files). */
const FROM_SHELL = new Set(['cat', 'echo', 'true', 'false', 'ls', 'sleep']);

const programsByBox = new Map<Toolbox, Record<string, ShellProgram>>();

/** The programs of the container the session's shell runs in (besides builtins and text tools). */
export function containerPrograms(state: ClusterState, inside: ContainerShell): Record<string, ShellProgram> {
  const pod = state.pods[`${inside.namespace}/${inside.pod}`];
  if (!pod) return {}; // deleted while the line runs: nothing of it runs any more
  const box = toolbox(imageOf(pod, inside.container));
  let programs = programsByBox.get(box);
  if (programs) return programs;
  programs = {};
  for (const name of box.tools) {
    if (FROM_SHELL.has(name)) continue;
    const own = IN_SHELL[name];
    if (own) programs[name] = own;
    else if (PROGRAMS[name] || POD_TOOLS[name]) programs[name] = inContainer(name);
  }
  programsByBox.set(box, programs);
  return programs;
}

/** One of the exec programs run from the container's shell; what it shows is tagged like `kubectl exec`'s. */
function inContainer(name: string): ShellProgram {
  return (ctx, argv) => {
    const inside = ctx.session.container!;
    const pod = ctx.state.pods[`${inside.namespace}/${inside.pod}`]!;
    // Like a node tool, a container's program reads the simulated network and world each call.
    ctx.budget.spend(STEPS_PER_NODE_TOOL);
    const tool = POD_TOOLS[name];
    const result = tool ? tool(ctx, pod, inside.container, [name, ...argv.slice(1)]) : PROGRAMS[name]!(ctx.state, pod, inside.container, [name, ...argv.slice(1)]);
    tagLines(ctx.facts, { source: DNS_TOOLS.has(name) ? 'dns' : 'traffic', namespace: inside.namespace, name: inside.pod, field: name }, `${result.stdout}\n${result.stderr}`);
    return result;
  };
}

/**
 * Before a line runs: a shell whose container stopped or whose pod is gone ended with it
 * (SIGKILL, as the runtime does); the terminal is back where it was opened, with kubectl's line.
 */
export function closeEndedShells(state: ClusterState, session: ShellSession, leave: (s: ShellSession) => void): string {
  let said = '';
  for (let inside = session.container; inside !== undefined; inside = session.container) {
    const pod = state.pods[`${inside.namespace}/${inside.pod}`];
    const status = pod && anyContainerStatus(pod, inside.container);
    if (status?.state.kind === 'running') break;
    leave(session);
    if (session.container?.pod !== inside.pod) said += 'command terminated with exit code 137\n';
  }
  return said;
}

/** What a shell in a container says of a program it cannot find (busybox ash, dash, bash). */
export function notFoundInContainer(state: ClusterState, inside: ContainerShell, name: string): string {
  if (inside.shell === 'bash') return `bash: ${name}: command not found\n`;
  const pod = state.pods[`${inside.namespace}/${inside.pod}`];
  return imageDistro(pod ? imageOf(pod, inside.container) : '') === 'debian' ? `sh: 1: ${name}: not found\n` : `sh: ${name}: not found\n`;
}
