import type { Fact, FactInterest, FactSink } from '../cluster/facts.js';
import type { ClusterState } from '../cluster/types.js';
import type { LineBudget } from './budget.js';
import type { Command } from './parse.js';

/** One player's terminal: where they are and what they typed. Plain data (serialisable). */
export interface ShellSession {
  /** A shell running a script (`sh -c`, a container's process), not a terminal: `exit` ends the script, it leaves no place. */
  script?: true;
  /** The shell is dash (`sh` on the workstation and nodes, child-shell.ts): its grammar, builtins and messages. */
  dash?: true;
  /** A container's process running its script (exec/process.ts): the process's own clock, which `sleep` marks in the output. */
  processClock?: { startedAt: number; elapsed: number };
  /** Node the player has ssh'ed into; undefined = their workstation (kubectl only). */
  node?: string;
  /** When the interactive `ssh NODE` that opened this shell logged in (`ssh NODE CMD` records no login). */
  loginAt?: number;
  /** `sudo -i` / `sudo su` turned the node shell into root. */
  root: boolean;
  /** Shell variables set with `NAME=value` or `export`. */
  vars: Record<string, string>;
  /** Variables marked with `export` or `declare -x`: with the login environment's, what a program (a child shell) is given. */
  exported?: Record<string, true>;
  /** Lines typed, oldest first, as `history` shows them (the last HISTSIZE). */
  history: string[];
  /** How many older lines were forgotten: `history[0]` is line `historyBase + 1`. */
  historyBase?: number;
  /** Default namespace for kubectl (`kubectl config set-context --current --namespace`). */
  namespace: string;
  /** Exit status of the last line, for `$?`. */
  lastExitCode?: number;
  /** Indexed arrays (`a=(x y)`), possibly sparse. */
  arrays?: Record<string, string[]>;
  /** Associative arrays (`declare -A m`). */
  assoc?: Record<string, Record<string, string>>;
  /** Functions defined with `name() { …; }`. */
  functions?: Record<string, Command>;
  /** Functions marked with `export -f`: a child bash has them too. */
  exportedFunctions?: Record<string, true>;
  /** `alias NAME=text` on the workstation; undefined: the login's (`k` for kubectl). */
  aliases?: Record<string, string>;
  /** `set -e`, `-u`, `-x`, `-o pipefail`. */
  options?: ShellOptions;
  /** `trap 'CMD' EXIT|ERR|…`: the command text per signal name. */
  traps?: Record<string, string>;
  /** Files written on the workstation, by absolute path (vfs.ts). */
  files?: Record<string, string>;
  /** When the workstation's files and directories were last written (vfs.ts `modifiedAt`). */
  fileTimes?: Record<string, number>;
  /** The workstation's own files (~/.kube/config) were put in `files` (vfs.ts `furnishWorkstation`). */
  furnished?: true;
  /** Directories made with mkdir, per machine ('' is the workstation). */
  dirs?: Record<string, string[]>;
  /** Working directory after `cd`; undefined: home. */
  cwd?: string;
  /** The files of `<(…)` while the command using them runs. */
  fds?: Record<string, string>;
  /** A shell inside a container (`kubectl exec -it`, `kubectl run -it`, `kubectl debug node/X -it`). */
  container?: ContainerShell;
  /** Where each nested shell (ssh, exec -it, sh in sh…) was opened from, innermost last: `exit` goes back. */
  outer?: Place[];
  /** A command still printing as simulated time passes, until Ctrl-C (stream.ts). */
  stream?: Stream;
  /** Programs left running on the workstation with `&` (jobs.ts): `jobs`, `kill`, what listens on its loopback. */
  jobs?: Job[];
  /** `$!`: the process id of the last command run with `&`. */
  lastBackground?: number;
  /** `[pid, status]` of the latest `&` lists that ran to their end at once (at most 16), for `wait PID`. */
  finished?: [number, number][];
  /** Variables with the integer attribute (`declare -i`): what is assigned to them is evaluated as arithmetic. */
  integers?: Record<string, true>;
  /** `getopts`' place inside a cluster of options (`-ab`): the OPTIND it last set and the letter after it. */
  getopts?: { optind: string; char: number };
}

/** A background job on the workstation: `kubectl port-forward … &`, `kubectl proxy &`. */
export interface Job {
  /** bash's job number (`%1`). */
  id: number;
  pid: number;
  /** The command as `jobs` prints it. */
  command: string;
  /** The loopback ports it serves. */
  listeners: Listener[];
}

