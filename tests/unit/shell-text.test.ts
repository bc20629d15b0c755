import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec } from '../../server/cluster/index.js';
import { newSession, runLine } from '../../server/shell/index.js';
import { CPU_LIMIT_EXIT, cpuLimitMessage } from '../../server/shell/budget.js';

const PODS = `NAMESPACE     NAME                      READY   STATUS             RESTARTS   AGE
default       web-5b89878fb6-56fzs      1/1     Running            0          5d
default       api-6f4696856-kxfvr       0/1     CrashLoopBackOff   12         5d
kube-system   coredns-67f5c867d-mkxv7   1/1     Running            0          40d
kube-system   coredns-67f5c867d-nlx8s   0/1     Pending            0          2m
`;

/** Runs `CMD` with PODS on stdin (through `printf` so the real pipeline is used). */
function run(cmd: string, input = PODS): { output: string; exitCode: number } {
  const state = createCluster(demoClusterSpec, 1);
  const session = newSession(state);
  session.vars.INPUT = input;
  const r = runLine(state, session, `printf '%s' "$INPUT" | ${cmd}`);
  return { output: r.output, exitCode: r.exitCode };
}

describe('grep', () => {
  it('selects lines, exit 0 on a match and 1 on none', () => {
    expect(run('grep coredns')).toEqual({ output: PODS.split('\n').filter((l) => l.includes('coredns')).map((l) => `${l}\n`).join(''), exitCode: 0 });
    expect(run('grep nothing-here')).toEqual({ output: '', exitCode: 1 });
  });
  it('supports -i -v -c -n -o -w -E -e', () => {
    expect(run('grep -ic CORE').output).toBe('2\n');
    expect(run('grep -v Running | grep -c .').output).toBe('3\n');
    expect(run('grep -n Pending').output).toMatch(/^5:kube-system {3}coredns-67f5c867d-nlx8s/);
    expect(run("grep -oE 'coredns-[a-z0-9]+-[a-z0-9]+'").output).toBe('coredns-67f5c867d-mkxv7\ncoredns-67f5c867d-nlx8s\n');
    expect(run('grep -w 67f5').exitCode).toBe(1);
    expect(run('grep -wc web').output).toBe('1\n');
    expect(run('grep -e Pending -e CrashLoop | wc -l').output).toBe('2\n');
    expect(run("egrep 'Pending|CrashLoop' -c").output).toBe('2\n');
    expect(run("grep 'Pending\\|CrashLoop' -c").output).toBe('2\n');
  });
  it('prints context with -A/-B/-C and -- separators', () => {
    const input = 'a\nb\nmatch1\nc\nd\ne\nmatch2\nf\n';
    expect(run('grep -A1 match', input).output).toBe('match1\nc\n--\nmatch2\nf\n');
    expect(run('grep -B1 -n match2', input).output).toBe('6-e\n7:match2\n');
    expect(run('grep -C1 match1', input).output).toBe('b\nmatch1\nc\n');
  });
  it('reports bad options and missing files like GNU grep (exit 2)', () => {
    expect(run('grep -y x').output).toBe("grep: invalid option -- 'y'\nUsage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n");
    expect(run('grep x /nope')).toEqual({ output: 'grep: /nope: No such file or directory\n', exitCode: 2 });
  });
});

