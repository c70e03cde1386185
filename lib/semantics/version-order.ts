// Version ordering as docs/semantics.md (Version order) defines it. Pure: no I/O, unit-tested.
//
// A version's order key at time t is the time of its latest release up to t;
// a version without a release up to t is ordered by when it was first seen.
// Versions are never compared as strings.

export interface ReleaseRecord {
  version: string
  releasedAt: number
}

export interface VersionCatalog {
  /** Every registered release of the project, any order. */
  releases: readonly ReleaseRecord[]
  /** First event time of each version seen from clients. */
  firstSeen: ReadonlyMap<string, number>
}

export function orderKey(catalog: VersionCatalog, version: string, at: number): number | undefined {
  let key: number | undefined
  for (const release of catalog.releases) {
    if (release.version === version && release.releasedAt <= at && (key === undefined || release.releasedAt > key)) {
      key = release.releasedAt
    }
  }
  return key ?? catalog.firstSeen.get(version)
}

/** True when `version` is ordered strictly before `reference` at time `at`. */
export function isOrderedBefore(catalog: VersionCatalog, version: string, reference: string, at: number): boolean {
  if (version === reference) return false
  const a = orderKey(catalog, version, at)
  const b = orderKey(catalog, reference, at)
  return a !== undefined && b !== undefined && a < b
}

export interface LatestRelease {
  version: string
  releasedAt: number
  /** True when the project registered no release and the version counts as released when first seen. */
  implicit: boolean
}

/** The newest release with releasedAt <= at; for a project that never registered one, the newest version first seen by then. */
export function latestReleaseAt(catalog: VersionCatalog, at: number): LatestRelease | null {
  if (catalog.releases.length === 0) {
    let best: LatestRelease | null = null
    for (const [version, seen] of catalog.firstSeen) {
      if (seen <= at && (!best || seen > best.releasedAt)) best = { version, releasedAt: seen, implicit: true }
    }
    return best
  }
  let best: LatestRelease | null = null
  for (const release of catalog.releases) {
    if (release.releasedAt <= at && (!best || release.releasedAt >= best.releasedAt)) {
      best = { version: release.version, releasedAt: release.releasedAt, implicit: false }
    }
  }
  return best
}

/**
 * The order a tab is told (docs/semantics.md, What a tab is told): registered
 * releases alone. A first-seen time rests on whatever the public ingest key
 * reported, so a version without a release has no place in it, and a project
 * without releases has no latest release in it.
 */
export function registeredOrder(catalog: VersionCatalog): VersionCatalog {
  return { releases: catalog.releases, firstSeen: new Map() }
}

/** Releases of a project as a timeline: registered ones, or implicit first-seen ones when none is registered. */
export function releaseTimeline(catalog: VersionCatalog): LatestRelease[] {
  const list: LatestRelease[] =
    catalog.releases.length > 0
      ? catalog.releases.map((r) => ({ version: r.version, releasedAt: r.releasedAt, implicit: false }))
      : [...catalog.firstSeen].map(([version, seen]) => ({ version, releasedAt: seen, implicit: true }))
  return list.sort((a, b) => a.releasedAt - b.releasedAt)
}
