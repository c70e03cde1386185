import type { LoadKind } from '../../../sdk/src/server/wire'
import { runQuery } from '../../store/run-query'
import { qualified } from '../../store/tables'
import { minutesAtEdge } from '../rollup-edge'
import { backendLoadSelect } from './raw'
import { BACKEND_LOAD_MINUTES } from './table'

// Requests to the app's own servers per time bucket by kind and client
// version, with the 5xx answers among them (docs/semantics.md, Backend load
// by client version). Finalised minutes come from the rollup
// (backend_load_minutes), the ones after its edge from the raw counts through
// the rollup's own SELECT, in one round trip: a bucket straddling the edge
// sums its two halves. source 'raw' skips the rollup (the tests' cross-check).

export interface BackendLoadMinutesParams {
  projectId: string
  /** Epoch ms; the window is the minutes [from, to), from rounded down to its minute. */
  from: number
  to: number
  /** Default: every kind. */
  kinds?: readonly LoadKind[]
  /** Minutes per bucket (long windows); buckets start on multiples of it. Default 1. */
  stepMinutes?: number
  source?: 'auto' | 'raw'
}

export interface BackendLoadMinuteRow {
  /** Epoch ms of the bucket's start. */
  minute: number
  kind: LoadKind
  /** A version, or `unknown` / `other` (docs/backend-load.md). */
  version: string
  requests: number
  /** Of which answered 5xx. */
  serverErrors: number
}

interface SeriesRow {
  kind: LoadKind
  version: string
  buckets: (number | string)[]
  requests: (number | string)[]
  errors: (number | string)[]
}

export const ALL_KINDS: readonly LoadKind[] = ['http', 'ws_upgrade', 'ws_reconnect']

export async function backendLoadMinutes(params: BackendLoadMinutesParams): Promise<BackendLoadMinuteRow[]> {
  const step = Math.max(1, Math.floor(params.stepMinutes ?? 1))
  const { from, rolledTo, rawFrom } = await minutesAtEdge(params.projectId, params.from, params.to, params.source)
  const parts: string[] = []
  if (rolledTo > from) {
    parts.push(`SELECT minute, kind, version, route_group, status_class, requests
      FROM ${qualified(BACKEND_LOAD_MINUTES)} FINAL
      WHERE project_id = {project:String}
        AND minute >= fromUnixTimestamp64Milli({rolledFrom:Int64}, 'UTC') AND minute < fromUnixTimestamp64Milli({rolledTo:Int64}, 'UTC')`)
  }
  if (rawFrom < params.to) parts.push(backendLoadSelect('range'))
  if (parts.length === 0) return []
  // One row per (kind, version) with the buckets as arrays: a week of minutes is thousands of points.
  const rows = await runQuery<SeriesRow>(
    'backendLoadMinutes',
    `SELECT kind, version, groupArray(bucket) AS buckets, groupArray(total) AS requests, groupArray(server_errors) AS errors
     FROM (
       SELECT toUnixTimestamp(toStartOfInterval(minute, toIntervalMinute({step:UInt32}))) * 1000 AS bucket, kind, version,
              sum(requests) AS total, sumIf(requests, status_class = '5xx') AS server_errors
       FROM (${parts.join('\nUNION ALL\n')})
       WHERE kind IN {kinds:Array(String)}
       GROUP BY bucket, kind, version
       ORDER BY bucket
     )
     GROUP BY kind, version
     ORDER BY kind, version`,
    { project: params.projectId, kinds: params.kinds ?? ALL_KINDS, step, rolledFrom: from, rolledTo, from: rawFrom, to: params.to },
  )
  return rows
    .flatMap((r) => r.buckets.map((bucket, i) => ({ minute: Number(bucket), kind: r.kind, version: r.version, requests: Number(r.requests[i]), serverErrors: Number(r.errors[i]) })))
    .sort((a, b) => a.minute - b.minute || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0) || (a.version < b.version ? -1 : a.version > b.version ? 1 : 0))
}
