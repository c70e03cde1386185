import { kindDetailSql, kindOfEventSql, kindTypesSql, STORED_EVENT_KINDS } from '../../semantics/event-kinds'
import { table } from '../../store/tables'
import { msParamAsTime } from '../raw-params'

// Events per minute from raw events. The rollup inserts this SELECT's output
// for closed minutes; queries run the same text over the minutes after the
// rollup's edge. Takes {project:String} and epoch-ms bounds {from}, {to}.

/**
 * Distinct events per minute bucket [m, m + 1 min) of event time in
 * [{from}, {to}), by kind, version and detail (the reload reason or the
 * load's navigation), for the kinds the rollup keeps (docs/semantics.md,
 * Event kinds; lib/semantics/event-kinds.ts generates the classification).
 */
export function eventMinutesSelect(): string {
  return `SELECT toDateTime(toStartOfMinute(event_time), 'UTC') AS minute, kind, version, detail AS reason,
         toUInt32(uniqExact(event_id)) AS events
  FROM (
    SELECT event_time, event_id, version,
           ${kindOfEventSql(STORED_EVENT_KINDS)} AS kind,
           ${kindDetailSql(STORED_EVENT_KINDS)} AS detail
    FROM ${table('events')}
    WHERE project_id = {project:String}
      AND event_time >= ${msParamAsTime('from')} AND event_time < ${msParamAsTime('to')}
      AND ${kindTypesSql(STORED_EVENT_KINDS)}
  )
  WHERE kind != ''
  GROUP BY minute, kind, version, reason`
}
