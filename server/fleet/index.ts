// Several `kubedrill serve` processes serving rooms together (REDIS_URL set): see
// docs/ARCHITECTURE.md, "Several processes". Without REDIS_URL none of this runs.
import { Redis } from 'ioredis';
import type pg from 'pg';
import type { FleetConfig } from '../config.js';
import { LeaseRepo } from '../db/leases-repo.js';
import { Ownership } from './ownership.js';

export interface Fleet {
  ownership: Ownership;
  /** Closes the Redis connections (after the rooms were handed over). */
  close(): Promise<void>;
}

/** `owner`: this process's incarnation, the one its database connections carry (db/client.ts). */
export async function openFleet(config: FleetConfig, pool: pg.Pool, owner: string): Promise<Fleet> {
  // Commands fail fast while Redis is away (it only carries wake-ups); the client reconnects by itself.
  const publisher = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  const subscriber = publisher.duplicate();
  // An unreachable Redis at start-up is a configuration error; later outages are logged by the owner of the hooks.
  publisher.on('error', () => undefined);
  subscriber.on('error', () => undefined);
  try {
    await Promise.all([publisher.connect(), subscriber.connect()]);
  } catch (error) {
    publisher.disconnect();
    subscriber.disconnect();
    throw Object.assign(new Error(`REDIS_URL: cannot reach Redis (${(error as Error).message})`), { code: 'EREDIS' });
  }
  const renewMs = Math.max(100, Math.round(config.leaseMs / 3));
  const ownership = new Ownership(new LeaseRepo(pool, owner, config.advertiseUrl, config.kubeApiUrl), { publisher, subscriber }, {
    leaseMs: config.leaseMs,
    renewMs,
    scanMs: Math.min(500, renewMs),
  });
  return {
    ownership,
    close: async () => {
      ownership.stop();
      publisher.disconnect();
      subscriber.disconnect();
    },
  };
}
