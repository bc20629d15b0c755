import { describe, expect, it } from 'vitest';
import type { List, SimpleCommand, Word } from '../../server/shell/parse.js';
import { parseLine } from '../../server/shell/parse.js';

function parsed(line: string): List {
  const r = parseLine(line);
  if (!r.ok) throw new Error(`unexpected error: ${r.error}`);
  return r.list;
}

/** A word's literal text when it has no expansions. */
const text = (w: Word): string => w.parts.map((p) => (p.kind === 'lit' ? p.text : `<${p.kind}>`)).join('');
const simple = (list: List): SimpleCommand => {
  const command = list[0]!.first.commands[0]!;
  if (command.kind !== 'simple') throw new Error(`a ${command.kind} command`);
  return command;
};
const words = (line: string): string[] => simple(parsed(line)).words.map(text);

describe('shell parser', () => {
  it('refuses a redirection inside an array assignment, as bash does (it looped, filling the memory)', () => {
    // bash 5.2 -c 'a=(<)': syntax error near unexpected token `<'; the operator as the lexer read it.
    for (const [line, token] of [['a=(<)', '<'], ['a=(>', '>'], ['a=(x >y)', '>'], ['a=(>>)', '>>'], ['a=(<<<x)', '<<<'], ['a=(&>x)', '&>'], ['a=(<>)', '<>'], ['a=(>|)', '>|']]) {
      expect(parseLine(line!)).toEqual({ ok: false, error: `bash: syntax error near unexpected token \`${token}'\n` });
    }
    expect(simple(parsed('a=(<(echo x) y)')).assignments[0]!.array!.map((w) => w.parts[0]!.kind)).toEqual(['procsub', 'lit']);
  });

  it('splits words and honours single, double quotes and backslashes', () => {
    expect(words(`kubectl get pods -l 'app in (web, api)' "a b" c\\ d`)).toEqual(['kubectl', 'get', 'pods', '-l', 'app in (web, api)', 'a b', 'c d']);
    expect(words(`echo "say \\"hi\\" \\$HOME" 'no $x'`)).toEqual(['echo', 'say "hi" $HOME', 'no $x']);
  });

  it('parses $VAR, ${VAR}, $(…) and backticks as expansions', () => {
    const [w] = simple(parsed('echo $A${B}x$(kubectl get pods)`date`')).words.slice(1);
    expect(w!.parts.map((p) => p.kind)).toEqual(['var', 'var', 'lit', 'cmdsub', 'cmdsub']);
    const sub = w!.parts[3]!;
    expect(sub.kind === 'cmdsub' && simple(sub.list).words.map(text)).toEqual(['kubectl', 'get', 'pods']);
  });

  it('parses nested substitution with pipes inside', () => {
    const list = parsed(`rev=$(ETCDCTL_API=3 etcdctl endpoint status --write-out="json" | egrep -o '"revision":[0-9]*' | egrep -o '[0-9].*')`);
    const cmd = simple(list);
    expect(cmd.words).toHaveLength(0);
    expect(cmd.assignments[0]!.name).toBe('rev');
    const sub = cmd.assignments[0]!.value.parts[0]!;
    expect(sub.kind).toBe('cmdsub');
    if (sub.kind !== 'cmdsub') return;
    const pipeline = sub.list[0]!.first;
    expect(pipeline.commands).toHaveLength(3);
    expect(pipeline.commands.map((c) => c.kind)).toEqual(['simple', 'simple', 'simple']);
    expect(simple(sub.list).assignments.map((a) => a.name)).toEqual(['ETCDCTL_API']);
    expect(simple([{ first: { negated: false, commands: [pipeline.commands[2]!] }, rest: [] }]).words.map(text)).toEqual(['egrep', '-o', '[0-9].*']);
  });

  it('parses pipelines, ; && || lists and comments', () => {
    const list = parsed('a | b | c && d || e; f # g h');
    expect(list).toHaveLength(2);
    expect(list[0]!.first.commands).toHaveLength(3);
    expect(list[0]!.rest.map((r) => r.op)).toEqual(['&&', '||']);
    expect(simple(list.slice(1)).words.map(text)).toEqual(['f']);
  });

  it('parses redirections in order, with their fds', () => {
    const cmd = simple(parsed('kubectl get pods 2>/dev/null >/dev/null 2>&1 &>/dev/null <<< hi'));
    expect(cmd.words.map(text)).toEqual(['kubectl', 'get', 'pods']);
    expect(cmd.redirects.map((r) => [r.fd, r.op, text(r.target)])).toEqual([
      [2, '>', '/dev/null'], [1, '>', '/dev/null'], [2, '>&', '1'], ['both', '>', '/dev/null'], [0, '<<<', 'hi'],
    ]);
  });

  it('treats leading NAME=value as assignments, later ones as arguments', () => {
    const cmd = simple(parsed('ETCDCTL_API=3 X="a b" etcdctl Y=1'));
    expect(cmd.assignments.map((a) => [a.name, text(a.value)])).toEqual([['ETCDCTL_API', '3'], ['X', 'a b']]);
    expect(cmd.words.map(text)).toEqual(['etcdctl', 'Y=1']);
  });

  it('reports syntax errors with bash wording', () => {
    expect(parseLine('| grep x')).toEqual({ ok: false, error: "bash: syntax error near unexpected token `|'\n" });
    expect(parseLine('a && && b')).toEqual({ ok: false, error: "bash: syntax error near unexpected token `&&'\n" });
    expect(parseLine('echo >')).toEqual({ ok: false, error: "bash: syntax error near unexpected token `newline'\n" });
    // Input that ended inside something open is `incomplete`: a terminal asks for another line.
    expect(parseLine('echo "abc')).toEqual({ ok: false, error: "bash: unexpected EOF while looking for matching `\"'\nbash: syntax error: unexpected end of file\n", incomplete: true });
    expect(parseLine("echo 'abc")).toEqual({ ok: false, error: "bash: unexpected EOF while looking for matching `''\nbash: syntax error: unexpected end of file\n", incomplete: true });
    expect(parseLine('echo $(date')).toMatchObject({ ok: false, error: expect.stringContaining("matching `)'") });
    expect(parseLine('kubectl get pods |')).toEqual({ ok: false, error: 'bash: syntax error: unexpected end of file\n', incomplete: true });
  });

  it('parses an empty or comment-only line to an empty list', () => {
    expect(parsed('')).toEqual([]);
    expect(parsed('   # just a note')).toEqual([]);
  });
});
