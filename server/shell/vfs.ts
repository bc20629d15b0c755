// The files a player can write: on the workstation, their home and /tmp (kept in the
// session); on a node, /tmp and the login's home, and as root the places a fix is made
// (/etc, /var/lib/kubelet, /root, /opt), kept in the node's host files so every tool and
// every player on the node sees them. Both live in state the log rebuilds: replaying the
// lines that wrote them writes them again. Sizes are bounded; other places fail the way a
// real host does ("Permission denied", "Read-only file system").
import { STEPS_PER_RECORD } from './budget.js';
import type { Node } from '../cluster/types.js';
import { MAX_OUTPUT_CHARS } from './limits.js';
import { containerLayersBytes, layerTimes, writableDirs, writableFiles } from '../cluster/container-layer.js';
import { anyContainerStatus } from '../cluster/ephemeral.js';
import { podFiles } from './exec/index.js';
import { readNodeFile } from './node/files.js';
import { nodeFiles, normalizePath } from './node/fs.js';
import { matchGlob } from './pattern.js';
import type { LineBudget } from './budget.js';
import { currentNode, homeOf, userOf, WORKSTATION_USER } from './session.js';
import type { CommandContext, ShellSession } from './types.js';
import type { ClusterState, SimTime } from '../cluster/types.js';
import { workstationKubeconfig } from '../cluster/pki.js';
import { WORKSTATION_SYSTEM_FILES } from './workstation/etc.js';

/** Most bytes of written files one workstation, or one node, holds. */
export const MAX_WRITTEN_BYTES = 8 * 1024 * 1024;
/** Most files one workstation, or one node, may have written. */
export const MAX_WRITTEN_FILES = 1000;
/**
 * Most bytes all containers' writable layers hold together: each container has the limits
 * above, and without a shared bound many debug containers each filled their own.
 */
export const MAX_CONTAINER_LAYERS_BYTES = 16 * 1024 * 1024;

/** Directories every machine has (the workstation's are all there is besides what the player makes). */
const BASE_DIRS = ['/', '/home', '/tmp', '/etc', '/usr', '/usr/bin', '/usr/local', '/usr/local/bin', '/var', '/var/log', '/root', '/dev', '/proc', '/opt'];

/** kubectl's default kubeconfig on the workstation. */
export const WORKSTATION_KUBECONFIG = `/home/${WORKSTATION_USER}/.kube/config`;

/**
 * The files the workstation has before the player writes any: ~/.kube/config, the copy of
 * admin.conf kubectl uses (pki.ts). Put there before the first line runs, once; from then on
 * they are the player's to read, edit or remove.
 */
export function furnishWorkstation(state: ClusterState, session: ShellSession): void {
  if (session.furnished) return;
  session.furnished = true;
  const files = (session.files ??= {});
  // A session from before this existed may hold the player's own copy already (scp'd there).
  if (WORKSTATION_KUBECONFIG in files) return;
  const kubeconfig = workstationKubeconfig(state);
  if (kubeconfig !== undefined) {
    files[WORKSTATION_KUBECONFIG] = kubeconfig;
    (session.fileTimes ??= {})[WORKSTATION_KUBECONFIG] = state.now;
  }
}

/** The working directory (`cd`), home by default. */
export function cwdOf(session: ShellSession): string {
  return session.cwd ?? homeOf(session);
}

export function resolvePath(session: ShellSession, path: string): string {
  return normalizePath(path, cwdOf(session));
}

/** Where files are read and written: the workstation's own, or a node's. */
interface Place {
  node: Node | undefined;
  /** Written files by absolute path. */
  files: Record<string, string>;
  /** Every file's text (written and, on a node, the host's own). */
  all(): Record<string, string>;
  /** Directories made with mkdir. */
  dirs: string[];
  /** When the session's writes last touched each path (undefined until something is written). */
  times(write: boolean): Record<string, SimTime> | undefined;
}

function placeOf(state: ClusterState, session: ShellSession): Place {
  const inside = session.container;
  if (inside) {
    // A container's writable layer (shared with kubectl cp and every shell in it, cluster/
    // container-layer.ts) over the files kubelet mounts (resolv.conf, hosts, hostname).
    const key = `${inside.namespace}/${inside.pod}`;
    const pod = state.pods[key];
    const files = pod ? writableFiles(state, pod, inside.container) : {};
    const dirs = pod ? writableDirs(state, pod, inside.container) : [];
    return { node: undefined, files, all: () => ({ ...(pod ? podFiles(state, pod) : {}), ...files }), dirs, times: (write) => (pod ? layerTimes(state, pod, inside.container, write) : undefined) };
  }
  const node = currentNode(state, session);
  const dirs = ((session.dirs ??= {})[node?.metadata.name ?? ''] ??= []);
  if (!node) {
    const files = (session.files ??= {});
    return { node, files, all: () => files, dirs, times: (write) => (write ? (session.fileTimes ??= {}) : session.fileTimes) };
  }
  return {
    node,
    files: node.host.files,
    all: () => Object.fromEntries(Object.entries(nodeFiles(state, node)).map(([p, f]) => [p, f.content])),
    dirs,
    times: (write) => (write ? (node.host.fileTimes ??= {}) : node.host.fileTimes),
  };
}

