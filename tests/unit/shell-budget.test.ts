// One line may do a bounded amount of work (budget.ts): hostile lines stop with bash's SIGXCPU
// status and one clear message, counted in steps (deterministic), never in wall time; the
// lines players really type stay far below the budget.
import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec } from '../../server/cluster/index.js';
import type { ClusterState } from '../../server/cluster/types.js';
import { CPU_LIMIT_EXIT, LineBudget, MAX_STEPS_PER_LINE } from '../../server/shell/budget.js';
import { newSession, runLine } from '../../server/shell/index.js';
import { HISTSIZE, MAX_LINE_OUTPUT_BYTES, MAX_VARIABLE_CHARS, MAX_VARIABLES } from '../../server/shell/limits.js';
import { MAX_ARRAY_CHARS, MAX_ARRAY_ELEMENTS } from '../../server/shell/vars.js';
import type { LineResult, ShellSession } from '../../server/shell/types.js';

const state: ClusterState = createCluster(demoClusterSpec, 1);

function run(line: string, session: ShellSession = newSession(state)): LineResult & { steps: number } {
  const budget = new LineBudget();
  const result = runLine(state, session, line, { budget });
  return { ...result, steps: budget.steps };
}

const stopped = (name: string) => new RegExp(`bash: ${name ? `${name}: ` : ''}CPU time limit exceeded \\(a line may do ${MAX_STEPS_PER_LINE} steps of work\\): stopped\\n$`);
const MANY = '$(printf "%999s" | sed "s/ /x /g")'; // 999 words
/** `$d` holds 10,000 words, made cheaply (each printf reuses its format per argument). */
const WORDS = "a=$(printf 'x %.0s' 1 2 3 4 5 6 7 8 9 0); b=$(printf \"$a%.0s\" $a); c=$(printf \"$b%.0s\" $a); d=$(printf \"$c%.0s\" $a)";

