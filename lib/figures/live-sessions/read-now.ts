import { runQuery } from '../../store/run-query'
import { table } from '../../store/tables'
import { liveIndexFor } from './live-index-feed'
import { VISIBILITY_LOOKBACK_MS, type LiveVersionRow } from './live-answers'
import { SAMPLE_FILTER, sampleError95, sessionSample, type Approximation } from './sample'

// Live sessions per version at one instant (docs/semantics.md, Liveness): a session is
// live at t with an event in (t - W, t]; it counts once, under the version of
// its latest event; its visibility is the last one it reported. Counted in
// the engine: only a row per version comes back, whatever the number of
// sessions. Above the exact limit, on a sample of sessions (./sample.ts).
// Where the live index of this process covers the instant (./live-index-feed.ts),
// it answers instead, from memory, up to the exact limit.

export type { LiveVersionRow } from './live-answers'

export interface LiveSessionsParams {
  projectId: string
  at: number
  windowSeconds: number
}

export interface LiveSessions {
  at: number
  windowSeconds: number
  total: number
  versions: LiveVersionRow[]
  /** Present only when the counts come from a sample of sessions (above the exact limit): how approximate they are. */
  approximate?: Approximation
}

interface CountRow {
  version: string
  sessions: number | string
  visible: number | string
  hidden: number | string
  unknown: number | string
}

export async function liveSessions(params: LiveSessionsParams): Promise<LiveSessions> {
  const index = liveIndexFor(params.projectId, params.at, params.windowSeconds * 1000)
  // Above the exact limit the table's sample answers, as before: the overview's other figures for now
  // (median tab age) come from the same sample, and it marks them all approximate together.
  if (index && (await sessionSample(params.projectId)).oneIn === 1) {
    const versions = sortVersions(index.liveSessions(params.at, params.windowSeconds * 1000))
    return { at: params.at, windowSeconds: params.windowSeconds, total: versions.reduce((n, v) => n + v.sessions, 0), versions }
  }
  return liveSessionsFromEvents(params)
}

/** The same figure read from the events table, whatever the live index holds. */
export async function liveSessionsFromEvents(params: LiveSessionsParams): Promise<LiveSessions> {
  const from = params.at - params.windowSeconds * 1000
  const sample = await sessionSample(params.projectId)
  const filter = sample.oneIn > 1 ? SAMPLE_FILTER : ''
  const queryParams = { project: params.projectId, from, at: params.at, since: from - VISIBILITY_LOOKBACK_MS, sampleOneIn: sample.oneIn }
  // Each live session's version and last visibility in the window.
  const live = `SELECT session_id, argMax(version, event_time) AS version, argMaxIf(visibility, event_time, visibility != '') AS vis
     FROM ${table('events')}
     WHERE project_id = {project:String}
       AND event_time > fromUnixTimestamp64Milli({from:Int64}, 'UTC')
       AND event_time <= fromUnixTimestamp64Milli({at:Int64}, 'UTC')
       ${filter}
     GROUP BY session_id`
  const rows = await runQuery<CountRow>(
    'liveSessions',
    `SELECT version, count() AS sessions, countIf(vis = 'visible') AS visible, countIf(vis = 'hidden') AS hidden, countIf(vis = '') AS unknown
     FROM (${live}) GROUP BY version`,
    queryParams,
  )
  const byVersion = new Map(rows.map((r) => [r.version, { version: r.version, sessions: Number(r.sessions), visible: Number(r.visible), hidden: Number(r.hidden) }]))

  // Sessions whose events in the window carry no visibility take the last one reported in the hour before.
  if (rows.some((r) => Number(r.unknown) > 0)) {
    const earlier = await runQuery<{ version: string; visible: number | string; hidden: number | string }>(
      'liveSessions.visibilityLookback',
      `SELECT live.version AS version, countIf(before.vis = 'visible') AS visible, countIf(before.vis = 'hidden') AS hidden
       FROM (SELECT session_id, version FROM (${live}) WHERE vis = '') AS live
       INNER JOIN (
         SELECT session_id, argMax(visibility, event_time) AS vis
         FROM ${table('events')}
         WHERE project_id = {project:String} AND visibility != ''
           AND event_time > fromUnixTimestamp64Milli({since:Int64}, 'UTC')
           AND event_time <= fromUnixTimestamp64Milli({from:Int64}, 'UTC')
           AND session_id IN (SELECT session_id FROM (${live}) WHERE vis = '')
         GROUP BY session_id
       ) AS before ON before.session_id = live.session_id
       GROUP BY live.version`,
      queryParams,
    )
    for (const r of earlier) {
      const entry = byVersion.get(r.version)!
      entry.visible += Number(r.visible)
      entry.hidden += Number(r.hidden)
    }
  }

  const scale = sample.oneIn
  const sampled = [...byVersion.values()].reduce((n, v) => n + v.sessions, 0)
  const versions = sortVersions([...byVersion.values()].map((v) => ({ version: v.version, sessions: v.sessions * scale, visible: v.visible * scale, hidden: v.hidden * scale })))
  const result: LiveSessions = { at: params.at, windowSeconds: params.windowSeconds, total: sampled * scale, versions }
  if (scale > 1) result.approximate = { sampledOneIn: scale, sampledSessions: sampled, totalError95: sampleError95(sampled, scale), exactLimit: sample.exactLimit }
  return result
}

function sortVersions(rows: LiveVersionRow[]): LiveVersionRow[] {
  return rows.sort((a, b) => b.sessions - a.sessions || a.version.localeCompare(b.version))
}