/**
 * When a file or directory was last modified: what `ls -l`, `stat` and `find -mmin/-newer`
 * all show. A shell's write records the simulated now (`stamp`); what no shell wrote has its
 * model's time: a node's data files theirs, its logs and etcd's files now (always being
 * written), the rest the node's creation; a container's files its start; the workstation's
 * the start of the incident.
 */
export function modifiedAt(state: ClusterState, session: ShellSession, abs: string): SimTime {
  const host = hostMount(session, abs);
  if (host) return modifiedAt(state, host.session, host.path);
  const place = placeOf(state, session);
  const written = place.times(false)?.[abs];
  if (written !== undefined) return written;
  if (place.node) {
    const data = place.node.host.dataFiles?.[abs];
    if (data) return data.modified;
    return abs.startsWith('/var/log/') || abs.startsWith(state.etcd.dataDir) ? state.now : place.node.metadata.creationTimestamp;
  }
  const inside = session.container;
  if (inside) {
    const pod = state.pods[`${inside.namespace}/${inside.pod}`];
    const status = pod && anyContainerStatus(pod, inside.container);
    return status?.state.kind === 'running' ? status.state.startedAt : pod?.metadata.creationTimestamp ?? 0;
  }
  return 0;
}

/** A write at the simulated now: the path, and its directory when an entry was added or removed there. */
function stamp(state: ClusterState, place: Place, abs: string, entryChanged: boolean): void {
  const times = place.times(true)!;
  times[abs] = state.now;
  if (entryChanged) times[abs.slice(0, abs.lastIndexOf('/')) || '/'] = state.now;
}

/** What `ls -l`, `stat` and `find` show of a file. */
export interface FileMeta {
  size: number;
  mode: string;
  owner: string;
  group: string;
  /** When it was last written (`modifiedAt`). */
  modified: SimTime;
}

/**
 * Every file and directory where the session is, built once for a walk (`find`, `stat`): the
 * node's files with their modes, a container's, or the workstation's own (the player's).
 * `private` are the directories only root may enter.
 */
export function placeTree(state: ClusterState, session: ShellSession): { files: Map<string, FileMeta>; dirs: Set<string>; private: Set<string> } {
  const files = new Map<string, FileMeta>();
  const dirs = new Set<string>([...BASE_DIRS, homeOf(session)]);
  const priv = new Set<string>();
  const place = placeOf(state, session);
  const user = userOf(session);
  if (place.node) {
    for (const [path, f] of Object.entries(nodeFiles(state, place.node))) files.set(path, { size: f.size, mode: f.mode, owner: f.owner, group: f.group, modified: modifiedAt(state, session, path) });
    if (!session.root) priv.add(state.etcd.dataDir);
  } else {
    // The workstation's system files lie under what the player wrote (read-only: never in `files`).
    const all = session.container ? place.all() : { ...WORKSTATION_SYSTEM_FILES, ...place.all() };
    for (const [path, text] of Object.entries(all)) {
      // The workstation's system files are root's; what the player wrote, theirs.
      const owner = session.container || !(path in place.files) ? 'root' : user;
      files.set(path, { size: Buffer.byteLength(text), mode: '-rw-r--r--', owner, group: owner, modified: modifiedAt(state, session, path) });
    }
  }
  const host = session.container?.hostNode;
  if (host !== undefined) {
    const inner = placeTree(state, { ...session, container: undefined, node: host, root: true, cwd: '/' });
    for (const [path, meta] of inner.files) files.set(`/host${path}`, meta);
    for (const dir of inner.dirs) dirs.add(dir === '/' ? '/host' : `/host${dir}`);
  }
  for (const dir of place.dirs) dirs.add(dir);
  // Every file's and directory's parents are directories.
  for (const path of [...files.keys(), ...dirs]) {
    for (let at = path.lastIndexOf('/'); at > 0; at = path.lastIndexOf('/', at - 1)) {
      const parent = path.slice(0, at);
      if (dirs.has(parent)) break;
      dirs.add(parent);
    }
  }
  return { files, dirs, private: priv };
}

