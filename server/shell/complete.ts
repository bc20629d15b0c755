// Tab completion: command names, kubectl (subcommands, flags, resource types and names),
// node names after ssh, unit names after systemctl/journalctl -u, file paths (vfs),
// and $VARIABLES. Works on the text before the cursor, in the command the cursor is in.
import type { ClusterState } from '../cluster/types.js';
import { kubectlCompletions } from './kubectl/index.js';
import { commandNames } from './registry.js';
import { aliasesOf, baseEnv, currentNode, own } from './session.js';
import { listDirectory, resolvePath } from './vfs.js';
import type { Completion, ShellSession } from './types.js';

/** Tools whose operands are files. */
const FILE_READERS = new Set(['cat', 'less', 'more', 'head', 'tail', 'grep', 'egrep', 'wc', 'sort', 'awk', 'sed', 'cut', 'jq', 'base64', 'column', 'uniq', 'ls', 'vi', 'vim', 'nano', 'stat', 'du', 'cp', 'mv', 'rm', 'cd', 'source', '.', 'diff', 'touch', 'mkdir']);

interface Words {
  /** Words of the current simple command before the one under the cursor (quotes removed). */
  before: string[];
  current: string;
  /** Index in the line where the current word starts. */
  from: number;
}

/** Splits the text before the cursor into the current command's words. */
function wordsAt(text: string): Words {
  let before: string[] = [];
  let word = '';
  let inWord = false;
  let from = text.length;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else word += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      if (!inWord) from = i;
      inWord = true;
      continue;
    }
    const separator = c === '|' || c === ';' || c === '&' || c === '`' || c === '(' || c === ')' || c === '\n';
    if (separator || c === ' ' || c === '\t') {
      if (inWord) before.push(word);
      if (separator) before = [];
      word = '';
      inWord = false;
      continue;
    }
    if (!inWord) from = i;
    inWord = true;
    word += c;
  }
  // After `do`, `then`, `else`, … the next word is a command again (`for x in …; do kubectl …`).
  while (before.length > 0 && COMMAND_PREFIXES.has(before[0]!)) before = before.slice(1);
  return { before, current: inWord ? word : '', from: inWord ? from : text.length };
}

/** Reserved words a command may follow. */
const COMMAND_PREFIXES = new Set(['do', 'then', 'else', 'elif', 'if', '!', 'while', 'until', 'time', '{', '}', 'done', 'fi', 'esac']);

/** Names in the directory the word points into, as the word would continue (`dir/` for directories). */
function pathCandidates(state: ClusterState, session: ShellSession, current: string): string[] {
  const slash = current.lastIndexOf('/');
  const dirPart = slash >= 0 ? current.slice(0, slash + 1) : '';
  const dir = resolvePath(session, dirPart === '' ? '.' : dirPart);
  return listDirectory(state, session, dir)
    .filter((e) => !e.name.startsWith('.') || current.slice(slash + 1).startsWith('.'))
    .map((e) => `${dirPart}${e.name}${e.dir ? '/' : ''}`);
}

export function complete(state: ClusterState, session: ShellSession, line: string, cursor: number): Completion {
  const { before, current, from } = wordsAt(line.slice(0, Math.max(0, Math.min(cursor, line.length))));
  const done = (candidates: string[]): Completion => ({
    from,
    candidates: [...new Set(candidates.filter((c) => c.startsWith(current)))].sort(),
  });

  if (current.startsWith('$')) {
    const names = Object.keys({ ...baseEnv(session), ...session.vars });
    return done(names.map((n) => `$${n}`));
  }
  // Skip `VAR=value` prefixes and `sudo` (with its flags) to find the command word.
  let words = before;
  while (words.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0]!)) words = words.slice(1);
  if (words[0] === 'sudo' || words[0] === 'xargs' || words[0] === 'watch') {
    words = words.slice(1);
    while (words.length > 0 && words[0]!.startsWith('-')) words = words.slice(1);
  }
  if (words.length === 0) return done(commandNames(state, session));

  const [command, ...args] = words as [string, ...string[]];
  const node = currentNode(state, session);
  // An alias of kubectl (`k`, `kgp='kubectl get pods'`) completes as what it stands for.
  const alias = own(aliasesOf(session), command)?.trim().split(/\s+/) ?? [];
  const kubectl = command === 'kubectl' || alias[0] === 'kubectl';
  const kubectlArgs = [...alias.slice(1), ...args];
  if (kubectl && (args.at(-1) === '-f' || args.at(-1) === '--filename')) return done(pathCandidates(state, session, current));
  if (kubectl) return done(kubectlCompletions(state, session, [...kubectlArgs, current]));
  if (command === 'ssh') {
    const at = current.indexOf('@');
    const user = at >= 0 ? current.slice(0, at + 1) : '';
    return done(Object.keys(state.nodes).map((n) => `${user}${n}`));
  }
  if (node && (command === 'systemctl' || (command === 'journalctl' && (args.at(-1) === '-u' || args.at(-1) === '--unit')))) {
    if (command === 'systemctl' && args.length === 0) return done(['status', 'restart', 'start', 'stop', 'is-active', 'list-units']);
    return done(Object.keys(node.host.units));
  }
  if (FILE_READERS.has(command) || current.includes('/')) return done(pathCandidates(state, session, current));
  return done([]);
}
