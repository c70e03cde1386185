import { ROLLUP_STEPS } from '../figures/registry'
import { readRollupState, writeRollupState } from '../figures/rollup-edge'
import { errorMessage, log } from '../log'
import { loadCatalog } from '../releases/catalog'
import { catalogKey } from '../releases/catalog-key'
import { processSingleton } from '../process-singleton'
import { backgroundQuery } from '../store/background'
import { table } from '../store/tables'

// Moves a project's rollup edge forward: decides which minutes a run
// finalises, cuts them into chunks and runs every figure's rollup step
// (lib/figures/registry.ts) on each, then the steps that store figures for
// the whole edge, then publishes the edge.

const MINUTE = 60_000
/** A minute is finalised this long after it ends: events still in flight (SDK batching, group commit) land first. */
const CLOSE_LAG_MS = 60_000
/** Minutes recomputed on every run, whatever arrived. */
const TRAILING_MS = 5 * MINUTE
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

/** Per project, the catalog the last run in this process stored its edge's figures with (none after a start: the first run does the whole work). */
const lastCatalogKeys = () => processSingleton('rollupCatalogKeys', () => new Map<string, string>())

async function firstEventTime(projectId: string): Promise<number | null> {
  const rows = await backgroundQuery<{ first: number | null }>(
    'rollups.firstEvent',
    `SELECT toUnixTimestamp64Milli(min(event_time)) AS first FROM ${table('events')} WHERE project_id = {project:String} HAVING count() > 0`,
    { project: projectId },
  )
  return rows[0]?.first == null ? null : Number(rows[0].first)
}

/** The earliest event time before `before` among events received since the last run (back to the late horizon before its `through`). */
async function lateFrom(projectId: string, through: number, before: number, receivedSince: number): Promise<number | null> {
  const rows = await backgroundQuery<{ earliest: number }>(
    'rollups.lateEvents',
    `SELECT toUnixTimestamp64Milli(min(event_time)) AS earliest FROM ${table('events')}
     WHERE project_id = {project:String}
       AND event_time > fromUnixTimestamp64Milli({horizon:Int64}, 'UTC')
       AND event_time < fromUnixTimestamp64Milli({before:Int64}, 'UTC')
       AND received_at >= fromUnixTimestamp64Milli({since:Int64}, 'UTC')
     HAVING count() > 0`,
    { project: projectId, horizon: through - LATE_HORIZON_MS, before, since: receivedSince },
  )
  return rows[0] ? Number(rows[0].earliest) : null
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
  // One catalog for the whole run: figures stored for the edge are keyed by it.
  const catalog = await loadCatalog(projectId)
  const catalogAt = catalogKey(catalog)
  const receivedSince = state.runStartedAt - RECEIVE_MARGIN_MS
  let from: number
  if (state.through === 0) {
    const first = await firstEventTime(projectId)
    if (first === null) return null
    from = floorMinute(first)
  } else if (closed <= state.through && lastCatalogKeys().get(projectId) === catalogAt) {
    // No minute closed since the last run, whose figures this process stored
    // with this catalog: only events received late into finalised minutes
    // change anything (the scheduler runs three times a minute; recomputing
    // the trailing minutes each time was most of its work).
    const lates = await Promise.all([
      lateFrom(projectId, state.through, state.through, receivedSince),
      ...ROLLUP_STEPS.map((step) => step.lateBefore?.(projectId, state.through) ?? null),
    ])
    const late = lates.reduce<number | null>((earliest, t) => (t === null ? earliest : Math.min(earliest ?? t, t)), null)
    if (late === null) return null
    from = floorMinute(late)
  } else {
    from = Math.max(0, state.through - TRAILING_MS)
    const late = await lateFrom(projectId, state.through, from, receivedSince)
    if (late !== null) from = Math.min(from, floorMinute(late))
  }
  if (from >= closed) return null
  let chunks = 0
  for (let start = from; start < closed; start += CHUNK_MS) {
    const end = Math.min(closed, start + CHUNK_MS)
    onProgress(`rollup ${projectId}: ${new Date(start).toISOString()} → ${new Date(end).toISOString()}`)
    const chunk = { projectId, windowSeconds, from: start, to: end, fresh: state.through === 0 || start >= state.through, firstEver: state.through === 0 && start === from, catalog }
    for (const step of ROLLUP_STEPS) await step.chunk?.(chunk)
    chunks++
  }
  // Before the edge is published, so readers who see it find its figures.
  // Without them pages compute the same figures the slow way: not a reason to hold the edge back.
  for (const step of ROLLUP_STEPS) {
    await step.atEdge?.({ projectId, windowSeconds, through: closed, catalog }).catch((error: unknown) =>
      log.error(`rollup step ${step.name} failed`, { project: projectId, error: errorMessage(error) }),
    )
  }
  await writeRollupState(projectId, { through: closed, runStartedAt: startedAt })
  lastCatalogKeys().set(projectId, catalogAt)
  return { projectId, from, through: closed, chunks }
}
