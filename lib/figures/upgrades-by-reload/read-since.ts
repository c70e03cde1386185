import type { VersionCatalog } from '../../semantics/version-order'
import { catalogKeyThrough } from '../../releases/catalog-key'
import { untilNextRollup } from '../shared-reads'
import { reloadLoadsSelect } from './raw'
import { reloadLoadsTable } from './table'
import { qualified } from '../../store/tables'
import { runQuery } from '../../store/run-query'
import type { ReloadUpgrades } from './read'
import { orderKeyParams, upgradeSql } from '../../semantics/version-order-sql'

// Sessions upgraded by reload that the figures up to a rollup edge
// (release_figures) do not count yet: sessions with an upgrading load at or
// after `since` and none before it, in total and per reason (docs/semantics.md,
// Upgraded by reload). Added to the stored counts they give the exact
// distinct counts: a session counted before is not counted again.
//
// Two steps, because the tail is small and usually empty: the tail's
// upgrading loads from raw events (the rollup's own SELECT), then, only when
// there are some, those sessions' earlier upgrading loads in reload_loads
// through its primary key (version, session_id). One query doing both cost
// 36 ms at 100M events with an empty tail, against 13 ms for the first step
// alone: most of it is planning the join, whatever the rows.

export interface ReloadUpgradesSinceParams {
  projectId: string
  versions: readonly string[]
  catalog: VersionCatalog
  /** A rollup edge: loads before it are the ones already counted. */
  since: number
  /** Up to this many tail sessions are sent as a list (default TAIL_SESSIONS_LISTED). */
  listMax?: number
}

interface UpgradeRow {
  version: string
  reason: string
  session_id: string
}

const NO_END = Date.UTC(2200, 0, 1)
/** Up to this many tail sessions are sent as a list (about 50 KB of ids). */
const TAIL_SESSIONS_LISTED = 1_000

// A load upgrades when its previous version was ordered before its version at the load's time.
const UPGRADED_AT_LOAD = upgradeSql('toUnixTimestamp64Milli(load_time)')

export async function reloadUpgradesSince(params: ReloadUpgradesSinceParams): Promise<Map<string, ReloadUpgrades>> {
  const result = new Map<string, ReloadUpgrades>(params.versions.map((v) => [v, { total: 0, byReason: [] }]))
  if (params.versions.length === 0) return result
  const values = { project: params.projectId, versions: params.versions, since: params.since, from: params.since, to: NO_END, ...orderKeyParams(params.catalog) }
  const tailSql = `SELECT DISTINCT version, reason, session_id FROM (${reloadLoadsSelect()})
     WHERE version IN {versions:Array(String)} AND ${UPGRADED_AT_LOAD}`
  const tail = await runQuery<UpgradeRow>('reloadUpgradesSince.tail', tailSql, values)
  if (tail.length === 0) return result
  // Sessions whose earlier loads were looked up for this edge are not looked up again (lookedUp).
  const sessions = [...new Set(tail.map((r) => r.session_id))]
  const lookups = await lookedUp(params)
  const unknown = sessions.filter((id) => !lookups.checked.has(id))
  if (unknown.length === 0) return countNew(result, tail, lookups.earlier)
  // The tail's sessions go as a parameter when they are few; more (a forced
  // reload can put thousands in the tail, and query parameters travel in the
  // URL to a ClickHouse server) are selected again inside the query, which
  // runs the tail's join a second time.
  const listed = unknown.length <= (params.listMax ?? TAIL_SESSIONS_LISTED)
  const found = await runQuery<UpgradeRow>(
    'reloadUpgradesSince.earlier',
    `SELECT DISTINCT version, reason, session_id FROM (
       SELECT version, session_id, load_id, argMax(load_time, computed_at) AS load_time,
              argMax(previous_version, computed_at) AS previous_version, argMax(reason, computed_at) AS reason
       FROM ${qualified(reloadLoadsTable)}
       WHERE project_id = {project:String} AND version IN {versions:Array(String)}
         AND session_id IN ${listed ? '{sessions:Array(String)}' : `(SELECT session_id FROM (${tailSql}))`}
       GROUP BY version, session_id, load_id
     )
     WHERE load_time < fromUnixTimestamp64Milli({since:Int64}, 'UTC') AND ${UPGRADED_AT_LOAD}`,
    listed ? { ...values, sessions: unknown } : values,
  )
  for (const id of unknown) lookups.checked.add(id)
  for (const row of found) {
    const key = `${row.version}\u0000${row.session_id}\u0000${row.reason}`
    if (!lookups.rows.has(key)) {
      lookups.rows.add(key)
      lookups.earlier.push(row)
    }
  }
  return countNew(result, tail, lookups.earlier)
}

// The earlier upgrading loads of a session, for one edge, versions and
// order, change only when a run publishes (reload_loads before the edge is
// the rollup's): what was looked up is kept until then (untilNextRollup, on
// the embedded engine; elsewhere every read starts empty), so each render
// looks up only the sessions new to the tail since the last one, not all of
// them again (at 100,000 tabs after a release, thousands).
interface EarlierLookups {
  checked: Set<string>
  rows: Set<string>
  earlier: UpgradeRow[]
}

const lookedUp = (params: ReloadUpgradesSinceParams): Promise<EarlierLookups> =>
  untilNextRollup(
    params.projectId,
    'reloadUpgradesEarlier',
    { since: params.since, order: catalogKeyThrough(params.catalog, params.since), versions: params.versions },
    async () => ({ checked: new Set<string>(), rows: new Set<string>(), earlier: [] }),
  )

/** Per version: tail sessions not upgraded to it before, in total and per reason. Pure. */
function countNew(result: Map<string, ReloadUpgrades>, tail: readonly UpgradeRow[], earlier: readonly UpgradeRow[]): Map<string, ReloadUpgrades> {
  const before = new Set(earlier.map((r) => `${r.version}\u0000${r.session_id}`))
  const beforeWithReason = new Set(earlier.map((r) => `${r.version}\u0000${r.session_id}\u0000${r.reason}`))
  const totals = new Map<string, Set<string>>()
  const byReason = new Map<string, Map<string, Set<string>>>()
  for (const r of tail) {
    if (!before.has(`${r.version}\u0000${r.session_id}`)) totals.set(r.version, (totals.get(r.version) ?? new Set()).add(r.session_id))
    if (beforeWithReason.has(`${r.version}\u0000${r.session_id}\u0000${r.reason}`)) continue
    const reasons = byReason.get(r.version) ?? new Map<string, Set<string>>()
    byReason.set(r.version, reasons.set(r.reason, (reasons.get(r.reason) ?? new Set()).add(r.session_id)))
  }
  for (const [version, entry] of result) {
    entry.total = totals.get(version)?.size ?? 0
    entry.byReason = [...(byReason.get(version) ?? [])].map(([reason, set]) => ({ reason, sessions: set.size }))
  }
  return result
}
