import { runQuery } from '../../store/run-query'
import { eventMinutes, type EventSeries } from '../event-rates/read-minutes'
import { skewErrorsSelect } from './raw'

// The reads of the skew-error figure: per time bucket by cause or by version
// (the event-rates rollup's skew_error kind, finalised minutes and raw after
// the edge), and totals by version and cause over a short window (raw).

export interface SkewErrorBucket {
  minute: number
  /** The cause (reason column) or the version, as asked. */
  series: string
  events: number
}

export async function skewErrorMinutes(params: {
  projectId: string
  from: number
  to: number
  by: EventSeries
  stepMinutes?: number
  source?: 'auto' | 'raw'
}): Promise<SkewErrorBucket[]> {
  const rows = await eventMinutes({ ...params, kinds: ['skew_error'], seriesBy: params.by })
  return rows.map((r) => ({ minute: r.minute, series: r.series, events: r.events }))
}

export interface SkewErrorCount {
  version: string
  cause: string
  events: number
}

/** Skew errors in [from, to) by version and cause. */
export async function skewErrorCounts(params: { projectId: string; from: number; to: number }): Promise<SkewErrorCount[]> {
  const rows = await runQuery<{ version: string; cause: string; events: number | string }>('skewErrorCounts', skewErrorsSelect(), {
    project: params.projectId,
    from: params.from,
    to: params.to,
  })
  return rows.map((r) => ({ version: r.version, cause: r.cause, events: Number(r.events) }))
}
