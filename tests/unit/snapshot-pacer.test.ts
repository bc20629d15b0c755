import { describe, expect, it } from 'vitest';
import { SnapshotPacer } from '../../server/rooms/snapshot-pacer.js';

const busy = (ms: number): number => {
  const started = performance.now();
  while (performance.now() - started < ms);
  return performance.now() - started;
};

describe('SnapshotPacer', () => {
  it('serialises due rooms one at a time, leaving the event loop free between them', async () => {
    const pacer = new SnapshotPacer(0.25, 1000);
    const ran: number[] = [];
    let done!: () => void;
    const all = new Promise<void>((resolve) => (done = resolve));
    for (let i = 0; i < 8; i++) {
      pacer.enqueue(async () => {
        ran.push(performance.now());
        const spent = busy(4);
        if (ran.length === 8) done();
        return spent;
      });
    }
    expect(ran).toHaveLength(1); // the first at once, the others wait their turn
    expect(pacer.waiting).toBe(7);
    // Other work gets its turns while snapshots are due: a timer firing every ms runs many times.
    let beats = 0;
    const beat = setInterval(() => beats++, 1);
    await all;
    clearInterval(beat);
    const gaps = ran.slice(1).map((t, i) => t - ran[i]!);
    // 4 ms of work at a 25 % share: about 12 ms of pause after each.
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(14);
    expect(beats).toBeGreaterThan(7);
  });

  it('moves on when a room cannot take its snapshot in time (its store is unreachable)', async () => {
    const pacer = new SnapshotPacer(0.5, 20);
    pacer.enqueue(() => new Promise<number>(() => {})); // never settles
    const started = performance.now();
    const second = await new Promise<number>((resolve) => pacer.enqueue(async () => (resolve(performance.now() - started), 0)));
    expect(second).toBeGreaterThanOrEqual(18);
    expect(second).toBeLessThan(1000);
  });

  it('tells a take the pacer stopped waiting for that its turn is over (it must queue again, not serialise unpaced)', async () => {
    const pacer = new SnapshotPacer(0.5, 20);
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const seen = new Promise<boolean>((resolve) => pacer.enqueue(async (current) => {
      await gate; // the room is busy past the pacer's wait
      resolve(current());
      return 0;
    }));
    const next = new Promise<boolean>((resolve) => pacer.enqueue(async (current) => (resolve(current()), 0)));
    expect(await next).toBe(true); // the next room had its turn meanwhile
    open();
    expect(await seen).toBe(false);
  });

  it('counts a failed take as no work and goes on', async () => {
    const pacer = new SnapshotPacer();
    pacer.enqueue(() => Promise.reject(new Error('boom')));
    await new Promise<void>((resolve) => pacer.enqueue(async () => (resolve(), 0)));
  });
});
