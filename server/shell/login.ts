// Moving between machines and users: `ssh NODE` from the workstation, a shell in a container
// (`kubectl exec -it`, shell/exec/interactive.ts), `exit`/`logout` back, `sudo CMD` and
// `sudo -i` on a node. A nested shell keeps the place it was opened from in `session.outer`,
// so `exit` returns there; it is session data, rebuilt by replaying the lines like the rest.
import { endEphemeralContainer } from '../cluster/ephemeral.js';
import { deleteObject, objectKey } from '../cluster/api.js';
import { wallClock } from '../cluster/logs.js';
import type { ClusterState, Node } from '../cluster/types.js';
import type { ProgramResult, ShellProgram } from './program.js';
import { forkSession, internalIP, NODE_USER, WORKSTATION_USER } from './session.js';
import type { Place, SavedShell, ShellSession } from './types.js';
import { isDirectory, readFile, resolvePath, writeFile } from './vfs.js';

/** Shells one terminal may have open inside each other (sh in sh in a pod…): a process table is not endless either. */
export const MAX_NESTED_SHELLS = 8;

function currentPlace(session: ShellSession): Place {
  const place: Place = { root: session.root };
  if (session.node !== undefined) place.node = session.node;
  if (session.loginAt !== undefined) place.loginAt = session.loginAt;
  if (session.cwd !== undefined) place.cwd = session.cwd;
  if (session.container !== undefined) place.container = session.container;
  return place;
}

function setPlace(session: ShellSession, place: Place): void {
  if (place.shell) {
    for (const key of SHELL_KEYS) delete session[key];
    Object.assign(session, place.shell);
  }
  delete session.node;
  delete session.loginAt;
  delete session.cwd;
  delete session.container;
  session.root = place.root;
  if (place.node !== undefined) session.node = place.node;
  if (place.loginAt !== undefined) session.loginAt = place.loginAt;
  if (place.cwd !== undefined) session.cwd = place.cwd;
  if (place.container !== undefined) session.container = place.container;
}

/** Opens a nested shell at `place`, keeping the current one to return to; false when too many are open. */
export function enterPlace(session: ShellSession, place: Place): boolean {
  const outer = (session.outer ??= []);
  if (outer.length >= MAX_NESTED_SHELLS) return false;
  outer.push(currentPlace(session));
  setPlace(session, place);
  return true;
}

const SHELL_KEYS = ['vars', 'exported', 'arrays', 'assoc', 'functions', 'options', 'traps', 'dash'] as const;

/**
 * `bash` or `sh` typed at the terminal: a shell inside this one, at the same place, with `own`
 * state (its environment's variables); this shell's is kept to come back to on `exit`.
 * False when too many shells are open.
 */
export function enterNestedShell(session: ShellSession, own: SavedShell): boolean {
  const kept: SavedShell = { vars: session.vars };
  for (const key of SHELL_KEYS) if (session[key] !== undefined) Object.assign(kept, { [key]: session[key] });
  if (!enterPlace(session, currentPlace(session))) return false;
  session.outer!.at(-1)!.shell = kept;
  for (const key of SHELL_KEYS) delete session[key];
  Object.assign(session, own);
  return true;
}

/** The shell `exit` is typed in was opened by `bash`/`sh` at the terminal (and is still where it was opened, as the same user). */
function inNestedShell(session: ShellSession): boolean {
  const top = session.outer?.at(-1);
  return top?.shell !== undefined && top.node === session.node && top.root === session.root && session.container === undefined;
}

/** Closes the innermost nested shell: back where it was opened (the workstation if nothing is kept). */
export function leavePlace(session: ShellSession): void {
  const back = session.outer?.pop();
  if (session.outer?.length === 0) delete session.outer;
  setPlace(session, back ?? { root: false });
}

/** The node went away under the session (reboot): every shell open on it closes. */
export function dropConnection(session: ShellSession, node: string): void {
  while (session.node === node && session.container === undefined) leavePlace(session);
}

const result = (stdout: string, stderr = '', exitCode = 0): ProgramResult => ({ stdout, stderr, exitCode });

/** ssh options that take a value (OpenSSH's getopt string). */
const SSH_VALUE_OPTS = new Set('BbcDEeFIiJLlmOoPpQRSWw'.split(''));