/** Whether the path is a directory where the session is. */
export function isDirectory(state: ClusterState, session: ShellSession, abs: string): boolean {
  const host = hostMount(session, abs);
  if (host) return isDirectory(state, host.session, host.path);
  const place = placeOf(state, session);
  return isDirectoryIn(session, place, place.all(), abs);
}

function isDirectoryIn(session: ShellSession, place: Place, all: Record<string, string>, abs: string): boolean {
  if (BASE_DIRS.includes(abs) || abs === homeOf(session) || place.dirs.includes(abs)) return true;
  const prefix = abs === '/' ? '/' : `${abs}/`;
  for (const p in all) if (p.startsWith(prefix)) return true;
  return place.dirs.some((d) => d.startsWith(prefix));
}

/** writeFile for a command: the write's steps charged to its line first (see writeSteps). */
export function writeFileCharged(ctx: CommandContext, path: string, content: string, append = false): string | undefined {
  ctx.budget.spend(writeSteps(ctx.state, ctx.session, path));
  return writeFile(ctx.state, ctx.session, path, content, append);
}

/**
 * Steps a write costs where the session is, charged by the shell before it writes: the checks
 * read every file there (a loop writing hundreds of files in a container cost seconds uncharged).
 */
export function writeSteps(state: ClusterState, session: ShellSession, path: string): number {
  const abs = resolvePath(session, path);
  const host = hostMount(session, abs);
  const place = placeOf(state, host ? host.session : session);
  // A container's checks also render its mounted files and weigh every layer: far dearer a file.
  return STEPS_PER_RECORD + Object.keys(place.files).length * (session.container ? 10 * STEPS_PER_RECORD : 2);
}

/**
 * A file's text as `tool PATH` reads it where the session is, or the tool's error line.
 * /dev/fd/N are the files of `<(…)`.
 */
export function readFile(ctx: CommandContext, tool: string, path: string): { ok: true; content: string } | { ok: false; error: string } {
  const abs = resolvePath(ctx.session, path);
  const fd = ctx.session.fds?.[abs];
  if (fd !== undefined) return { ok: true, content: fd };
  if (abs === '/dev/null') return { ok: true, content: '' };
  const host = hostMount(ctx.session, abs);
  if (host) return readNodeFile({ ...ctx, session: host.session }, tool, host.path);
  if (ctx.session.container) {
    // A read in a container merges its mounted files and layer (every file of it), as a write's
    // checks do: charged as a write's steps (a glob over a full layer held the event loop for 20 s).
    ctx.budget.spend(writeSteps(ctx.state, ctx.session, abs));
    const content = placeOf(ctx.state, ctx.session).all()[abs];
    if (content !== undefined) return { ok: true, content };
  }
  if (ctx.session.node !== undefined) return readNodeFile(ctx, tool, abs);
  // A program run outside a typed line (a test's direct call) still finds the workstation's files.
  if (!ctx.session.container) furnishWorkstation(ctx.state, ctx.session);
  const content = ctx.session.container ? undefined : (ctx.session.files?.[abs] ?? WORKSTATION_SYSTEM_FILES[abs]);
  if (content !== undefined) return { ok: true, content };
  if (isDirectory(ctx.state, ctx.session, abs)) return { ok: false, error: `${tool}: ${path}: Is a directory\n` };
  return { ok: false, error: `${tool}: ${path}: No such file or directory\n` };
}

/**
 * `kubectl debug node/X`: the node's root filesystem is mounted at /host; a path there is the
 * node's own, read and written as root on it.
 */
function hostMount(session: ShellSession, abs: string): { session: ShellSession; path: string } | undefined {
  const node = session.container?.hostNode;
  if (node === undefined || !(abs === '/host' || abs.startsWith('/host/'))) return undefined;
  return { session: { ...session, container: undefined, node, root: true, cwd: '/' }, path: abs.slice('/host'.length) || '/' };
}

/** Why the session may not write there (the errno text), or undefined. */
function writeDenied(session: ShellSession, abs: string): string | undefined {
  const under = (dir: string): boolean => abs === dir || abs.startsWith(`${dir}/`);
  const home = homeOf(session);
  if (under('/tmp') || under(home)) return undefined;
  if (under('/proc') || under('/sys')) return 'Read-only file system';
  if (session.container !== undefined) return undefined; // root in its own writable layer
  if (session.node === undefined || !session.root) return 'Permission denied';
  if (['/etc', '/var/lib/kubelet', '/root', '/home', '/opt', '/var/log'].some(under)) return undefined;
  return 'Read-only file system';
}

