import { eventMinutesSelect } from '../rollups/select-sql'
import { rollupThrough } from '../rollups/state'
import { rollupTable } from '../rollups/tables'
import { runQuery } from '../store/run-query'

// Distinct events and sessions per time bucket by kind, version and reason
// (reload reason, or the load's navigation). Duplicate-insensitive: counts
// are uniqExact(event_id) / uniqExact(session_id) per minute. Finalised
// minutes from the rollup (event_minutes_by_kind), the rest from raw events.
// Buckets of several minutes sum the per-minute distinct counts: an event id
// lives in one minute, so event counts stay exact; session counts become
// session-minutes there.

export type EventKind = 'reload' | 'resume' | 'return' | 'error' | 'load'

export interface EventMinutesParams {
  projectId: string
  from: number
  to: number
  kinds: readonly EventKind[]
  stepMinutes?: number
  source?: 'auto' | 'raw'
}

export interface EventMinuteRow {
  minute: number
  kind: EventKind
  version: string
  reason: string
  events: number
  sessions: number
}

interface RawRow {
  bucket: number | string
  kind: EventKind
  version: string
  reason: string
  events_sum: number | string
  sessions_sum: number | string
}

const MINUTE = 60_000

export async function eventMinutes(params: EventMinutesParams): Promise<EventMinuteRow[]> {
  const step = Math.max(1, Math.floor(params.stepMinutes ?? 1))
  const from = Math.floor(params.from / MINUTE) * MINUTE
  const through = params.source === 'raw' ? 0 : await rollupThrough(params.projectId)
  const rolledTo = Math.min(params.to, through)
  const rawFrom = Math.max(from, through)
  const parts: string[] = []
  // FINAL keeps each key's newest row, emptied keys included (0 events): they
  // are dropped after the merge, never by a filter FINAL could apply first.
  if (rolledTo > from) {
    parts.push(`SELECT minute, kind, version, reason, events, sessions
      FROM ${rollupTable('event_minutes_by_kind')} FINAL
      WHERE project_id = {project:String} AND kind IN {kinds:Array(String)}
        AND minute >= fromUnixTimestamp64Milli({rolledFrom:Int64}, 'UTC') AND minute < fromUnixTimestamp64Milli({rolledTo:Int64}, 'UTC')`)
  }
  if (rawFrom < params.to) parts.push(`SELECT * FROM (${eventMinutesSelect()}) WHERE kind IN {kinds:Array(String)}`)
  if (parts.length === 0) return []
  // One round trip: a bucket straddling the rollup's edge sums its two halves here.
  const rows = await runQuery<RawRow>(
    'eventMinutes',
    `SELECT toUnixTimestamp(toStartOfInterval(minute, toIntervalMinute({step:UInt32}))) * 1000 AS bucket, kind, version, reason,
            sum(events) AS events_sum, sum(sessions) AS sessions_sum
     FROM (${parts.join('\nUNION ALL\n')})
     GROUP BY bucket, kind, version, reason
     HAVING events_sum > 0
     ORDER BY bucket, kind, version, reason`,
    { project: params.projectId, kinds: params.kinds, step, rolledFrom: from, rolledTo, from: rawFrom, to: params.to },
  )
  return rows.map((r) => ({ minute: Number(r.bucket), kind: r.kind, version: r.version, reason: r.reason, events: Number(r.events_sum), sessions: Number(r.sessions_sum) }))
}
