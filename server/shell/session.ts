// Where a player is (their workstation, or a node they ssh'ed into, possibly as root) and
// what follows from it: user, home, host name, prompt, environment variables.
import type { ClusterState, Node } from '../cluster/types.js';
import { HISTSIZE, MAX_VARIABLE_CHARS, MAX_VARIABLES } from './limits.js';
import type { ContainerShell, ShellSession } from './types.js';

/** The player's own machine, where kubectl talks to the cluster through ~/.kube/config. */
export const WORKSTATION = 'workstation';
export const WORKSTATION_USER = 'player';
/** The sudoer account the player logs into nodes with (as on Ubuntu cloud images). */
export const NODE_USER = 'ubuntu';

export function newSession(_state: ClusterState, opts: { namespace?: string } = {}): ShellSession {
  // files and dirs exist from the start: a subshell shares them (writes there persist).
  return { root: false, vars: {}, history: [], namespace: opts.namespace ?? 'default', files: {}, dirs: {} };
}

/** Adds a typed line to the history; past HISTSIZE the oldest is forgotten, numbers go on. */
export function remember(session: ShellSession, line: string): void {
  session.history.push(line);
  const over = session.history.length - HISTSIZE;
  if (over <= 0) return;
  // shift, not splice: V8 moves the array's start rather than copying its 1000 lines.
  for (let i = 0; i < over; i++) session.history.shift();
  session.historyBase = (session.historyBase ?? 0) + over;
}

/**
 * Sets a shell variable, or says why not: a session holds at most MAX_VARIABLES variables
 * of MAX_VARIABLE_CHARS characters in all, so lines of `a1=$x a2=$x …` cannot fill the memory.
 */
export function assignVar(session: ShellSession, name: string, value: string): string | undefined {
  const size = sizeOf(session.vars);
  const old = own(session.vars, name);
  const count = size.count + (old === undefined ? 1 : 0);
  const chars = size.chars + name.length + value.length - (old === undefined ? 0 : name.length + old.length);
  if (count > MAX_VARIABLES) return `bash: ${name}: cannot assign: a session holds at most ${MAX_VARIABLES} variables\n`;
  if (chars > MAX_VARIABLE_CHARS) return `bash: ${name}: cannot assign: variables would hold more than ${MAX_VARIABLE_CHARS} characters\n`;
  session.vars[name] = value;
  sizes.set(session.vars, { count, chars });
  resetGetopts(session, name);
  return undefined;
}

/**
 * Setting or unsetting OPTIND (even to its own value, or by `local OPTIND`) restarts getopts at an
 * argument's first letter, as bash's sv_optind does.
 */
function resetGetopts(session: ShellSession, name: string): void {
  if (name === 'OPTIND') delete session.getopts;
}

/** `unset NAME`. */
export function unsetVar(session: ShellSession, name: string): void {
  resetGetopts(session, name);
  const old = own(session.vars, name);
  if (session.exported) delete session.exported[name];
  if (old === undefined) return;
  const size = sizeOf(session.vars);
  delete session.vars[name];
  sizes.set(session.vars, { count: size.count - 1, chars: size.chars - name.length - old.length });
}

// How many variables a vars object holds and their characters, kept by assignVar and unsetVar
// so that a line of 1000 assignments does not add them all up 1000 times. A vars object
// written some other way (a copy, a loaded session) is counted afresh when first seen.
const sizes = new WeakMap<Record<string, string>, { count: number; chars: number }>();

function sizeOf(vars: Record<string, string>): { count: number; chars: number } {
  let size = sizes.get(vars);
  if (size) return size;
  size = { count: 0, chars: 0 };
  for (const key in vars) {
    size.count++;
    size.chars += key.length + vars[key]!.length;
  }
  sizes.set(vars, size);
  return size;
}

/**
 * A sparse array's copy, sparse: spread, `a[99999]=1` became 100,000 slots at every
 * subshell (8 ms each, and memory for each one).
 */
function copyArray(values: string[]): string[] {
  const copy = Object.assign([], values);
  copy.length = values.length;
  return copy;
}

/** A copy for a subshell (`$(…)`, pipeline stages): variables set there do not leak back. */
export function forkSession(session: ShellSession): ShellSession {
  const copy: ShellSession = { ...session, vars: { ...session.vars } };
  if (session.exported) copy.exported = { ...session.exported };
  if (session.arrays) copy.arrays = Object.fromEntries(Object.entries(session.arrays).map(([k, v]) => [k, copyArray(v)]));
  if (session.assoc) copy.assoc = Object.fromEntries(Object.entries(session.assoc).map(([k, v]) => [k, { ...v }]));
  if (session.functions) copy.functions = { ...session.functions };
  if (session.aliases) copy.aliases = { ...session.aliases };
  if (session.options) copy.options = { ...session.options };
  if (session.traps) copy.traps = { ...session.traps };
  return copy;
}

/**
 * `record[key]` only when `record` holds it itself. Names come from the player: `constructor`,
 * `toString` or `__proto__` must not find what every object inherits (`declare -A m;
 * constructor[keys]=x` wrote over the process's Object.keys, and every room shares it).
 */
export function own<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** `record[key] = value` as an own property, whatever the key (`__proto__` too). */
export function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, writable: true, enumerable: true, configurable: true });
}

