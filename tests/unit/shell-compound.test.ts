// `for` and `if`, here-documents, `test` / `[`, when a typed line needs more lines, and the
// bound on commands one line may run.
import { describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec } from '../../server/cluster/index.js';
import { complete, needsMoreInput, newSession, parseLine, runLine } from '../../server/shell/index.js';
import { MAX_COMMANDS_PER_LINE } from '../../server/shell/limits.js';

function shell() {
  const state = createCluster(demoClusterSpec, 1);
  const session = newSession(state);
  return (line: string) => runLine(state, session, line);
}

describe('for loops', () => {
  it('run the body once per word, over $(…) output too, and keep the variable', () => {
    const run = shell();
    expect(run('for n in a "b c" d; do echo "<$n>"; done; echo last=$n')).toEqual({ output: '<a>\n<b c>\n<d>\nlast=d\n', exitCode: 0 });
    const nodes = run("for n in $(kubectl get nodes -o name); do kubectl get $n --no-headers | awk '{print $1, $2}'; done");
    expect(nodes.output).toBe('cp-1 Ready\nworker-1 Ready\nworker-2 Ready\n');
    expect(run('for x in; do echo never; done; echo $?').output).toBe('0\n');
    expect(run('for x\ndo echo never\ndone').output).toBe('');
  });

  it('take redirections and pipes as a whole, and run in a subshell inside a pipeline', () => {
    const run = shell();
    expect(run('for x in a b c; do echo $x; done | tail -1').output).toBe('c\n');
    expect(run('for x in a b; do echo $x; nosuch; done 2>/dev/null').output).toBe('a\nb\n');
    expect(run('for x in a b; do echo $x; done >/dev/null; echo quiet').output).toBe('quiet\n');
    expect(run('for y in 1 2; do true; done | cat; echo "[$y]"').output).toBe('[]\n');
  });

  it('status is the last body command\'s; exit stops the loop and the line', () => {
    const run = shell();
    expect(run('for x in a b; do test $x = a; done').exitCode).toBe(1);
    expect(run('for x in a b c; do echo $x; exit 3; done; echo after')).toMatchObject({ output: expect.stringMatching(/^a\n/), exitCode: 3 });
    expect(run('for x in a b c; do echo $x; exit 3; done; echo after').output).not.toContain('after');
  });
});

describe('break and continue', () => {
  it('leave or continue the innermost loop, or the Nth with a count, like bash', () => {
    const run = shell();
    expect(run('for x in a b c; do if [ $x = b ]; then break; fi; echo $x; done; echo after').output).toBe('a\nafter\n');
    expect(run('for x in a b c; do if [ $x = b ]; then continue; fi; echo $x; done').output).toBe('a\nc\n');
    expect(run('for x in 1 2; do for y in a b; do if [ $y = b ]; then continue 2; fi; echo $x$y; done; echo never; done').output).toBe('1a\n2a\n');
    expect(run('for x in 1 2; do for y in a b; do break 2; done; echo never; done; echo out').output).toBe('out\n');
    expect(run('for x in a b; do echo $x; break 5; done').output).toBe('a\n');
    expect(run('for x in a b; do echo | break; echo $x; done').output).toBe('a\nb\n'); // a pipeline stage is a subshell
  });

  it('say what bash says outside a loop or with a bad count', () => {
    const run = shell();
    expect(run('break; echo ok').output).toBe("bash: break: only meaningful in a `for', `while', or `until' loop\nok\n");
    expect(run('break x')).toEqual({ output: 'bash: break: x: numeric argument required\n', exitCode: 128 });
    expect(run('for x in a; do continue 0; echo $?; done').output).toBe('bash: continue: 0: loop count out of range\n1\n');
  });
});

