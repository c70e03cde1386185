// Token buckets in memory, keyed by whatever is limited (an ingest key, a
// client address, a project's new versions, login attempts). Idle buckets are
// swept so a flood of distinct ids cannot grow the map without bound.

export interface BucketSpec {
  /** Tokens (requests) added per second; 0 disables the limit. */
  perSecond: number
  /** Bucket size: the burst allowed after a quiet spell. */
  burst: number
}

interface Bucket {
  tokens: number
  updatedAt: number
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>()

  constructor(
    private readonly spec: BucketSpec,
    private readonly maxBuckets = 100_000,
  ) {}

  /**
   * Takes one token; returns 0 when granted, else the seconds until one is
   * available. `spec` overrides the buckets' own for this bucket, for a
   * limit that changes with time (lib/limits/fair-share.ts: a share of a
   * budget); keep its burst / rate ratio the same, which the sweep relies on.
   */
  take(id: string, now = Date.now(), spec: BucketSpec = this.spec): number {
    const { perSecond, burst } = spec
    if (perSecond <= 0) return 0
    let bucket = this.buckets.get(id)
    if (!bucket) {
      if (this.buckets.size >= this.maxBuckets) this.sweep(now)
      bucket = { tokens: burst, updatedAt: now }
      this.buckets.set(id, bucket)
    } else {
      bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * perSecond)
      bucket.updatedAt = now
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1
      return 0
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond))
  }

  get size(): number {
    return this.buckets.size
  }

  /** Drops buckets that would be full by now (they hold no state worth keeping); if none, the oldest half. */
  private sweep(now: number): void {
    const refillMs = (this.spec.burst / this.spec.perSecond) * 1000
    for (const [id, b] of this.buckets) if (now - b.updatedAt >= refillMs) this.buckets.delete(id)
    if (this.buckets.size < this.maxBuckets) return
    let drop = Math.floor(this.buckets.size / 2)
    for (const id of this.buckets.keys()) {
      if (drop-- <= 0) break
      this.buckets.delete(id)
    }
  }
}