/** Aliases where the session is: the workstation's (`k` for kubectl unless changed), none on nodes. */
export function aliasesOf(session: ShellSession): Record<string, string> {
  if (session.node !== undefined || session.container !== undefined) return {};
  return session.aliases ?? { k: 'kubectl' };
}

export function userOf(session: ShellSession): string {
  if (session.container !== undefined) return 'root';
  if (session.node === undefined) return WORKSTATION_USER;
  return session.root ? 'root' : NODE_USER;
}

export function homeOf(session: ShellSession): string {
  const user = userOf(session);
  return user === 'root' ? '/root' : `/home/${user}`;
}

export function hostOf(session: ShellSession): string {
  // A debug pod on a node shares its network namespace, host name included.
  if (session.container !== undefined) return session.container.hostNode ?? session.container.pod;
  return session.node ?? WORKSTATION;
}

/** The node the session is on, if it still exists. */
export function currentNode(state: ClusterState, session: ShellSession): Node | undefined {
  return session.node === undefined ? undefined : state.nodes[session.node];
}

export function isControlPlane(node: Node): boolean {
  return 'node-role.kubernetes.io/control-plane' in (node.metadata.labels ?? {}) || '/etc/kubernetes/admin.conf' in node.host.files;
}

export function internalIP(node: Node): string | undefined {
  return node.status.addresses.find((a) => a.type === 'InternalIP')?.address;
}

/** The environment a login shell starts with; session variables override it. */
export function baseEnv(session: ShellSession): Record<string, string> {
  const user = userOf(session);
  const home = homeOf(session);
  return {
    HOME: home,
    USER: user,
    LOGNAME: user,
    HOSTNAME: hostOf(session),
    PWD: session.cwd ?? home,
    SHELL: session.container ? `/bin/${session.container.shell}` : '/bin/bash',
    TERM: 'xterm-256color',
    LANG: 'C.UTF-8',
    PATH: user === 'root'
      ? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
      : '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/usr/games:/usr/local/games',
    ...(session.node !== undefined && session.root ? { KUBECONFIG: '/etc/kubernetes/admin.conf' } : {}),
  };
}

/**
 * The environment a command sees: the login environment, the shell variables marked for export
 * (those the login environment has are, and OLDPWD, which bash's `cd` exports), then `VAR=x cmd`
 * prefixes. A variable only assigned stays the shell's: `X=1; bash -c 'echo $X'` prints nothing.
 */
export function commandEnv(session: ShellSession, prefix: Record<string, string> = {}): Record<string, string> {
  const env = baseEnv(session);
  for (const name in session.vars) {
    if (own(session.exported, name) || name in env || name === 'OLDPWD') env[name] = session.vars[name]!;
  }
  return Object.assign(env, prefix);
}

/** `export NAME`, `declare -x NAME`: the variable goes to the environment of the commands run next. */
export function exportVar(session: ShellSession, name: string): void {
  const exported = (session.exported ??= {});
  // Names marked while unset (`declare -x X`) count too: no more marks than variables a session holds.
  if (!own(exported, name) && Object.keys(exported).length >= MAX_VARIABLES) return;
  exported[name] = true;
}

/**
 * The prompt, in the style of a default Ubuntu bash: `ubuntu@worker-1:~$ `, `root@cp-1:~# `.
 * On the workstation it is prefixed with the kubectl context and namespace (like kube-ps1),
 * because that is what a player needs to keep in view.
 */
export function prompt(state: ClusterState, session: ShellSession): string {
  const user = userOf(session);
  const sign = user === 'root' ? '#' : '$';
  const home = homeOf(session);
  const cwd = session.cwd ?? home;
  const where = cwd === home ? '~' : cwd.startsWith(`${home}/`) ? `~${cwd.slice(home.length)}` : cwd;
  if (session.container !== undefined) return containerPrompt(state, session.container, where);
  if (session.dash) return `${sign} `; // dash's PS1
  const base = `${user}@${hostOf(session)}:${where}${sign} `;
  if (session.node !== undefined) return base;
  return `(${state.contextName}:${session.namespace}) ${base}`;
}

/**
 * A root shell's default prompt in a container: busybox ash `\w \$ ` (`/ # `), dash `# `,
 * bash on Debian images `\u@\h:\w\$ ` (root@POD:/#), on Alpine ones (/etc/bash/bashrc) `\h:\w\$ `.
 */
function containerPrompt(state: ClusterState, inside: ContainerShell, where: string): string {
  const host = inside.hostNode ?? inside.pod;
  const distro = imageDistro(containerImage(state, inside));
  if (inside.shell === 'sh') return distro === 'debian' ? '# ' : `${where} # `;
  return distro === 'debian' ? `root@${host}:${where}# ` : `${host}:${where}# `;
}

/** The image a container of a pod runs ('' when the pod is gone). */
export function containerImage(state: ClusterState, inside: ContainerShell): string {
  const pod = state.pods[`${inside.namespace}/${inside.pod}`];
  return pod?.spec.containers.find((c) => c.name === inside.container)?.image ?? '';
}

/** Which userland an image has: busybox applets (busybox, most small images), Alpine, or Debian/Ubuntu. */
export function imageDistro(image: string): 'busybox' | 'alpine' | 'debian' {
  const i = image.toLowerCase();
  if (/netshoot|alpine|curlimages/.test(i)) return 'alpine';
  if (/dnsutils|ubuntu|debian|nginx|httpd/.test(i)) return 'debian';
  return 'busybox';
}
