import { eventMinutesSelect } from '../rollups/select-sql'
import { rollupThrough } from '../rollups/state'
import { rollupTable } from '../rollups/tables'
import { runQuery } from '../store/run-query'

// Distinct events and sessions per time bucket by kind, version and reason
// (reload reason, or the load's navigation). Duplicate-insensitive: counts
// are uniqExact(event_id) / uniqExact(session_id) per minute. Finalised
// minutes from the rollup (event_minutes), the rest from raw events.
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
  minute: number
  kind: EventKind
  version: string
  reason: string
  events: number | string
  sessions: number | string
}

const MINUTE = 60_000

export async function eventMinutes(params: EventMinutesParams): Promise<EventMinuteRow[]> {
  const step = Math.max(1, Math.floor(params.stepMinutes ?? 1))
  const from = Math.floor(params.from / MINUTE) * MINUTE
  const through = params.source === 'raw' ? 0 : await rollupThrough(params.projectId)
  const bucket = `toUnixTimestamp(toStartOfInterval(minute, toIntervalMinute({step:UInt32}))) * 1000`
  const common = { project: params.projectId, kinds: params.kinds, step }
  const parts: Promise<RawRow[]>[] = []
  const rolledTo = Math.min(params.to, through)
  if (rolledTo > from) {
    parts.push(
      runQuery<RawRow>(
        'eventMinutes.rollup',
        `SELECT ${bucket} AS bucket, kind, version, reason, sum(e) AS events, sum(s) AS sessions
         FROM (
           SELECT minute, kind, version, reason, argMax(events, computed_at) AS e, argMax(sessions, computed_at) AS s
           FROM ${rollupTable('event_minutes')}
           WHERE project_id = {project:String} AND kind IN {kinds:Array(String)}
             AND minute >= fromUnixTimestamp64Milli({from:Int64}, 'UTC') AND minute < fromUnixTimestamp64Milli({to:Int64}, 'UTC')
           GROUP BY minute, kind, version, reason
         )
         WHERE e > 0
         GROUP BY bucket, kind, version, reason`,
        { ...common, from, to: rolledTo },
      ),
    )
  }
  const rawFrom = Math.max(from, through)
  if (rawFrom < params.to) {
    parts.push(
      runQuery<RawRow>(
        'eventMinutes.raw',
        `SELECT ${bucket} AS bucket, kind, version, reason, sum(events) AS events, sum(sessions) AS sessions
         FROM (${eventMinutesSelect()})
         WHERE kind IN {kinds:Array(String)}
         GROUP BY bucket, kind, version, reason`,
        { ...common, from: rawFrom, to: params.to },
      ),
    )
  }
  const rows = (await Promise.all(parts)).flat() as (RawRow & { bucket: number })[]
  // A bucket can straddle the rollup's edge: merge its two halves.
  const merged = new Map<string, EventMinuteRow>()
  for (const r of rows) {
    const key = `${r.bucket}\u0000${r.kind}\u0000${r.version}\u0000${r.reason}`
    const entry = merged.get(key)
    if (entry) {
      entry.events += Number(r.events)
      entry.sessions += Number(r.sessions)
    } else {
      merged.set(key, { minute: Number(r.bucket), kind: r.kind, version: r.version, reason: r.reason, events: Number(r.events), sessions: Number(r.sessions) })
    }
  }
  return [...merged.values()].sort((a, b) => a.minute - b.minute || a.kind.localeCompare(b.kind) || a.version.localeCompare(b.version) || a.reason.localeCompare(b.reason))
}
