// Token buckets in memory, one per ingest key and one per client address.
// They are per node: behind a load balancer with n nodes a client may reach n
// times the rate (docs/security.md). Idle buckets are swept so a flood of
// distinct keys or addresses cannot grow the maps without bound.

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

  /** Takes one token; returns 0 when granted, else the seconds until one is available. */
  take(id: string, now = Date.now()): number {
    const { perSecond, burst } = this.spec
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

export interface RateLimitOptions {
  perKey: BucketSpec
  perAddress: BucketSpec
  /** Loopback clients skip the per-address limit: without a trusted proxy every request from a local reverse proxy would share one bucket. */
  exemptLoopback: boolean
}

export type RateVerdict = { ok: true } | { ok: false; scope: 'key' | 'address'; retryAfterSeconds: number }

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.')
}

export class IngestRateLimiter {
  private readonly byKey: TokenBuckets
  private readonly byAddress: TokenBuckets

  constructor(private readonly options: RateLimitOptions) {
    this.byKey = new TokenBuckets(options.perKey)
    this.byAddress = new TokenBuckets(options.perAddress)
  }

  /** The address is checked before the key is known, so unknown-key floods are limited too. */
  checkAddress(address: string | null | undefined, now = Date.now()): RateVerdict {
    if (!address || (this.options.exemptLoopback && isLoopback(address))) return { ok: true }
    const wait = this.byAddress.take(address, now)
    return wait === 0 ? { ok: true } : { ok: false, scope: 'address', retryAfterSeconds: wait }
  }

  checkKey(key: string, now = Date.now()): RateVerdict {
    const wait = this.byKey.take(key, now)
    return wait === 0 ? { ok: true } : { ok: false, scope: 'key', retryAfterSeconds: wait }
  }
}