/** Whether the session may remove the path: only in /tmp and homes (the node's own files stay, see node rm); anywhere in a container's own layer. */
function removeDenied(session: ShellSession, abs: string): boolean {
  const under = (dir: string): boolean => abs === dir || abs.startsWith(`${dir}/`);
  if (session.container !== undefined) return under('/proc') || under('/sys');
  return !(under('/tmp') || under(homeOf(session)) || (session.root && under('/root')));
}

/** Writes (or appends to) a file; the errno text when it cannot be. */
export function writeFile(state: ClusterState, session: ShellSession, path: string, content: string, append = false): string | undefined {
  const abs = resolvePath(session, path);
  const host = hostMount(session, abs);
  if (host) return writeFile(state, host.session, host.path, content, append);
  const denied = writeDenied(session, abs);
  if (denied) return denied;
  const place = placeOf(state, session);
  const all = place.all();
  if (isDirectoryIn(session, place, all, abs)) return 'Is a directory';
  const parent = abs.slice(0, abs.lastIndexOf('/')) || '/';
  if (!isDirectoryIn(session, place, all, parent)) return 'No such file or directory';
  const old = append ? (all[abs] ?? '') : '';
  const next = old + content;
  if (next.length > MAX_OUTPUT_CHARS) return 'File too large';
  const others = Object.entries(place.files).filter(([p]) => p !== abs);
  if (!(abs in place.files) && others.length >= MAX_WRITTEN_FILES) return 'No space left on device';
  if (others.reduce((sum, [, text]) => sum + text.length, 0) + next.length > MAX_WRITTEN_BYTES) return 'No space left on device';
  if (session.container && containerLayersBytes(state) - (place.files[abs]?.length ?? 0) + next.length > MAX_CONTAINER_LAYERS_BYTES) return 'No space left on device';
  const added = !(abs in place.files);
  place.files[abs] = next;
  stamp(state, place, abs, added);
  return undefined;
}

/** Removes a file (or, recursive, a directory); the errno text when it cannot be. */
export function removePath(state: ClusterState, session: ShellSession, path: string, recursive: boolean): string | undefined {
  const abs = resolvePath(session, path);
  const place = placeOf(state, session);
  const dir = isDirectory(state, session, abs);
  // The workstation's system files are root's, in root's /etc: the player may not unlink them.
  if (!place.node && !session.container && abs in WORKSTATION_SYSTEM_FILES && place.files[abs] === undefined) return 'Permission denied';
  if (!dir && place.all()[abs] === undefined) return 'No such file or directory';
  if (dir && !recursive) return 'Is a directory';
  if (removeDenied(session, abs)) return 'Operation not permitted';
  if (dir && BASE_DIRS.includes(abs)) return 'Device or resource busy';
  const prefix = `${abs}/`;
  for (const p of Object.keys(place.files)) if (p === abs || p.startsWith(prefix)) delete place.files[p];
  const times = place.times(false);
  for (const p of Object.keys(times ?? {})) if (p === abs || p.startsWith(prefix)) delete times![p];
  stamp(state, place, abs.slice(0, abs.lastIndexOf('/')) || '/', false);
  place.dirs.splice(0, place.dirs.length, ...place.dirs.filter((d) => d !== abs && !d.startsWith(prefix)));
  return undefined;
}

/** Renames a directory and all under it (`mv DIR DEST`), in the place where the session is; the errno text when it cannot be. */
export function moveDirectory(state: ClusterState, session: ShellSession, from: string, to: string): string | undefined {
  const place = placeOf(state, session);
  if (hostMount(session, from) || hostMount(session, to)) return 'Invalid cross-device link';
  if (BASE_DIRS.includes(from) || from === homeOf(session)) return 'Device or resource busy';
  if (removeDenied(session, from)) return 'Operation not permitted';
  const denied = writeDenied(session, to);
  if (denied) return denied;
  if (to === from || to.startsWith(`${from}/`)) return 'Invalid argument';
  if (isDirectory(state, session, to) || place.all()[to] !== undefined) return 'File exists';
  const parent = to.slice(0, to.lastIndexOf('/')) || '/';
  if (!isDirectory(state, session, parent)) return 'No such file or directory';
  const renamed = (p: string): string | undefined => (p === from ? to : p.startsWith(`${from}/`) ? to + p.slice(from.length) : undefined);
  for (const p of Object.keys(place.files)) {
    const next = renamed(p);
    if (next === undefined) continue;
    place.files[next] = place.files[p]!;
    delete place.files[p];
  }
  const times = place.times(false);
  for (const p of Object.keys(times ?? {})) {
    const next = renamed(p);
    if (next === undefined) continue;
    times![next] = times![p]!;
    delete times![p];
  }
  const dirs = place.dirs.map((d) => renamed(d) ?? d);
  // A directory only its files implied is one still (it may have none left to imply it).
  if (!dirs.includes(to)) dirs.push(to);
  place.dirs.splice(0, place.dirs.length, ...dirs);
  stamp(state, place, from, true);
  stamp(state, place, to, true);
  return undefined;
}

