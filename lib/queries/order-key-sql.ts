import type { VersionCatalog } from '../releases/version-order'

// SEMANTICS version order as a SQL expression, for figures that must compare
// versions row by row at each row's own time (a rollback reorders versions).
// Mirrors lib/releases/version-order.ts orderKey(): the latest release of the
// version up to t, else its first-seen time; -1 when the version is unknown.
// The catalog travels as array query parameters, never as SQL text.

export function orderKeySql(versionExpr: string, timeMsExpr: string): string {
  return `if(arrayExists((rv, rt) -> rv = ${versionExpr} AND rt <= ${timeMsExpr}, {relVersions:Array(String)}, {relTimes:Array(Int64)}),
    arrayMax(arrayMap((rv, rt) -> if(rv = ${versionExpr} AND rt <= ${timeMsExpr}, rt, toInt64(-1)), {relVersions:Array(String)}, {relTimes:Array(Int64)})),
    if(has({seenVersions:Array(String)}, ${versionExpr}), {seenTimes:Array(Int64)}[indexOf({seenVersions:Array(String)}, ${versionExpr})], toInt64(-1)))`
}

export function orderKeyParams(catalog: VersionCatalog): Record<string, unknown> {
  const seen = [...catalog.firstSeen]
  return {
    relVersions: catalog.releases.map((r) => r.version),
    relTimes: catalog.releases.map((r) => r.releasedAt),
    seenVersions: seen.map(([v]) => v),
    seenTimes: seen.map(([, t]) => t),
  }
}