const SSH_USAGE = `usage: ssh [-46AaCfGgKkMNnqsTtVvXxYy] [-B bind_interface] [-b bind_address]
           [-c cipher_spec] [-D [bind_address:]port] [-E log_file]
           [-e escape_char] [-F configfile] [-I pkcs11] [-i identity_file]
           [-J destination] [-L address] [-l login_name] [-m mac_spec]
           [-O ctl_cmd] [-o option] [-P tag] [-p port] [-R address]
           [-S ctl_path] [-W host:port] [-w local_tun[:remote_tun]]
           destination [command [argument ...]]
`;

function resolveHost(state: ClusterState, host: string): Node | undefined {
  return (Object.hasOwn(state.nodes, host) ? state.nodes[host] : undefined) ?? Object.values(state.nodes).find((n) => n.status.addresses.some((a) => a.address === host));
}

export const ssh: ShellProgram = (ctx, argv, shell) => {
  let login: string | undefined;
  let tty = false;
  let i = 1;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    const letter = arg[1]!;
    if (!SSH_VALUE_OPTS.has(letter) && arg.slice(1).includes('t')) tty = true;
    if (SSH_VALUE_OPTS.has(letter)) {
      const value = arg.length > 2 ? arg.slice(2) : argv[++i];
      if (value === undefined) return result('', `ssh: option requires an argument -- ${letter}\n${SSH_USAGE}`, 255);
      if (letter === 'l') login = value;
    }
  }
  const destination = argv[i];
  if (destination === undefined) return result('', SSH_USAGE, 255);
  const at = destination.lastIndexOf('@');
  const user = at >= 0 ? destination.slice(0, at) : (login ?? NODE_USER);
  const host = at >= 0 ? destination.slice(at + 1) : destination;
  const node = resolveHost(ctx.state, host);
  if (!node) return result('', `ssh: Could not resolve hostname ${host}: Name or service not known\n`, 255);
  const name = node.metadata.name;
  // Only the workstation holds the key, and nodes accept it for the sudoer account only.
  if (ctx.session.node !== undefined || (user !== NODE_USER && user !== WORKSTATION_USER)) {
    return result('', `${user}@${host}: Permission denied (publickey).\n`, 255);
  }
  const remote = argv.slice(i + 1);
  if (remote.length > 0) {
    const session = { ...forkSession(ctx.session), node: name, root: false };
    delete session.dash; // the remote command runs in the login shell, bash
    // Without -t, the remote command's stdout is ssh's channel, not a terminal.
    const { output, exitCode } = shell.runLine(session, remote.join(' '), ctx.facts, !tty);
    return result(output, '', exitCode);
  }
  if (!enterPlace(ctx.session, { node: name, root: false, loginAt: ctx.state.now })) return result('', 'ssh: fork: Resource temporarily unavailable\n', 255);
  return result(motd(ctx.state, node));
}

const SCP_USAGE = `usage: scp [-346ABCOpqRrsTv] [-c cipher] [-D sftp_server_path] [-F ssh_config]
           [-i identity_file] [-J destination] [-l limit] [-o ssh_option]
           [-P port] [-S program] [-X sftp_option] source ... target
`;

/**
 * `scp [-pq…] SRC DST` between the workstation and a node, one side `[user@]host:path`, as
 * the node's sudoer account: it reads and writes what that user may (admin.conf is root's,
 * 0600: "Permission denied"). Quiet, as without a terminal (no progress meter).
 */
export const scp: ShellProgram = (ctx, argv) => {
  const args: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (/^-[iFoPlcSJDX]$/.test(a)) i++;
    else if (!a.startsWith('-') || a === '-') args.push(a);
  }
  if (args.length !== 2) return result('', SCP_USAGE, 255);
  const remoteOf = (arg: string) => /^(?:([^@:/]+)@)?([^:/]+):(.*)$/.exec(arg);
  const [src, dst] = args as [string, string];
  const from = remoteOf(src);
  const to = remoteOf(dst);
  if ((from === null) === (to === null)) return result('', 'scp: one side must be a node (HOST:PATH), the other this workstation\n', 1);
  const spec = (from ?? to)!;
  const user = spec[1] ?? NODE_USER;
  const node = resolveHost(ctx.state, spec[2]!);
  if (!node) return result('', `ssh: Could not resolve hostname ${spec[2]}: Name or service not known\r\nscp: Connection closed\n`, 255);
  if (ctx.session.node !== undefined || (user !== NODE_USER && user !== WORKSTATION_USER)) {
    return result('', `${user}@${spec[2]}: Permission denied (publickey).\r\nscp: Connection closed\n`, 255);
  }
  const remote = { ...ctx, session: { ...forkSession(ctx.session), node: node.metadata.name, root: false, cwd: undefined } };
  const [reader, writer] = from ? [remote, ctx] : [ctx, remote];
  const srcPath = from ? from[3] || '.' : src;
  const read = readFile(reader, 'scp', srcPath);
  if (!read.ok) return result('', read.error, 1);
  let target = to ? to[3] || '.' : dst;
  if (isDirectory(writer.state, writer.session, resolvePath(writer.session, target))) target = `${target.replace(/\/$/, '')}/${srcPath.split('/').pop()}`;
  const error = writeFile(writer.state, writer.session, target, read.content);
  return error ? result('', `scp: ${target}: ${error}\n`, 1) : result('');
};