/** A port on the workstation's loopback and what answers there. */
export type Listener =
  | { port: number; kind: 'forward'; namespace: string; pod: string; uid: string; podPort: number }
  | { port: number; kind: 'proxy' };

/**
 * A following command (`kubectl get -w`, `kubectl logs -f`, `watch`, `journalctl -f`) typed at
 * an interactive terminal: each time the room's clock moves, its program runs again with
 * `ctx.resume` (the cursor) and prints what is new.
 */
export interface Stream {
  argv: string[];
  cursor: StreamCursor;
  /** Characters printed so far: a stream stops at MAX_STREAM_CHARS. */
  printed: number;
}

/** Where a following program left off (plain data, like the rest of the session). */
export type StreamCursor =
  /** `until`: when the watch's --request-timeout runs out (simulated time). */
  | { kind: 'get'; versions: Record<string, number>; rows?: Record<string, string[]>; until?: number }
  /** `seen`: lines shown; `at`: the time of the last one (a capped log's length stops growing), `atCount` how many shown were written then; `restarts`: the instance's. */
  | { kind: 'logs'; uid: string; container: string; seen: number; at?: number; atCount?: number; restarts?: number }
  | { kind: 'watch'; lastAt: number }
  | { kind: 'journal'; lastAt: number }
  | { kind: 'tcpdump'; lastAt: number; seen: number }
  | { kind: 'serve'; listeners: Listener[] }
  /** `sleep infinity` at the terminal: nothing comes, until Ctrl-C. */
  | { kind: 'sleep' };

/** A shell running in a container; the image's tools are what runs there (shell/exec). */
export interface ContainerShell {
  namespace: string;
  pod: string;
  container: string;
  /** The shell program: busybox/alpine/dash `sh`, or `bash`. */
  shell: 'sh' | 'bash';
  /** What kubectl does once the shell exits: `kubectl run -it` prints how to attach again, with --rm deletes the pod. */
  attached?: 'keep' | 'remove';
  /** `kubectl debug node/X`: the node whose root filesystem is mounted at /host. */
  hostNode?: string;
}

/** Where a shell runs: a node (or the workstation) as a user, or a container. */
export interface Place {
  node?: string;
  root: boolean;
  /** When `ssh NODE` logged in there (who, w, last show the login). */
  loginAt?: number;
  /** `bash`/`sh` typed at the terminal opened a shell inside this one: its state, back on `exit`. */
  shell?: SavedShell;
  cwd?: string;
  container?: ContainerShell;
}

/** A shell's own state, which a shell it starts does not share (child-shell.ts). */
export type SavedShell = Pick<ShellSession, 'vars' | 'exported' | 'arrays' | 'assoc' | 'functions' | 'options' | 'traps' | 'dash'>;

export interface ShellOptions {
  errexit?: boolean;
  nounset?: boolean;
  xtrace?: boolean;
  pipefail?: boolean;
}

/** What one command (a pipeline stage) printed. Expected failures are results, never throws. */
/**
 * What a JSON text printed on stdout holds: the parsed value (frozen, equal to JSON.parse of
 * the text) and the text's newlines (for jq's `at <stdin>:N`). A JSON reader fed that stdout
 * directly may take the value instead of parsing 1.6 MB again (`kubectl get -o json | jq`).
 */
export interface StdoutJson {
  value: unknown;
  newlines: number;
}

export interface CommandResult {
  stdout: string;
  stderr: string;
  exitCode: number;
  /** Written to stderr before stdout: what kubectl prints before the answer (the apiserver's Warning headers, `Found 3 pods, using pod/x`), a background job's line printed as the command began. */
  stderrFirst?: string;
  /** stdout as a value, when it is one JSON text (StdoutJson). */
  json?: StdoutJson;
  /** Set by `kubectl edit`; the line result passes it to the terminal. */
  edit?: LineResult['edit'];
  /** Set by `clear`. */
  clear?: boolean;
  /** A stream's step found nothing more will come (the pod is gone): the stream ends. */
  streamEnded?: boolean;
  /** Both streams in the order the tool wrote them, where stderr comes first or between (`stdout`/`stderr` still hold each whole). */
  written?: { fd: 1 | 2; text: string }[];
}