describe('head, tail, wc, sort, uniq, cut', () => {
  it('head and tail take -n N, -N and +N', () => {
    expect(run('head -n 1').output).toBe(`${PODS.split('\n')[0]}\n`);
    expect(run('head -2 | tail -1').output).toMatch(/^default +web-/);
    expect(run('tail -n +2 | wc -l').output).toBe('4\n');
    expect(run('tail -n1').output).toMatch(/nlx8s/);
  });
  it('wc counts lines, words and bytes in GNU layout', () => {
    expect(run('wc -l', 'a b\nc\n').output).toBe('2\n');
    expect(run('wc', 'a b\nc\n').output).toBe('      2       3       6\n');
  });
  it('sort -k -n -r -h -u and uniq -c', () => {
    expect(run("awk 'NR>1 {print $5}' | sort -n | uniq -c").output).toBe('      3 0\n      1 12\n');
    expect(run('sort -k5 -n -r | head -1').output).toMatch(/CrashLoopBackOff/);
    expect(run('sort -h', '1G\n512M\n2K\n').output).toBe('2K\n512M\n1G\n');
    expect(run('sort -u', 'b\na\nb\n').output).toBe('a\nb\n');
    expect(run('sort -t: -k2 -n', 'x:10\ny:9\n').output).toBe('y:9\nx:10\n');
    expect(run('uniq -d', 'a\na\nb\n').output).toBe('a\n');
  });
  it('cut -d -f and -c', () => {
    expect(run('cut -d: -f2', 'a:b:c\nd:e:f\n').output).toBe('b\ne\n');
    expect(run('cut -d: -f2-', 'a:b:c\n').output).toBe('b:c\n');
    expect(run('cut -c1-3', 'abcdef\n').output).toBe('abc\n');
    expect(run('cut -d, -f1', 'no-delimiter\n').output).toBe('no-delimiter\n');
    expect(run('cut -f')).toMatchObject({ exitCode: 1 });
    expect(run('cut').output).toBe("cut: you must specify a list of bytes, characters, or fields\nTry 'cut --help' for more information.\n");
  });
});

describe('awk', () => {
  it('prints fields, $NF, -F and patterns', () => {
    expect(run("awk '{print $2}' | head -2").output).toBe('NAME\nweb-5b89878fb6-56fzs\n');
    expect(run("awk 'NR>1 {print $1, $NF}' | tail -1").output).toBe('kube-system 2m\n');
    expect(run("awk '/Pending/ {print $2}'").output).toBe('coredns-67f5c867d-nlx8s\n');
    expect(run("awk '$4 != \"Running\" && NR > 1 {print $2}'").output).toBe('api-6f4696856-kxfvr\ncoredns-67f5c867d-nlx8s\n');
    expect(run("awk -F: '{print $2}'", 'a:b\n').output).toBe('b\n');
    expect(run("awk '$1 ~ /^kube/ {n++} END {print n}'").output).toBe('2\n');
  });
  it('sums, counts with arrays and formats with printf', () => {
    expect(run("awk 'NR>1 {sum+=$5} END {print sum}'").output).toBe('12\n');
    expect(run("awk 'NR>1 {c[$1]++} END {for (ns in c) print ns, c[ns]}' | sort").output).toBe('default 2\nkube-system 2\n');
    expect(run("awk '{printf \"%-5s|%3d\\n\", $1, $2}'", 'ab 7\n').output).toBe('ab   |  7\n');
    expect(run("awk 'BEGIN {print 1/4, 10/2}'", '').output).toBe('0.25 5\n');
  });
  it('reports syntax errors as gawk does and stops endless loops', () => {
    expect(run("awk '{print $1'")).toEqual({ output: 'awk: cmd. line:1: {print $1\nawk: cmd. line:1:          ^ unexpected newline or end of string\n', exitCode: 1 });
    // Loops run, within a budget of steps.
    expect(run("awk 'BEGIN {while (1) n++}'", '')).toEqual({ output: cpuLimitMessage('awk'), exitCode: CPU_LIMIT_EXIT });
  });
});

