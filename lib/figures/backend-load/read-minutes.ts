import type { LoadKind } from '../../backend-load-wire'
import { runQuery } from '../../store/run-query'
import { table } from '../../store/tables'

// Requests to the app's own servers per minute by client version, from the
// raw aggregates the server middleware sends (backend_load_raw, migration
// 0110). The one raw read of backend load: the figure's rollup and its
// charts (phase B, lib/figures/backend-load/) start from this SELECT.
// Rows of one label set are summed here: the table sums them on merge, but
// merges are eventual, so a read never relies on them.

export interface BackendLoadMinutesParams {
  projectId: string
  /** Epoch ms; the window is the minutes [from, to), from rounded down to its minute. */
  from: number
  to: number
  /** Default: every kind. */
  kinds?: readonly LoadKind[]
}

export interface BackendLoadMinuteRow {
  /** Epoch ms of the minute boundary. */
  minute: number
  kind: LoadKind
  /** A version, or `unknown` / `other` (docs/backend-load.md). */
  version: string
  requests: number
  /** Of which answered 5xx. */
  serverErrors: number
}

const MINUTE = 60_000
const ALL_KINDS: readonly LoadKind[] = ['http', 'ws_upgrade', 'ws_reconnect']

export function backendLoadMinutesSql(): string {
  return `SELECT toUnixTimestamp(minute) * 1000 AS minute_ms, kind, version,
          sum(requests) AS total, sumIf(requests, status_class = '5xx') AS server_errors
   FROM ${table('backend_load_raw')}
   WHERE project_id = {project:String} AND kind IN {kinds:Array(String)}
     AND minute >= fromUnixTimestamp64Milli({from:Int64}, 'UTC') AND minute < fromUnixTimestamp64Milli({to:Int64}, 'UTC')
   GROUP BY minute_ms, kind, version
   ORDER BY minute_ms, kind, version`
}

export async function backendLoadMinutes(params: BackendLoadMinutesParams): Promise<BackendLoadMinuteRow[]> {
  const from = Math.floor(params.from / MINUTE) * MINUTE
  const rows = await runQuery<{ minute_ms: number | string; kind: LoadKind; version: string; total: number | string; server_errors: number | string }>(
    'backendLoadMinutes',
    backendLoadMinutesSql(),
    { project: params.projectId, kinds: params.kinds ?? ALL_KINDS, from, to: params.to },
  )
  return rows.map((r) => ({ minute: Number(r.minute_ms), kind: r.kind, version: r.version, requests: Number(r.total), serverErrors: Number(r.server_errors) }))
}
