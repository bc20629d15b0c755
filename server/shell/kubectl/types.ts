// Contracts of the kubectl implementation. A subcommand is one entry of the `subcommands`
// array in ./commands/index.ts; ./index.ts parses the line, checks the apiserver and
// calls `run` with the positional arguments and the parsed flags.
import type { CommandContext, CommandResult } from '../types.js';

export type FlagType = 'bool' | 'string' | 'int' | 'stringArray';

/** One flag a subcommand accepts, like a pflag definition. */
export interface FlagSpec {
  /** Long name without the dashes: `namespace`. */
  name: string;
  /** One-letter shorthand without the dash: `n`. */
  short?: string;
  type: FlagType;
  /** Value when the flag is absent (as typed on a command line). */
  default?: string;
  /** Help text for `--help` and completion. */
  usage?: string;
}

/** What pflag would hand to a command: flag values plus the positional arguments. */
export interface ParsedFlags {
  /** Every value given per long flag name, in order (bools as 'true' / 'false'). */
  values: Record<string, string[]>;
  /** Positional arguments, including those after `--`. */
  args: string[];
  /** Number of positional args before `--`, or -1 when there was no `--` (cobra's ArgsLenAtDash). */
  argsLenAtDash: number;
  /** The flag was given on the line. */
  has(name: string): boolean;
  /** Last value given, else the spec's default, else undefined. */
  string(name: string): string | undefined;
  bool(name: string): boolean;
  /** Last value as an integer (already validated by the parser), else default, else undefined. */
  int(name: string): number | undefined;
  /** Every value given (stringArray flags, or repeated string flags). */
  all(name: string): string[];
}

/** The command context plus what the global flags resolved to. */
export interface KubectlContext extends CommandContext {
  /** Namespace from -n/--namespace, else the session's default namespace. */
  namespace: string;
  /** -n/--namespace was given explicitly. */
  namespaceExplicit: boolean;
  /** -A/--all-namespaces was given (only for subcommands declaring it). */
  allNamespaces: boolean;
  /** The subcommand's name, for messages like `See 'kubectl get --help' for usage.` */
  commandName: string;
}

export interface KubectlSubcommand {
  name: string;
  aliases?: string[];
  /** Local flags; the global ones (flags.ts GLOBAL_FLAGS) are added automatically. */
  flags: FlagSpec[];
  /** One line for `kubectl --help`. */
  short?: string;
  /** Usage line(s) for `kubectl NAME --help`, e.g. `kubectl get [(-o|--output=)...] (TYPE[.VERSION][.GROUP] [NAME | -l label] | TYPE[.VERSION][.GROUP]/NAME ...) [flags]`. */
  usage?: string;
  /** Runs without talking to the apiserver (config, version prints its own error). */
  offline?: boolean;
  /** Nested command names for completion (`rollout status`, `config view`…). */
  completions?: string[];
  /** What the positional arguments name, for Tab completion. */
  completes?: 'resources' | 'pods' | 'nodes';
  run(ctx: KubectlContext, args: string[], flags: ParsedFlags): CommandResult;
}
