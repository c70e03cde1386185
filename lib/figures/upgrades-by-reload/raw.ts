import { kindPredicateSql } from '../../semantics/event-kinds'
import { table } from '../../store/tables'
import { msParamAsTime } from '../raw-params'

// Reloaded loads from raw events, with the reason each got. The rollup
// inserts this SELECT's output for closed minutes; queries run the same text
// over the minutes after the rollup's edge. Takes {project:String} and
// epoch-ms bounds {from}, {to}.

/**
 * Loads with navigation `reload` in [{from}, {to}), each with the reason of
 * the latest reload event its session sent at most 60 s before, or `user`
 * when it sent none (docs/semantics.md, Rollout:
 * upgraded by reload).
 */
export function reloadLoadsSelect(): string {
  // The reload event is matched to the load by the tab's own clock (client_ts):
  // both come from one tab, so their order and gap are exact there, whereas
  // each event time also carries its request's time in transit, and a beacon
  // sent as the page unloads can be slower than the next page's first request.
  // Reload events are read up to a minute past the range for the same reason.
  return `SELECT l.load_version AS version, l.session_id AS session_id, l.load_id AS load_id, l.load_time AS load_time,
         l.load_previous AS previous_version,
         if(r.session_id != '' AND toUnixTimestamp64Milli(l.load_client_ts) - toUnixTimestamp64Milli(r.client_ts) <= 60000, r.reason, 'user') AS reason
  FROM (
    SELECT session_id, load_id, min(event_time) AS load_time, min(client_ts) AS load_client_ts,
           any(version) AS load_version, any(previous_version) AS load_previous
    FROM ${table('events')}
    WHERE project_id = {project:String} AND ${kindPredicateSql('reloaded_load')}
      AND event_time >= ${msParamAsTime('from')} AND event_time < ${msParamAsTime('to')}
    GROUP BY session_id, load_id
  ) AS l
  ASOF LEFT JOIN (
    SELECT session_id, client_ts, reason
    FROM ${table('events')}
    WHERE project_id = {project:String} AND ${kindPredicateSql('reload')}
      AND event_time >= ${msParamAsTime('from')} - toIntervalSecond(60) AND event_time < ${msParamAsTime('to')} + toIntervalSecond(60)
  ) AS r
  ON l.session_id = r.session_id AND l.load_client_ts >= r.client_ts`
}
