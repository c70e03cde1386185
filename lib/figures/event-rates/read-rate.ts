import { runQuery } from '../../store/run-query'
import { table } from '../../store/tables'

// Counts of the events a storm is made of, in the last minute (at - 60 s, at]
// and per minute over the trailing baseline before it:
// - reload: a `load` whose navigation is `reload` (every completed reload,
//   whatever started it; a reload by the browser's button sends no `reload`
//   event, SEMANTICS);
// - resume: a `resume` event (a frozen tab woken up);
// - visible: a `visibility` event with visibility `visible` (a return from hidden).

export interface EventRateParams {
  projectId: string
  at: number
  baselineMinutes: number
}

export interface EventCounts {
  reload: number
  resume: number
  visible: number
}

export interface EventRateRow {
  lastMinute: EventCounts
  baselinePerMinute: EventCounts
}

const MINUTE_MS = 60_000

export async function eventRate(params: EventRateParams): Promise<EventRateRow> {
  const recentFrom = params.at - MINUTE_MS
  const baselineFrom = recentFrom - params.baselineMinutes * MINUTE_MS
  const rows = await runQuery<Record<string, string | number>>(
    'eventRate',
    `SELECT
       countIf(kind = 'reload' AND recent) AS reload_recent,
       countIf(kind = 'resume' AND recent) AS resume_recent,
       countIf(kind = 'visible' AND recent) AS visible_recent,
       countIf(kind = 'reload' AND NOT recent) AS reload_baseline,
       countIf(kind = 'resume' AND NOT recent) AS resume_baseline,
       countIf(kind = 'visible' AND NOT recent) AS visible_baseline
     FROM (
       SELECT
         multiIf(type = 'load' AND navigation = 'reload', 'reload', type = 'resume', 'resume',
                 type = 'visibility' AND visibility = 'visible', 'visible', '') AS kind,
         event_time > fromUnixTimestamp64Milli({recentFrom:Int64}, 'UTC') AS recent
       FROM ${table('events')}
       WHERE project_id = {project:String}
         AND event_time > fromUnixTimestamp64Milli({baselineFrom:Int64}, 'UTC')
         AND event_time <= fromUnixTimestamp64Milli({at:Int64}, 'UTC')
         AND type IN ('load', 'resume', 'visibility')
     )`,
    { project: params.projectId, recentFrom, baselineFrom, at: params.at },
  )
  const r = rows[0] ?? {}
  const n = (key: string) => Number(r[key] ?? 0)
  const perMinute = (key: string) => n(key) / params.baselineMinutes
  return {
    lastMinute: { reload: n('reload_recent'), resume: n('resume_recent'), visible: n('visible_recent') },
    baselinePerMinute: { reload: perMinute('reload_baseline'), resume: perMinute('resume_baseline'), visible: perMinute('visible_baseline') },
  }
}
