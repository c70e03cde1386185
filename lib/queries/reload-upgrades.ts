import type { VersionCatalog } from '../releases/version-order'
import { reloadLoadsSelect } from '../rollups/select-sql'
import { rollupThrough } from '../rollups/state'
import { rollupTable } from '../rollups/tables'
import { runQuery } from '../store/run-query'
import { orderKeyParams, orderKeySql } from './order-key-sql'

// Sessions upgraded by reload to each of some versions (SEMANTICS, Upgraded
// by reload): a load with navigation `reload`, on the version, whose previous
// version was ordered before it at the time of that load; split by the reason
// of the reload event sent in the 60 s before (else `user`). A session counts
// once in a version's total, and once under each reason it upgraded with.
// Finalised loads come from the rollup (reload_loads), later ones from raw
// events through the same SELECT.

export interface ReloadUpgradesParams {
  projectId: string
  versions: readonly string[]
  catalog: VersionCatalog
  source?: 'auto' | 'raw'
}

export interface ReloadUpgradeRow {
  reason: string
  sessions: number
}

export interface ReloadUpgrades {
  total: number
  byReason: ReloadUpgradeRow[]
}

// Far enough to mean "no end", inside DateTime64's range.
const NO_END = Date.UTC(2200, 0, 1)

export async function reloadUpgrades(params: ReloadUpgradesParams): Promise<Map<string, ReloadUpgrades>> {
  const result = new Map<string, ReloadUpgrades>(params.versions.map((v) => [v, { total: 0, byReason: [] }]))
  if (params.versions.length === 0) return result
  const through = params.source === 'raw' ? 0 : await rollupThrough(params.projectId)
  const loadMs = 'toUnixTimestamp64Milli(load_time)'
  const rolled = `SELECT version, session_id, load_id, load_time, previous_version, argMax(reason, computed_at) AS reason
    FROM ${rollupTable('reload_loads')}
    WHERE project_id = {project:String} AND version IN {versions:Array(String)}
      AND load_time < fromUnixTimestamp64Milli({through:Int64}, 'UTC')
    GROUP BY version, session_id, load_id, load_time, previous_version`
  const raw = `SELECT version, session_id, load_id, load_time, previous_version, reason FROM (${reloadLoadsSelect()}) WHERE version IN {versions:Array(String)}`
  const rows = await runQuery<{ version: string; reason: string; sessions: number | string; total: number | string }>(
    'reloadUpgrades',
    `SELECT version, reason, uniqExact(session_id) AS sessions, any(total) AS total
     FROM (
       SELECT version, session_id, reason, uniqExact(session_id) OVER (PARTITION BY version) AS total
       FROM (${through > 0 ? `${rolled} UNION ALL ` : ''}${raw})
       WHERE ${orderKeySql('previous_version', loadMs)} >= 0
         AND ${orderKeySql('previous_version', loadMs)} < ${orderKeySql('version', loadMs)}
     )
     GROUP BY version, reason
     ORDER BY version, sessions DESC, reason`,
    { project: params.projectId, versions: params.versions, through, from: through, to: NO_END, ...orderKeyParams(params.catalog) },
  )
  for (const r of rows) {
    const entry = result.get(r.version)!
    entry.total = Number(r.total)
    entry.byReason.push({ reason: r.reason, sessions: Number(r.sessions) })
  }
  return result
}