function motd(state: ClusterState, node: Node): string {
  const info = node.status.nodeInfo;
  const last = wallClock(state, state.now - PREVIOUS_LOGIN_AGO);
  const when = last.toUTCString().replace(/^(\w+), (\d+) (\w+) (\d+) ([\d:]+) GMT$/, (_all, day: string, date: string, month: string, year: string, time: string) => `${day} ${month} ${date.replace(/^0/, ' ')} ${time} ${year}`);
  return `Welcome to ${info.osImage} (GNU/Linux ${info.kernelVersion} ${info.architecture === 'arm64' ? 'aarch64' : 'x86_64'})\n\n` +
    ` * Documentation:  https://help.ubuntu.com\n\nLast login: ${when} from ${SSH_CLIENT_IP}\n`;
}

/** Where the player's ssh sessions come from, as the nodes see them (the office's bastion). */
export const SSH_CLIENT_IP = '10.0.0.5';
/** The previous login motd's `Last login` names: 3 h 17 min 42 s before the one now. */
export const PREVIOUS_LOGIN_AGO = 3 * 3600_000 + 17 * 60_000 + 42_000;

/** `exit [N]` / `logout`: leave the root shell, then the node, then the terminal. */
export const exit: ShellProgram = (ctx, argv) => {
  const arg = argv[1];
  let code = ctx.session.lastExitCode ?? 0;
  let stderr = '';
  if (arg !== undefined) {
    if (/^-?\d+$/.test(arg)) code = ((Number(arg) % 256) + 256) % 256;
    else {
      stderr = `bash: exit: ${arg}: numeric argument required\n`;
      code = 2;
    }
  }
  const session = ctx.session;
  if (session.script) return { stdout: '', stderr, exitCode: code, stop: true };
  if (inNestedShell(session)) {
    // An interactive bash says `exit` as it leaves; dash says nothing.
    const said = session.dash ? '' : 'exit\n';
    leavePlace(session);
    return { stdout: said, stderr, exitCode: code, stop: true };
  }
  if (session.container !== undefined) return leaveContainer(ctx.state, session, argv[0]!, code, stderr);
  delete session.cwd;
  if (session.node === undefined) {
    if (argv[0] === 'logout') return result('', "bash: logout: not login shell: use `exit'\n", 1);
    return { stdout: '', stderr, exitCode: code, stop: true, exitShell: true };
  }
  // `chroot /host` in a debug pod: back in the pod's shell.
  if (session.outer?.at(-1)?.container !== undefined) {
    leavePlace(session);
    return { stdout: '', stderr, exitCode: code, stop: true };
  }
  if (session.root) {
    session.root = false;
    return { stdout: 'logout\n', stderr, exitCode: code, stop: true };
  }
  const node = session.node;
  leavePlace(session);
  return { stdout: 'logout\n', stderr: `${stderr}Connection to ${node} closed.\n`, exitCode: code, stop: true };
};

/**
 * `exit` in a container's shell: back to the shell it was opened from (`sh` typed in `sh`), or
 * out of the container with what kubectl prints then: `exec` the shell's non-zero status,
 * `run -it` how to attach again, and with --rm the pod's deletion.
 */
