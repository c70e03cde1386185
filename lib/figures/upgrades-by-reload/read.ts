import type { ClickHouseClient } from '@clickhouse/client'
import type { VersionCatalog } from '../../semantics/version-order'
import { reloadLoadsSelect } from './raw'
import { rollupThrough } from '../rollup-edge'
import { reloadLoadsTable, reloadUpgradeMinutesTable } from './table'
import { qualified } from '../../store/tables'
import { runQuery } from '../../store/run-query'
import { orderKeyParams, upgradeSql } from '../../semantics/version-order-sql'

// Sessions upgraded by reload to each of some versions (docs/semantics.md, Rollout: upgraded
// by reload): a load with navigation `reload`, on the version, whose previous
// version was ordered before it at the time of that load; split by the reason
// of the reload event sent in the 60 s before (else `user`). A session counts
// once in a version's total, and once under each reason it upgraded with.
//
// Finalised minutes come from reload_upgrade_minutes: one exact set of
// sessions per (version, previous version, reason, minute of the load). The
// version order only changes at release times, so evaluating it at the start
// of the minute is exact, except in a minute a release falls strictly inside:
// those few minutes are read load by load from reload_loads. Minutes the
// rollup has not finalised come from raw events through the rollup's own
// SELECT. All parts carry sets, merged exactly in one query.

export interface ReloadUpgradesParams {
  projectId: string
  versions: readonly string[]
  catalog: VersionCatalog
  source?: 'auto' | 'raw'
  /** Count only loads before this rollup edge, all from the rollup (the rollup run, before it publishes the edge). */
  finalisedThrough?: number
  client?: ClickHouseClient
}

export interface ReloadUpgradeRow {
  reason: string
  sessions: number
}

export interface ReloadUpgrades {
  total: number
  byReason: ReloadUpgradeRow[]
}

const MINUTE = 60_000
// Far enough to mean "no end", inside DateTime64's range.
const NO_END = Date.UTC(2200, 0, 1)

/** Finalised minutes that a release time falls strictly inside: the order changes within them. */
function splitMinutes(catalog: VersionCatalog, through: number): number[] {
  const minutes = catalog.releases.filter((r) => r.releasedAt % MINUTE !== 0).map((r) => r.releasedAt - (r.releasedAt % MINUTE))
  return [...new Set(minutes)].filter((m) => m < through)
}

// Each part: version, previous_version, reason, at_ms (when to evaluate the order), sessions (a uniqExact set).
// FINAL keeps the newest row per key; unlike argMax it does not copy the sets.
function rolledPart(): string {
  return `SELECT version, previous_version, reason, toInt64(toUnixTimestamp(minute)) * 1000 AS at_ms, sessions
  FROM ${qualified(reloadUpgradeMinutesTable)} FINAL
  WHERE project_id = {project:String} AND version IN {versions:Array(String)}
    AND minute < fromUnixTimestamp64Milli({through:Int64}, 'UTC')
    AND NOT has({split:Array(Int64)}, at_ms)`
}

function splitPart(): string {
  return `SELECT version, previous_version, reason, toUnixTimestamp64Milli(load_time) AS at_ms, uniqExactState(session_id) AS sessions
  FROM (
    SELECT version, session_id, load_id, load_time, previous_version, argMax(reason, computed_at) AS reason
    FROM ${qualified(reloadLoadsTable)}
    WHERE project_id = {project:String} AND version IN {versions:Array(String)}
      AND load_time < fromUnixTimestamp64Milli({through:Int64}, 'UTC')
      AND has({split:Array(Int64)}, toInt64(toUnixTimestamp(toStartOfMinute(load_time))) * 1000)
    GROUP BY version, session_id, load_id, load_time, previous_version
  )
  GROUP BY version, previous_version, reason, at_ms`
}

function rawPart(): string {
  return `SELECT version, previous_version, reason, toUnixTimestamp64Milli(load_time) AS at_ms, uniqExactState(session_id) AS sessions
  FROM (${reloadLoadsSelect()})
  WHERE version IN {versions:Array(String)}
  GROUP BY version, previous_version, reason, at_ms`
}

export async function reloadUpgrades(params: ReloadUpgradesParams): Promise<Map<string, ReloadUpgrades>> {
  const result = new Map<string, ReloadUpgrades>(params.versions.map((v) => [v, { total: 0, byReason: [] }]))
  if (params.versions.length === 0) return result
  const through = params.finalisedThrough ?? (params.source === 'raw' ? 0 : await rollupThrough(params.projectId))
  const split = splitMinutes(params.catalog, through)
  const parts = [
    ...(through > 0 ? [rolledPart()] : []),
    ...(split.length > 0 ? [splitPart()] : []),
    ...(params.finalisedThrough === undefined ? [rawPart()] : []),
  ]
  if (parts.length === 0) return result
  const rows = await runQuery<{ version: string; reason: string; sessions: number | string; whole: number | string }>(
    'reloadUpgrades',
    `SELECT version, reason, uniqExactMerge(sessions) AS sessions, grouping(reason) AS whole
     FROM (${parts.join('\nUNION ALL\n')})
     WHERE ${upgradeSql('at_ms')}
     GROUP BY GROUPING SETS ((version, reason), (version))
     -- A key the rollup emptied after a late event changed a load's reason.
     HAVING sessions > 0
     ORDER BY version, sessions DESC, reason`,
    { project: params.projectId, versions: params.versions, through, split, from: through, to: NO_END, ...orderKeyParams(params.catalog) },
    params.client,
  )
  for (const r of rows) {
    const entry = result.get(r.version)!
    // grouping(reason) is 1 on the row that merges every reason: the version's total.
    if (Number(r.whole) === 1) entry.total = Number(r.sessions)
    else entry.byReason.push({ reason: r.reason, sessions: Number(r.sessions) })
  }
  return result
}
