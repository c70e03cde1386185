import type { ClickHouseClient } from '@clickhouse/client'
import type { LatestRelease, VersionCatalog } from '../../semantics/version-order'
import { liveMinutesSelect } from '../live-sessions/raw'
import { rawWindowParams } from '../raw-params'
import { rollupThrough } from '../rollup-edge'
import { liveMinutesTable } from '../live-sessions/table'
import { qualified } from '../../store/tables'
import { runQuery } from '../../store/run-query'
import { orderKeyParams, orderKeySql } from '../../semantics/version-order-sql'

// Time to X % for several releases in one query (docs/semantics.md, Rollout): the
// first minute boundary m >= releasedAt, up to `at`, at which live sessions
// on the release or on a version ordered after it (at m) are at least X % of
// live sessions at m. The engine reduces the minutes to one row per release
// and share, so no minute-by-version series travels to the page. Finalised
// minutes come from the rollup (live_minutes), later ones from the same
// SELECT over raw events that fills the rollup, as in liveMinutes.

export interface ReleaseTimeToParams {
  projectId: string
  releases: readonly LatestRelease[]
  shares: readonly number[]
  at: number
  windowSeconds: number
  catalog: VersionCatalog
  source?: 'auto' | 'raw'
  /** Search boundaries from here on only (a search up to here was done before). */
  searchFrom?: number
  /** The rollup edge to read up to, instead of the current one (the rollup run, before it publishes its edge). */
  through?: number
  client?: ClickHouseClient
}

const MINUTE = 60_000

/** Per release (same order as params.releases), ms after releasedAt for each share; null where not reached by `at`. */
export async function releaseTimeTo(params: ReleaseTimeToParams): Promise<(number | null)[][]> {
  const result = params.releases.map(() => params.shares.map((): number | null => null))
  const releases = params.releases.filter((r) => r.releasedAt <= params.at)
  if (releases.length === 0 || params.shares.length === 0) return result
  const searchFrom = (r: LatestRelease) => Math.max(r.releasedAt, params.searchFrom ?? r.releasedAt)
  const from = Math.ceil(Math.min(...releases.map(searchFrom)) / MINUTE) * MINUTE
  const through = params.through ?? (params.source === 'raw' ? 0 : await rollupThrough(params.projectId))
  const rolledTo = Math.min(params.at, through)
  const rawFrom = Math.ceil(Math.max(from, through + 1) / MINUTE) * MINUTE
  const sources: string[] = []
  if (rolledTo >= from) {
    sources.push(`SELECT minute, version, s AS sessions FROM (
        SELECT minute, version, visibility, argMax(sessions, computed_at) AS s
        FROM ${qualified(liveMinutesTable)}
        WHERE project_id = {project:String}
          AND minute >= fromUnixTimestamp64Milli({rolledFrom:Int64}, 'UTC') AND minute <= fromUnixTimestamp64Milli({rolledTo:Int64}, 'UTC')
        GROUP BY minute, version, visibility)
      WHERE s > 0`)
  }
  if (rawFrom <= params.at) sources.push(`SELECT minute, version, sessions FROM (${liveMinutesSelect()})`)
  if (sources.length === 0) return result

  const t = 'toInt64(toUnixTimestamp(minute)) * 1000'
  // The order keys are looked up once per (minute, version) row, and the
  // targets' keys at that minute ride along as an array, before the rows
  // are repeated for each target.
  const rows = await runQuery<{ idx: number | string; first: (number | string)[]; hits: (number | string)[] }>(
    'releaseTimeTo',
    `SELECT idx, [${params.shares.map((_, i) => `minIf(t, ratio >= {shares:Array(Float64)}[${i + 1}])`).join(', ')}] AS first,
            [${params.shares.map((_, i) => `countIf(ratio >= {shares:Array(Float64)}[${i + 1}])`).join(', ')}] AS hits
     FROM (
       SELECT t, idx, sumIf(sessions, adopted) / sum(sessions) AS ratio
       FROM (
         SELECT t, idx, sessions,
                version = {targets:Array(String)}[idx] OR (target_key >= 0 AND version_key >= 0 AND target_key < version_key) AS adopted
         FROM (
           SELECT t, version, sessions, ${orderKeySql('version', 't')} AS version_key,
                  arrayMap(target -> ${orderKeySql('target', 't')}, {targets:Array(String)}) AS target_keys
           FROM (SELECT ${t} AS t, version, toUInt64(sum(sessions)) AS sessions FROM (${sources.join(' UNION ALL ')}) GROUP BY t, version)
         )
         ARRAY JOIN target_keys AS target_key, arrayEnumerate(target_keys) AS idx
         WHERE t >= {targetFrom:Array(Int64)}[idx]
       )
       GROUP BY t, idx
     )
     GROUP BY idx`,
    {
      ...rawWindowParams(params.projectId, rawFrom, params.at, params.windowSeconds),
      rolledFrom: from,
      rolledTo,
      targets: releases.map((r) => r.version),
      targetFrom: releases.map(searchFrom),
      shares: params.shares,
      ...orderKeyParams(params.catalog),
    },
    params.client,
  )
  for (const row of rows) {
    const release = releases[Number(row.idx) - 1]!
    const slot = result[params.releases.indexOf(release)]!
    row.first.forEach((first, i) => {
      if (Number(row.hits[i]) > 0) slot[i] = Number(first) - release.releasedAt
    })
  }
  return result
}
