// Which programs exist where. On the workstation: kubectl (`k` is an alias), ssh, curl, nc, ping, dig,
// ps, openssl, the text tools and builtins. On a node after `ssh`: the node and network tools,
// kubectl on control-plane nodes only (they hold /etc/kubernetes/admin.conf), sudo, the text tools and builtins.
import type { ClusterState } from '../cluster/types.js';
import { environment, shellBuiltins, utilities } from './builtins.js';
import { kubectlCommand } from './kubectl/index.js';
import { STEPS_PER_NODE_TOOL } from './budget.js';
import { containerPrograms } from './exec/index.js';
import { exit, scp, ssh, sudo } from './login.js';
import { networkTools } from './node/network/index.js';
import { withFacts } from './node/facts.js';
import { nodeTools } from './node/index.js';
import type { ShellProgram } from './program.js';
import { program } from './program.js';
import { editor } from './editor.js';
import { childShell } from './child-shell.js';
import { curlWith } from './exec/http-tools.js';
import { workstationRequest } from './workstation/network.js';
import { dig, host, nc, nslookup, openssl, ping, ps } from './workstation/tools.js';
import { bc } from './workstation/bc.js';
import { watch } from './watch.js';
import { jobs, kill } from './jobs.js';
import { cp, ls, mkdir, mv, rm, rmdir, touch } from './file-tools.js';
import { basename, dirname, find, id, realpath, stat } from './path-tools.js';
import { timeout } from './timeout.js';
import { hexdump, od, xxd } from './text/dump.js';
import { isLanguageBuiltin, languageBuiltinNames } from './language.js';
import { aliasesOf, currentNode, isControlPlane, own } from './session.js';
import { awk, textTools, xargs } from './text/index.js';
import type { ShellCommand, ShellSession } from './types.js';
import { ok } from './types.js';

const programs = (commands: Record<string, ShellCommand>): Record<string, ShellProgram> =>
  Object.fromEntries(Object.entries(commands).map(([name, command]) => [name, program(command)]));

/** Where a program is installed, for `type` and `which`. */
const BIN_DIR: Record<string, string> = { kubectl: '/usr/local/bin', etcdctl: '/usr/local/bin', crictl: '/usr/local/bin' };

const KEYWORDS = new Set(['if', 'then', 'else', 'elif', 'fi', 'case', 'esac', 'for', 'select', 'while', 'until', 'do', 'done', 'in', 'function', 'time', '{', '}', '!', '[[', ']]', 'coproc']);

/** bash's `type [-t|-p|-P] NAME…`: what each name runs as (-t: one word; -p/-P: the file's path only). */
const typeCmd: ShellProgram = (ctx, argv, shell) => {
  const options = argv.slice(1).filter((a) => /^-[tpPa]+$/.test(a)).join('');
  const names = argv.slice(1).filter((a) => !/^-[tpPa]+$/.test(a));
  let stdout = '';
  let stderr = '';
  let missing = false;
  for (const name of names) {
    const alias = own(aliasesOf(ctx.session), name);
    const what = options.includes('P') ? (shell.find(ctx, name, true) ? 'file' : undefined)
      : alias !== undefined ? 'alias'
        : KEYWORDS.has(name) ? 'keyword'
          : own(ctx.session.functions, name) ? 'function'
            : isLanguageBuiltin(name) || Object.hasOwn(shellBuiltinPrograms, name) || ['echo', 'pwd', 'true', 'false', 'test', '['].includes(name) ? 'builtin'
              : shell.find(ctx, name, true) ? 'file' : undefined;
    if (what === undefined) {
      missing = true;
      if (!/[tpP]/.test(options)) stderr += `bash: type: ${name}: not found\n`;
    } else if (options.includes('t')) stdout += `${what}\n`;
    else if (/[pP]/.test(options)) stdout += what === 'file' ? `${pathOf(name)}\n` : '';
    else if (what === 'alias') stdout += `${name} is aliased to \`${alias}'\n`;
    else if (what === 'keyword') stdout += `${name} is a shell keyword\n`;
    else if (what === 'function') stdout += `${name} is a function\n`;
    else if (what === 'builtin') stdout += `${name} is a shell builtin\n`;
    else stdout += `${name} is ${pathOf(name)}\n`;
  }
  return { stdout, stderr, exitCode: missing ? 1 : 0 };
};

