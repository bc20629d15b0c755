// Moving between machines and users: `ssh NODE` from the workstation, `exit`/`logout`
// back, `sudo CMD` and `sudo -i` on a node.
import { wallClock } from '../cluster/logs.js';
import type { ClusterState, Node } from '../cluster/types.js';
import type { ProgramResult, ShellProgram } from './program.js';
import { forkSession, internalIP, NODE_USER, WORKSTATION_USER } from './session.js';

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
  return state.nodes[host] ?? Object.values(state.nodes).find((n) => n.status.addresses.some((a) => a.address === host));
}

export const ssh: ShellProgram = (ctx, argv, shell) => {
  let login: string | undefined;
  let i = 1;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    const letter = arg[1]!;
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
    const { output, exitCode } = shell.runLine(session, remote.join(' '), ctx.facts);
    return result(output, '', exitCode);
  }
  ctx.session.node = name;
  ctx.session.root = false;
  delete ctx.session.cwd;
  return result(motd(ctx.state, node));
}

function motd(state: ClusterState, node: Node): string {
  const info = node.status.nodeInfo;
  const last = wallClock(state, state.now - 3 * 3600_000 - 17 * 60_000 - 42_000);
  const when = last.toUTCString().replace(/^(\w+), (\d+) (\w+) (\d+) ([\d:]+) GMT$/, (_all, day: string, date: string, month: string, year: string, time: string) => `${day} ${month} ${date.replace(/^0/, ' ')} ${time} ${year}`);
  return `Welcome to ${info.osImage} (GNU/Linux ${info.kernelVersion} ${info.architecture === 'arm64' ? 'aarch64' : 'x86_64'})\n\n` +
    ` * Documentation:  https://help.ubuntu.com\n\nLast login: ${when} from 10.0.0.5\n`;
}

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
  delete session.cwd;
  if (session.node === undefined) {
    if (argv[0] === 'logout') return result('', "bash: logout: not login shell: use `exit'\n", 1);
    return { stdout: '', stderr, exitCode: code, stop: true, exitShell: true };
  }
  if (session.root) {
    session.root = false;
    return { stdout: 'logout\n', stderr, exitCode: code, stop: true };
  }
  const node = session.node;
  delete session.node;
  return { stdout: 'logout\n', stderr: `${stderr}Connection to ${node} closed.\n`, exitCode: code, stop: true };
};

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
  if (asRoot.session.node === undefined) {
    delete session.node;
    delete session.cwd;
    session.root = false;
  }
  return res;
};
