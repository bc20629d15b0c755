// vi, vim and nano: with the terminal as stdin they ask the browser to open its editor on the
// file (LineResult.edit); saving sends `vi FILE <<'…'` with the new text (editLine), which
// this same program then writes — so the log holds the edit as one replayable command.
import type { ShellCommand } from './types.js';
import { fail, ok } from './types.js';
import { isDirectory, readFile, resolvePath, writeFileCharged } from './vfs.js';

export const editor: ShellCommand = (ctx, argv) => {
  const tool = argv[0]!;
  const files = argv.slice(1).filter((a) => !a.startsWith('-') && !a.startsWith('+'));
  if (files.length === 0) return fail(`${tool}: a file name is needed here (${tool} FILE)\n`);
  const file = files[0]!;
  const abs = resolvePath(ctx.session, file);
  if (isDirectory(ctx.state, ctx.session, abs)) return fail(`${tool}: ${file}: Is a directory\n`);
  if (!ctx.stdinIsTerminal) {
    const error = writeFileCharged(ctx, file, ctx.stdin);
    return error ? fail(`"${file}" E212: Can't open file for writing: ${error}\n`) : ok();
  }
  const read = readFile(ctx, tool, file);
  if (!read.ok && !read.error.endsWith('No such file or directory\n')) return fail(read.error);
  const quoted = /^[A-Za-z0-9_./~-]+$/.test(file) ? file : `'${file.replace(/'/g, `'\\''`)}'`;
  return { stdout: '', stderr: '', exitCode: 0, edit: { title: file, text: read.ok ? read.content : '', save: `${tool} ${quoted}` } };
};
