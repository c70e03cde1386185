import type { VersionCatalog } from './version-order'

// The version order of a catalog as per-version lists, so a query can find a
// row's order key (orderKey(): the version's latest release up to t, else its
// first-seen time) with a count over that version's own few releases,
// instead of scanning every release of the project for every row. Pure.
//
// Position 0 of each list stands for a version not in `versions`. For the
// version at index i (position i + 1): releases[i + 1] are its release times,
// ascending, and keys[i + 1] is [its first-seen time, then those release
// times], so with n = the number of its releases up to t, its key at t is
// keys[i + 1][n] (0-based). SQL, 1-based, reads the same:
// keys[indexOf(versions, v) + 1][arrayCount(r -> r <= t, releases[indexOf(versions, v) + 1]) + 1].
// The lists grow with releases + versions, whatever the time range.

export interface OrderKeyLists {
  versions: string[]
  releases: number[][]
  keys: number[][]
}

export const UNKNOWN_ORDER_KEY = -1

export function orderKeyLists(catalog: VersionCatalog): OrderKeyLists {
  const versions = [...new Set([...catalog.releases.map((r) => r.version), ...catalog.firstSeen.keys()])]
  const releases = versions.map((v) =>
    [...new Set(catalog.releases.filter((r) => r.version === v).map((r) => r.releasedAt))].sort((a, b) => a - b),
  )
  // A version released but never seen has no key before its first release.
  const keys = versions.map((v, i) => [catalog.firstSeen.get(v) ?? UNKNOWN_ORDER_KEY, ...releases[i]!])
  return { versions, releases: [[], ...releases], keys: [[UNKNOWN_ORDER_KEY], ...keys] }
}

/** The key the lists give `version` at `at`, read as the SQL reads it. */
export function lookUpOrderKey(lists: OrderKeyLists, version: string, at: number): number {
  const i = lists.versions.indexOf(version) + 1
  const released = lists.releases[i]!.filter((r) => r <= at).length
  return lists.keys[i]![released]!
}
