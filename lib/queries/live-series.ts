import { runQuery } from '../store/run-query'
import { table } from '../store/tables'

// Live sessions per version at every minute boundary m in [from, to]
// (SEMANTICS, Liveness). An event at time e keeps its session live at each
// boundary m with e <= m < e + W, so each event is expanded to those few
// boundaries and the session counted once per boundary, under the version of
// its latest event at or before m.

export interface LiveSeriesParams {
  projectId: string
  from: number
  to: number
  windowSeconds: number
}

export interface LiveSeriesRow {
  minute: number
  version: string
  sessions: number
}

export async function liveSeries(params: LiveSeriesParams): Promise<LiveSeriesRow[]> {
  const windowMs = params.windowSeconds * 1000
  const steps = Math.ceil(params.windowSeconds / 60) + 1
  const rows = await runQuery<{ minute: number; version: string; sessions: number }>(
    'liveSeries',
    `SELECT toUnixTimestamp(minute) * 1000 AS minute, version, count() AS sessions
     FROM (
       SELECT minute, session_id, argMax(version, event_time) AS version
       FROM ${table('events')}
       ARRAY JOIN arrayMap(i -> toStartOfMinute(event_time - toIntervalMillisecond(1)) + toIntervalMinute(i + 1), range({steps:UInt8})) AS minute
       WHERE project_id = {project:String}
         AND event_time > fromUnixTimestamp64Milli({scanFrom:Int64}, 'UTC')
         AND event_time <= fromUnixTimestamp64Milli({to:Int64}, 'UTC')
         AND minute < event_time + toIntervalMillisecond({windowMs:UInt32})
         AND minute >= fromUnixTimestamp64Milli({from:Int64}, 'UTC')
         AND minute <= fromUnixTimestamp64Milli({to:Int64}, 'UTC')
       GROUP BY minute, session_id
     )
     GROUP BY minute, version
     ORDER BY minute, version`,
    { project: params.projectId, steps, scanFrom: params.from - windowMs, from: params.from, to: params.to, windowMs },
  )
  return rows.map((r) => ({ minute: Number(r.minute), version: r.version, sessions: Number(r.sessions) }))
}