/** Everything a command implementation may read or change. */
export interface CommandContext {
  state: ClusterState;
  session: ShellSession;
  /** Variables visible to this command (session vars plus `VAR=value cmd` prefixes). */
  env: Record<string, string>;
  /** Standard input (output of the previous pipeline stage, or ''). */
  stdin: string;
  /** Where the command tags the facts of the world its output shows; absent = nobody scores this line. */
  facts?: FactSink;
  /** Nothing was piped or redirected in: an editor opens rather than reading stdin. */
  stdinIsTerminal?: boolean;
  /** fd 1 is the terminal (not a pipe, a file, a substitution or `ssh NODE CMD`): ls prints columns, else one name a line. */
  stdoutIsTerminal?: boolean;
  /** All of stdin as a value, when the previous stage printed only one JSON text and none of stdin was read (then it is read). */
  stdinJson?: () => StdoutJson | undefined;
  /**
   * `sleep`: lets simulated time pass (the room's clock, through its scenario); returns the
   * ms that passed, bounded per line. Absent where no clock runs.
   */
  passTime?: (ms: number) => number;
  /** The typed line's work budget: loops call `budget.spend(steps)` (see budget.ts). */
  budget: LineBudget;
  /**
   * Given when the command is the whole line at an interactive terminal: a following program
   * prints what it has, calls this and returns; it goes on as time passes (session.stream).
   */
  follow?: (cursor: StreamCursor) => void;
  /** A running stream's step: the program prints what is new since `resume` and moves it on. */
  resume?: StreamCursor;
  /**
   * Given when the command was typed with `&` on the workstation: a program that keeps serving
   * (port-forward, proxy) becomes a job with these listeners, and gets its process id.
   */
  detach?: (listeners: Listener[]) => number;
}

/** What the caller of runLine provides besides the line. */
export interface LineOptions {
  /** Advances the room's simulated clock (deterministic: replay advances it the same way). */
  advance?: (ms: number) => void;
  /** Which facts to tag (a scenario's evidence, reveals.ts); none = tag nothing. */
  interest?: FactInterest;
  /** The line's work budget (budget.ts); a fresh one of MAX_STEPS_PER_LINE when absent. */
  budget?: LineBudget;
  /** An interactive terminal that can send Ctrl-C: following commands keep printing (session.stream). */
  interactive?: boolean;
  /** What the line reads on stdin (an exec's piped input, kubeapi/exec.ts); absent: the terminal. */
  stdin?: string;
}

/**
 * An editor to open on `text`. Saving runs `save` with the edited text as a here-document
 * (editLine): the log records the edit as that one command, which replays it.
 */
export interface EditRequest {
  /** What is edited, for the dialog's heading (`x.yaml`, `configmaps/coredns -n kube-system`). */
  title: string;
  text: string;
  /** The command that stores the edited text it reads on stdin (`vi x.yaml`, `kubectl edit cm x -n ns`). */
  save: string;
}

/** A program the shell can run: `argv[0]` is its name as typed. */
export type ShellCommand = (ctx: CommandContext, argv: string[]) => CommandResult;

/** What running one typed line produced, for the terminal. */
export interface LineResult {
  /** Text to print, stderr and stdout in the order a terminal would show them. Lines end with '\n'. */
  output: string;
  exitCode: number;
  /** `clear` / Ctrl-L: the terminal should clear its screen before printing output. */
  clear?: boolean;
  /** `vi FILE`, `kubectl edit`: the terminal opens an editor (see EditRequest). */
  edit?: EditRequest;
  /** `exit` typed on the workstation: the scripted/interactive CLI ends (a browser terminal just stays). */
  exit?: boolean;
  /** Facts of the world the output showed, when the line ran with an interest (reveals.ts). */
  observed?: Fact[];
  /** The line left a command printing until Ctrl-C (session.stream). */
  streaming?: boolean;
}

/** Tab completion for the terminal: candidates that may replace the word under the cursor. */
export interface Completion {
  /** Index in the line where the replaced word starts. */
  from: number;
  candidates: string[];
}

export const ok = (stdout = ''): CommandResult => ({ stdout, stderr: '', exitCode: 0 });
export const fail = (stderr: string, exitCode = 1): CommandResult => ({ stdout: '', stderr, exitCode });
/** A result whose streams interleave: the chunks in the order written. */
export function interleaved(written: { fd: 1 | 2; text: string }[], exitCode: number): CommandResult {
  const chunks = written.filter((c) => c.text !== '');
  const text = (fd: 1 | 2) => chunks.filter((c) => c.fd === fd).map((c) => c.text).join('');
  return { stdout: text(1), stderr: text(2), exitCode, written: chunks };
}
