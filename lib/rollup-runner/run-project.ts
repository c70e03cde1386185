import { backgroundCommand, backgroundQuery } from '../store/background'
import { table } from '../store/tables'
import { errorMessage, log } from '../log'
import { loadCatalog } from '../releases/catalog'
import { rollupLiveInstants, stragglerInstants } from '../figures/stragglers/rollup'
import { rollupReleaseFigures } from '../figures/release-summaries/rollup'
import { eventMinutesSelect, liveMinutesParams, liveMinutesSelect, reloadLoadsSelect } from '../figures/live-sessions/raw'
import { readRollupState, writeRollupState } from '../figures/rollup-edge'
import { rollupTable } from '../figures/rollup-tables'

const MINUTE = 60_000
/** A minute is finalised this long after it ends: events still in flight (SDK batching, group commit) land first. */
export const CLOSE_LAG_MS = 60_000
/** Minutes recomputed on every run, whatever arrived. */
export const TRAILING_MS = 5 * MINUTE
/** Events received up to this long before a run started may have been written after it read. */
const RECEIVE_MARGIN_MS = 30_000
/** How far back a late event can still reopen a minute. Older ones are left out of the rollup (docs/dashboard.md). */
const LATE_HORIZON_MS = 2 * 24 * 3600_000
/** One INSERT covers at most this much time, so a first backfill proceeds in steps. */
const CHUNK_MS = 6 * 3600_000

export interface RollupResult {
  projectId: string
  from: number
  through: number
  chunks: number
}

const floorMinute = (t: number) => Math.floor(t / MINUTE) * MINUTE

async function firstEventTime(projectId: string): Promise<number | null> {
  const rows = await backgroundQuery<{ first: number | null }>(
    'rollups.firstEvent',
    `SELECT toUnixTimestamp64Milli(min(event_time)) AS first FROM ${table('events')} WHERE project_id = {project:String} HAVING count() > 0`,
    { project: projectId },
  )
  return rows[0]?.first == null ? null : Number(rows[0].first)
}

/** The earliest event time among events received since the last run that fall before its `through`. */
async function lateFrom(projectId: string, through: number, receivedSince: number): Promise<number | null> {
  const rows = await backgroundQuery<{ earliest: number }>(
    'rollups.lateEvents',
    `SELECT toUnixTimestamp64Milli(min(event_time)) AS earliest FROM ${table('events')}
     WHERE project_id = {project:String}
       AND event_time > fromUnixTimestamp64Milli({horizon:Int64}, 'UTC')
       AND event_time < fromUnixTimestamp64Milli({before:Int64}, 'UTC')
       AND received_at >= fromUnixTimestamp64Milli({since:Int64}, 'UTC')
     HAVING count() > 0`,
    { project: projectId, horizon: through - LATE_HORIZON_MS, before: through - TRAILING_MS, since: receivedSince },
  )
  return rows[0] ? Number(rows[0].earliest) : null
}