const which: ShellProgram = (ctx, argv, shell) => {
  const names = argv.slice(1).filter((n) => !n.startsWith('-'));
  const found = names.filter((n) => shell.find(ctx, n, true));
  return { stdout: found.map((n) => `${pathOf(n)}\n`).join(''), stderr: '', exitCode: found.length === names.length ? 0 : 1 };
};

function pathOf(name: string): string {
  return `${BIN_DIR[name] ?? '/usr/bin'}/${name}`;
}

const help: ShellProgram = (ctx) => {
  const names = Object.keys(locationPrograms(ctx.state, ctx.session)).sort();
  const where = ctx.session.container ? `in ${ctx.session.container.pod}` : ctx.session.node === undefined ? 'on your workstation' : `on ${ctx.session.node}`;
  return ok(
    `Programs available ${where}:\n${wrap(names)}\n` +
    `Shell builtins:\n${wrap([...Object.keys(shellBuiltinPrograms), ...languageBuiltinNames()].sort())}\n` +
    `Text tools and utilities:\n${wrap(Object.keys(utilityPrograms).sort())}\n` +
    'The bash language works: pipes, lists, quotes, expansions, loops, case, functions, [[ ]], $((…)). Tab completes.\n',
  );
};

function wrap(names: string[]): string {
  const lines: string[] = [];
  let line = ' ';
  for (const name of names) {
    if (line.length + name.length + 1 > 78) {
      lines.push(line);
      line = ' ';
    }
    line += ` ${name}`;
  }
  lines.push(line);
  return `${lines.join('\n')}\n`;
}

const shellBuiltinPrograms: Record<string, ShellProgram> = {
  ...programs(shellBuiltins),
  exit,
  logout: exit,
  help,
  type: typeCmd,
  jobs,
  kill,
};

const ENV_HELP = "Try 'env --help' for more information.\n";

/**
 * `env [-i] [-u NAME] [-0] [NAME=value…] [COMMAND…]`: the environment, or COMMAND run with it
 * emptied (-i, `-`), names taken out and assignments added; coreutils' option errors (125).
 */
const env: ShellProgram = (ctx, argv, shell) => {
  const args = argv.slice(1);
  let vars: Record<string, string | undefined> = { ...ctx.env };
  const unset: string[] = [];
  let nul = false;
  const usage = (message: string): ReturnType<ShellProgram> => ({ stdout: '', stderr: `env: ${message}\n${ENV_HELP}`, exitCode: 125 });
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    if (arg === '-' || arg === '-i' || arg === '--ignore-environment') vars = {};
    else if (arg === '-0' || arg === '--null') nul = true;
    else if (arg.startsWith('--unset=')) unset.push(arg.slice(8));
    else if (arg === '--unset') {
      if (args[i + 1] === undefined) return usage("option '--unset' requires an argument");
      unset.push(args[++i]!);
    } else if (arg.startsWith('--')) return usage(`unrecognized option '${arg}'`);
    else if (arg.startsWith('-')) {
      // A cluster of short options: `-iu NAME`, `-uNAME`.
      for (let j = 1; j < arg.length; j++) {
        const flag = arg[j]!;
        if (flag === 'i') vars = {};
        else if (flag === '0') nul = true;
        else if (flag === 'u') {
          const name = j + 1 < arg.length ? arg.slice(j + 1) : args[++i];
          if (name === undefined) return usage("option requires an argument -- 'u'");
          unset.push(name);
          break;
        } else return usage(`invalid option -- '${flag}'`);
      }
    } else break;
  }
  for (const name of unset) {
    if (name === '' || name.includes('=')) return { stdout: '', stderr: `env: cannot unset ‘${name}’: Invalid argument\n`, exitCode: 125 };
    delete vars[name];
  }
  for (; i < args.length && /^[^=]+=/s.test(args[i]!); i++) {
    const eq = args[i]!.indexOf('=');
    vars[args[i]!.slice(0, eq)] = args[i]!.slice(eq + 1);
  }
  if (i === args.length) return { stdout: environment(vars, nul ? '\0' : '\n'), stderr: '', exitCode: 0 };
  if (nul) return usage('cannot specify --null (-0) with command');
  const found = shell.find(ctx, args[i]!, true);
  if (!found) return { stdout: '', stderr: `env: ‘${args[i]}’: No such file or directory\n`, exitCode: 127 };
  return found({ ...ctx, env: vars as Record<string, string> }, args.slice(i), shell);
};

