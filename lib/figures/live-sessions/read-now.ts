import { runQuery } from '../../store/run-query'
import { table } from '../../store/tables'

// Live sessions per version at one instant (docs/semantics.md, Liveness): a session is
// live at t with an event in (t - W, t]; it counts once, under the version of
// its latest event; its visibility is the last one it reported.

export interface LiveSessionsParams {
  projectId: string
  at: number
  windowSeconds: number
}

export interface LiveVersionRow {
  version: string
  sessions: number
  visible: number
  hidden: number
}

export interface LiveSessions {
  at: number
  windowSeconds: number
  total: number
  versions: LiveVersionRow[]
}

// Visibility reported before the window: only needed for sessions whose
// events in the window carry none (a resume after a freeze, say).
const VISIBILITY_LOOKBACK_MS = 3600_000

export async function liveSessions(params: LiveSessionsParams): Promise<LiveSessions> {
  const from = params.at - params.windowSeconds * 1000
  const rows = await runQuery<{ session_id: string; version: string; last_visibility: string }>(
    'liveSessions',
    `SELECT session_id, argMax(version, event_time) AS version, argMaxIf(visibility, event_time, visibility != '') AS last_visibility
     FROM ${table('events')}
     WHERE project_id = {project:String}
       AND event_time > fromUnixTimestamp64Milli({from:Int64}, 'UTC')
       AND event_time <= fromUnixTimestamp64Milli({at:Int64}, 'UTC')
     GROUP BY session_id`,
    { project: params.projectId, from, at: params.at },
  )

  const unknown = rows.filter((r) => r.last_visibility === '').map((r) => r.session_id)
  if (unknown.length > 0) {
    const earlier = await runQuery<{ session_id: string; last_visibility: string }>(
      'liveSessions.visibilityLookback',
      `SELECT session_id, argMax(visibility, event_time) AS last_visibility
       FROM ${table('events')}
       WHERE project_id = {project:String} AND session_id IN {sessions:Array(String)} AND visibility != ''
         AND event_time > fromUnixTimestamp64Milli({since:Int64}, 'UTC')
         AND event_time <= fromUnixTimestamp64Milli({from:Int64}, 'UTC')
       GROUP BY session_id`,
      { project: params.projectId, sessions: unknown, since: from - VISIBILITY_LOOKBACK_MS, from },
    )
    const found = new Map(earlier.map((r) => [r.session_id, r.last_visibility]))
    for (const row of rows) if (row.last_visibility === '') row.last_visibility = found.get(row.session_id) ?? ''
  }

  const byVersion = new Map<string, LiveVersionRow>()
  for (const row of rows) {
    let entry = byVersion.get(row.version)
    if (!entry) {
      entry = { version: row.version, sessions: 0, visible: 0, hidden: 0 }
      byVersion.set(row.version, entry)
    }
    entry.sessions++
    if (row.last_visibility === 'visible') entry.visible++
    else if (row.last_visibility === 'hidden') entry.hidden++
  }
  const versions = [...byVersion.values()].sort((a, b) => b.sessions - a.sessions || a.version.localeCompare(b.version))
  return { at: params.at, windowSeconds: params.windowSeconds, total: rows.length, versions }
}
