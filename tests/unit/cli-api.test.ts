// `kubedrill api`: a process serving one scenario's Kubernetes API over HTTPS, with the
// kubeconfig it writes (its certificate as the CA, a bearer token) enough to reach it.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/process.js';

interface Kubeconfig {
  clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
  users: { user: { token: string } }[];
}

function get(url: string, ca: string, token: string | undefined): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers: token ? { authorization: `Bearer ${token}` } : {} }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('kubedrill api', () => {
  it('serves the scenario over HTTPS to the kubeconfig it writes, and refuses requests without its token', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubedrill-api-'));
    const kubeconfig = join(dir, 'kubeconfig');
    const child = spawn(process.execPath, ['bin/kubedrill.js', 'api', '--scenario', 'coredns-down', '--seed', '3', '--kubeconfig', kubeconfig], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let output = '';
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no kubeconfig line in 120 s: ${output}`)), 120_000);
        const read = (d: Buffer): void => {
          output += d.toString();
          if (output.includes('kubeconfig:')) {
            clearTimeout(timer);
            resolve();
          }
        };
        child.stdout.on('data', read);
        child.stderr.on('data', read);
        child.once('exit', () => reject(new Error(`exited: ${output}`)));
      });
      const config = parse(readFileSync(kubeconfig, 'utf8')) as Kubeconfig;
      const { server, 'certificate-authority-data': caData } = config.clusters[0]!.cluster;
      const ca = Buffer.from(caData, 'base64').toString();
      expect(server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const pods = await get(`${server}/api/v1/namespaces/kube-system/pods`, ca, config.users[0]!.user.token);
      expect(pods.status).toBe(200);
      expect(JSON.parse(pods.body).kind).toBe('PodList');
      const refused = await get(`${server}/api/v1/namespaces/kube-system/pods`, ca, undefined);
      expect(refused.status).toBe(401);
    } finally {
      child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);
});