describe('sed, tr, column, base64, jq, xargs, tee', () => {
  it('sed s///g and -n /re/p', () => {
    expect(run("sed 's/o/0/g'", 'foo boo\n').output).toBe('f00 b00\n');
    expect(run("sed 's/\\(a\\)b/\\1-&/'", 'ab\n').output).toBe('a-ab\n');
    expect(run("sed -n '/Pending/p' | wc -l").output).toBe('1\n');
    expect(run("sed '1d' | wc -l").output).toBe('4\n');
    expect(run("sed 'y/a/b/'", 'a\n')).toMatchObject({ output: 'b\n', exitCode: 0 });
    expect(run("sed 'k'", 'a\n')).toMatchObject({ output: "sed: -e expression #1, char 1: unknown command: `k'\n", exitCode: 1 });
    // A `b` loop or a growing substitution runs out of the line's budget instead of running on.
    expect(run("sed ':a;ba'", 'a\n')).toMatchObject({ output: cpuLimitMessage('sed'), exitCode: CPU_LIMIT_EXIT });
    expect(run("sed ':a;s/x/xx/;ta'", 'x\n').exitCode).toBe(CPU_LIMIT_EXIT);
  });
  it('tr translates, deletes and squeezes', () => {
    expect(run("tr a-z A-Z", 'abc\n').output).toBe('ABC\n');
    expect(run("tr -s ' ' | head -1").output).toBe('NAMESPACE NAME READY STATUS RESTARTS AGE\n');
    expect(run("tr -d '\\n'", 'a\nb\n').output).toBe('ab');
  });
  it('column -t aligns columns', () => {
    expect(run('column -t', 'a bb c\nddd e f\n').output).toBe('a    bb  c\nddd  e   f\n');
  });
  it('base64 round-trips', () => {
    expect(run('base64', 'hello\n').output).toBe('aGVsbG8K\n');
    expect(run('base64 -d', 'aGVsbG8K').output).toBe('hello\n');
  });
  it('jq filters JSON', () => {
    const json = JSON.stringify({ items: [{ metadata: { name: 'a' }, n: 1 }, { metadata: { name: 'b' }, n: 2 }] });
    expect(run("jq -r '.items[].metadata.name'", json).output).toBe('a\nb\n');
    expect(run("jq '.items[0].n'", json).output).toBe('2\n'.replace('2', '1'));
    expect(run("jq '.items | length'", json).output).toBe('2\n');
    expect(run("jq -c '.items[] | select(.n == 2) | .metadata'", json).output).toBe('{"name":"b"}\n');
    expect(run('jq .', '{"a":[1]}').output).toBe('{\n  "a": [\n    1\n  ]\n}\n');
  });
  it('xargs runs the next command with stdin items; tee passes through and writes where the shell may', () => {
    expect(run('xargs echo got', 'a b\nc\n').output).toBe('got a b c\n');
    expect(run('xargs -n1 echo', 'a b\n').output).toBe('a\nb\n');
    expect(run('xargs -I{} echo [{}]', 'a\nb\n').output).toBe('[a]\n[b]\n');
    expect(run('xargs nope', 'a\n')).toEqual({ output: 'xargs: nope: No such file or directory\n', exitCode: 127 });
    expect(run('tee /tmp/x', 'a\n')).toEqual({ output: 'a\n', exitCode: 0 });
    expect(run('tee -a /tmp/x /tmp/y > /dev/null; cat /tmp/x', 'a\n')).toEqual({ output: 'a\n', exitCode: 0 });
    expect(run('tee /proc/x', 'a\n')).toEqual({ output: 'a\ntee: /proc/x: Read-only file system\n', exitCode: 1 });
  });
});

describe('compiled regexes kept between lines', () => {
  it('keeps a program per source and flags: the same pattern with -i, -w or -E matches as its own', () => {
    const pattern = 'CRASH[a-z]*';
    expect(run(`grep -c '${pattern}'`).output).toBe('0\n');
    expect(run(`grep -ci '${pattern}'`).output).toBe('1\n');
    expect(run(`grep -c '${pattern}'`).output).toBe('0\n');
    expect(run("grep -cw 'Run'").output).toBe('0\n');
    expect(run("grep -c 'Run'").output).toBe('2\n');
    expect(run("sed -n 's/^ *\\(kube\\)/[\\1]/p' | head -1").output).toBe('[kube]-system   coredns-67f5c867d-mkxv7   1/1     Running            0          40d\n');
    expect(run("sed -nE 's/^ *(kube)/[\\1]/p' | head -1").output).toBe('[kube]-system   coredns-67f5c867d-mkxv7   1/1     Running            0          40d\n');
  });
});
