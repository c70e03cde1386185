import { table } from '../../store/tables'
import { msParamAsTime } from '../raw-params'

// Backend load from the raw aggregates (backend_load_raw). The rollup
// inserts this SELECT's output for closed minutes; reads run the very same
// text over the minutes after the rollup's edge, so both paths agree by
// construction. Rows of one label set are summed here: the table sums them
// on merge, but merges are eventual, so no read relies on them.

/** Which minutes a SELECT covers: a range [{from}, {to}) in epoch ms, or a list {minutes:Array(Int64)} of epoch-ms minute boundaries. Fixed SQL per choice. */
export type MinuteFilter = 'range' | 'list'

const MINUTE_FILTER: Record<MinuteFilter, string> = {
  range: `minute >= ${msParamAsTime('from')} AND minute < ${msParamAsTime('to')}`,
  list: `toUnixTimestamp(minute) * 1000 IN {minutes:Array(Int64)}`,
}

/**
 * Requests per minute by kind, version, route group and status class (docs/semantics.md,
 * Backend load by client version: counted at the app server's receive
 * time). Takes {project:String} and the minute filter's parameters.
 */
export function backendLoadSelect(filter: MinuteFilter = 'range'): string {
  return `SELECT minute, kind, version, route_group, status_class, sum(requests) AS requests
  FROM ${table('backend_load_raw')}
  WHERE project_id = {project:String} AND ${MINUTE_FILTER[filter]}
  GROUP BY minute, kind, version, route_group, status_class`
}
