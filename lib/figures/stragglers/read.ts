import { liveIndexFor } from '../live-sessions/live-index-feed'
import { liveAtInstantSelect } from '../live-sessions/raw'
import { throughFor } from '../rollup-edge'
import { liveInstantsTable } from './table'
import { qualified } from '../../store/tables'
import { runQuery } from '../../store/run-query'
import { untilNextRollup } from '../shared-reads'

// Live sessions per version at several arbitrary instants (docs/semantics.md,
// Liveness): a session is live at t with an event in (t - W, t], counted
// once under the version of its latest event. Instants the rollup has
// computed (live_instants: each release's releasedAt + grace, once its
// minutes are finalised) are read from there, in their newest computation;
// the rest from raw events through the same SELECT, each instant reading only
// its own window through the primary key, in one round trip, or from the
// live index where it holds the instant's window. source 'raw' skips both.

export interface LiveAtInstantsParams {
  projectId: string
  instants: readonly number[]
  windowSeconds: number
  source?: 'auto' | 'raw'
}

interface Row {
  at: number | string
  version: string
  sessions: number | string
}

export async function liveAtInstants(params: LiveAtInstantsParams): Promise<Map<number, Map<string, number>>> {
  const result = new Map<number, Map<string, number>>(params.instants.map((t) => [t, new Map()]))
  if (params.instants.length === 0) return result
  const add = (rows: Row[]) => {
    for (const r of rows) if (r.version !== '') result.get(Number(r.at))?.set(r.version, Number(r.sessions))
  }
  const through = await throughFor(params.projectId, params.source)
  const rolled = params.instants.filter((t) => t < through)
  const values = { project: params.projectId, windowMs: params.windowSeconds * 1000 }
  // Instants after the edge are read from raw events while the rollup is asked for the others.
  const [computed] = await Promise.all([
    // Computed by a run: they change only when a run publishes.
    untilNextRollup(params.projectId, 'liveAtInstants', { windowSeconds: params.windowSeconds, rolled }, () => readComputed(params, rolled)).then((rows) => {
      add(rows)
      return new Set(rows.map((r) => Number(r.at)))
    }),
    readLive(params, values, params.instants.filter((t) => t >= through)).then(add),
  ])
  // An instant the rollup has not computed (yet): from raw events too.
  add(await readLive(params, values, rolled.filter((t) => !computed.has(t))))
  return result
}

/**
 * Instants read from the events: those whose window the live index holds
 * (the embedded engine, recent instants: ../live-sessions/live-index-feed.ts)
 * from memory by the same definition, the others through the SELECT.
 */
async function readLive(params: LiveAtInstantsParams, base: Record<string, unknown>, instants: number[]): Promise<Row[]> {
  if (instants.length === 0) return []
  const windowMs = params.windowSeconds * 1000
  const index = params.source === 'raw' ? null : liveIndexFor(params.projectId, Math.max(...instants), windowMs)
  const covered = index ? instants.filter((t) => index.covers(t, windowMs)) : []
  const fromIndex = index ? index.liveMinutes(covered, windowMs, false).map((r): Row => ({ at: r.minute, version: r.version, sessions: r.sessions })) : []
  return [...fromIndex, ...(await readRaw(base, instants.filter((t) => !covered.includes(t))))]
}

async function readComputed(params: LiveAtInstantsParams, instants: number[]): Promise<Row[]> {
  if (instants.length === 0) return []
  const rows = await runQuery<Row & { at_ms: number | string }>(
    'liveAtInstants.rollup',
    `SELECT toUnixTimestamp64Milli(at) AS at_ms, version, sessions
     FROM ${qualified(liveInstantsTable)}
     WHERE project_id = {project:String} AND window_seconds = {windowSeconds:UInt32}
       AND at IN (SELECT fromUnixTimestamp64Milli(arrayJoin({instants:Array(Int64)}), 'UTC'))
       AND (at, computed_at) IN (
         SELECT at, max(computed_at) FROM ${qualified(liveInstantsTable)}
         WHERE project_id = {project:String} AND window_seconds = {windowSeconds:UInt32}
           AND at IN (SELECT fromUnixTimestamp64Milli(arrayJoin({instants:Array(Int64)}), 'UTC'))
         GROUP BY at)`,
    { project: params.projectId, windowSeconds: params.windowSeconds, instants },
  )
  return rows.map((r) => ({ ...r, at: r.at_ms }))
}

async function readRaw(base: Record<string, unknown>, instants: number[]): Promise<Row[]> {
  if (instants.length === 0) return []
  const values: Record<string, unknown> = { ...base }
  const parts = instants.map((t, i) => {
    values[`at${i}`] = t
    return liveAtInstantSelect(`at${i}`)
  })
  return runQuery<Row>('liveAtInstants', parts.join('\nUNION ALL\n'), values)
}