describe('if', () => {
  it('runs the first branch whose condition succeeds, else the else part', () => {
    const run = shell();
    const pick = (n: string) => run(`if [ ${n} -lt 2 ]; then echo small; elif [ ${n} -lt 5 ]; then echo medium; else echo large; fi`).output;
    expect([pick('1'), pick('3'), pick('9')]).toEqual(['small\n', 'medium\n', 'large\n']);
    expect(run('if false; then echo no; fi; echo $?').output).toBe('0\n');
    expect(run('if kubectl get pods -A | grep -q coredns; then echo dns; fi').output).toBe('dns\n');
    expect(run('for n in 1 2 3; do if [ $n != 2 ]; then echo $n; fi; done').output).toBe('1\n3\n');
  });
});

describe('test and [', () => {
  it('evaluate strings, integers, negation and node files, with bash errors', () => {
    const run = shell();
    const status = (line: string) => run(line).exitCode;
    expect([status('[ -z "" ]'), status('[ -n "" ]'), status('[ abc ]'), status('[ ]'), status('test a = a'), status('[ a != a ]')]).toEqual([0, 1, 0, 1, 0, 1]);
    expect([status('[ 10 -gt 9 ]'), status('[ -3 -ge -2 ]'), status('[ ! 1 -eq 2 ]'), status('[ ! -z x ]')]).toEqual([0, 1, 0, 0]);
    expect([status('[ a = a -a b = b ]'), status('[ a = b -o b = b ]'), status('[ -z "" -a ! -n "" ]'), status('[ a = b -o a = c ]'), status('[ x = -o ]')]).toEqual([0, 0, 0, 1, 1]);
    expect(run('[ a')).toEqual({ output: "bash: [: missing `]'\n", exitCode: 2 });
    expect(run('[ a b ]')).toEqual({ output: 'bash: [: a: unary operator expected\n', exitCode: 2 });
    expect(run('[ x -eq 1 ]')).toEqual({ output: 'bash: [: x: integer expression expected\n', exitCode: 2 });
    expect(run('test 1 2 3 4')).toEqual({ output: 'bash: test: too many arguments\n', exitCode: 2 });
    expect(run('[ -f /etc/kubernetes/manifests/etcd.yaml ]').exitCode).toBe(1); // the workstation has no such file
    run('ssh cp-1');
    expect(run('[ -f /etc/kubernetes/manifests/etcd.yaml ] && [ -d /etc/kubernetes ] && [ ! -e /nope ] && echo yes').output).toBe('yes\n');
  });
});

describe('compound syntax', () => {
  it('reports what bash reports, and what this terminal does not run', () => {
    const error = (line: string) => {
      const r = parseLine(line);
      return r.ok ? 'parsed' : r.error;
    };
    expect(error('for x in a b')).toBe('bash: syntax error: unexpected end of file\n');
    expect(error('for x in a; do done')).toBe("bash: syntax error near unexpected token `done'\n");
    expect(error('do echo')).toBe("bash: syntax error near unexpected token `do'\n");
    expect(error('if true; then fi')).toBe("bash: syntax error near unexpected token `fi'\n");
    expect(error('for 1x in a; do echo; done')).toBe("bash: `1x': not a valid identifier\n");
    expect(error('for x in a; do echo; done extra')).toBe("bash: syntax error near unexpected token `extra'\n");
    expect(error('while true; do echo; done')).toBe('parsed');
    expect(error('case x in a) echo;; esac')).toBe('parsed');
    expect(error('case x in a) echo')).toBe('bash: syntax error: unexpected end of file\n');
    expect(error('{ echo; ')).toBe('bash: syntax error: unexpected end of file\n');
    expect(error('f() echo')).toBe("bash: syntax error near unexpected token `echo'\n");
    expect(error('in')).toBe("bash: syntax error near unexpected token `in'\n");
    expect(error('echo done fi then')).toBe('parsed');
    expect(error('echo $(for x in a; do echo $x; done)')).toBe('parsed');
  });
});