describe('a line has a CPU budget', () => {
  it.each([
    ['sort on 256 KiB of short lines', "printf '%262144s' x | sed 's/ /ab\\n/g' | sort -u", 'sed'],
    ['column -t on many rows', `${WORDS}; printf 'a b c\\n%.0s' $d | column -t | column -t | column -t`, 'column'],
    ['grep chains', `${WORDS}; printf 'a\\n%.0s' $d | grep -n a | grep -n a | grep -n a | grep -n a | grep -n a`, 'grep'],
    ['a huge regex over a long line', "printf '%262144s' x | grep -cE '(a|b| ){500}x'", 'grep'],
    ['regex replacement per character', "printf '%200000s' x | sed -E 's/( |a)/xy/g'", 'sed'],
    // re2js runs lookbehinds, and groups searched in a long line, by its NFA: a thread per live
    // instruction. Each held the event loop 8.6 s at 3 M steps when charged like the DFA.
    ['a lookbehind with a big repeat (grep -P)', "printf '%150000s\\n' | grep -ciP '(?<=[[:alnum:][:space:]]{1000})x'", 'grep'],
    ['a big repeat searched for groups (sed /I)', "printf '%150000s\\n' | sed -E 's/[[:alnum:][:space:]]{1000}x//I'", 'sed'],
    ['a big repeat with -w (lookbehind)', "printf '%150000s\\n' | grep -wiE '[[:alnum:][:space:]]{1000}x'", 'grep'],
    ['awk gsub per character', "printf '%200000s' x | awk '{ gsub(/ /, \"ab\") } END { print length($0) }'", 'awk'],
    ['awk split into characters', "printf '%262144s' x | awk '{ n = split($0, a, \"\") } END { print n }'", 'awk'],
    ['tr over a large text', "printf '%262144s' x | tr ' ' '\\n' | tr a-z A-Z | tr A-Z a-z", 'tr'],
    ['xargs running a command per item', "printf '%100000s' x | sed 's/ /a /g' | xargs -n1 echo", 'sed'],
    ['kubectl in a loop', `for i in ${MANY}; do kubectl get pods -A -o json; done`, 'kubectl'],
    // jq takes kubectl's value (CommandResult.json) instead of parsing the text: the listings' text is what costs.
    ['kubectl piped to jq in a loop', `for i in ${MANY}; do kubectl get pods -A -o json | jq -c '.items[]'; done`, 'kubectl'],
    ['kubectl apply of every pod at once', 'kubectl get pods -A -o json | kubectl apply -f - | kubectl get pods -A -o yaml', 'kubectl'],
    ['a node tool through ssh in a loop', `for i in ${MANY}; do ssh worker-1 'sudo iptables-save'; done`, 'sudo'], // the remote line's command that ran out is named
    // Each read builds the node's files (~0.5 ms; a control plane's PEMs made it ~5 ms): 999 held the loop 2.8 s.
    // A Unicode class counts 64 in a program's size: these 1500 compiled for ~1 s at 0.3 M steps.
    ['many -P patterns of Unicode classes', `set -f; p=$(printf -- '-e [\\\\p{L}\\\\p{N}]{150}y%d ' $(seq 1500)); printf 'a\\n' | grep -cP $p`, 'grep'],
    ['node file reads in a loop', `ssh worker-1 'for i in ${MANY}; do cat /x; done'`, 'cat'],
    ['one cat of many node files', `ssh worker-1 'cat $(printf "/x %.0s" $(seq 3000))'`, 'cat'],
    ['printf of 1 MiB in a loop', `for i in ${MANY}; do printf '%1048576s' x; done`, 'printf'],
    // A builtin's output is charged like a program's: each of these writes 138 KB.
    ['declare -p of a big array in a loop', 'a=({1..10000}); for i in {1..100}; do declare -p a; done', ''],
    ['substitutions nesting big text', `echo "$(echo "$(echo "$(echo "$(echo "$(echo "$(echo "$(printf '%262143s' x)")")")")")")"`, ''],
  ] as const)('%s stops with one message', (_name, line, name) => {
    const result = run(`${line}; echo after`);
    expect(result.output).toMatch(stopped(name));
    expect(result.output.match(/CPU time limit exceeded/g)).toHaveLength(1);
    expect(result.output).not.toMatch(/^after$/m); // the rest of the line does not run
    expect(result.exitCode).toBe(CPU_LIMIT_EXIT);
    expect(result.steps).toBeGreaterThan(MAX_STEPS_PER_LINE);
  });

  it.each([
    'kubectl get pods -A -o json | grep -ciw running',
    `kubectl get pods -A -o json | grep -cP '(?<=phase": ")Running'`,
    `kubectl get pods -A -o json | grep -oP '"image": "\\K[^"]+'`,
  ])('a lookbehind or -w pattern players type fits: %s', (line) => {
    const result = run(line);
    expect(result.output).not.toMatch(/CPU time limit exceeded/);
    expect(result.steps).toBeLessThan(MAX_STEPS_PER_LINE);
  });

  it('refuses a Unicode class repeated 1000 times as too big, before compiling it', () => {
    for (const pattern of ['\\p{L}{1000}', '\\pL{1000}', '[\\p{L}\\p{N}\\p{P}\\p{S}\\p{M}]{1000}x']) {
      const result = run(`echo a | grep -cP '${pattern}'`);
      expect(result.output).toBe('grep: Regular expression too big\n');
      expect(result.steps).toBeLessThan(10_000);
    }
    expect(run(`printf 'h\u00e9llo w\u00f6rld 42\\n' | grep -oP '[\\p{L}\\p{N}]+'`).output).toBe('h\u00e9llo\nw\u00f6rld\n42\n');
  });

  it('refuses YAML nested 1000 deep by its depth, charged only as deep as it is read', () => {
    const result = run(`${WORDS}; printf '[%.0s' $c | kubectl apply -f -`);
    expect(result.output).toContain('yaml: exceeded max depth of 400');
    expect(result.steps).toBeLessThan(MAX_STEPS_PER_LINE);
  });

  it('is spent before the work: a refused stage does not run at all', () => {
    const result = run("printf '%262144s' x | grep -cE '(a|b| ){500}x'");
    // The charge for matching a 1,500-state program over 256 Ki characters comes first.
    expect(result.output).toMatch(stopped('grep'));
    expect(result.output).not.toMatch(/^\d+$/m);
  });

  it('counts the same steps for the same line: a replayed room stops where the live one did', () => {
    const line = "printf '%100000s' x | sed 's/ /a b\\n/g' | sort | uniq -c | sort -rn | head -3";
    const first = run(line);
    const again = run(line);
    expect(again).toEqual(first);
  });

  // Pinned: making a tool faster must not change what a line spends (a recorded room replayed
  // on a newer server stops where it did). sort compares line ranks, jq walks `.a.b` at once,
  // kubectl keeps its kubeconfig's dates: the steps are those of the code before each change.
  // (What kubectl prints does change them: the pods' admission fields, spec.priority and the token volume, did;
  // so did the image registry's pull results, +3.)
  it.each([
    ["kubectl get pods -A -o json | jq -r '.items[] | [.metadata.namespace, .metadata.name, .status.phase, .spec.nodeName] | @tsv' | grep -v kube-system | awk '{print $4, $1}' | sort | uniq -c | sort -rn | sed 's/^ *//' | head -20 | column -t", 190_300],
    ["printf '%400s' x | sed 's/ /b\\na\\nc\\n/g' | sort", 309_672],
    ["printf '%400s' x | sed 's/ /b\\na\\nc\\n/g' | sort -r", 310_209],
    ["printf '%400s' x | sed 's/ /b\\na\\nc\\n/g' | sort -u", 310_875],
    ["printf '%400s' x | sed 's/ /b\\na\\nc\\n/g' | sort -ru", 311_412],
    ['seq 1 3000 | sort | md5sum', 676_104],
    ["kubectl get pods -A -o json | jq -r '.items[] | [.metadata.name, .status.podIP, .spec.containers[0].image] | @csv'", 174_437],
  ])('spends the same steps as it always did: %s', (line, steps) => {
    expect(run(line).steps).toBe(steps);
  });

  it('sets $? to 152 and lets the next line run with a fresh budget', () => {
    const session = newSession(state);
    expect(run("printf '%262144s' x | tr ' ' '\\n' | tr a-z A-Z | tr A-Z a-z", session).exitCode).toBe(CPU_LIMIT_EXIT);
    expect(run('echo $?', session).output).toBe(`${CPU_LIMIT_EXIT}\n`);
    expect(run('kubectl get nodes', session).exitCode).toBe(0);
  });

  it('stops a line run on a node through ssh too', () => {
    const result = run(`ssh ${Object.keys(state.nodes)[1]} "printf '%262144s' x | tr ' ' '\\n' | tr a-z A-Z | tr A-Z a-z"`);
    expect(result.output).toMatch(stopped('tr'));
  });

  it.each([
    'kubectl get pods -A',
    'kubectl get pods -A -o json | jq -r ".items[].metadata.name" | sort | uniq -c | sort -rn',
    'kubectl get pods -A -o wide | awk \'{print $1, $2, $8}\' | column -t',
    'kubectl describe pods -A | grep -E "^(Name|Status|Node):" | sort | uniq -c',
    'kubectl get events -A | grep -i warn | sed -E "s/ +/ /g" | cut -d" " -f1-4',
    "for ns in default kube-system; do kubectl get pods -n $ns -o name | xargs -n1 echo; done",
  ])('a line players type stays well within the budget: %s', (line) => {
    const result = run(line);
    expect(result.exitCode).not.toBe(CPU_LIMIT_EXIT);
    expect(result.steps).toBeLessThan(MAX_STEPS_PER_LINE / 2);
  });
});

