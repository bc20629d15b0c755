// One typed line's share of the CPU that every room shares. The shell is pure and never reads
// the clock, so work is counted in steps, not milliseconds: the runner spends for each command
// and for the text it expands and prints, and the tools spend in their loops (a line read, a
// regex tried, a sort comparison, an awk statement). Past the budget `spend` throws; the runner
// stops the whole line there with a bash-like message. The same line spends the same steps
// everywhere, so a replayed room stops where the live one did.

/**
 * Steps one line may spend: about 30 ms of work on the server (bench:abuse checks the
 * calibration; one step is roughly one character handled by a simple loop). Enough for
 * `kubectl get pods -A -o json` at 300 pods (2.4 M characters, pods as admission leaves them)
 * piped through the usual tools; at 2 M that listing alone was over.
 */
export const MAX_STEPS_PER_LINE = 3_000_000;

/** What running one command costs besides its text: expansion, lookup, the pipeline plumbing. */
export const STEPS_PER_COMMAND = 1000;

/** What a kubectl command costs besides what it prints: finding, selecting and sorting objects. */
export const STEPS_PER_KUBECTL = 10_000;

/** What a node tool (iptables-save, journalctl, crictl, etcdctl…) costs a call besides what it prints. */
export const STEPS_PER_NODE_TOOL = 50_000;

/** What a tool pays per record (a line of text, a JSON value, an awk statement) on top of its characters. */
export const STEPS_PER_RECORD = 100;

/** What one instruction of a player's program costs each time it runs (a sed command, an awk statement). */
export const STEPS_PER_STATEMENT = 20;

/** Thrown by `spend` once a line is over its budget; only the runner catches it. */
export class OverBudget {
  constructor(readonly steps: number) {}
}

export class LineBudget {
  private used = 0;

  constructor(readonly limit = MAX_STEPS_PER_LINE) {}

  /** Steps spent so far. */
  get steps(): number {
    return this.used;
  }

  /** Steps the line may still spend. */
  get remaining(): number {
    return Math.max(0, this.limit - this.used);
  }

  get exhausted(): boolean {
    return this.used > this.limit;
  }

  /** Counts `steps` of work about to be done; throws OverBudget when the line has no room left. */
  spend(steps: number): void {
    this.used += steps;
    if (this.used > this.limit) throw new OverBudget(this.used);
  }

  /**
   * Refuses work that is charged only once it is made (a listing's JSON, charged as printed)
   * when `steps` of it would not fit: spends them, and so throws, before it is made; when they
   * fit, spends nothing here.
   */
  ensure(steps: number): void {
    if (this.used + steps > this.limit) this.spend(steps);
  }

  /** A text handled record by record: its characters plus STEPS_PER_RECORD per line. */
  spendText(text: string): void {
    this.spend(text.length + STEPS_PER_RECORD * countLines(text));
  }
}

/** Lines in a text (a last line without '\n' counts). */
function countLines(text: string): number {
  let lines = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
  return text === '' || text.endsWith('\n') ? lines : lines + 1;
}

/** bash's status for a command killed by SIGXCPU (128 + 24). */
export const CPU_LIMIT_EXIT = 152;

/** What the terminal shows when a line ran out of budget in program `name` (none: in the shell's own expansion). */
export function cpuLimitMessage(name: string | undefined): string {
  return `bash: ${name === undefined ? '' : `${name}: `}CPU time limit exceeded (a line may do ${MAX_STEPS_PER_LINE} steps of work): stopped\n`;
}
