// `tar` in a container, the two forms `kubectl cp` execs (kubectl v1.29 pkg/cmd/cp/cp.go):
// `tar cf - PATH` writes a ustar archive of PATH to stdout (members named without the leading
// `/`, as tar says on stderr), and `tar -xmf - [-C DIR]` reads one from stdin into the
// container's writable layer. What tar says is GNU tar's on Debian images and busybox's
// elsewhere (the same words the shell's own `kubectl cp`, commands/cp.ts, prints). Files are
// text here: an archive is built and read as UTF-8 bytes, sizes and padding counted in bytes.
import { wallClock } from '../../cluster/logs.js';
import type { Pod } from '../../cluster/types.js';
import { normalizePath } from '../node/fs.js';
import { containerImage, imageDistro } from '../session.js';
import type { CommandContext, CommandResult, ShellSession } from '../types.js';
import { isDirectory, listDirectory, makeDirectory, readFile, writeFile, writeSteps } from '../vfs.js';

const BLOCK = 512;

/** A session standing in the container, root in its writable layer, so the shell's file functions apply. */
export function inContainer(session: ShellSession, pod: Pod, container: string): ShellSession {
  return { ...session, node: undefined, root: true, cwd: '/', container: { namespace: pod.metadata.namespace ?? 'default', pod: pod.metadata.name, container, shell: 'sh' } };
}

/** Every file under `abs` (itself when it is a file), relative names first to last; undefined when nothing is there. */
export function filesUnder(outer: CommandContext, session: ShellSession, abs: string): { rel: string; content: string }[] | undefined {
  // The context may live on its prototype chain (kubectl/index.ts): derive, don't spread.
  const ctx = Object.assign(Object.create(outer) as CommandContext, { session });
  const files: { rel: string; content: string }[] = [];
  // Listing a directory goes over every file of the layer (as a write's checks do): charged as a
  // write's steps (and each read by readFile), or a walk of a full layer cost seconds uncharged.
  const charge = (path: string): void => ctx.budget.spend(writeSteps(ctx.state, session, path));
  const walk = (dir: string, rel: string): void => {
    charge(dir);
    for (const entry of listDirectory(ctx.state, session, dir)) {
      const path = dir === '/' ? `/${entry.name}` : `${dir}/${entry.name}`;
      const name = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.dir) walk(path, name);
      else {
        const read = readFile(ctx, 'tar', path); // charged by readFile in a container
        if (read.ok) files.push({ rel: name, content: read.content });
      }
    }
  };
  if (isDirectory(ctx.state, session, abs)) {
    walk(abs, '');
    return files;
  }
  const read = readFile(ctx, 'tar', abs);
  return read.ok ? [{ rel: '', content: read.content }] : undefined;
}

/** What tar says, GNU's or busybox's. */
export const tarSays = {
  leadingSlash: (gnu: boolean): string => (gnu ? "tar: Removing leading `/' from member names\n" : "tar: removing leading '/' from member names\n"),
  missing: (gnu: boolean, path: string): string => (gnu ? `tar: ${path}: Cannot stat: No such file or directory\n` : `tar: ${path}: No such file or directory\n`),
  /** After errors it went on past: its last words. */
  delayedExit: (gnu: boolean): string => (gnu ? 'tar: Exiting with failure status due to previous errors\n' : 'tar: error exit delayed from previous errors\n'),
  noDirectory: (gnu: boolean, dir: string): string => (gnu
    ? `tar: ${dir}: Cannot open: No such file or directory\ntar: Error is not recoverable: exiting now\n`
    : `tar: can't change directory to '${dir}': No such file or directory\n`),
  cannotOpen: (gnu: boolean, member: string, error: string): string => (gnu
    ? `tar: ${member}: Cannot open: ${error}\ntar: Exiting with failure status due to previous errors\n`
    : `tar: can't open '${member}': ${error}\n`),
  notArchive: (gnu: boolean): string => (gnu ? 'tar: This does not look like a tar archive\ntar: Exiting with failure status due to previous errors\n' : 'tar: invalid tar magic\n'),
  code: (gnu: boolean): number => (gnu ? 2 : 1),
};

