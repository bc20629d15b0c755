// Which rooms this process owns when several processes serve rooms (REDIS_URL set).
// The truth is the lease row in PostgreSQL (db/leases-repo.ts), checked by the database on
// every append; this class keeps this process's leases alive, gives up the rooms whose
// lease it lost (or could not renew before it ran out), and adopts running rooms nobody
// owns: after an owner died, within the lease time plus one scan.
//
// Redis carries only wake-ups: a process handing rooms over (SIGTERM) publishes their ids
// on `kubedrill:released`, so another adopts them at once instead of at its next scan. A
// lost message costs at most one scan period; nothing depends on Redis for correctness.
import type { Redis } from 'ioredis';
import type { LeaseOwner, LeaseRepo } from '../db/leases-repo.js';

export const RELEASED_CHANNEL = 'kubedrill:released';

export interface FleetTiming {
  /** Lease length (ms, default 3000): how long a dead owner's rooms wait for a new one. */
  leaseMs: number;
  /** Renewal period (default leaseMs / 3). */
  renewMs: number;
  /** Period of the scan for orphaned running rooms (default 500 ms). */
  scanMs: number;
}

export const DEFAULT_TIMING: FleetTiming = { leaseMs: 3000, renewMs: 1000, scanMs: 500 };

/**
 * Rooms announced as released that are rebuilt here at once. A draining process releases
 * tens of rooms within a second; rebuilt all together, each one finished only when nearly
 * all had, and the process's own connects and resumes waited behind them (in a probe
 * under load, 1.2 s per adoption of 15 rooms against about 0.1 s for one alone).
 */
const ADOPT_CONCURRENCY = 2;

export interface OwnershipHooks {
  /** The lease is gone (taken over, or not renewed in time): stop serving the room here. */
  lost(roomId: string): void;
  /** A running room nobody owns: bring it up here (claiming it may still fail: another was faster). */
  adopt(roomId: string): Promise<void>;
  error(error: unknown, context: string): void;
}

export class Ownership {
  /** Rooms this process holds, with the local time (performance.now) its lease surely lasts until. */
  private readonly held = new Map<string, number>();
  private timers: ReturnType<typeof setInterval>[] = [];
  private hooks: OwnershipHooks | undefined;
  private draining = false;
  private scanning = false;
  private renewing = false;
  /** Released rooms waiting to be adopted, in the order they were announced. */
  private readonly announced = new Set<string>();
  private adopting = 0;

  constructor(
    private readonly leases: LeaseRepo,
    private readonly redis: { publisher: Redis; subscriber: Redis },
    readonly timing: FleetTiming = DEFAULT_TIMING,
  ) {}

  get owner(): string {
    return this.leases.owner;
  }

  get url(): string {
    return this.leases.ownerUrl;
  }

  /** True while this process holds `roomId` (by its own conservative clock). */
  holds(roomId: string): boolean {
    const until = this.held.get(roomId);
    return until !== undefined && until > performance.now();
  }

  /**
   * Claims the room for this process. `undefined`: it is ours now; otherwise where its owner
   * is and how long its lease still runs. A draining process claims nothing.
   */
  async claim(roomId: string): Promise<LeaseOwner | undefined> {
    if (this.draining) return { owner: '', ownerUrl: '', kubeApiUrl: '', remainingMs: 0 };
    const sent = performance.now();
    const claim = await this.leases.claim(roomId, this.timing.leaseMs);
    if (!claim.held) return claim;
    // Counted from before the request: the database's expiry is at least this late.
    if (claim.token > 0) this.held.set(roomId, sent + this.timing.leaseMs);
    return undefined;
  }

  /** `owner` (another incarnation) is dead: its lease of the room ends now instead of when it runs out. */
  expireOf(roomId: string, owner: string): Promise<void> {
    return this.leases.expireOf(roomId, owner);
  }

  /** The room left this process's memory (ended and idle): its lease is given up. */
  forget(roomId: string): void {
    if (!this.held.delete(roomId)) return;
    this.leases.release([roomId]).catch((error: unknown) => this.hooks?.error(error, `release lease of ${roomId}`));
  }