function leaveContainer(state: ClusterState, session: ShellSession, typed: string, code: number, stderr: string): ProgramResult {
  const inside = session.container!;
  if (typed === 'logout') return result('', `${inside.shell}: logout: not login shell: use \`exit'\n`, 1);
  // An interactive bash says `exit` as it leaves (busybox ash and dash say nothing), then kubectl speaks.
  let said = `${stderr}${inside.shell === 'bash' ? 'exit\n' : ''}`;
  let err = '';
  leavePlace(session);
  const back = session.container;
  if (back && back.pod === inside.pod && back.namespace === inside.namespace && back.container === inside.container) {
    return { stdout: said, stderr: '', exitCode: code, stop: true };
  }
  if (inside.attached) {
    // kubectl's attach says how to come back only to a pod that restarts its container (RestartPolicy
    // Always; attach.go reattachMessage); an ephemeral container's process ends with its shell.
    const pod = state.pods[objectKey(inside.namespace, inside.pod)];
    const ephemeral = pod?.spec.ephemeralContainers?.some((c) => c.name === inside.container) === true;
    if (pod && ephemeral) endEphemeralContainer(state, pod, inside.container, code);
    if (pod?.spec.restartPolicy === 'Always') {
      said += ephemeral
        ? `Session ended, the ephemeral container will not be restarted but may be reattached using 'kubectl attach ${inside.pod} -c ${inside.container} -i -t' if it is still running\n`
        : `Session ended, resume using 'kubectl attach ${inside.pod} -c ${inside.container} -i -t' command when the pod is running\n`;
    }
    if (inside.attached === 'remove' && deleteObject(state, 'Pod', objectKey(inside.namespace, inside.pod), { force: true }).ok) said += `pod "${inside.pod}" deleted\n`;
  } else if (code !== 0) err = `command terminated with exit code ${code}\n`;
  return { stdout: said, stderr: err, exitCode: code, stop: true };
}

const ROOT_SHELLS = [['-i'], ['-s'], ['su'], ['su', '-'], ['su', '-l'], ['su', 'root'], ['su', '-', 'root'], ['-i', 'bash'], ['bash'], ['-s', 'bash']];

/** sudo on a node (the login user is a sudoer with NOPASSWD, as on cloud images). */
export const sudo: ShellProgram = (ctx, argv, shell) => {
  const session = ctx.session;
  if (session.node === undefined) {
    return result('', `[sudo] password for ${WORKSTATION_USER}: \n${WORKSTATION_USER} is not in the sudoers file.  This incident will be reported.\n`, 1);
  }
  let args = argv.slice(1);
  while (args[0] === '-E' || args[0] === '-H' || args[0] === '-n' || args[0] === '--' || (args[0] === '-u' && args[1] === 'root')) {
    args = args.slice(args[0] === '-u' ? 2 : 1);
  }
  if (args.length === 0) return result('', 'usage: sudo -h | -K | -k | -V\nusage: sudo -v [-ABkNnS] [-g group] [-h host] [-p prompt] [-u user]\nusage: sudo [-ABbEHkNnPS] [-C num] [-D directory] [-g group] [-h host] [-p prompt] [-R directory] [-T timeout] [-u user] [VAR=value] [-i | -s] [command [arg ...]]\n', 1);
  if (ROOT_SHELLS.some((shape) => shape.length === args.length && shape.every((a, i) => a === args[i]))) {
    session.root = true;
    delete session.cwd;
    return result('');
  }
  if (args[0]!.startsWith('-')) return result('', `sudo: invalid option -- '${args[0]!.slice(1, 2)}'\nusage: sudo -h | -K | -k | -V\n`, 1);
  // `sudo ETCDCTL_API=3 etcdctl …`: sudo sets leading VAR=value pairs in the command's environment.
  const assignments: Record<string, string> = {};
  while (args.length > 1 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(args[0]!)) {
    const [name, ...value] = args[0]!.split('=');
    assignments[name!] = value.join('=');
    args = args.slice(1);
  }
  const asRoot = { ...ctx, session: { ...session, root: true } };
  asRoot.env = { ...ctx.env, USER: 'root', LOGNAME: 'root', HOME: '/root', SUDO_USER: NODE_USER, ...assignments };
  const found = shell.find(asRoot, args[0]!, true);
  if (!found) return result('', `sudo: ${args[0]}: command not found\n`, 1);
  const res = found(asRoot, args, shell);
  // `sudo reboot` drops the ssh connection: the command left the node in the root session's copy.
  if (asRoot.session.node !== session.node) {
    setPlace(session, currentPlace(asRoot.session));
    if (asRoot.session.outer) session.outer = asRoot.session.outer;
    else delete session.outer;
  }
  return res;
};
