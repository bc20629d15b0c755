// A player's line must never freeze or exhaust the server all rooms share: patterns match in
// linear time, history expansion and output are bounded, and runLine never throws.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec } from '../../server/cluster/index.js';
import type { ClusterState } from '../../server/cluster/types.js';
import { newSession, runLine } from '../../server/shell/index.js';
import { MAX_LINE_CHARS, MAX_OUTPUT_CHARS } from '../../server/shell/limits.js';
import { MAX_CONTAINER_LAYERS_BYTES } from '../../server/shell/vfs.js';
import type { LineResult, ShellSession } from '../../server/shell/types.js';

const state: ClusterState = createCluster(demoClusterSpec, 1);

function shell(): { session: ShellSession; run: (line: string) => LineResult } {
  const session = newSession(state);
  return { session, run: (line) => runLine(state, session, line) };
}

/**
 * Runs a line and checks it finished with bounded output, and without runaway time: the bounds
 * are ~20× what the line costs on a quiet machine, loose enough for a loaded CI runner and far
 * below what a backtracking or quadratic blow-up takes (seconds to hours). Speed itself is
 * measured by `npm run bench:abuse`.
 */
function timed(run: (line: string) => LineResult, line: string, budgetMs = 2000): LineResult {
  const started = performance.now();
  const result = run(line);
  const elapsed = performance.now() - started;
  expect(elapsed, `${line.slice(0, 80)} took ${elapsed.toFixed(0)} ms`).toBeLessThan(budgetMs);
  expect(result.output.length).toBeLessThanOrEqual(MAX_OUTPUT_CHARS + MAX_LINE_CHARS + 100);
  return result;
}

const evil = `${'a'.repeat(5000)}!`;
const truncated = /\n… output truncated \(\d+ bytes\)\n$/;