  start(hooks: OwnershipHooks): void {
    this.hooks = hooks;
    this.timers.push(setInterval(() => void this.renew(), this.timing.renewMs));
    this.timers.push(setInterval(() => void this.scan(), this.timing.scanMs));
    for (const timer of this.timers) timer.unref();
    this.redis.subscriber.on('message', (channel: string, roomId: string) => {
      if (channel !== RELEASED_CHANNEL || this.held.has(roomId)) return;
      this.announced.add(roomId);
      this.adoptAnnounced();
    });
    this.redis.subscriber.subscribe(RELEASED_CHANNEL).catch((error: unknown) => hooks.error(error, 'subscribe to released rooms'));
  }

  /**
   * SIGTERM: claims nothing more; `handOver` stops each room here (its time logged, a fresh
   * snapshot), then the leases are released and announced so others adopt them at once.
   */
  async drain(handOver: (roomId: string) => Promise<void>): Promise<string[]> {
    this.draining = true;
    this.stop();
    const rooms = [...this.held.keys()];
    // Each room is released and announced as soon as it is handed over, not after the last
    // one: its clients, disconnected by the hand-over, would otherwise wait for the slowest
    // room of the process (the whole drain: 0.6 s for 20 rooms on a busy machine).
    await Promise.all(rooms.map(async (roomId) => {
      await handOver(roomId).catch((error: unknown) => this.hooks?.error(error, `hand over ${roomId}`));
      this.held.delete(roomId);
      try {
        await this.leases.release([roomId]);
        await this.redis.publisher.publish(RELEASED_CHANNEL, roomId);
      } catch (error) {
        this.hooks?.error(error, `release ${roomId}`);
      }
    }));
    return rooms;
  }

  stop(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
  }

  private async renew(): Promise<void> {
    // By this process's own clock, not the renewal's answer: cut off from PostgreSQL by a
    // partition (packets dropped, no error) a renewal neither returns nor fails for minutes,
    // and the room's clients, connected here, would wait on it that long while another
    // process already serves the room. So a lease that surely ran out is given up here.
    for (const roomId of [...this.held.keys()]) if (!this.holds(roomId)) this.lose(roomId);
    // One renewal at a time: a hung one is not joined by more (they would fill the pool).
    if (this.renewing) return;
    const rooms = [...this.held.keys()];
    if (rooms.length === 0) return;
    this.renewing = true;
    const sent = performance.now();
    const before = new Map(this.held);
    try {
      const kept = await this.leases.renew(rooms, this.timing.leaseMs);
      for (const roomId of rooms) {
        // Forgotten, lost or claimed again meanwhile: this (maybe late) answer is stale for it.
        if (this.held.get(roomId) !== before.get(roomId)) continue;
        if (kept.has(roomId)) this.held.set(roomId, sent + this.timing.leaseMs);
        else this.lose(roomId);
      }
    } catch (error) {
      // Cut off from the database: the rooms cannot be written anyway (appends fail and
      // nothing is acknowledged); each is given up when its lease surely ran out.
      this.hooks?.error(error, 'renew room leases');
      for (const roomId of rooms) if (this.held.has(roomId) && !this.holds(roomId)) this.lose(roomId);
    } finally {
      this.renewing = false;
    }
  }

  private lose(roomId: string): void {
    this.held.delete(roomId);
    this.hooks?.lost(roomId);
  }

  private async scan(): Promise<void> {
    if (this.scanning || this.draining) return;
    this.scanning = true;
    try {
      for (const roomId of await this.leases.orphans(4)) await this.adopt(roomId);
    } catch (error) {
      this.hooks?.error(error, 'scan for rooms without an owner');
    } finally {
      this.scanning = false;
    }
  }

  /** Adopts the announced rooms in order, ADOPT_CONCURRENCY at a time (a client's resume rebuilds its room at once anyway). */
  private adoptAnnounced(): void {
    for (const roomId of this.announced) {
      if (this.adopting >= ADOPT_CONCURRENCY) return;
      this.announced.delete(roomId);
      this.adopting++;
      void this.adopt(roomId).finally(() => {
        this.adopting--;
        this.adoptAnnounced();
      });
    }
  }

  private async adopt(roomId: string): Promise<void> {
    if (this.draining) return;
    try {
      await this.hooks?.adopt(roomId);
    } catch (error) {
      this.hooks?.error(error, `adopt room ${roomId}`);
    }
  }
}
