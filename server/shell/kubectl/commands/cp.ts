// `kubectl cp SRC DEST`: files between the session's machine and a container, the way kubectl
// v1.29 does it (pkg/cmd/cp/cp.go): an exec of `tar cf - PATH` in the container (its messages go
// to kubectl's stdout) or of `tar -xmf - -C DIR` fed from a local tar. So the image must have
// tar (distroless ones fail with runc's exec error), and what tar says is GNU tar's on Debian
// images and busybox's elsewhere. Files land in the container's writable layer
// (cluster/container-layer.ts), where `kubectl exec … -- cat` and shells in it read them.
import { anyContainerStatus } from '../../../cluster/ephemeral.js';
import type { Pod } from '../../../cluster/types.js';
import { imageHas, imageOf, notFound } from '../../exec/index.js';
import { normalizePath } from '../../node/fs.js';
import { imageDistro } from '../../session.js';
import type { CommandResult, ShellSession } from '../../types.js';
import { fail } from '../../types.js';
import { filesUnder, inContainer, tarSays } from '../../exec/tar.js';
import { isDirectory, makeDirectory, resolvePath, writeFile, writeFileCharged, writeSteps } from '../../vfs.js';
import { findResourceType, getObject, notFoundError } from '../resources.js';
import type { KubectlContext, KubectlSubcommand, ParsedFlags } from '../types.js';
import { CONTAINER_FLAG, execContainer } from './exec.js';

interface FileSpec {
  namespace?: string;
  pod?: string;
  path: string;
}

/** cp.go extractFileSpec: `[[namespace/]pod:]file/path`. */
function fileSpec(arg: string): FileSpec | undefined {
  const i = arg.indexOf(':');
  if (i === 0) return undefined;
  if (i < 0) return { path: arg };
  const pieces = arg.slice(0, i).split('/');
  if (pieces.length > 2) return undefined;
  const path = arg.slice(i + 1);
  return pieces.length === 1 ? { pod: pieces[0]!, path } : { namespace: pieces[0]!, pod: pieces[1]!, path };
}

interface Reached {
  pod: Pod;
  container: string;
  /** kubectl's `Defaulted container` line, if any. */
  notice: string;
  /** The image's tar is GNU tar (Debian images), else busybox's. */
  gnu: boolean;
  /** A session standing in the container. */
  inside: ShellSession;
}

/** The pod and container an exec would reach, or kubectl's error. */
function target(ctx: KubectlContext, spec: FileSpec, flags: ParsedFlags): Reached | CommandResult {
  const podType = findResourceType('pods')!;
  const pod = getObject(ctx.state, podType, spec.namespace ?? ctx.namespace, spec.pod!) as Pod | undefined;
  if (!pod) return fail(notFoundError(podType, spec.pod!));
  const picked = execContainer(pod, flags.string('container'), false);
  if ('error' in picked) return fail(picked.error);
  const status = anyContainerStatus(pod, picked.container);
  if (status?.state.kind !== 'running') return fail(`error: unable to upgrade connection: container not found ("${picked.container}")\n`);
  if (!imageHas(pod, picked.container, 'tar')) {
    const failed = notFound(ctx.state, 'tar');
    return { ...failed, stderr: picked.notice + failed.stderr };
  }
  return { pod, ...picked, gnu: imageDistro(imageOf(pod, picked.container)) === 'debian', inside: inContainer(ctx.session, pod, picked.container) };
}

