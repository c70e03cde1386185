import { orderKeyTable, type OrderKeyRange } from '../releases/order-key-table'
import type { VersionCatalog } from '../releases/version-order'

// SEMANTICS version order in SQL, for figures that must compare versions row
// by row at each row's own time (a rollback reorders versions). The order is
// precomputed in TypeScript (lib/releases/order-key-table.ts) and travels as
// array query parameters, never as SQL text: a row finds its interval between
// release times, then its version's key in that interval's row of keys; -1
// when the version is unknown.

/** The row of keys (an Array(Int64)) in force at time `timeMsExpr` (epoch ms). Compute it once per row, then index it with orderKeyIn. */
export function orderKeysAtSql(timeMsExpr: string): string {
  return `{orderKeys:Array(Array(Int64))}[arrayCount(b -> b <= ${timeMsExpr}, {orderBounds:Array(Int64)}) + 1]`
}

/** The order key of `versionExpr` in a row of keys from orderKeysAtSql. */
export function orderKeyInSql(keysExpr: string, versionExpr: string): string {
  return `${keysExpr}[indexOf({orderVersions:Array(String)}, ${versionExpr}) + 1]`
}

/** Parameters for the SQL above; with a range, exact only for times within it. */
export function orderKeyParams(catalog: VersionCatalog, range?: OrderKeyRange): Record<string, unknown> {
  const table = orderKeyTable(catalog, range)
  return { orderBounds: table.bounds, orderVersions: table.versions, orderKeys: table.keys }
}
