import { AGGREGATE_LIMITS } from '../../../sdk/src/server/wire'
import { backgroundCommand, backgroundQuery } from '../../store/background'
import { qualified, table } from '../../store/tables'
import type { RollupChunk, RollupStep } from '../rollup-step'
import { backendLoadSelect, type MinuteFilter } from './raw'
import { BACKEND_LOAD_MINUTES } from './table'

// Finalises backend load per minute into backend_load_minutes. The runner
// decides the chunk from the tab events (late events reopen minutes by their
// receive time); counts have their own way of arriving late: ingest accepts
// a minute up to AGGREGATE_LIMITS.maxAgeMs after it (a server whose clock is
// behind, say). So each chunk also looks at the finalised minutes in that
// span before it, and recomputes those whose raw total grew past the
// rollup's: counts only ever add up, so a larger raw total is the one sign of
// a late count, and an equal one means nothing arrived.

async function insertMinutes(c: RollupChunk, filter: MinuteFilter, params: Record<string, unknown>): Promise<void> {
  await backgroundCommand(
    'rollups.backendLoad',
    `INSERT INTO ${qualified(BACKEND_LOAD_MINUTES)} (project_id, kind, minute, version, route_group, status_class, requests, computed_at)
     SELECT {project:String}, kind, minute, version, route_group, status_class, requests, now64(3)
     FROM (${backendLoadSelect(filter)})`,
    { project: c.projectId, ...params },
  )
}

/** Finalised minutes in [from, to) whose raw total no longer equals the rollup's. */
async function lateMinutes(projectId: string, from: number, to: number): Promise<number[]> {
  const rows = await backgroundQuery<{ minute_ms: number | string }>(
    'rollups.backendLoadLate',
    `SELECT raw.minute_ms AS minute_ms
     FROM (
       SELECT toUnixTimestamp(minute) * 1000 AS minute_ms, sum(requests) AS total FROM ${table('backend_load_raw')}
       WHERE project_id = {project:String} AND minute >= fromUnixTimestamp64Milli({from:Int64}, 'UTC') AND minute < fromUnixTimestamp64Milli({to:Int64}, 'UTC')
       GROUP BY minute_ms
     ) AS raw
     LEFT JOIN (
       SELECT toUnixTimestamp(minute) * 1000 AS minute_ms, sum(requests) AS total FROM ${qualified(BACKEND_LOAD_MINUTES)} FINAL
       WHERE project_id = {project:String} AND minute >= fromUnixTimestamp64Milli({from:Int64}, 'UTC') AND minute < fromUnixTimestamp64Milli({to:Int64}, 'UTC')
       GROUP BY minute_ms
     ) AS rolled ON rolled.minute_ms = raw.minute_ms
     WHERE raw.total != rolled.total
     ORDER BY minute_ms`,
    { project: projectId, from, to },
  )
  return rows.map((r) => Number(r.minute_ms))
}

async function rollupBackendLoad(c: RollupChunk): Promise<void> {
  // A first run also takes what lies before the project's first tab event
  // (counts from servers deployed before any tab reported).
  await insertMinutes(c, 'range', { from: c.firstEver ? 0 : c.from, to: c.to })
  if (c.firstEver) return
  const late = await lateMinutes(c.projectId, c.from - AGGREGATE_LIMITS.maxAgeMs, c.from)
  if (late.length > 0) await insertMinutes(c, 'list', { minutes: late })
}

export const backendLoadRollup: RollupStep = {
  name: 'backendLoad',
  chunk: rollupBackendLoad,
  lateBefore: async (projectId, through) => (await lateMinutes(projectId, through - AGGREGATE_LIMITS.maxAgeMs, through))[0] ?? null,
}
