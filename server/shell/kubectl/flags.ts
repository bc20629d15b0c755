// A pflag-like command-line parser: `--flag value`, `--flag=value`, `-n ns`, `-nns`, `-o=wide`,
// combined bool shorthands (`-it`), `--` ends flags, and pflag's error messages.
import type { FlagSpec, ParsedFlags } from './types.js';

/** Flags every kubectl subcommand accepts (kubectl's persistent flags). */
export const GLOBAL_FLAGS: FlagSpec[] = [
  { name: 'namespace', short: 'n', type: 'string', usage: 'If present, the namespace scope for this CLI request' },
  { name: 'context', type: 'string', usage: 'The name of the kubeconfig context to use' },
  { name: 'kubeconfig', type: 'string', usage: 'Path to the kubeconfig file to use for CLI requests.' },
  { name: 'cluster', type: 'string', usage: 'The name of the kubeconfig cluster to use' },
  { name: 'user', type: 'string', usage: 'The name of the kubeconfig user to use' },
  { name: 'server', short: 's', type: 'string', usage: 'The address and port of the Kubernetes API server' },
  { name: 'token', type: 'string', usage: 'Bearer token for authentication to the API server' },
  { name: 'as', type: 'string', usage: 'Username to impersonate for the operation.' },
  { name: 'insecure-skip-tls-verify', type: 'bool', usage: "If true, the server's certificate will not be checked for validity." },
  { name: 'request-timeout', type: 'string', default: '0', usage: 'The length of time to wait before giving up on a single server request.' },
  { name: 'v', short: 'v', type: 'int', default: '0', usage: 'number for the log level verbosity' },
  { name: 'help', short: 'h', type: 'bool', usage: 'help for this command' },
];

/** -A / --all-namespaces, for subcommands that list across namespaces. */
/** --dry-run of the writing commands (none, client, server). */
export const DRY_RUN_FLAG: FlagSpec = { name: 'dry-run', type: 'string', default: 'none', usage: 'Must be "none", "server", or "client". If client strategy, only print the object that would be sent, without sending it. If server strategy, submit server-side request without persisting the resource.' };

export const ALL_NAMESPACES_FLAG: FlagSpec = {
  name: 'all-namespaces', short: 'A', type: 'bool',
  usage: 'If present, list the requested object(s) across all namespaces.',
};

export type FlagParseResult = { ok: true; flags: ParsedFlags } | { ok: false; error: string };

/** Parses `argv` (without the command names) against `specs` the way pflag does. */
export function parseFlags(argv: string[], specs: FlagSpec[]): FlagParseResult {
  const { byName, byShort } = specIndex(specs);
  const values: Record<string, string[]> = {};
  const args: string[] = [];
  let argsLenAtDash = -1;

  const set = (spec: FlagSpec, value: string): string | undefined => {
    const invalid = checkValue(spec, value);
    if (invalid) {
      const shown = spec.short ? `-${spec.short}, --${spec.name}` : `--${spec.name}`;
      return `invalid argument "${value}" for "${shown}" flag: ${invalid}`;
    }
    (values[spec.name] ??= []).push(spec.type === 'bool' ? String(parseBool(value)) : value);
    return undefined;
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      argsLenAtDash = args.length;
      args.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--') && arg.length > 2) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      const spec = byName.get(name);
      if (!spec) return { ok: false, error: `unknown flag: --${name}` };
      let value: string;
      if (eq >= 0) value = arg.slice(eq + 1);
      else if (spec.type === 'bool') value = 'true';
      else if (i + 1 < argv.length) value = argv[++i]!;
      else return { ok: false, error: `flag needs an argument: ${arg}` };
      const err = set(spec, value);
      if (err) return { ok: false, error: err };
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      // A group of shorthands: bools may be combined; a value flag takes the rest of the word
      // (`-nkube-system`, `-o=wide`) or the next argument.
      const shorthands = arg.slice(1);
      for (let j = 0; j < shorthands.length; j++) {
        const c = shorthands[j]!;
        const spec = byShort.get(c);
        if (!spec) return { ok: false, error: `unknown shorthand flag: '${c}' in -${shorthands}` };
        const rest = shorthands.slice(j + 1);
        let value: string;
        if (rest.startsWith('=')) value = rest.slice(1);
        else if (spec.type === 'bool') value = 'true';
        else if (rest.length > 0) value = rest;
        else if (i + 1 < argv.length) value = argv[++i]!;
        else return { ok: false, error: `flag needs an argument: '${c}' in -${shorthands}` };
        const err = set(spec, value);
        if (err) return { ok: false, error: err };
        if (spec.type !== 'bool' || rest.startsWith('=')) break;
      }
      continue;
    }
    args.push(arg);
  }
  return { ok: true, flags: makeParsedFlags(values, args, argsLenAtDash, byName) };
}

/** Specs by name and shorthand, made once per specs list (a command's: every kubectl line parses one). */
const specIndexes = new WeakMap<FlagSpec[], { byName: Map<string, FlagSpec>; byShort: Map<string, FlagSpec> }>();

function specIndex(specs: FlagSpec[]): { byName: Map<string, FlagSpec>; byShort: Map<string, FlagSpec> } {
  let index = specIndexes.get(specs);
  if (!index) {
    index = { byName: new Map(), byShort: new Map() };
    for (const spec of specs) {
      index.byName.set(spec.name, spec);
      if (spec.short) index.byShort.set(spec.short, spec);
    }
    specIndexes.set(specs, index);
  }
  return index;
}

function makeParsedFlags(
  values: Record<string, string[]>,
  args: string[],
  argsLenAtDash: number,
  specs: Map<string, FlagSpec>,
): ParsedFlags {
  const last = (name: string): string | undefined => values[name]?.at(-1) ?? specs.get(name)?.default;
  return {
    values,
    args,
    argsLenAtDash,
    has: (name) => (values[name]?.length ?? 0) > 0,
    string: last,
    bool: (name) => last(name) === 'true',
    int: (name) => {
      const v = last(name);
      return v === undefined ? undefined : Number.parseInt(v, 10);
    },
    all: (name) => values[name] ?? [],
  };
}

function parseBool(value: string): boolean | undefined {
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(value)) return false;
  return undefined;
}

/** Returns Go's strconv error text when the value doesn't fit the flag's type. */
function checkValue(spec: FlagSpec, value: string): string | undefined {
  if (spec.type === 'bool' && parseBool(value) === undefined) {
    return `strconv.ParseBool: parsing "${value}": invalid syntax`;
  }
  if (spec.type === 'int' && !/^[+-]?\d+$/.test(value)) {
    return `strconv.ParseInt: parsing "${value}": invalid syntax`;
  }
  // Go's int is 64 bits: `--replicas=99999999999999999999` does not parse.
  if (spec.type === 'int' && BigInt.asIntN(64, BigInt(value)) !== BigInt(value)) {
    return `strconv.ParseInt: parsing "${value}": value out of range`;
  }
  return undefined;
}

/**
 * Finds the subcommand word in a kubectl argv, skipping global flags placed before it
 * (`kubectl -n kube-system get pods`). Returns its index, or -1.
 */
export function findSubcommandIndex(argv: string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return i + 1 < argv.length ? i + 1 : -1;
    if (!arg.startsWith('-') || arg === '-') return i;
    if (arg.includes('=')) continue;
    const spec = arg.startsWith('--')
      ? GLOBAL_FLAGS.find((f) => f.name === arg.slice(2))
      : arg.length === 2 ? GLOBAL_FLAGS.find((f) => f.short === arg[1]) : undefined;
    if (spec && spec.type !== 'bool') i++;
  }
  return -1;
}
