// The replay's overview timeline (a whole re-simulation) is computed once per room and length,
// one at a time for the whole server: reloading hosts cannot stall the running rooms.
import { describe, expect, it } from 'vitest';
import { OverviewCache } from '../../server/http/report-routes.js';

describe('OverviewCache', () => {
  it('shares one computation per room and length, and runs computations one at a time', async () => {
    const cache = new OverviewCache();
    let running = 0;
    let most = 0;
    const calls: string[] = [];
    const compute = (key: string) => async () => {
      calls.push(key);
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 20));
      running--;
      return [{ seq: 1, overview: { nodes: [], pods: [], events: [] } }] as never;
    };
    await Promise.all([
      ...Array.from({ length: 5 }, () => cache.get('a', 10, compute('a10'))),
      cache.get('b', 3, compute('b3')),
      cache.get('a', 11, compute('a11')),
    ]);
    expect(calls.sort()).toEqual(['a10', 'a11', 'b3']);
    expect(most).toBe(1);
    await cache.get('a', 10, compute('again'));
    expect(calls).not.toContain('again');
  });
});