describe('commands per line', () => {
  it('stop after the limit, whatever the loops multiply', () => {
    const run = shell();
    const words = Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ');
    const result = run(`for a in ${words}; do for b in ${words}; do true; done; done; echo after`);
    expect(result).toEqual({ output: `bash: more than ${MAX_COMMANDS_PER_LINE} commands in one line: stopped\n`, exitCode: 1 });
    expect(run('echo fine').output).toBe('fine\n');
  });

  it('count loop iterations too, and stop the line from inside a pipeline', () => {
    const run = shell();
    const thousand = 'w="0 1 2 3 4 5 6 7 8 9"; w="$w $w $w $w $w $w $w $w $w $w"; w="$w $w $w $w $w $w $w $w $w $w"; w="$w $w $w $w $w $w $w $w $w $w"; ';
    const stopped = { output: `bash: more than ${MAX_COMMANDS_PER_LINE} commands in one line: stopped\n`, exitCode: 1 };
    for (const body of [
      'for a in $w; do for b in $w; do for c in $w; do for z in; do :; done; done; done; done; echo end',
      'for a in $w; do echo | for c in; do echo; done; done; echo end',
      'for a in $w; do echo $a; done | wc -l; echo end',
    ]) {
      const started = performance.now();
      expect(run(thousand + body), body).toEqual(stopped);
      expect(performance.now() - started, body).toBeLessThan(8_000); // loose: a runaway loop takes minutes
    }
  });
});

describe('completion inside compound commands', () => {
  it('completes the command after do / then like at the start of a line', () => {
    const state = createCluster(demoClusterSpec, 1);
    const session = newSession(state);
    const at = (line: string) => complete(state, session, line, line.length).candidates;
    expect(at('for p in a; do kubectl get po')).toEqual(['po', 'poddisruptionbudgets', 'pods', 'podtemplates', 'policyendpoints']);
    expect(at('if true; then kubectl desc')).toEqual(['describe']);
  });
});

describe('here-documents', () => {
  it('feed the lines up to the delimiter to the command, expanded unless the delimiter is quoted', () => {
    const run = shell();
    expect(run('X=42\ncat <<EOF\nx is $X, $(echo sub) \\$kept\n  "quotes stay"\nEOF').output).toBe('x is 42, sub $kept\n  "quotes stay"\n');
    expect(run("cat <<'EOF' | grep -c x\nx $X\nxx\nEOF").output).toBe('2\n');
    expect(run('cat <<-END\n\t\tindented\n\tEND').output).toBe('indented\n');
    expect(run('echo a; cat <<X; echo b\nbody\nX').output).toBe('a\nbody\nb\n');
    const applied = run('kubectl apply -f - <<EOF\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: drill\ndata:\n  a: "1"\nEOF\nkubectl get cm drill --no-headers');
    expect(applied.output).toMatch(/^configmap\/drill created\ndrill\s+1\s+0s\n$/);
  });

  it('report what bash reports when the document or the delimiter is missing', () => {
    const run = shell();
    expect(run('cat <<EOF\nno end')).toEqual({ output: "bash: warning: here-document delimited by end-of-file (wanted `EOF')\n", exitCode: 2 });
    expect(run('cat <<').output).toBe("bash: syntax error near unexpected token `newline'\n");
  });
});

describe('needsMoreInput', () => {
  it('is true while a quote, a here-document, a compound command or a pipe is still open', () => {
    const open = ['echo "abc', "echo 'abc", 'echo abc |', 'echo a &&', 'for x in a; do', 'if true; then echo', 'echo a \\', 'echo $(ls', 'cat <<EOF\nline'];
    const complete = ['echo ok', 'echo a \\\\', 'cat <<EOF\nline\nEOF', 'fi', 'echo "a\nb"', ''];
    expect(open.filter((t) => !needsMoreInput(t))).toEqual([]);
    expect(complete.filter((t) => needsMoreInput(t))).toEqual([]);
  });

  it('is false for what no further line can complete, and never throws', () => {
    // What is missing inside a here-document or backticks cannot come on a later line.
    for (const t of ['cat <<EOF\nprice $(\nEOF', 'cat <<EOF\na `b\nEOF', 'echo `cat <<E`\nfoo\nE', 'echo ${x:-$(}']) expect(needsMoreInput(t), t).toBe(false);
    expect(needsMoreInput('if '.repeat(3000))).toBe(false); // too deep to parse: running it says so
    expect(shell()('if '.repeat(3000)).output).toBe('bash: line too deeply nested or too large\n');
  });
});
