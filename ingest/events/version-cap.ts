import { FairShareBuckets } from '../../lib/limits/fair-share'
import type { BucketSpec } from '../../lib/limits/token-buckets'

// Against cardinality floods: the public ingest key chooses version strings,
// and every new one costs a row in version_first_seen and a series on the
// charts. The rules, in order:
// 1. A version already known (stored, or admitted by this node) passes.
// 2. A registered release passes, whatever the cap: the project's own deploy
//    pipeline said it exists, and a flood must never lock it out.
// 3. While the project has `maxVersions` unregistered versions that still
//    count, a new one is refused (422). A version seen only briefly (for less
//    than BRIEF_MS) and not since `forgetAfterMs` no longer counts: junk from
//    a flood ages out of the cap, a real build that ran for a while does not.
// 4. New unregistered versions are rate-limited per project (429, which the
//    SDK retries): a flood of distinct strings fills the cap at that pace,
//    not in a second. Each client address has its fair share of that budget
//    (lib/limits/fair-share.ts), so a stream of junk from one address cannot
//    keep a real new build, reported from elsewhere, out.
// Per node, like the rate limits. Versions admitted here since the stored
// list was loaded are remembered, so a burst cannot slip past the cap
// between loads.
//
// It keeps its own copy of the stored list rather than reading the release
// catalog's: the catalog is cached for seconds, and a version admitted now
// must count at once. Registered releases do come from the catalog, which
// every registration in this process invalidates.

const RELOAD_MS = 1_000
/** A version seen for less than this is "seen briefly". */
export const BRIEF_MS = 3600_000

export interface SeenVersion {
  firstSeen: number
  lastSeen: number
}

export interface VersionCapOptions {
  /** Unregistered versions a project may have that still count. */
  maxVersions: number
  /** New unregistered versions per project. */
  newVersions: BucketSpec
  /** A briefly seen version not seen for this long stops counting. */
  forgetAfterMs: number
}

export interface VersionCapSources {
  /** Every version stored for the project, with its first and last event time (version_first_seen). */
  seen: (projectId: string) => Promise<ReadonlyMap<string, SeenVersion>>
  /** The project's registered release versions; expected to be cached and refreshed on registration. */
  registered: (projectId: string) => Promise<ReadonlySet<string>>
}

export type VersionVerdict =
  | { ok: true }
  | { ok: false; reason: 'version_cap' }
  | { ok: false; reason: 'new_version_rate'; retryAfterSeconds: number }

export type VersionRefusal = Exclude<VersionVerdict, { ok: true }>['reason']

interface ProjectVersions {
  stored: ReadonlySet<string>
  /** Stored versions that count against the cap, as of the last load. */
  counting: number
  loadedAt: number
  admitted: Set<string>
  loading?: Promise<void>
}

export class VersionCap {
  private readonly projects = new Map<string, ProjectVersions>()
  private readonly newVersions: FairShareBuckets

  constructor(
    private readonly options: VersionCapOptions,
    private readonly sources: VersionCapSources,
    private readonly now: () => number = Date.now,
  ) {
    this.newVersions = new FairShareBuckets(options.newVersions, 10_000)
  }

  /** `address` is the client's (rate limits only): whose share of the new-version budget a new version spends. */
  async admit(projectId: string, version: string, address: string | null = null): Promise<VersionVerdict> {
    let entry = this.projects.get(projectId)
    if (entry && (entry.stored.has(version) || entry.admitted.has(version))) return { ok: true }
    const registered = await this.sources.registered(projectId)
    if (registered.has(version)) return { ok: true }
    // Unknown here: reload the stored list, at most once a second per project,
    // so a flood of new versions costs one query a second, not one each.
    if (!entry || this.now() - entry.loadedAt >= RELOAD_MS) entry = await this.reload(projectId, registered)
    if (entry.stored.has(version) || entry.admitted.has(version)) return { ok: true }
    if (entry.counting + entry.admitted.size >= this.options.maxVersions) return { ok: false, reason: 'version_cap' }
    const wait = this.newVersions.take(projectId, address, this.now())
    if (wait > 0) return { ok: false, reason: 'new_version_rate', retryAfterSeconds: wait }
    entry.admitted.add(version)
    return { ok: true }
  }

  /** Whether a stored version still counts against the cap at `now`. */
  counts(seen: SeenVersion, now: number): boolean {
    const brief = seen.lastSeen - seen.firstSeen < BRIEF_MS
    const gone = now - seen.lastSeen >= this.options.forgetAfterMs
    return !(brief && gone)
  }

  private async reload(projectId: string, registered: ReadonlySet<string>): Promise<ProjectVersions> {
    let entry = this.projects.get(projectId)
    if (!entry) {
      entry = { stored: new Set(), counting: 0, loadedAt: 0, admitted: new Set() }
      this.projects.set(projectId, entry)
    }
    const current = entry
    current.loading ??= (async () => {
      try {
        const seen = await this.sources.seen(projectId)
        const now = this.now()
        let counting = 0
        for (const [version, times] of seen) if (!registered.has(version) && this.counts(times, now)) counting++
        current.stored = new Set(seen.keys())
        current.counting = counting
        current.loadedAt = now
        for (const v of current.admitted) if (current.stored.has(v)) current.admitted.delete(v)
      } finally {
        current.loading = undefined
      }
    })()
    await current.loading
    return current
  }
}