const utilityPrograms: Record<string, ShellProgram> = {
  ...programs(utilities),
  ...programs(textTools),
  ...programs({ mkdir, rmdir, touch, cp, mv, vi: editor, vim: editor, nano: editor }),
  ...programs({ stat, basename, dirname, realpath, readlink: realpath, id, od, xxd, hexdump }),
  find,
  timeout,
  xargs,
  awk,
  mawk: awk,
  gawk: awk,
  env,
  watch,
  which,
};

// Read when called, not when this module loads: kubectl's modules reach back here through the
// REST API (get --raw, the node's curl → kubeapi → exec → shell), so in that import cycle this
// module may load before kubectl's has, and the program would be undefined.
const kubectl: ShellProgram = (ctx, argv) => kubectlCommand(ctx, argv);
const nodeToolsWithFacts = withFacts({ ...networkTools, ...nodeTools });
/** curl from the workstation: a client on the office network with a route to the nodes (workstation/network.ts). */
const workstationCurl: ShellCommand = (ctx, argv) => {
  // A port-forward job prints a line for each connection it takes, on the terminal they share.
  let handled = '';
  const result = curlWith((url, opts) => workstationRequest(ctx, url, opts, (port) => (handled += `Handling connection for ${port}\n`)), argv);
  return handled === '' ? result : { ...result, stderrFirst: handled + (result.stderrFirst ?? '') };
};
const workstationTools: Record<string, ShellCommand> = { bc, dig, host, nc, nslookup, openssl, ping, ps };
const workstationPrograms: Record<string, ShellProgram> = { kubectl, ssh, scp, sudo, ls: program(ls), rm: program(rm), curl: program(workstationCurl), ...programs(workstationTools), bash: childShell, sh: childShell };

/** The node tools read the node's whole state (rules, journals, containers) on every call. */
const nodeTool = (command: ShellCommand): ShellProgram => (ctx, argv) => {
  ctx.budget.spend(STEPS_PER_NODE_TOOL);
  return command(ctx, argv);
};
const nodePrograms: Record<string, ShellProgram> = {
  ...Object.fromEntries(Object.entries(nodeToolsWithFacts).map(([name, command]) => [name, nodeTool(command)])),
  rm: program(rm),
  ssh,
  sudo,
  bash: childShell,
  sh: childShell,
};
const controlPlanePrograms: Record<string, ShellProgram> = { ...nodePrograms, kubectl };

/** In a container: its image's programs, and files written in its own layer. */
const containerFileTools: Record<string, ShellProgram> = { ls: program(ls), rm: program(rm) };

function locationPrograms(state: ClusterState, session: ShellSession): Record<string, ShellProgram> {
  if (session.container) return { ...containerFileTools, ...containerPrograms(state, session.container) };
  const node = currentNode(state, session);
  if (!node) return workstationPrograms;
  return isControlPlane(node) ? controlPlanePrograms : nodePrograms;
}

/**
 * The program a name runs where the session is, or undefined (command not found).
 * `external` leaves out the shell builtins: what `sudo` and `xargs` can run.
 */
export function findProgram(state: ClusterState, session: ShellSession, name: string, external = false): ShellProgram | undefined {
  if (!external && Object.hasOwn(shellBuiltinPrograms, name)) return shellBuiltinPrograms[name];
  const here = locationPrograms(state, session);
  if (Object.hasOwn(here, name)) return here[name];
  if (Object.hasOwn(utilityPrograms, name)) return utilityPrograms[name];
  return undefined;
}

/** Every command name that runs where the session is, for Tab completion. */
export function commandNames(state: ClusterState, session: ShellSession): string[] {
  const names = new Set([
    ...Object.keys(shellBuiltinPrograms), ...languageBuiltinNames(), ...Object.keys(locationPrograms(state, session)), ...Object.keys(utilityPrograms),
    ...Object.keys(aliasesOf(session)), ...Object.keys(session.functions ?? {}),
  ]);
  return [...names].sort();
}
