import { liveIndexFor, readMissingFirstSeen } from './live-index-feed'
import { sessionFirstSeenTable } from './table'
import { runQuery } from '../../store/run-query'
import { qualified, table } from '../../store/tables'
import { SAMPLE_FILTER, sessionSample } from './sample'

// Median tab age per version among sessions live at `at` (docs/semantics.md, Liveness: tab age
// is t minus the session's first event time). First events come from the
// session_first_seen view, so no scan back to the start of long sessions.
// Above the exact limit, the median of the same sample of sessions as the
// live counts (./sample.ts).

export interface VersionTabAgesParams {
  projectId: string
  at: number
  windowSeconds: number
}

export interface VersionTabAgeRow {
  version: string
  medianTabAgeMs: number
}

export async function versionTabAges(params: VersionTabAgesParams): Promise<VersionTabAgeRow[]> {
  const windowMs = params.windowSeconds * 1000
  const index = liveIndexFor(params.projectId, params.at, windowMs)
  // From the live index (./live-index-feed.ts) while the figures are exact; its sample's ages, above, from the table.
  if (index && (await sessionSample(params.projectId)).oneIn === 1) {
    await readMissingFirstSeen(params.projectId, index, params.at, windowMs)
    return index.tabAgeMedians(params.at, windowMs).sort((a, b) => a.version.localeCompare(b.version))
  }
  return versionTabAgesFromEvents(params)
}

/** The same medians read from the events table, whatever the live index holds. */
export async function versionTabAgesFromEvents(params: VersionTabAgesParams): Promise<VersionTabAgeRow[]> {
  const sample = await sessionSample(params.projectId)
  const filter = sample.oneIn > 1 ? SAMPLE_FILTER : ''
  const rows = await runQuery<{ version: string; median_age: number }>(
    'versionTabAges',
    `SELECT live.last_version AS version, medianExact(greatest(0, {at:Int64} - toUnixTimestamp64Milli(first.first_seen))) AS median_age
     FROM (
       SELECT session_id, argMax(version, event_time) AS last_version
       FROM ${table('events')}
       WHERE project_id = {project:String}
         AND event_time > fromUnixTimestamp64Milli({from:Int64}, 'UTC')
         AND event_time <= fromUnixTimestamp64Milli({at:Int64}, 'UTC')
         ${filter}
       GROUP BY session_id
     ) AS live
     INNER JOIN (
       SELECT session_id, min(first_seen) AS first_seen
       FROM ${qualified(sessionFirstSeenTable)}
       WHERE project_id = {project:String} ${filter}
       GROUP BY session_id
     ) AS first ON first.session_id = live.session_id
     GROUP BY live.last_version`,
    { project: params.projectId, at: params.at, from: params.at - params.windowSeconds * 1000, sampleOneIn: sample.oneIn },
  )
  return rows.map((r) => ({ version: r.version, medianTabAgeMs: Math.round(Number(r.median_age)) }))
}
