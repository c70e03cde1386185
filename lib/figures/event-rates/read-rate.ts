import { eventKindLabel, kindOfEventSql, kindTypesSql, type EventKind } from '../../semantics/event-kinds'
import { runQuery } from '../../store/run-query'
import { table } from '../../store/tables'

// Counts of the events a storm is made of, in the last minute (at - 60 s, at]
// and per minute over the trailing baseline before it, for the event_rate
// alert. The names a rule uses (stored in rules, so never renamed) stand for
// these kinds (docs/semantics.md, Event kinds):
// - reload: a reloaded load (every completed reload, whatever started it; a
//   reload by the browser's button sends no reload event);
// - resume: a frozen tab woken up;
// - visible: a return from hidden.

export const RATE_EVENTS = { reload: 'reloaded_load', resume: 'resume', visible: 'return' } as const satisfies Record<string, EventKind>
export type RateEvent = keyof typeof RATE_EVENTS
const RATE_EVENT_NAMES = Object.keys(RATE_EVENTS) as RateEvent[]

/** "Reloaded loads", as an alert's summary names what it counted. */
export const rateEventLabel = (event: RateEvent) => eventKindLabel(RATE_EVENTS[event])

export interface EventRateParams {
  projectId: string
  at: number
  baselineMinutes: number
}

export type EventCounts = Record<RateEvent, number>

export interface EventRateRow {
  lastMinute: EventCounts
  baselinePerMinute: EventCounts
}

const MINUTE_MS = 60_000
const kinds = RATE_EVENT_NAMES.map((e) => RATE_EVENTS[e])

export async function eventRate(params: EventRateParams): Promise<EventRateRow> {
  const recentFrom = params.at - MINUTE_MS
  const baselineFrom = recentFrom - params.baselineMinutes * MINUTE_MS
  const counts = RATE_EVENT_NAMES.flatMap((e) => [
    `countIf(kind = '${RATE_EVENTS[e]}' AND recent) AS ${e}_recent`,
    `countIf(kind = '${RATE_EVENTS[e]}' AND NOT recent) AS ${e}_baseline`,
  ])
  const rows = await runQuery<Record<string, string | number>>(
    'eventRate',
    `SELECT ${counts.join(', ')}
     FROM (
       SELECT ${kindOfEventSql(kinds)} AS kind,
              event_time > fromUnixTimestamp64Milli({recentFrom:Int64}, 'UTC') AS recent
       FROM ${table('events')}
       WHERE project_id = {project:String}
         AND event_time > fromUnixTimestamp64Milli({baselineFrom:Int64}, 'UTC')
         AND event_time <= fromUnixTimestamp64Milli({at:Int64}, 'UTC')
         AND ${kindTypesSql(kinds)}
     )`,
    { project: params.projectId, recentFrom, baselineFrom, at: params.at },
  )
  const r = rows[0] ?? {}
  const n = (key: string) => Number(r[key] ?? 0)
  const each = (value: (e: RateEvent) => number) => Object.fromEntries(RATE_EVENT_NAMES.map((e) => [e, value(e)])) as EventCounts
  return {
    lastMinute: each((e) => n(`${e}_recent`)),
    baselinePerMinute: each((e) => n(`${e}_baseline`) / params.baselineMinutes),
  }
}
