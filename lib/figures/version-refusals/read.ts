import { runQuery } from '../../store/run-query'
import { table } from '../../store/tables'

// Events ingest refused for a project's versions since a time: by the cap on
// distinct versions, and by the rate of new versions (ingest/events/version-cap.ts).
// Written every few seconds by ingest/events/refusal-counts.ts, per minute.

export interface VersionRefusalsParams {
  projectId: string
  since: number
}

export interface VersionRefusalsRow {
  versionCap: number
  newVersionRate: number
}

export async function versionRefusals(params: VersionRefusalsParams): Promise<VersionRefusalsRow> {
  const rows = await runQuery<{ reason: string; events: string | number }>(
    'versionRefusals',
    `SELECT reason, sum(events) AS events FROM ${table('ingest_refusals')}
     WHERE project_id = {project:String} AND minute >= toStartOfMinute(fromUnixTimestamp64Milli({since:Int64}, 'UTC'))
     GROUP BY reason`,
    { project: params.projectId, since: params.since },
  )
  const events = (reason: string) => Number(rows.find((r) => r.reason === reason)?.events ?? 0)
  return { versionCap: events('version_cap'), newVersionRate: events('new_version_rate') }
}