export function makeDirectory(state: ClusterState, session: ShellSession, path: string, parents: boolean): string | undefined {
  const abs = resolvePath(session, path);
  if (isDirectory(state, session, abs)) return parents ? undefined : 'File exists';
  const place = placeOf(state, session);
  if (place.all()[abs] !== undefined) return 'File exists';
  const denied = writeDenied(session, abs);
  if (denied) return denied;
  const parent = abs.slice(0, abs.lastIndexOf('/')) || '/';
  if (!isDirectory(state, session, parent)) {
    if (!parents) return 'No such file or directory';
    const error = makeDirectory(state, session, parent, true);
    if (error) return error;
  }
  if (place.dirs.length >= MAX_WRITTEN_FILES) return 'No space left on device';
  if (session.container && containerLayersBytes(state) + abs.length > MAX_CONTAINER_LAYERS_BYTES) return 'No space left on device';
  place.dirs.push(abs);
  stamp(state, place, abs, true);
  return undefined;
}

/** The names in a directory (files and directories), sorted as `ls` sorts them in the C locale. */
export function listDirectory(state: ClusterState, session: ShellSession, abs: string): { name: string; dir: boolean }[] {
  const host = hostMount(session, abs);
  if (host) return listDirectory(state, host.session, host.path);
  const place = placeOf(state, session);
  const prefix = abs === '/' ? '/' : `${abs}/`;
  const entries = new Map<string, boolean>();
  const add = (path: string, isDir: boolean): void => {
    if (!path.startsWith(prefix) || path === abs) return;
    const rest = path.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash < 0) entries.set(rest, entries.get(rest) || isDir);
    else entries.set(rest.slice(0, slash), true);
  };
  for (const p of Object.keys(place.all())) add(p, false);
  for (const d of [...place.dirs, ...BASE_DIRS, homeOf(session), ...(session.container?.hostNode ? ['/host'] : [])]) add(d, true);
  return [...entries].map(([name, dir]) => ({ name, dir })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Pathname expansion: the paths matching a glob pattern, sorted; none when nothing matches. */
export function globPaths(state: ClusterState, session: ShellSession, budget: LineBudget, pattern: string): string[] {
  const absolute = pattern.startsWith('/');
  const segments = pattern.split('/').filter((s) => s !== '');
  let paths = [absolute ? '/' : cwdOf(session)];
  let shown = [absolute ? '/' : ''];
  for (const [i, segment] of segments.entries()) {
    const last = i === segments.length - 1;
    const nextPaths: string[] = [];
    const nextShown: string[] = [];
    paths.forEach((dir, k) => {
      const join = (name: string): [string, string] => [normalizePath(name, dir), shown[k] === '' ? name : shown[k] === '/' ? `/${name}` : `${shown[k]}/${name}`];
      if (!/[*?[]/.test(segment)) {
        const name = segment.replace(/\\(.)/g, '$1');
        const [p, s] = join(name);
        if (!last) budget.spend(writeSteps(state, session, p));
        if (last || isDirectory(state, session, p)) {
          nextPaths.push(p);
          nextShown.push(s);
        }
        return;
      }
      // A listing goes over every file where the session is: charged as a write's checks.
      budget.spend(writeSteps(state, session, dir));
      for (const entry of listDirectory(state, session, dir)) {
        if (entry.name.startsWith('.') && !segment.startsWith('.')) continue;
        if (!matchGlob(segment, entry.name, budget) || (!last && !entry.dir)) continue;
        const [p, s] = join(entry.name);
        nextPaths.push(p);
        nextShown.push(s);
      }
    });
    paths = nextPaths;
    shown = nextShown;
  }
  // One merged view for every match (isDirectory would merge the layer again for each).
  const place = placeOf(state, session);
  const all = place.all();
  const count = Object.keys(all).length + place.dirs.length;
  return shown.filter((_s, k) => {
    const path = paths[k]!;
    if (all[path] !== undefined) return true;
    if (hostMount(session, path)) return isDirectory(state, session, path);
    budget.spend(STEPS_PER_RECORD + count);
    return isDirectoryIn(session, place, all, path);
  });
}
