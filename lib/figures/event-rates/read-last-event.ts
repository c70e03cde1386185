import { runQuery } from '../../store/run-query'
import { table } from '../../store/tables'

// The newest event of a project in (since, at], for the ingest-silence alert:
// null when the project sent nothing in that span (it had no traffic to lose).

export interface LastEventParams {
  projectId: string
  since: number
  at: number
}

export interface LastEventRow {
  lastEventAt: number | null
}

export async function lastEvent(params: LastEventParams): Promise<LastEventRow> {
  const rows = await runQuery<{ events: string | number; last: string | number }>(
    'lastEvent',
    `SELECT count() AS events, toUnixTimestamp64Milli(max(event_time)) AS last
     FROM ${table('events')}
     WHERE project_id = {project:String}
       AND event_time > fromUnixTimestamp64Milli({since:Int64}, 'UTC')
       AND event_time <= fromUnixTimestamp64Milli({at:Int64}, 'UTC')`,
    { project: params.projectId, since: params.since, at: params.at },
  )
  const row = rows[0]
  return { lastEventAt: row && Number(row.events) > 0 ? Number(row.last) : null }
}
