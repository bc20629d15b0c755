// REDIS_URL turns a process into one of several (server/fleet): checked like every setting.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.js';

const DB = 'postgres://u@127.0.0.1:5432/kd';

describe('several processes (REDIS_URL)', () => {
  it('is off without REDIS_URL (one process, nothing to set up)', () => {
    expect(loadConfig({ DATABASE_URL: DB }, '/tmp').fleet).toBeUndefined();
    expect(loadConfig({ DATABASE_URL: DB, REDIS_URL: '' }, '/tmp').fleet).toBeUndefined();
  });

  it('takes the Redis URL, the lease and the address the others reach this process at', () => {
    expect(loadConfig({ DATABASE_URL: DB, REDIS_URL: 'redis://127.0.0.1:6379', PORT: '3101' }, '/tmp').fleet)
      .toEqual({ redisUrl: 'redis://127.0.0.1:6379', advertiseUrl: 'http://127.0.0.1:3101', leaseMs: 3000 });
    expect(loadConfig({ DATABASE_URL: DB, REDIS_URL: 'rediss://r:6380', HOST: '0.0.0.0', KUBEDRILL_LEASE_MS: '5000' }, '/tmp').fleet)
      .toEqual({ redisUrl: 'rediss://r:6380', advertiseUrl: 'http://127.0.0.1:3000', leaseMs: 5000 });
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
