import { runQuery } from '../../store/run-query'
import { table } from '../../store/tables'

// Whether the project's servers sent any counts since a time: the overview
// shows the backend-load charts once they have, and how to start otherwise.

export interface BackendLoadSeenParams {
  projectId: string
  since: number
}

export async function backendLoadSeen(params: BackendLoadSeenParams): Promise<boolean> {
  const rows = await runQuery<{ one: number }>(
    'backendLoadSeen',
    `SELECT 1 AS one FROM ${table('backend_load_raw')}
     WHERE project_id = {project:String} AND minute >= fromUnixTimestamp64Milli({since:Int64}, 'UTC')
     LIMIT 1`,
    { project: params.projectId, since: params.since },
  )
  return rows.length > 0
}
