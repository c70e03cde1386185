import { createHmac, randomBytes } from 'node:crypto'
import { TokenBuckets, type BucketSpec } from './token-buckets'

// A budget (a token bucket per group: an ingest key, a project's new
// versions) shared fairly by the clients that spend it. The group's budget is
// public (anybody holding the ingest key can spend it), so one client must
// not be able to spend it for everybody:
// - each client active on the group in the last minute has an equal share of
//   its rate and burst (the group's divided by the active clients); a request
//   within its client's share is always admitted;
// - beyond its share, a client gets only what the group's own bucket has left.
// Every admitted request spends from the group's bucket, so a flood beyond its
// share drains the bucket for other floods, never for clients within their
// share. The group admits at most twice its rate: its own bucket, plus what
// clients within their share take once a flood has emptied it.
// Clients are kept only as keyed hashes (the key is random per process), so no
// address is held in memory as given.

const ACTIVE_WINDOW_MS = 60_000

interface Active {
  current: Set<string>
  previous: Set<string>
  windowStart: number
}

export class FairShareBuckets {
  private readonly groups: TokenBuckets
  private readonly shares: TokenBuckets
  private readonly active = new Map<string, Active>()
  private readonly hashKey = randomBytes(32)

  constructor(
    private readonly spec: BucketSpec,
    private readonly maxClients = 100_000,
  ) {
    this.groups = new TokenBuckets(spec, maxClients)
    this.shares = new TokenBuckets(spec, maxClients)
  }

  /** Takes one token for `client` (an address; null when unknown) from `group`'s budget; 0 when granted, else the seconds to wait. */
  take(group: string, client: string | null | undefined, now = Date.now()): number {
    if (this.spec.perSecond <= 0) return 0
    const member = createHmac('sha256', this.hashKey)
      .update(client ?? '')
      .digest('base64url')
      .slice(0, 22)
    const clients = this.activeClients(group, member, now)
    const share = { perSecond: this.spec.perSecond / clients, burst: Math.max(1, this.spec.burst / clients) }
    const withinShare = this.shares.take(`${group}\n${member}`, now, share) === 0
    const fromGroup = this.groups.take(group, now)
    return withinShare ? 0 : fromGroup
  }

  /** The clients seen on `group` in about the last minute, this one included (two rolling windows). */
  private activeClients(group: string, member: string, now: number): number {
    let a = this.active.get(group)
    if (!a) {
      if (this.active.size >= this.maxClients) this.active.clear()
      a = { current: new Set(), previous: new Set(), windowStart: now }
      this.active.set(group, a)
    }
    if (now - a.windowStart >= ACTIVE_WINDOW_MS) {
      a.previous = now - a.windowStart >= 2 * ACTIVE_WINDOW_MS ? new Set() : a.current
      a.current = new Set()
      a.windowStart = now
    }
    if (a.current.size < this.maxClients) a.current.add(member)
    return Math.max(a.current.size, a.previous.size, 1)
  }
}
