// Token buckets: `ratePerSecond` refills, up to `burst` saved. Wall clock is fine here:
// this is the edge, not the simulation.
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  take(): boolean {
    if (!this.available()) return false;
    this.tokens -= 1;
    return true;
  }

  /** Whether a take() would succeed now (takes nothing). */
  available(): boolean {
    this.refill();
    return this.tokens >= 1;
  }

  /** Refilled to the brim: no different from a new bucket. */
  full(): boolean {
    this.refill();
    return this.tokens >= this.burst;
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
    this.last = now;
  }
}

/**
 * A per-minute allowance per key (a client address) and for all keys together. Keys whose
 * bucket has refilled are forgotten, so the map holds only addresses seen lately.
 */
export class AddressLimiter {
  private readonly byKey = new Map<string, TokenBucket>();
  private readonly all: TokenBucket;

  constructor(
    private readonly perKeyPerMinute: number,
    totalPerMinute: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.all = new TokenBucket(totalPerMinute / 60, totalPerMinute, now);
  }

  /** Whether `key` may do one more now (counts nothing). */
  available(key: string): boolean {
    return this.all.available() && (this.byKey.get(key)?.available() ?? this.perKeyPerMinute >= 1);
  }

  /** Counts one for `key`; false (and nothing counted) when `key` or everyone is out of allowance. */
  take(key: string): boolean {
    if (!this.available(key)) return false;
    let bucket = this.byKey.get(key);
    if (!bucket) {
      if (this.byKey.size >= 1024) this.forgetRefilled();
      bucket = new TokenBucket(this.perKeyPerMinute / 60, this.perKeyPerMinute, this.now);
      this.byKey.set(key, bucket);
    }
    this.all.take();
    bucket.take();
    return true;
  }

  private forgetRefilled(): void {
    for (const [key, bucket] of this.byKey) if (bucket.full()) this.byKey.delete(key);
  }
}
