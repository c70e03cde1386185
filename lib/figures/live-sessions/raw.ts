import { table } from '../../store/tables'

// The SELECTs that compute dashboard figures from raw events. The rollup
// inserts their output for closed minutes; queries run the very same text
// over the minutes the rollup has not finalised yet, so both paths agree by
// construction. All take {project:String} and epoch-ms bounds.

const ms = (name: string) => `fromUnixTimestamp64Milli({${name}:Int64}, 'UTC')`

/**
 * Live sessions at each minute boundary m in [{from}, {to}] by version and
 * visibility (SEMANTICS, Liveness). An event at e keeps its session live at
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
      AND event_time > ${ms('from')} - toIntervalMillisecond({windowMs:UInt32})
      AND event_time <= ${ms('to')}
      AND minute < event_time + toIntervalMillisecond({windowMs:UInt32})
      AND minute >= ${ms('from')}
      AND minute <= ${ms('to')}
    GROUP BY minute, session_id
  )
  GROUP BY minute, version, visibility`
}

/**
 * Distinct events per minute bucket [m, m + 1 min) of event time in
 * [{from}, {to}), by kind, version and detail (the reload reason or the
 * load's navigation). `return` is a visibility change to visible.
 */
export function eventMinutesSelect(): string {
  return `SELECT toDateTime(toStartOfMinute(event_time), 'UTC') AS minute, kind, version, detail AS reason,
         toUInt32(uniqExact(event_id)) AS events
  FROM (
    SELECT event_time, event_id, version,
           multiIf(type = 'reload', 'reload', type = 'resume', 'resume', type = 'visibility' AND visibility = 'visible', 'return',
                   type = 'error', 'error', type = 'load', 'load', '') AS kind,
           multiIf(type = 'reload', reason, type = 'load', navigation, '') AS detail
    FROM ${table('events')}
    WHERE project_id = {project:String}
      AND event_time >= ${ms('from')} AND event_time < ${ms('to')}
      AND type IN ('reload', 'resume', 'visibility', 'error', 'load')
  )
  WHERE kind != ''
  GROUP BY minute, kind, version, reason`
}

/**
 * Loads with navigation `reload` in [{from}, {to}), each with the reason of
 * the latest reload event its session sent at most 60 s before, or `user`
 * when it sent none (SEMANTICS, Upgraded by reload).
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
    WHERE project_id = {project:String} AND type = 'load' AND navigation = 'reload'
      AND event_time >= ${ms('from')} AND event_time < ${ms('to')}
    GROUP BY session_id, load_id
  ) AS l
  ASOF LEFT JOIN (
    SELECT session_id, client_ts, reason
    FROM ${table('events')}
    WHERE project_id = {project:String} AND type = 'reload'
      AND event_time >= ${ms('from')} - toIntervalSecond(60) AND event_time < ${ms('to')} + toIntervalSecond(60)
  ) AS r
  ON l.session_id = r.session_id AND l.load_client_ts >= r.client_ts`
}

/**
 * Live sessions per version at the instant {<param>:Int64} (epoch ms), as
 * SEMANTICS Liveness defines them: sessions with an event in (t - W, t], each
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

export function liveMinutesParams(projectId: string, from: number, to: number, windowSeconds: number): Record<string, unknown> {
  return { project: projectId, from, to, windowMs: windowSeconds * 1000, steps: Math.ceil(windowSeconds / 60) + 1 }
}
