import type { VersionCatalog } from '../releases/version-order'
import { reloadLoadsSelect } from '../rollups/select-sql'
import { rollupTable } from '../rollups/tables'
import { runQuery } from '../store/run-query'
import type { ReloadUpgrades } from './reload-upgrades'
import { orderKeyParams, orderKeySql } from './order-key-sql'

// Sessions upgraded by reload that the figures up to a rollup edge
// (release_figures) do not count yet: sessions with an upgrading load at or
// after `since` and none before it, in total and per reason (SEMANTICS,
// Upgraded by reload). Added to the stored counts they give the exact
// distinct counts: a session counted before is not counted again.
//
// Loads from `since` on are read from raw events (the rollup's own SELECT);
// whether a session upgraded before is looked up in reload_loads for those
// few sessions only, through its primary key (version, session_id).

export interface ReloadUpgradesSinceParams {
  projectId: string
  versions: readonly string[]
  catalog: VersionCatalog
  /** A rollup edge: loads before it are the ones already counted. */
  since: number
}

const NO_END = Date.UTC(2200, 0, 1)

// A load upgrades when its previous version was ordered before its version at the load's time.
const upgrades = (timeMs: string) => `${orderKeySql('previous_version', timeMs)} >= 0 AND ${orderKeySql('previous_version', timeMs)} < ${orderKeySql('version', timeMs)}`

export async function reloadUpgradesSince(params: ReloadUpgradesSinceParams): Promise<Map<string, ReloadUpgrades>> {
  const result = new Map<string, ReloadUpgrades>(params.versions.map((v) => [v, { total: 0, byReason: [] }]))
  if (params.versions.length === 0) return result
  const rows = await runQuery<{ version: string; reason: string; new_total: number | string; new_reason: number | string; whole: number | string }>(
    'reloadUpgradesSince',
    // The tail's rows are gathered once, as a scalar: a CTE would be evaluated
    // again for each reference, and each evaluation reads events.
    `WITH (
       SELECT groupArray((version, reason, session_id)) FROM (${reloadLoadsSelect()})
       WHERE version IN {versions:Array(String)} AND ${upgrades('toUnixTimestamp64Milli(load_time)')}
     ) AS tail_rows
     SELECT tail.version AS version, tail.reason AS reason,
            uniqExactIf(tail.session_id, empty(earlier.reasons)) AS new_total,
            uniqExactIf(tail.session_id, NOT has(earlier.reasons, tail.reason)) AS new_reason,
            grouping(tail.reason) AS whole
     FROM (SELECT row.1 AS version, row.2 AS reason, row.3 AS session_id FROM (SELECT arrayJoin(tail_rows) AS row)) AS tail
     LEFT JOIN (
       SELECT version, session_id, groupUniqArray(reason) AS reasons
       FROM (
         SELECT version, session_id, load_id, argMax(load_time, computed_at) AS load_time,
                argMax(previous_version, computed_at) AS previous_version, argMax(reason, computed_at) AS reason
         FROM ${rollupTable('reload_loads')}
         WHERE project_id = {project:String} AND version IN {versions:Array(String)}
           AND session_id IN (SELECT arrayJoin(tail_rows).3)
         GROUP BY version, session_id, load_id
       )
       WHERE load_time < fromUnixTimestamp64Milli({since:Int64}, 'UTC') AND ${upgrades('toUnixTimestamp64Milli(load_time)')}
       GROUP BY version, session_id
     ) AS earlier ON tail.version = earlier.version AND tail.session_id = earlier.session_id
     GROUP BY GROUPING SETS ((tail.version, tail.reason), (tail.version))`,
    { project: params.projectId, versions: params.versions, since: params.since, from: params.since, to: NO_END, ...orderKeyParams(params.catalog) },
  )
  for (const r of rows) {
    const entry = result.get(r.version)!
    if (Number(r.whole) === 1) entry.total = Number(r.new_total)
    else if (Number(r.new_reason) > 0) entry.byReason.push({ reason: r.reason, sessions: Number(r.new_reason) })
  }
  return result
}
