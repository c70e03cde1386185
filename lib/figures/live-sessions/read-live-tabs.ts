import { kindPredicateSql } from '../../semantics/event-kinds'
import { AGE_BUCKETS, type LiveTabsRow } from './live-answers'
import { liveIndexFor, readMissingFirstSeen } from './live-index-feed'
import { sessionFirstSeenTable } from './table'
import { runQuery } from '../../store/run-query'
import { qualified, table } from '../../store/tables'

// Live sessions at one instant (docs/semantics.md, Liveness), counted by their
// version, their last reported visibility, what their last heartbeat said
// (idle, unsaved) and their tab age bucket: what a preview of a new minimum
// splits the tabs it would force by. Tab age comes from session_first_seen
// as in read-tab-ages.ts. The preview of a new minimum (lib/rollout/preview.ts) reads it.
// Where the live index of this process covers the instant (./live-index-feed.ts), it answers instead.

export { AGE_BUCKETS, type LiveTabsRow } from './live-answers'

export interface LiveTabsParams {
  projectId: string
  at: number
  windowSeconds: number
}

export async function liveTabs(params: LiveTabsParams): Promise<LiveTabsRow[]> {
  const windowMs = params.windowSeconds * 1000
  const index = liveIndexFor(params.projectId, params.at, windowMs)
  if (!index) return liveTabsFromEvents(params)
  await readMissingFirstSeen(params.projectId, index, params.at, windowMs)
  return index.liveTabs(params.at, windowMs)
}

/** The same rows read from the events table, whatever the live index holds. */
export async function liveTabsFromEvents(params: LiveTabsParams): Promise<LiveTabsRow[]> {
  const rows = await runQuery<{ version: string; visibility: string; idle: number; unsaved: number; age_bucket: number; sessions: string | number }>(
    'rolloutLiveTabs',
    `SELECT version, visibility, idle, unsaved, age_bucket, count() AS sessions
     FROM (
       SELECT live.version AS version, live.visibility AS visibility, live.idle AS idle, live.unsaved AS unsaved,
              multiIf(age < {hour:Int64}, 0, age < {day:Int64}, 1, 2) AS age_bucket,
              greatest(0, {at:Int64} - toUnixTimestamp64Milli(first.first_seen)) AS age
       FROM (
         SELECT session_id, argMax(version, event_time) AS version,
                argMaxIf(visibility, event_time, visibility != '') AS visibility,
                argMaxIf(idle, event_time, ${kindPredicateSql('heartbeat')}) AS idle,
                argMaxIf(unsaved, event_time, ${kindPredicateSql('heartbeat')}) AS unsaved
         FROM ${table('events')}
         WHERE project_id = {project:String}
           AND event_time > fromUnixTimestamp64Milli({from:Int64}, 'UTC')
           AND event_time <= fromUnixTimestamp64Milli({at:Int64}, 'UTC')
         GROUP BY session_id
       ) AS live
       LEFT JOIN (
         SELECT session_id, min(first_seen) AS first_seen
         FROM ${qualified(sessionFirstSeenTable)}
         WHERE project_id = {project:String}
         GROUP BY session_id
       ) AS first ON first.session_id = live.session_id
     )
     GROUP BY version, visibility, idle, unsaved, age_bucket`,
    { project: params.projectId, at: params.at, from: params.at - params.windowSeconds * 1000, hour: AGE_BUCKETS[0].toMs, day: AGE_BUCKETS[1].toMs },
  )
  return rows.map((r) => ({
    version: r.version,
    visibility: r.visibility,
    idle: Number(r.idle) === 1,
    unsaved: Number(r.unsaved) === 1,
    ageBucket: Number(r.age_bucket),
    sessions: Number(r.sessions),
  }))
}
