import { kindPredicateSql } from '../../semantics/event-kinds'
import { table } from '../../store/tables'
import { msParamAsTime } from '../raw-params'

// Skew errors (docs/skew-errors.md) from raw events: distinct skew_error
// events in [{from}, {to}) of event time by version and cause, for one
// project ({project:String}). The charts read the per-minute counts the
// event-rates rollup keeps for the skew_error kind (lib/semantics/event-kinds.ts);
// this SELECT serves the alert and the metrics, which look at a few minutes now.

export function skewErrorsSelect(): string {
  return `SELECT version, reason AS cause, toUInt32(uniqExact(event_id)) AS events
  FROM ${table('events')}
  WHERE project_id = {project:String}
    AND event_time >= ${msParamAsTime('from')} AND event_time < ${msParamAsTime('to')}
    AND ${kindPredicateSql('skew_error')}
  GROUP BY version, cause`
}