/** A ustar header for a regular file (mode 0644, root's), or undefined when its name does not fit. */
function header(name: string, size: number, mtime: number): Buffer | undefined {
  const bytes = Buffer.from(name);
  let prefix = Buffer.alloc(0);
  let base = bytes;
  if (bytes.length > 100) {
    const cut = name.lastIndexOf('/', name.length - 1);
    prefix = Buffer.from(name.slice(0, cut));
    base = Buffer.from(name.slice(cut + 1));
    if (cut < 0 || prefix.length > 155 || base.length > 100) return undefined;
  }
  const h = Buffer.alloc(BLOCK);
  const octal = (at: number, width: number, n: number): void => void h.write(`${n.toString(8).padStart(width - 1, '0')}\0`, at, 'latin1');
  base.copy(h, 0);
  octal(100, 8, 0o644);
  octal(108, 8, 0);
  octal(116, 8, 0);
  octal(124, 12, size);
  octal(136, 12, mtime);
  h.write('        ', 148, 'latin1');
  h.write('0', 156, 'latin1');
  h.write('ustar\x0000', 257, 'latin1');
  h.write('root', 265, 'latin1');
  h.write('root', 297, 'latin1');
  prefix.copy(h, 345);
  h.write(`${checksum(h).toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

const checksum = (h: Buffer): number => {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
  return sum;
};

const field = (h: Buffer, at: number, width: number): string => h.toString('latin1', at, at + width).replace(/\0.*$/s, '');

/** `tar cf - PATH…`: the archive on stdout. */
function create(ctx: CommandContext, inside: ShellSession, gnu: boolean, paths: string[]): CommandResult {
  const mtime = Math.floor(wallClock(ctx.state, ctx.state.now).getTime() / 1000);
  const parts: string[] = [];
  let stderr = '';
  let failed = false;
  for (const path of paths) {
    const abs = normalizePath(path, '/');
    const member = abs.replace(/^\/+/, '');
    if (path.startsWith('/') && !stderr.includes(tarSays.leadingSlash(gnu))) stderr += tarSays.leadingSlash(gnu);
    const files = filesUnder(ctx, inside, abs);
    if (!files) {
      stderr += tarSays.missing(gnu, path);
      failed = true;
      continue;
    }
    for (const file of files) {
      ctx.budget.spend(file.content.length);
      const name = file.rel === '' ? member : `${member}/${file.rel}`;
      const size = Buffer.byteLength(file.content);
      const h = header(name, size, mtime);
      if (!h) {
        stderr += `tar: ${name}: file name is too long (max 255); not dumped\n`;
        failed = true;
        continue;
      }
      parts.push(h.toString('latin1'), file.content, '\0'.repeat((BLOCK - (size % BLOCK)) % BLOCK));
    }
  }
  parts.push('\0'.repeat(2 * BLOCK));
  if (failed) stderr += tarSays.delayedExit(gnu);
  // tar says it as it goes, before the archive's end: kubectl, done once it has read the archive, must meet it first.
  return { stdout: parts.join(''), stderr: '', ...(stderr !== '' ? { stderrFirst: stderr } : {}), exitCode: failed ? tarSays.code(gnu) : 0 };
}

/** `tar -xmf - [-C DIR]`: stdin's archive unpacked under DIR. */
function extract(ctx: CommandContext, inside: ShellSession, gnu: boolean, dir: string): CommandResult {
  const fail = (message: string): CommandResult => ({ stdout: '', stderr: message, exitCode: tarSays.code(gnu) });
  if (!isDirectory(ctx.state, inside, dir)) return fail(tarSays.noDirectory(gnu, dir));
  const archive = Buffer.from(ctx.stdin);
  for (let at = 0; at + BLOCK <= archive.length;) {
    const h = archive.subarray(at, at + BLOCK);
    if (h.every((b) => b === 0)) break;
    if (Number.parseInt(field(h, 148, 8).trim(), 8) !== checksum(h)) return fail(tarSays.notArchive(gnu));
    const size = Number.parseInt(field(h, 124, 12).trim() || '0', 8);
    if (!Number.isSafeInteger(size) || size < 0 || at + BLOCK + size > archive.length) return fail(tarSays.notArchive(gnu));
    const prefix = field(h, 345, 155);
    const name = (prefix === '' ? '' : `${prefix}/`) + field(h, 0, 100);
    const type = field(h, 156, 1);
    const content = archive.toString('utf8', at + BLOCK, at + BLOCK + size);
    at += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    const path = normalizePath(name, dir);
    if (type === '5') {
      const error = makeDirectory(ctx.state, inside, path, true);
      if (error) return fail(tarSays.cannotOpen(gnu, name, error));
      continue;
    }
    if (type !== '0' && type !== '') continue; // links and devices: nothing here to make them of
    ctx.budget.spend(content.length);
    const error = makeDirectory(ctx.state, inside, path.slice(0, path.lastIndexOf('/')) || '/', true) ?? (ctx.budget.spend(writeSteps(ctx.state, inside, path)), writeFile(ctx.state, inside, path, content));
    if (error) return fail(tarSays.cannotOpen(gnu, name, error));
  }
  return { stdout: '', stderr: '', exitCode: 0 };
}

/** The options of `tar`: bundled letters (`cf`, `-xmf`), `f` taking the next word, `-C DIR`; the rest are paths. */
function options(argv: string[]): { letters: string; file?: string; dir?: string; paths: string[] } {
  let letters = '';
  let file: string | undefined;
  let dir: string | undefined;
  const paths: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '-C') dir = argv[++i];
    else if (i === 1 || (word.startsWith('-') && word.length > 1)) {
      const bundled = word.replace(/^-/, '');
      letters += bundled;
      if (bundled.endsWith('f')) file = argv[++i];
    } else paths.push(word);
  }
  return { letters, ...(file !== undefined ? { file } : {}), ...(dir !== undefined ? { dir } : {}), paths };
}

/** `tar` as a container's program. */
export function tar(ctx: CommandContext, pod: Pod, container: string, argv: string[]): CommandResult {
  const inside = inContainer(ctx.session, pod, container);
  const gnu = imageDistro(containerImage(ctx.state, inside.container!)) === 'debian';
  const { letters, file, dir, paths } = options(argv);
  if (file === '-' && letters.includes('c') && paths.length > 0) return create(ctx, inside, gnu, paths);
  if (file === '-' && letters.includes('x')) return extract(ctx, inside, gnu, normalizePath(dir ?? '/', '/'));
  return { stdout: '', stderr: 'tar: only `tar cf - PATH` and `tar xf - [-C DIR]` (what kubectl cp runs) are simulated\n', exitCode: 2 };
}
