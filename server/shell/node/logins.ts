// Who is logged in to a node, from the login model: the player's interactive `ssh NODE`
// (`session.loginAt`, on pts/0, from the bastion motd names) is the one utmp entry; wtmp adds
// the previous login motd's `Last login` names and the node's last boot. `ssh NODE CMD`
// logs no one in, as sshd writes utmp only for a session with a terminal.
// Layouts: coreutils 8.32 `who`, procps-ng 3.3.17 `w`, util-linux 2.37 `last` (Ubuntu 22.04).
import { wallClock } from '../../cluster/logs.js';
import type { ClusterState } from '../../cluster/types.js';
import { PREVIOUS_LOGIN_AGO, SSH_CLIENT_IP } from '../login.js';
import { NODE_USER } from '../session.js';
import type { ShellCommand, ShellSession } from '../types.js';
import { fail, ok } from '../types.js';
import { bootTime, isResult, onNode } from './common.js';
import { uptimeLine } from './procs.js';

const TTY = 'pts/0';
/** How long the previous session lasted (motd's `Last login`): its wtmp entry's logout. */
const PREVIOUS_SESSION_MS = 25 * 60_000 + 13_000;

/** When the terminal's login on this node began: this shell's, or the ssh shell `sudo -i` was opened from. */
function loginAt(session: ShellSession): number | undefined {
  return session.loginAt ?? session.outer?.findLast((p) => p.node === session.node && p.loginAt !== undefined)?.loginAt;
}

const p2 = (n: number): string => String(n).padStart(2, '0');
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const hhmm = (d: Date): string => `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}`;
/** ctime's `Fri Dec  4 21:55`, last's login column (seconds and year with --fulltimes only). */
const ctimeMinutes = (d: Date): string => `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2)} ${hhmm(d)}`;

/** who.c print_line: name in 8, line in 12, `%Y-%m-%d %H:%M`, the host in parentheses. */
export const who: ShellCommand = (ctx, argv) => {
  const n = onNode(ctx, 'who');
  if (isResult(n)) return n;
  const bad = argv.slice(1).find((a) => a.startsWith('-') && !/^-[aHqsuw]+$/.test(a));
  if (bad) return fail(`who: invalid option -- '${bad.replace(/^-+/, '').replace(/[aHqsuw]/g, '')[0] ?? bad}'\nTry 'who --help' for more information.\n`);
  const at = loginAt(ctx.session);
  const header = argv.includes('-H') ? 'NAME     LINE         TIME             COMMENT\n' : '';
  if (argv.includes('-q')) return ok(`${at === undefined ? '' : NODE_USER}\n# users=${at === undefined ? 0 : 1}\n`);
  if (at === undefined) return ok(header);
  const d = wallClock(n.state, at);
  const date = `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())} ${hhmm(d)}`;
  return ok(`${header}${NODE_USER.padEnd(8)} ${TTY.padEnd(12)} ${date} (${SSH_CLIENT_IP})\n`);
};

/** procps `print_time_ival7`: ` 0.00s` under a minute, `M:SS`, then `H:MMm`. */
function interval7(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return ` ${String(s).padStart(2)}.${p2(Math.floor((ms % 1000) / 10))}s`;
  if (s < 3600) return ` ${String(Math.floor(s / 60)).padStart(2)}:${p2(s % 60)} `;
  return ` ${String(Math.floor(s / 3600)).padStart(2)}:${p2(Math.floor(s / 60) % 60)}m`;
}

/** w.c: uptime's line, the header, one line a login: user 9, tty 9, from 16, LOGIN@, IDLE, JCPU, PCPU, WHAT. */
export const w: ShellCommand = (ctx, argv) => {
  const n = onNode(ctx, 'w');
  if (isResult(n)) return n;
  const flags = argv.slice(1).filter((a) => a.startsWith('-')).join('');
  const bad = flags.replace(/-/g, '').replace(/[hsuf]/g, '');
  if (bad) return fail(`w: invalid option -- '${bad[0]}'\nUsage:\n w [options] [user]\n`);
  const short = flags.includes('s');
  let out = flags.includes('h') ? '' : `${uptimeLine(n)}\nUSER     TTY      FROM             ${short ? ' IDLE WHAT' : 'LOGIN@   IDLE   JCPU   PCPU WHAT'}\n`;
  const at = loginAt(ctx.session);
  if (at !== undefined) {
    // The line typed is what the terminal runs now; the shell's own CPU is a few hundredths.
    const what = argv.join(' ');
    const from = `${NODE_USER.padEnd(9)}${TTY.padEnd(9)}${SSH_CLIENT_IP.padEnd(16)}`;
    out += short ? `${from}${interval7(0)}  ${what}\n` : `${from} ${loginTime(n.state, at)}${interval7(0)}${interval7(20)}${interval7(0)} ${what}\n`;
  }
  return ok(out);
};

/** w's LOGIN@: `HH:MM` today, `DdayHH` (Mon09) this week, else `DDMonYY`, in 7 columns. */
function loginTime(state: ClusterState, at: number): string {
  const d = wallClock(state, at);
  const now = wallClock(state, state.now);
  const age = now.getTime() - d.getTime();
  if (age <= 12 * 3600_000 && d.getUTCDate() === now.getUTCDate()) return `${hhmm(d)}  `;
  if (age <= 6 * 86400_000) return `${DAYS[d.getUTCDay()]}${p2(d.getUTCHours())}  `;
  return `${p2(d.getUTCDate())}${MONTHS[d.getUTCMonth()]}${p2(d.getUTCFullYear() % 100)}`;
}

/** last.c: user 8, tty 12, host 16, login time, then the logout and the session's length; `wtmp begins` at the end. */
export const last: ShellCommand = (ctx) => {
  const n = onNode(ctx, 'last');
  if (isResult(n)) return n;
  const row = (user: string, tty: string, host: string, at: number, end: string): string =>
    `${user.padEnd(8)} ${tty.padEnd(12)} ${host.padEnd(16).slice(0, 16)} ${ctimeMinutes(wallClock(n.state, at))} ${end}\n`;
  const boot = bootTime(n.node);
  const lines: string[] = [];
  const at = loginAt(ctx.session);
  if (at !== undefined) lines.push(row(NODE_USER, TTY, SSH_CLIENT_IP, at, '  still logged in'));
  const before = (at ?? n.state.now) - PREVIOUS_LOGIN_AGO;
  if (before > boot) {
    const end = wallClock(n.state, before + PREVIOUS_SESSION_MS);
    const minutes = Math.floor(PREVIOUS_SESSION_MS / 60_000);
    lines.push(row(NODE_USER, TTY, SSH_CLIENT_IP, before, `- ${hhmm(end)}  (${p2(Math.floor(minutes / 60))}:${p2(minutes % 60)})`));
  }
  lines.push(row('reboot', 'system boot', n.node.status.nodeInfo.kernelVersion, boot, '  still running'));
  const first = wallClock(n.state, boot);
  const stamp = `${ctimeMinutes(first)}:${p2(first.getUTCSeconds())} ${first.getUTCFullYear()}`;
  return ok(`${lines.join('')}\nwtmp begins ${stamp}\n`);
};