async function rollupChunk(projectId: string, windowSeconds: number, from: number, to: number, fresh: boolean): Promise<void> {
  const params = liveMinutesParams(projectId, from, to, windowSeconds)
  // Keys already stored for these minutes get a 0 unless recomputed, so a
  // (version, visibility) that a late event moved away from does not linger.
  const stale = (name: string, keys: string, bound: string) =>
    fresh ? '' : `UNION ALL SELECT ${keys}, toUInt32(0) FROM ${rollupTable(name as 'live_minutes')}
       WHERE project_id = {project:String} AND minute >= fromUnixTimestamp64Milli({from:Int64}, 'UTC') AND minute ${bound} fromUnixTimestamp64Milli({to:Int64}, 'UTC')`
  await backgroundCommand(
    'rollups.liveMinutes',
    `INSERT INTO ${rollupTable('live_minutes')} (project_id, minute, version, visibility, sessions, computed_at)
     SELECT {project:String}, minute, version, visibility, toUInt32(sum(sessions)), now64(3)
     FROM (${liveMinutesSelect()} ${stale('live_minutes', 'minute, version, visibility', '<=')})
     GROUP BY minute, version, visibility`,
    params,
  )
  const staleEvents = fresh
    ? ''
    : `UNION ALL SELECT minute, kind, version, reason, toUInt32(0) FROM ${rollupTable('event_minutes_by_kind')}
       WHERE project_id = {project:String} AND minute >= fromUnixTimestamp64Milli({from:Int64}, 'UTC') AND minute < fromUnixTimestamp64Milli({to:Int64}, 'UTC')`
  await backgroundCommand(
    'rollups.eventMinutes',
    // The table's `sessions` column is left at its default: no chart reads
    // per-minute session counts, and they cost a second distinct count.
    `INSERT INTO ${rollupTable('event_minutes_by_kind')} (project_id, minute, kind, version, reason, events, computed_at)
     SELECT {project:String}, minute, kind, version, reason, toUInt32(sum(events)), now64(3)
     FROM (${eventMinutesSelect()} ${staleEvents})
     GROUP BY minute, kind, version, reason`,
    params,
  )
  await backgroundCommand(
    'rollups.reloadLoads',
    `INSERT INTO ${rollupTable('reload_loads')} (project_id, version, session_id, load_id, load_time, previous_version, reason, computed_at)
     SELECT {project:String}, version, session_id, load_id, load_time, previous_version, reason, now64(3)
     FROM (${reloadLoadsSelect()})`,
    params,
  )
  // Keys already stored for these minutes get an empty set unless recomputed (a late reload event can change a load's reason).
  const staleUpgrades = fresh
    ? ''
    : `UNION ALL SELECT version, minute, previous_version, reason, '' FROM ${rollupTable('reload_upgrade_minutes')}
       WHERE project_id = {project:String} AND minute >= fromUnixTimestamp64Milli({from:Int64}, 'UTC') AND minute < fromUnixTimestamp64Milli({to:Int64}, 'UTC')`
  await backgroundCommand(
    'rollups.reloadUpgradeMinutes',
    `INSERT INTO ${rollupTable('reload_upgrade_minutes')} (project_id, version, minute, previous_version, reason, sessions, computed_at)
     SELECT {project:String}, version, minute, previous_version, reason, uniqExactStateIf(session_id, session_id != ''), now64(3)
     FROM (
       SELECT version, toDateTime(toStartOfMinute(load_time), 'UTC') AS minute, previous_version, reason, session_id FROM (${reloadLoadsSelect()})
       ${staleUpgrades}
     )
     GROUP BY version, minute, previous_version, reason`,
    params,
  )
}

/**
 * Finalises the project's closed minutes: from where the last run stopped
 * (less a few trailing minutes, and back to the earliest late event received
 * since), up to the last minute that closed CLOSE_LAG_MS ago.
 */
export async function rollupProject(
  projectId: string,
  windowSeconds: number,
  now: number = Date.now(),
  onProgress: (message: string) => void = () => undefined,
): Promise<RollupResult | null> {
  const startedAt = Date.now()
  const state = await readRollupState(projectId)
  const closed = floorMinute(now - CLOSE_LAG_MS)
  let from: number
  if (state.through === 0) {
    const first = await firstEventTime(projectId)
    if (first === null) return null
    from = floorMinute(first)
  } else {
    from = Math.max(0, state.through - TRAILING_MS)
    const late = await lateFrom(projectId, state.through, state.runStartedAt - RECEIVE_MARGIN_MS)
    if (late !== null) from = Math.min(from, floorMinute(late))
  }
  if (from >= closed) return null
  // One catalog for the whole run: the straggler instants and the release figures (keyed by it).
  const catalog = await loadCatalog(projectId)
  const instants = stragglerInstants(catalog)
  let chunks = 0
  for (let start = from; start < closed; start += CHUNK_MS) {
    const end = Math.min(closed, start + CHUNK_MS)
    onProgress(`rollup ${projectId}: ${new Date(start).toISOString()} → ${new Date(end).toISOString()}`)
    await rollupChunk(projectId, windowSeconds, start, end, state.through === 0 || start >= state.through)
    // A first run also settles instants before the first event (nothing was live), so pages never read raw events for them.
    await rollupLiveInstants(projectId, windowSeconds, instants, state.through === 0 && start === from ? 0 : start, end)
    chunks++
  }
  // Before the edge is published, so readers who see it find its figures.
  // Without them pages compute the same figures the slow way: not a reason to hold the edge back.
  await rollupReleaseFigures(projectId, windowSeconds, closed, catalog).catch((error: unknown) =>
    log.error('release figures failed', { project: projectId, error: errorMessage(error) }),
  )
  await writeRollupState(projectId, { through: closed, runStartedAt: startedAt })
  return { projectId, from, through: closed, chunks }
}