describe('a line stores a bounded output', () => {
  it('cuts multi-byte output to MAX_LINE_OUTPUT_BYTES and counts every byte cut once', () => {
    const result = run(`x=€€€€€€€€; x=$x$x$x$x$x$x$x$x; x=$x$x$x$x$x$x$x$x; x=$x$x$x$x$x$x$x$x; echo ${'$x'.repeat(25)}`);
    const bytes = Buffer.byteLength(result.output);
    expect(bytes).toBeLessThanOrEqual(MAX_LINE_OUTPUT_BYTES + 100);
    const cut = /\n… output truncated \((\d+) bytes\)\n$/.exec(result.output);
    expect(cut).not.toBeNull();
    // Everything printed: 25 × 4096 euro signs (3 bytes each) and a newline.
    const printed = 25 * 4096 * 3 + 1;
    expect(bytes - Buffer.byteLength(cut![0]) + Number(cut![1])).toBe(printed);
    expect(result.output).not.toMatch(/\uFFFD/); // never cut inside a character
  });
});

describe('a session stores a bounded amount', () => {
  it('keeps the last HISTSIZE lines, numbered on as bash does', () => {
    const session = newSession(state);
    for (let i = 1; i <= HISTSIZE + 5; i++) runLine(state, session, `echo ${i}`);
    expect(session.history).toHaveLength(HISTSIZE);
    expect(run('history 2', session).output).toBe(`${String(HISTSIZE + 5).padStart(5)}  echo ${HISTSIZE + 5}\n${String(HISTSIZE + 6).padStart(5)}  history 2\n`);
    expect(run('!6', session).output).toBe('bash: !6: event not found\n'); // lines 1-6 are forgotten
    expect(run(`!${HISTSIZE + 5}`, session).output).toBe(`echo ${HISTSIZE + 5}\n${HISTSIZE + 5}\n`);
  });

  it('refuses variables past MAX_VARIABLE_CHARS or MAX_VARIABLES, with nothing stored', () => {
    const session = newSession(state);
    run("x=$(printf '%200000s' x)", session);
    const many = Array.from({ length: 6 }, (_, i) => `v${i}=$x`).join('; ');
    const result = run(many, session);
    expect(result.output).toBe(`bash: v4: cannot assign: variables would hold more than ${MAX_VARIABLE_CHARS} characters\nbash: v5: cannot assign: variables would hold more than ${MAX_VARIABLE_CHARS} characters\n`);
    expect(Object.keys(session.vars).sort()).toEqual(['v0', 'v1', 'v2', 'v3', 'x']);
    expect(run('export v9="$x"', session).output).toMatch(/^bash: v9: cannot assign/);
    const names = newSession(state);
    for (let i = 0; i < MAX_VARIABLES; i += 500) run(Array.from({ length: 500 }, (_, j) => `n${i + j}=1`).join(' '), names);
    expect(run('one=more', names)).toMatchObject({ output: `bash: one: cannot assign: a session holds at most ${MAX_VARIABLES} variables\n`, exitCode: 1 });
    expect(run('for n0 in a b; do true; done; echo $n0', names).output).toBe('b\n'); // an existing one may change
  });

  it('bounds what arrays hold in a session (elements and characters), indexed and associative alike', () => {
    const session = newSession(state);
    run("x=$(printf '%200000s' x)", session);
    for (let i = 0; i < 5; i++) expect(run(`a${i}=("$x")`, session).output).toBe('');
    expect(run('a5=("$x")', session)).toMatchObject({ output: `bash: a5: cannot assign: arrays would hold more than ${MAX_ARRAY_CHARS} characters\n`, exitCode: 1 });
    expect(run('declare -A m; m[k]="$x"', session).output).toMatch(/^bash: m: cannot assign: arrays would hold more than/);
    expect(session.arrays?.a5).toBeUndefined();
    const counted = newSession(state);
    expect(run(`mapfile -t many < <(seq ${MAX_ARRAY_ELEMENTS + 1})`, counted)).toMatchObject({ output: `bash: many: cannot assign: arrays hold at most ${MAX_ARRAY_ELEMENTS} elements in a session\n`, exitCode: 1 });
    // PIPESTATUS is an array too: leave it room.
    expect(run(`mapfile -t many < <(seq ${MAX_ARRAY_ELEMENTS - 10}); echo \${#many[@]}`, counted).output).toBe(`${MAX_ARRAY_ELEMENTS - 10}\n`);
    run('for i in $(seq 20); do fill[$i]=x; done 2>/dev/null', counted); // up to the cap
    expect(run('many[0]=changed; echo ${many[0]}; one=(more)', counted).output).toMatch(/^changed\nbash: one: cannot assign: arrays hold at most/);
  });

  it('stops brace expansion by the characters it builds, not only the words (a long tail after {a,b}{a,b}…)', () => {
    const braces = '{a,b}'.repeat(14);
    const result = run(`echo ${braces}${'x'.repeat(4000)} | wc -c`);
    expect(result.output).toBe('bash: brace expansion: too many words\n0\n');
    expect(run(`echo ${'{a,b}'.repeat(818)} | wc -c`).output).toBe('bash: brace expansion: too many words\n0\n');
  });

  it('stops brace expressions nested past 64 levels (each level copied the rest of the word: seconds a line)', () => {
    expect(run(`echo ${'{a,'.repeat(60)}b${'}'.repeat(60)} | wc -w`).output).toBe('61\n');
    const started = performance.now();
    expect(run(`echo ${'{a,'.repeat(1300)}b${'}'.repeat(1300)} | wc -c`).output).toBe('bash: brace expansion: too many words\n0\n');
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('refuses a YAML alias bomb in kubectl apply with go-yaml\'s message', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (const [prev, next] of [['a', 'b'], ['b', 'c'], ['c', 'd'], ['d', 'e'], ['e', 'f'], ['f', 'g'], ['g', 'h'], ['h', 'i']]) levels.push(`${next}: &${next} [${Array(9).fill(`*${prev}`).join(',')}]`);
    const manifest = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\ndata:\n${levels.map((l) => `  ${l}`).join('\n')}\n`;
    const result = run(`kubectl apply -f - <<'EOF'\n${manifest}EOF`);
    expect(result.output).toMatch(/yaml: document contains excessive aliasing/);
  });
});
