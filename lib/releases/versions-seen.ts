import { runQuery } from '../store/run-query'
import { table } from '../store/tables'

// The versions a project has seen, with the first and last event time of each:
// the other half of the catalog (registered releases are the first), read by
// the overview and by ingest's distinct-versions cap.

export interface VersionSeenParams {
  projectId: string
}

export interface VersionSeenRow {
  version: string
  firstSeen: number
  lastSeen: number
}

export async function versionSeen(params: VersionSeenParams): Promise<VersionSeenRow[]> {
  const rows = await runQuery<{ version: string; first_seen: number; last_seen: number }>(
    'versionSeen',
    `SELECT version, toUnixTimestamp64Milli(min(first_seen)) AS first_seen, toUnixTimestamp64Milli(max(last_seen)) AS last_seen
     FROM ${table('version_first_seen')} WHERE project_id = {project:String} GROUP BY version`,
    { project: params.projectId },
  )
  return rows.map((r) => ({ version: r.version, firstSeen: Number(r.first_seen), lastSeen: Number(r.last_seen) }))
}
