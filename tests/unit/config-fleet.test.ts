// REDIS_URL turns a process into one of several (server/fleet): checked like every setting.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { selfSignedCert } from '../../server/http/kube-api.js';
import { loadConfig } from '../../server/config.js';

const DB = 'postgres://u@127.0.0.1:5432/kd';

describe('several processes (REDIS_URL)', () => {
  it('is off without REDIS_URL (one process, nothing to set up)', () => {
    expect(loadConfig({ DATABASE_URL: DB }, '/tmp').fleet).toBeUndefined();
    expect(loadConfig({ DATABASE_URL: DB, REDIS_URL: '' }, '/tmp').fleet).toBeUndefined();
  });

  it('takes the Redis URL, the lease and the address the others reach this process at', () => {
    expect(loadConfig({ DATABASE_URL: DB, REDIS_URL: 'redis://127.0.0.1:6379', PORT: '3101' }, '/tmp').fleet)
      .toEqual({ redisUrl: 'redis://127.0.0.1:6379', advertiseUrl: 'http://127.0.0.1:3101', leaseMs: 3000, kubeApiUrl: '' });
    expect(loadConfig({ DATABASE_URL: DB, REDIS_URL: 'rediss://r:6380', HOST: '0.0.0.0', KUBEDRILL_LEASE_MS: '5000' }, '/tmp').fleet)
      .toEqual({ redisUrl: 'rediss://r:6380', advertiseUrl: 'http://127.0.0.1:3000', leaseMs: 5000, kubeApiUrl: '' });
    expect(loadConfig({ DATABASE_URL: DB, REDIS_URL: 'redis://r', KUBEDRILL_ADVERTISE_URL: 'http://10.0.0.5:3000' }, '/tmp').fleet?.advertiseUrl).toBe('http://10.0.0.5:3000');
  });

  it('refuses a bad URL, a lease out of range, and REDIS_URL without a shared database', () => {
    expect(() => loadConfig({ DATABASE_URL: DB, REDIS_URL: 'http://r:6379' }, '/tmp')).toThrow(/REDIS_URL: must be a redis:\/\//);
    expect(() => loadConfig({ DATABASE_URL: DB, REDIS_URL: 'redis://r', KUBEDRILL_LEASE_MS: '100' }, '/tmp')).toThrow(/KUBEDRILL_LEASE_MS/);
    expect(() => loadConfig({ REDIS_URL: 'redis://r' }, '/tmp')).toThrow(/requires|shared DATABASE_URL/);
  });

  it('never echoes a Redis password', () => {
    try {
      loadConfig({ DATABASE_URL: DB, REDIS_URL: 'redis://:hunter2@r:6379', KUBEDRILL_LEASE_MS: 'x' }, '/tmp');
    } catch (error) {
      expect(String(error)).not.toContain('hunter2');
    }
  });
});

describe('the Kubernetes API of several processes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kd-config-'));
  const REDIS = 'redis://127.0.0.1:6379';

  it('takes one shared certificate, the balancer\'s address, and advertises this process\'s port', async () => {
    const { cert, key } = await selfSignedCert(['kubedrill-apiserver']);
    writeFileSync(join(dir, 'api.crt'), cert);
    writeFileSync(join(dir, 'api.key'), key);
    const env = { DATABASE_URL: DB, REDIS_URL: REDIS, PORT: '3101', KUBEDRILL_KUBE_API_PORT: '6444', KUBEDRILL_KUBE_API_URL: 'https://lb.example:6443/', KUBEDRILL_KUBE_API_CERT: 'api.crt', KUBEDRILL_KUBE_API_KEY: 'api.key' };
    const config = loadConfig(env, dir);
    expect(config.kubeApi).toEqual({ port: 6444, publicUrl: 'https://lb.example:6443', tls: { cert, key } });
    expect(config.fleet?.kubeApiUrl).toBe('https://127.0.0.1:6444');
    expect(loadConfig({ ...env, KUBEDRILL_ADVERTISE_URL: 'http://10.0.0.5:3000' }, dir).fleet?.kubeApiUrl).toBe('https://10.0.0.5:6444');
    expect(loadConfig({ ...env, KUBEDRILL_KUBE_API_ADVERTISE_URL: 'https://10.0.0.5:16443' }, dir).fleet?.kubeApiUrl).toBe('https://10.0.0.5:16443');
    // One process may name its own files too (no balancer needed).
    expect(loadConfig({ DATABASE_URL: DB, KUBEDRILL_KUBE_API_PORT: '0', KUBEDRILL_KUBE_API_CERT: 'api.crt', KUBEDRILL_KUBE_API_KEY: 'api.key' }, dir).kubeApi?.tls?.cert).toBe(cert);
  });

  it('refuses a fleet kube API without a fixed port, a public URL or a shared certificate, and bad files', async () => {
    const { key: otherKey } = await selfSignedCert();
    writeFileSync(join(dir, 'other.key'), otherKey);
    writeFileSync(join(dir, 'not.pem'), 'hello');
    const fleet = { DATABASE_URL: DB, REDIS_URL: REDIS, KUBEDRILL_KUBE_API_PORT: '0' };
    expect(() => loadConfig(fleet, dir)).toThrow(/KUBEDRILL_KUBE_API_PORT: with REDIS_URL must be a fixed port.*KUBEDRILL_KUBE_API_URL: with REDIS_URL must be set.*KUBEDRILL_KUBE_API_CERT, KUBEDRILL_KUBE_API_KEY: with REDIS_URL must be set/);
    expect(() => loadConfig({ DATABASE_URL: DB, KUBEDRILL_KUBE_API_PORT: '1', KUBEDRILL_KUBE_API_CERT: 'api.crt' }, dir)).toThrow(/set both or neither/);
    expect(() => loadConfig({ DATABASE_URL: DB, KUBEDRILL_KUBE_API_PORT: '1', KUBEDRILL_KUBE_API_CERT: 'missing.crt', KUBEDRILL_KUBE_API_KEY: 'api.key' }, dir)).toThrow(/cannot read "missing.crt" \(ENOENT\)/);
    expect(() => loadConfig({ DATABASE_URL: DB, KUBEDRILL_KUBE_API_PORT: '1', KUBEDRILL_KUBE_API_CERT: 'not.pem', KUBEDRILL_KUBE_API_KEY: 'api.key' }, dir)).toThrow(/not a PEM file/);
    expect(() => loadConfig({ DATABASE_URL: DB, KUBEDRILL_KUBE_API_PORT: '1', KUBEDRILL_KUBE_API_CERT: 'api.crt', KUBEDRILL_KUBE_API_KEY: 'other.key' }, dir)).toThrow(/not a certificate and its key/);
    expect(() => loadConfig({ ...fleet, KUBEDRILL_KUBE_API_ADVERTISE_URL: 'http://x:1' }, dir)).toThrow(/KUBEDRILL_KUBE_API_ADVERTISE_URL: must be an https/);
  });
});
