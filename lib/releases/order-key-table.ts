import { orderKey, type VersionCatalog } from './version-order'

// The version order of a catalog as a lookup table, so a query can read a
// row's order key by two array subscripts instead of scanning the releases
// for every row. A version's key (orderKey) only changes at release times:
// its first-seen time is the same at every t. So the release times cut time
// into intervals, and in each interval every version has one key. Pure.
//
// Interval i (1-based, as in SQL) holds the times t with exactly i - 1
// bounds <= t. keys[i - 1] is that interval's row: at position 0 the key of
// an unknown version (-1), then one key per entry of `versions` (-1 where
// the version is unknown in that interval). So a key is
// keys[count(bounds <= t)][versions.indexOf(version) + 1], and in SQL
// keys[arrayCount(b -> b <= t, bounds) + 1][indexOf(versions, version) + 1].

export interface OrderKeyTable {
  /** Release times, ascending, distinct. */
  bounds: number[]
  versions: string[]
  /** One row per interval (bounds.length + 1 rows), each of versions.length + 1 keys. */
  keys: number[][]
}

/** A time range that every looked-up time falls in, [from, to]; the table then holds only the intervals it touches. */
export interface OrderKeyRange {
  from: number
  to: number
}

export const UNKNOWN_ORDER_KEY = -1

export function orderKeyTable(catalog: VersionCatalog, range?: OrderKeyRange): OrderKeyTable {
  const times = [...new Set(catalog.releases.map((r) => r.releasedAt))].sort((a, b) => a - b)
  // A bound at or before range.from puts every time of the range past it, so it changes no lookup within the range.
  const bounds = range ? times.filter((t) => t > range.from && t <= range.to) : times
  // Any time of an interval gives the keys of the whole interval: the first one, or range.from for the first.
  const starts = [range ? range.from : -Infinity, ...bounds]
  const known = [...new Set([...catalog.releases.map((r) => r.version), ...catalog.firstSeen.keys()])]
  const columns = known.map((version) => starts.map((at) => orderKey(catalog, version, at) ?? UNKNOWN_ORDER_KEY))
  // A version unknown in every interval looks up the same as one not listed.
  const kept = known.map((version, i) => ({ version, column: columns[i]! })).filter((c) => c.column.some((k) => k !== UNKNOWN_ORDER_KEY))
  return {
    bounds,
    versions: kept.map((c) => c.version),
    keys: starts.map((_, row) => [UNKNOWN_ORDER_KEY, ...kept.map((c) => c.column[row]!)]),
  }
}

/** The key the table gives `version` at `at`, as the SQL lookup reads it. */
export function lookUpOrderKey(table: OrderKeyTable, version: string, at: number): number {
  const interval = table.bounds.filter((b) => b <= at).length
  return table.keys[interval]![table.versions.indexOf(version) + 1]!
}