describe('patterns match in linear time (no ReDoS)', () => {
  // `A` stands for 5000 × `a` followed by `!`.
  it.each([
    ["echo aaaaaaaaaaaaaaaaaaaaaaaaaaaaa! | grep -E '(a+)+$'", '', 1],
    ["echo A | grep -E '(a+)+$'", '', 1],
    ["echo A | grep -cE '(a|aa)+$'", '0\n', 1],
    ["echo A | grep -owE '(a+)+b'", '', 1],
    ["echo A | sed -E 's/(a|a)+$/x/'", `${evil}\n`, 0],
    ["echo A | sed '/\\(a*\\)*$/d'", '', 0],
    ["echo A | awk '/(a+)+$/'", '', 0],
    ["echo A | awk '{ n = gsub(/(a|aa)+b/, \"x\"); print n }'", '0\n', 0],
    ["echo A | awk '$0 ~ \"(a+)+$\" { print \"hit\" }'", '', 0],
  ] as const)('%s', (line, output, exitCode) => {
    const { run } = shell();
    expect(timed(run, line.replace('echo A', `echo ${evil}`))).toMatchObject({ output, exitCode });
  });

  it('refuses back-references with a clear error', () => {
    const { run } = shell();
    expect(timed(run, "echo abab | grep '\\(ab\\)\\1'")).toEqual({ output: 'grep: back-references are not supported here\n', exitCode: 2 });
    expect(timed(run, "echo abab | grep -E '(ab)\\1'").exitCode).toBe(2);
    expect(timed(run, "echo abab | sed -E 's/(ab)\\1/x/'")).toMatchObject({ output: expect.stringMatching(/^sed: -e expression #1, char \d+: back-references are not supported here\n$/), exitCode: 1 });
    // \1 in the replacement is a group reference, not a back-reference: still fine.
    expect(timed(run, "echo abab | sed -E 's/(ab)(ab)/\\2-\\1/'").output).toBe('ab-ab\n');
  });

  it('keeps GNU semantics for empty matches, -w, -i and errors', () => {
    const { run } = shell();
    expect(run("echo baaac | sed 's/a*/-/g'").output).toBe('-b-c-\n');
    expect(run("echo 'foobar foo foo' | grep -ow foo").output).toBe('foo\nfoo\n');
    expect(run("echo 'Foo x' | grep -i -o foo").output).toBe('Foo\n');
    expect(run("echo 'a:b::c' | awk -F':+' '{print $3}'").output).toBe('c\n');
    expect(run("echo x | grep -E '(a'")).toEqual({ output: 'grep: Unmatched ( or \\(\n', exitCode: 2 });
    expect(run("echo x | grep '[a'")).toEqual({ output: 'grep: Unmatched [, [^, [:, [., or [=\n', exitCode: 2 });
    expect(run("echo x | grep 'a['")).toEqual({ output: 'grep: Invalid regular expression\n', exitCode: 2 });
  });

  it('refuses patterns whose compiled program would be huge', () => {
    const { run } = shell();
    expect(timed(run, `echo x | grep -E '${'x{1000}'.repeat(300)}'`)).toEqual({ output: 'grep: Regular expression too big\n', exitCode: 2 });
    expect(timed(run, `echo x | grep -E '(${'x'.repeat(100)}){1000}'`).exitCode).toBe(2);
    expect(timed(run, "echo xx | grep -cE 'x{1,1000}'")).toEqual({ output: '1\n', exitCode: 0 });
  });

  it('crictl --name takes a Go (RE2) pattern', () => {
    const { run } = shell();
    run('ssh cp-1');
    expect(timed(run, "sudo crictl ps -a --name '(a+)+$'")).toMatchObject({ output: expect.stringMatching(/^CONTAINER +IMAGE/), exitCode: 0 });
    expect(timed(run, "sudo crictl ps --name '('").output).toMatch(/^FATA\[0000\] listing containers: error parsing regexp: \(/);
  });
});

describe('history expansion is bounded', () => {
  it('answers `bash: line too long` instead of growing without limit', () => {
    const { run, session } = shell();
    run('echo hi');
    const bang = '!! '.repeat(1300);
    timed(run, bang); // 1300 × `echo hi` still fits
    for (let i = 0; i < 2; i++) expect(timed(run, bang)).toEqual({ output: 'bash: line too long\n', exitCode: 1 });
    expect(session.history.every((h) => h.length <= MAX_LINE_CHARS)).toBe(true);
  });
});

describe('output is bounded', () => {
  it('refuses printf widths and precisions that overflow', () => {
    const { run } = shell();
    expect(timed(run, "printf '%0100000000d' 1")).toEqual({ output: 'bash: printf: %0100000000d: Numerical result out of range\n', exitCode: 1 });
    expect(timed(run, "printf '%0999999999d' 1")).toEqual({ output: 'bash: printf: %0999999999d: Numerical result out of range\n', exitCode: 1 });
    expect(timed(run, "printf '%.*f' 99999999999 1").exitCode).toBe(1);
    expect(timed(run, "printf '%.200f|' 1").output).toBe(`1.${'0'.repeat(200)}|`);
    expect(timed(run, "printf '%.*f|' -3 1.5").output).toMatch(/^1\.500000\|/);
    expect(timed(run, "awk 'BEGIN { printf \"%0999999999d\", 1 }'").output).toMatch(/^awk: cmd. line:1: fatal: printf: %0999999999d: Numerical result out of range\n/);
  });

  it.each([
    ['format reused per argument', "printf '%01000000d' 1 2 3"],
    ['many wide conversions', `printf '${'%01000000d'.repeat(300)}' 1`],
    ['a ; list', Array.from({ length: 40 }, () => "printf '%01000000d' 1").join('; ')],
    ['a pipeline', "printf '%01000000d\\n' 1 2 | cat | cat | sort"],
    ['sed replacement growth', "printf '%0500000d\\n' 1 | sed 's/0/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx/g'"],
    ['awk gsub growth', "printf '%01000000d\\n' 1 | awk '{ gsub(/0/, \"&&&&&&&&&&&&\"); print }'"],
    ['awk printing per record', "printf '%01000d\\n' $(printf '%0500d' 1 | sed 's/0/1 /g') | awk '{ printf \"%01000000d\", 1 }'"],
    ['xargs runs', "printf '1 %.0s' $(printf '%0200000d' 1 | sed 's/0/x /g') | xargs -n1 printf '%0100000d\\n'"],
  ] as const)('cuts %s with a marker line, or stops it for its CPU budget', (_name, line) => {
    const { run } = shell();
    const result = timed(run, line, 6000); // these move megabytes: linear, but slower
    expect(result.output).toMatch(/\n… output truncated \(\d+ bytes\)\n$|: CPU time limit exceeded \(a line may do \d+ steps of work\): stopped\n$/);
  });

  it('counts the bytes it cut, once, even when the whole line is capped again', () => {
    const { run } = shell();
    // Two fields of MAX_OUTPUT_CHARS - 50 digits: 2 * (MAX - 50) printed, MAX kept.
    const result = timed(run, `printf '%0${MAX_OUTPUT_CHARS - 50}d' 1 2`, 6000);
    const marker = `\n… output truncated (${MAX_OUTPUT_CHARS - 100} bytes)\n`;
    expect(result.output.endsWith(marker)).toBe(true);
    expect(result.output.length).toBe(MAX_OUTPUT_CHARS + marker.length);
  });

  it('refuses expansions and argument lines that multiply text', () => {
    const { run } = shell();
    run("x=$(printf '%0100000d' 1)");
    expect(timed(run, 'echo $x$x$x')).toEqual({ output: `bash: expansion too large (over ${MAX_OUTPUT_CHARS} characters)\n`, exitCode: 1 });
    expect(timed(run, 'echo "$x" | xargs -I{} echo {}{}{}')).toEqual({ output: 'xargs: argument line too long\n', exitCode: 1 });
    expect(timed(run, `echo "$x" | awk '{ print $0 $0 $0 $0 }'`).output).toMatch(/^awk: cmd. line:1: \(FILENAME=- FNR=1\) fatal: string too long/);
  });
});

describe('runLine never throws', () => {
  it('answers lines nested deeper than the stack', () => {
    const { run } = shell();
    const nested = (depth: number): string => `echo ${'$(echo '.repeat(depth)}hi${')'.repeat(depth)}`;
    expect(timed(run, nested(50)).output).toBe('hi\n');
    expect(timed(run, nested(1300), 1000)).toEqual({ output: 'bash: line too deeply nested or too large\n', exitCode: 1 });
  });

  it('all containers\' writable layers share one bound (many debug containers each filled their own)', () => {
    const own = createCluster(demoClusterSpec, 1);
    const session = newSession(own);
    const run = (line: string) => runLine(own, session, line, { interactive: true });
    const pod = run('kubectl get pods -l app=web -o name').output.split('\n')[0]!.replace('pod/', '');
    // Another container's layer already holds the whole bound.
    const other = Object.values(own.pods).find((p) => p.metadata.name !== pod && p.status.containerStatuses[0]?.restartCount === 0)!;
    const key = `${other.metadata.namespace}/${other.metadata.name}/${other.spec.containers[0]!.name}`;
    own.containerLayers = { [key]: { uid: other.metadata.uid, restarts: 0, files: { '/tmp/big': 'x'.repeat(MAX_CONTAINER_LAYERS_BYTES) } } };
    run(`kubectl exec -it ${pod} -- sh`);
    expect(run('echo hi > /tmp/f').output).toContain('No space left on device');
  });

  it('a kubeconfig alias bomb is kubectl\'s loading error, not a throw', () => {
    const { run } = shell();
    const names = 'abcdefghijkl';
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < names.length; i++) levels.push(`${names[i]}: &${names[i]} [${Array(9).fill(`*${names[i - 1]}`).join(',')}]`);
    run(`cat > ~/.kube/config <<'EOF'\n${levels.join('\n')}\nEOF`);
    expect(timed(run, 'kubectl config view').output).toBe('error: error loading config file "/home/player/.kube/config": yaml: document contains excessive aliasing\n');
  });

  it('charges glob matching by text × pattern states: a long *a*a…*b pattern is stopped, not run for seconds', () => {
    // re2js is linear, but linear in text × states: 16,000 characters against 3,800 states took
    // 4.9 s of the one thread every room shares, and the budget never saw it.
    const { run } = shell();
    run(`x=$(printf 'a%.0s' {1..16000})`);
    const pattern = `${'*a'.repeat(1900)}*b`;
    for (const line of [`[[ $x == ${pattern} ]]`, `case $x in ${pattern}) echo y;; esac`, `echo \${x//${pattern}/c}`, `echo \${x##${pattern}}`]) {
      expect(timed(run, line, 1000).output).toMatch(/CPU time limit exceeded/);
    }
    // Everyday patterns on long text stay cheap.
    expect(timed(run, 'echo ${x//a/b} | wc -c').output).toBe('16001\n');
    expect(timed(run, '[[ $x == *a ]] && echo ok').output).toBe('ok\n');
  });

  it('refuses manifests nested deeper than the YAML parser can take, built over several lines', () => {
    // Past ~1,000 levels the yaml library overflows the stack, and V8 can then abort the whole
    // process compiling a regexp (FATAL ERROR: RegExpCompiler Allocation failed): one player's
    // patch or file killed every room. Lines are ≤ 4096 characters; a variable carries it on.
    const { run } = shell();
    const before = run('kubectl get deploy web -o yaml').output;
    run(`x="$(printf '{"a":%.0s' $(seq 600))"`);
    run(`x="$x$x$x$x$x"; y="$(printf '}%.0s' $(seq 600))"; y="$y$y$y$y$y"`);
    expect(timed(run, 'kubectl patch deploy web --type merge -p "${x}1$y"').output).toContain('yaml: exceeded max depth of 400');
    run(`printf -- '- %.0s' $(seq 1500) > /tmp/deep.yaml; echo 1 >> /tmp/deep.yaml`);
    expect(timed(run, 'kubectl apply -f /tmp/deep.yaml').output).toContain('yaml: exceeded max depth of 400');
    expect(timed(run, 'kubectl create -f /tmp/deep.yaml').output).toContain('yaml: exceeded max depth of 400');
    expect(run('kubectl get deploy web -o yaml').output).toBe(before);
    // Real manifests, pretty-printed JSON at kubectl's 4-space indent, pass well within it.
    run('kubectl get deploy web -o json > /tmp/web.json');
    expect(run('kubectl apply -f /tmp/web.json').exitCode).toBe(0);
  });

  const pieces = ['!!', '!$', '$(', ')', '$x', 'x=$(printf %0900000d 1)', "printf '%0*d' 99999999999 1", '|', ';', '&&', "grep -E '(a+)+$'", "sed 's/a*/bb/g'", "awk '{print $0 $0}'", 'xargs -I{} echo {}{}', 'echo aaaa!', '\\1', "'", '"', 'cat'];
  it('on lines made of hostile pieces', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 12 }), fc.array(fc.constantFrom(...pieces), { maxLength: 12 }), (first, second) => {
        const { run } = shell();
        for (const line of [first.join(' '), second.join(' '), '!! !! !!']) {
          const result = timed(run, line, 8000);
          expect(typeof result.exitCode).toBe('number');
        }
      }),
      { numRuns: 60 },
    );
  });
});