/** `tar cf - PATH` in the container, unpacked at the local destination (cp.go copyFromPod, untarAll). */
function copyFromPod(ctx: KubectlContext, src: FileSpec, dest: string, flags: ParsedFlags): CommandResult {
  const reached = target(ctx, src, flags);
  if ('exitCode' in reached) return reached;
  const { notice, gnu, inside } = reached;
  const abs = normalizePath(src.path, '/');
  const files = filesUnder(ctx, inside, abs);
  // tar's stderr is kubectl's stdout here (TarPipe: ErrOut: t.o.Out); GNU tar warns before it stats.
  let said = notice;
  const leading = src.path.startsWith('/');
  if (!files) {
    said += `${gnu && leading ? tarSays.leadingSlash(gnu) : ''}${tarSays.missing(gnu, src.path)}${tarSays.delayedExit(gnu)}`;
    const code = tarSays.code(gnu);
    return { stdout: said, stderr: `command terminated with exit code ${code}\n`, exitCode: code };
  }
  if (leading) said += tarSays.leadingSlash(gnu);
  const destAbs = resolvePath(ctx.session, dest);
  for (const file of files) {
    ctx.budget.spend(file.content.length);
    const path = file.rel === '' ? destAbs : `${destAbs}/${file.rel}`;
    const dir = path.slice(0, path.lastIndexOf('/')) || '/';
    const error = makeDirectory(ctx.state, ctx.session, dir, true) ?? writeFileCharged(ctx, path, file.content);
    if (error) return { stdout: said, stderr: `error: open ${path}: ${error.toLowerCase()}\n`, exitCode: 1 };
  }
  return { stdout: said, stderr: '', exitCode: 0 };
}

/** A local tar unpacked by `tar -xmf - -C DIR` in the container (cp.go copyToPod). */
function copyToPod(ctx: KubectlContext, src: string, dest: FileSpec, flags: ParsedFlags): CommandResult {
  const files = filesUnder(ctx, ctx.session, resolvePath(ctx.session, src));
  if (!files) return fail(`error: ${src} doesn't exist in local filesystem\n`);
  const reached = target(ctx, dest, flags);
  if ('exitCode' in reached) return reached;
  const { notice, gnu, inside } = reached;
  // checkDestinationIsDir: an existing directory receives the source under its own name.
  let destAbs = normalizePath(dest.path, '/');
  if (isDirectory(ctx.state, inside, destAbs)) destAbs = normalizePath(src.replace(/\/+$/, '').split('/').at(-1) || '/', destAbs);
  const dir = destAbs.slice(0, destAbs.lastIndexOf('/')) || '/';
  const failed = (message: string): CommandResult => {
    const code = tarSays.code(gnu);
    return { stdout: '', stderr: `${notice}${message}command terminated with exit code ${code}\n`, exitCode: code };
  };
  if (!isDirectory(ctx.state, inside, dir)) return failed(tarSays.noDirectory(gnu, dir));
  for (const file of files) {
    ctx.budget.spend(file.content.length);
    const path = file.rel === '' ? destAbs : `${destAbs}/${file.rel}`;
    const member = path.slice(dir === '/' ? 1 : dir.length + 1);
    const error = makeDirectory(ctx.state, inside, path.slice(0, path.lastIndexOf('/')) || '/', true) ?? (ctx.budget.spend(writeSteps(ctx.state, inside, path)), writeFile(ctx.state, inside, path, file.content));
    if (error) return failed(tarSays.cannotOpen(gnu, member, error));
  }
  return { stdout: '', stderr: notice, exitCode: 0 };
}

export const cpCommand: KubectlSubcommand = {
  name: 'cp',
  short: 'Copy files and directories to and from containers',
  usage: 'kubectl cp <file-spec-src> <file-spec-dest> [options]',
  flags: [
    CONTAINER_FLAG,
    { name: 'no-preserve', type: 'bool', usage: "The copied file/directory's ownership and permissions will not be preserved in the container" },
    { name: 'retries', type: 'int', default: '0', usage: 'Set number of retries to complete a copy operation from a container. Specify 0 to disable or any negative value for infinite retrying. The default is 0 (no retry).' },
  ],
  run: (ctx, args, flags) => {
    if (args.length !== 2) return fail('error: source and destination are required\n');
    const src = fileSpec(args[0]!);
    const dest = fileSpec(args[1]!);
    if (!src || !dest) return fail('error: filespec must match the canonical format: [[namespace/]pod:]file/path\n');
    if (src.pod !== undefined && dest.pod !== undefined) return fail('error: one of src or dest must be a local file specification\n');
    if (src.path === '' || dest.path === '') return fail('error: filepath can not be empty\n');
    if (src.pod !== undefined) return copyFromPod(ctx, src, dest.path, flags);
    if (dest.pod !== undefined) return copyToPod(ctx, src.path, dest, flags);
    return fail('error: one of src or dest must be a remote file specification\n');
  },
};
