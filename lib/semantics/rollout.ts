import { isOrderedBefore, latestReleaseAt, registeredOrder, type ReleaseRecord, type VersionCatalog } from './version-order'

// The rollout arithmetic (docs/semantics.md, Rollout) over live sessions per
// version, one definition for the dashboard, the exports, the alerts and
// /api/metrics. Pure: the catalog decides the order at each instant, so a
// rollback reorders versions from the moment it is released.

/** docs/semantics.md, Rollout (straggler): the default grace after a release. */
export const STRAGGLER_GRACE_MS = 3600_000

export interface VersionMinute {
  minute: number
  version: string
  sessions: number
}

export interface RatioPoint {
  minute: number
  live: number
  /** null when nothing is live: undefined, not 0. */
  ratio: number | null
}

/** part / live, undefined (null) when nothing is live. */
const shareOf = (part: number, live: number): number | null => (live > 0 ? part / live : null)

function byMinute(rows: readonly VersionMinute[]): Map<number, Map<string, number>> {
  const minutes = new Map<number, Map<string, number>>()
  for (const r of rows) {
    let versions = minutes.get(r.minute)
    if (!versions) minutes.set(r.minute, (versions = new Map()))
    versions.set(r.version, (versions.get(r.version) ?? 0) + r.sessions)
  }
  return minutes
}

/** True when a session on `version` at `at` is stale: ordered before the latest release then. */
export function isStale(catalog: VersionCatalog, version: string, at: number, latest = latestReleaseAt(catalog, at)): boolean {
  return latest !== null && isOrderedBefore(catalog, version, latest.version, at)
}

/**
 * Below the minimum `minimum` at `at` (docs/semantics.md, Minimum version): ordered
 * before it by registered releases alone, as the tab itself is told, so a
 * version only the public key reported is never below it.
 */
export function isBelowMinimum(catalog: VersionCatalog, version: string, minimum: string | null, at: number): boolean {
  return minimum !== null && isOrderedBefore(registeredOrder(catalog), version, minimum, at)
}

/** Where a version stands against the latest release at `at`: what the versions table shows, and what picks a chart colour. */
export type VersionStatus = 'latest' | 'stale' | 'newer' | ''

export function versionStatus(catalog: VersionCatalog, version: string, at: number): VersionStatus {
  const latest = latestReleaseAt(catalog, at)
  if (!latest) return ''
  if (version === latest.version) return 'latest'
  if (isOrderedBefore(catalog, version, latest.version, at)) return 'stale'
  return isOrderedBefore(catalog, latest.version, version, at) ? 'newer' : ''
}

/** True when a session on `version` counts as adopted release `release` at `at`. */
function hasAdopted(catalog: VersionCatalog, version: string, release: string, at: number): boolean {
  return version === release || isOrderedBefore(catalog, release, version, at)
}

/** Adoption of a release at one instant from live sessions per version there. */
export function adoptionAt(catalog: VersionCatalog, live: ReadonlyMap<string, number>, release: string, at: number): RatioPoint & { adopted: number } {
  let total = 0
  let adopted = 0
  for (const [version, sessions] of live) {
    total += sessions
    if (hasAdopted(catalog, version, release, at)) adopted += sessions
  }
  return { minute: at, live: total, adopted, ratio: shareOf(adopted, total) }
}

/** Adoption of `release` at each minute boundary present in `rows` (and every boundary of [from, to], as undefined where nothing was live). */
export function adoptionSeries(rows: readonly VersionMinute[], catalog: VersionCatalog, release: string, from: number, to: number, stepMs = 60_000): RatioPoint[] {
  const minutes = byMinute(rows)
  const points: RatioPoint[] = []
  for (let minute = Math.ceil(from / stepMs) * stepMs; minute <= to; minute += stepMs) {
    const live = minutes.get(minute)
    if (!live) points.push({ minute, live: 0, ratio: null })
    else {
      const { adopted: _adopted, ...point } = adoptionAt(catalog, live, release, minute)
      points.push(point)
    }
  }
  return points
}

/** Time to X % (ms after releasedAt), or null if the adoption never reached it in `points`. */
export function timeToShare(points: readonly RatioPoint[], release: ReleaseRecord, share: number): number | null {
  for (const p of points) {
    if (p.minute >= release.releasedAt && p.ratio !== null && p.ratio >= share) return p.minute - release.releasedAt
  }
  return null
}

/** Stale share at each minute boundary: live sessions on a version ordered before the latest release there. */
export function staleShareSeries(rows: readonly VersionMinute[], catalog: VersionCatalog, from: number, to: number, stepMs = 60_000): RatioPoint[] {
  const minutes = byMinute(rows)
  const points: RatioPoint[] = []
  for (let minute = Math.ceil(from / stepMs) * stepMs; minute <= to; minute += stepMs) {
    const live = minutes.get(minute)
    if (!live) {
      points.push({ minute, live: 0, ratio: null })
      continue
    }
    points.push(staleShareAt(catalog, live, minute))
  }
  return points
}

export function staleShareAt(catalog: VersionCatalog, live: ReadonlyMap<string, number>, at: number): RatioPoint & { stale: number } {
  const latest = latestReleaseAt(catalog, at)
  let total = 0
  let stale = 0
  for (const [version, sessions] of live) {
    total += sessions
    if (isStale(catalog, version, at, latest)) stale += sessions
  }
  return { minute: at, live: total, stale, ratio: shareOf(stale, total) }
}

/** Sessions live at `at` on a version ordered before `release` (stragglers when at = releasedAt + grace). */
export function sessionsBefore(catalog: VersionCatalog, live: ReadonlyMap<string, number>, release: string, at: number): number {
  let count = 0
  for (const [version, sessions] of live) if (isOrderedBefore(catalog, version, release, at)) count += sessions
  return count
}
