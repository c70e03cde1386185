import { table } from '../../store/tables'
import { msParamAsTime } from '../raw-params'

// Live sessions from raw events (docs/semantics.md, Liveness). The rollup
// inserts this SELECT's output for closed minutes; queries run the very same
// text over the minutes the rollup has not finalised yet, so both paths agree
// by construction. All take {project:String} and epoch-ms bounds.

/**
 * Live sessions at each minute boundary m in [{from}, {to}] by version and
 * visibility (docs/semantics.md, Liveness). An event at e keeps its session live at
 * the boundaries m with e <= m < e + W; the session counts once per m, under
 * the version of its latest event at or before m. Needs {steps:UInt8} and
 * {windowMs:UInt32}; scans events in (from - W, to].
 */
export function liveMinutesSelect(): string {
  return `SELECT minute, last_version AS version, last_visibility AS visibility, toUInt32(count()) AS sessions
  FROM (
    SELECT toDateTime(minute, 'UTC') AS minute, session_id,
           argMax(version, event_time) AS last_version,
           argMaxIf(visibility, event_time, visibility != '') AS last_visibility
    FROM ${table('events')}
    ARRAY JOIN arrayMap(i -> toStartOfMinute(event_time - toIntervalMillisecond(1)) + toIntervalMinute(i + 1), range({steps:UInt8})) AS minute
    WHERE project_id = {project:String}
      AND event_time > ${msParamAsTime('from')} - toIntervalMillisecond({windowMs:UInt32})
      AND event_time <= ${msParamAsTime('to')}
      AND minute < event_time + toIntervalMillisecond({windowMs:UInt32})
      AND minute >= ${msParamAsTime('from')}
      AND minute <= ${msParamAsTime('to')}
    GROUP BY minute, session_id
  )
  GROUP BY minute, version, visibility`
}

/**
 * Live sessions per version at the instant {<param>:Int64} (epoch ms), as
 * docs/semantics.md, Liveness, defines them: sessions with an event in (t - W, t], each
 * under the version of its latest event. Needs {project:String} and
 * {windowMs:UInt32}; reads only that window through the primary key.
 */
export function liveAtInstantSelect(param: string): string {
  return `SELECT {${param}:Int64} AS at, last_version AS version, toUInt32(count()) AS sessions FROM (
    SELECT session_id, argMax(version, event_time) AS last_version FROM ${table('events')}
    WHERE project_id = {project:String}
      AND event_time > fromUnixTimestamp64Milli({${param}:Int64} - {windowMs:UInt32}, 'UTC')
      AND event_time <= fromUnixTimestamp64Milli({${param}:Int64}, 'UTC')
    GROUP BY session_id)
  GROUP BY last_version`
}
