import { runQuery } from '../store/run-query'
import { table } from '../store/tables'

// Live sessions per version at several arbitrary instants in one round trip
// (SEMANTICS, Liveness): a session is live at t with an event in (t - W, t],
// counted once under the version of its latest event. Each instant reads only
// its own window through the primary key; the parts run in parallel.

export interface LiveAtInstantsParams {
  projectId: string
  instants: readonly number[]
  windowSeconds: number
}

export interface LiveAtInstantRow {
  at: number
  version: string
  sessions: number
}

export async function liveAtInstants(params: LiveAtInstantsParams): Promise<Map<number, Map<string, number>>> {
  const result = new Map<number, Map<string, number>>(params.instants.map((t) => [t, new Map()]))
  if (params.instants.length === 0) return result
  const values: Record<string, unknown> = { project: params.projectId, windowMs: params.windowSeconds * 1000 }
  const parts = params.instants.map((t, i) => {
    values[`at${i}`] = t
    return `SELECT {at${i}:Int64} AS at, last_version AS version, count() AS sessions FROM (
        SELECT session_id, argMax(version, event_time) AS last_version FROM ${table('events')}
        WHERE project_id = {project:String}
          AND event_time > fromUnixTimestamp64Milli({at${i}:Int64} - {windowMs:UInt32}, 'UTC')
          AND event_time <= fromUnixTimestamp64Milli({at${i}:Int64}, 'UTC')
        GROUP BY session_id)
      GROUP BY last_version`
  })
  const rows = await runQuery<{ at: number | string; version: string; sessions: number | string }>('liveAtInstants', parts.join('\nUNION ALL\n'), values)
  for (const r of rows) result.get(Number(r.at))?.set(r.version, Number(r.sessions))
  return result
}
