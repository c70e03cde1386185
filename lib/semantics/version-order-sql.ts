import { orderKeyLists } from './order-key-lists'
import type { VersionCatalog } from './version-order'

// The version order (docs/semantics.md, Version order) in SQL, for figures that must compare versions row
// by row at each row's own time (a rollback reorders versions). The order is
// precomputed in TypeScript (./order-key-lists.ts) and travels as
// array query parameters, never as SQL text: a row finds its version's lists,
// counts that version's releases up to its time, and reads the key at that
// position; -1 when the version is unknown.

/** The order key (Int64) of `versionExpr` at `timeMsExpr` (epoch ms). */
export function orderKeySql(versionExpr: string, timeMsExpr: string): string {
  const at = `indexOf({orderVersions:Array(String)}, ${versionExpr}) + 1`
  return `{orderKeys:Array(Array(Int64))}[${at}][arrayCount(r -> r <= ${timeMsExpr}, {orderReleases:Array(Array(Int64))}[${at}]) + 1]`
}

/**
 * docs/semantics.md, Rollout (upgraded by reload): the row's previous_version was ordered
 * before its version at `timeMsExpr` (an unknown previous version never is).
 */
export function upgradeSql(timeMsExpr: string): string {
  const previous = orderKeySql('previous_version', timeMsExpr)
  return `${previous} >= 0 AND ${previous} < ${orderKeySql('version', timeMsExpr)}`
}

export function orderKeyParams(catalog: VersionCatalog): Record<string, unknown> {
  const lists = orderKeyLists(catalog)
  return { orderVersions: lists.versions, orderReleases: lists.releases, orderKeys: lists.keys }
}
