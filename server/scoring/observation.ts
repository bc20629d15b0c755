// Did a command really observe a piece of evidence? The answer key gives a regex on the
// typed line and one on the output; matched naively, `echo 'etcdctl endpoint status' NOSPACE`
// would "observe" NOSPACE. So:
//   - the command regex must match one stage of the line (split on unquoted |, ;, &, &&, ||,
//     newlines, subshells, $( ) and backticks) that runs a real program, not echo/printf;
//   - the output regex must match text the player did not type: a line with an echo/printf
//     stage observes nothing, and a match whose whole output line(s) appear verbatim in the
//     typed line is the line's own text coming back (a grep for a phrase still counts, since
//     grep prints the whole log line).
// Pure text rules: the shell does not tell which stage printed what (see the report).

const PRINTERS = new Set(['echo', 'printf']);
/** Words that run the next word as the program (reserved words of `for` and `if` included). */
const WRAPPERS = new Set(['sudo', 'env', 'time', 'command', 'exec', 'nohup', 'do', 'then', 'else', 'elif', 'if', '!']);

/** The commands of a line, each as typed (quotes kept); a here-document's or here-string's text is data, not commands. */
export function commandStages(line: string): string[] {
  const stages: string[] = [];
  let current = '';
  /** Open double quotes and command substitutions, innermost last. */
  const open: ('"' | '$(')[] = [];
  /** Delimiters of here-documents whose text starts on the next line (and whether `<<-`). */
  const documents: { delimiter: string; tabs: boolean }[] = [];
  const cut = () => {
    if (current.trim()) stages.push(current.trim());
    current = '';
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    const inDouble = open.at(-1) === '"';
    if (c === '\\') {
      current += c + (line[i + 1] ?? '');
      i++;
    } else if (c === '$' && line[i + 1] === '{') {
      // ${x:-…}: a word, whatever it holds (a `#` there is no comment).
      const end = line.indexOf('}', i + 2);
      const stop = end === -1 ? line.length - 1 : end;
      current += line.slice(i, stop + 1);
      i = stop;
    } else if (!inDouble && line.startsWith('<<<', i)) {
      // A here-string is data for the command, not part of what it runs.
      const m = /^<<<[ \t]*('[^']*'|"(?:[^"\\]|\\.)*"|[^\s|;&<>()]+)?/.exec(line.slice(i))!;
      current += '<<< ';
      i += m[0].length - 1;
    } else if (!inDouble && c === '<' && line[i + 1] === '<') {
      const m = /^<<(-?)[ \t]*(['"]?)([^\s'"|;&<>()]+)\2/.exec(line.slice(i));
      if (m) documents.push({ delimiter: m[3]!, tabs: m[1] === '-' });
      const taken = m ? m[0].length : 2;
      current += line.slice(i, i + taken);
      i += taken - 1;
    } else if (!inDouble && c === '\n' && documents.length > 0) {
      cut();
      // Skip each document's lines up to its delimiter line.
      let at = i + 1;
      for (const { delimiter, tabs } of documents.splice(0)) {
        for (;;) {
          const next = line.indexOf('\n', at);
          const end = next === -1 ? line.length : next;
          const text = tabs ? line.slice(at, end).replace(/^\t+/, '') : line.slice(at, end);
          at = end + 1;
          if (text === delimiter || next === -1) break;
        }
      }
      i = at - 2; // the loop's i++ lands on the first line after the documents
    } else if (c === '$' && line[i + 1] === '(') {
      open.push('$(');
      cut();
      i++;
    } else if (c === '`') {
      cut();
    } else if (inDouble) {
      if (c === '"') open.pop();
      current += c;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      const stop = end === -1 ? line.length - 1 : end;
      current += line.slice(i, stop + 1);
      i = stop;
    } else if (c === '"') {
      open.push('"');
      current += c;
    } else if (c === ')' && open.at(-1) === '$(') {
      open.pop();
      cut();
    } else if (c === '#' && (current === '' || /\s$/.test(current))) {
      // A comment, to the end of the line: nothing in it runs.
      const end = line.indexOf('\n', i);
      i = (end === -1 ? line.length : end) - 1;
    } else if ('|;&\n()'.includes(c)) {
      cut();
    } else {
      current += c;
    }
  }
  cut();
  return stages;
}

/** The program a stage runs: after `VAR=value` assignments and wrappers such as sudo. */
export function programOf(stage: string): string {
  const words = stage.split(/\s+/);
  let i = 0;
  while (i < words.length && (/^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i]!) || WRAPPERS.has(words[i]!) || words[i]!.startsWith('-'))) i++;
  return (words[i] ?? '').replace(/^.*\//, '');
}

const printsTyped = (stage: string) => PRINTERS.has(programOf(stage));

/** True when a stage of `line` that runs a program (not echo/printf, not a comment) matches `command`. */
export function runsMatching(line: string, command: RegExp): boolean {
  return commandStages(line).some((s) => !printsTyped(s) && command.test(s));
}
