import { runQuery } from '../../store/run-query'
import { table } from '../../store/tables'

// Events refused for a project's versions per minute and reason in a window
// (the incident timeline; ./read.ts sums them since a time for the overview).

export interface VersionRefusalMinute {
  minute: number
  reason: 'version_cap' | 'new_version_rate'
  events: number
}

export async function versionRefusalMinutes(params: { projectId: string; from: number; to: number }): Promise<VersionRefusalMinute[]> {
  const rows = await runQuery<{ minute_ms: string | number; reason: string; events: string | number }>(
    'versionRefusalMinutes',
    `SELECT toUnixTimestamp(minute) * 1000 AS minute_ms, reason, sum(events) AS events FROM ${table('ingest_refusals')}
     WHERE project_id = {project:String}
       AND minute >= toStartOfMinute(fromUnixTimestamp64Milli({from:Int64}, 'UTC')) AND minute <= fromUnixTimestamp64Milli({to:Int64}, 'UTC')
     GROUP BY minute_ms, reason
     ORDER BY minute_ms, reason`,
    { project: params.projectId, from: params.from, to: params.to },
  )
  return rows.map((r) => ({ minute: Number(r.minute_ms), reason: r.reason as VersionRefusalMinute['reason'], events: Number(r.events) }))
}
