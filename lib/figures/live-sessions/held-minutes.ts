import { config } from '../../config'
import { processSingleton } from '../../process-singleton'
import { qualified } from '../../store/tables'
import { runQuery } from '../../store/run-query'
import { rollupGeneration } from '../shared-reads'
import { liveMinutesTable } from './table'

// The finalised live minutes of the last day, held in memory per project on
// the embedded engine, so a chart's stored part is not a read of
// live_minutes on every render (docs/scaling.md, Finalised minutes held in
// memory). The rows are the table's own: each (minute, version, visibility)
// keeps the row with the newest computed_at, as the readers' argMax does,
// and zeros are kept so a recomputed key that fell to 0 hides the old count.
//
// Kept up to date by the rollup run: when it publishes its edge (the
// project's rollup generation), the next read takes the rows computed since
// the newest one held, a few minutes of margin included (an insert that
// began earlier may have become visible later). That covers late events too:
// the run that takes them rewrites their minutes with a newer computed_at.
// Nothing else writes live_minutes. Minutes older than the day held, or a
// ClickHouse server (whose rollup may run on another node), read the table.

const HELD_MS = 25 * 3600_000
const MARGIN_MS = 5 * 60_000
const DROP_UNREAD_MS = 10 * 60_000
const MINUTE = 60_000

interface HeldCount {
  sessions: number
  computedAt: number
}

interface ProjectMinutes {
  /** Earliest minute held. */
  from: number
  /** minute → "version\0visibility" → its newest row. */
  minutes: Map<number, Map<string, HeldCount>>
  newestComputedAt: number
  /** The rollup generation and edge the rows were last brought up to. */
  generation: number
  edge: number
  refreshing: Promise<void> | null
  lastReadAt: number
}

export interface HeldMinuteRow {
  t: number
  version: string
  visibility: string
  sessions: number
}

interface Row {
  t: number | string
  version: string
  visibility: string
  s: number | string
  c: number | string
}

const held = () => processSingleton('heldLiveMinutes', () => new Map<string, ProjectMinutes>())

/** Whether this process holds finalised minutes in memory: the embedded engine only. */
const holding = () => !config().clickhouseUrl

/**
 * Live sessions at the finalised boundaries in [from, to] (to at most the
 * rollup's edge `through`) on multiples of `stepMinutes`, by version and
 * visibility (or version alone), from memory; null when they are not held
 * (the caller reads live_minutes).
 */
export async function heldLiveMinutes(projectId: string, through: number, from: number, to: number, stepMinutes: number, byVisibility: boolean): Promise<HeldMinuteRow[] | null> {
  if (!holding()) return null
  const now = Date.now()
  dropUnread(now)
  const projects = held()
  let project = projects.get(projectId)
  if (project && project.from > from) return null
  if (!project) {
    const start = Math.ceil((now - HELD_MS) / MINUTE) * MINUTE
    if (start > from) return null
    project = { from: start, minutes: new Map(), newestComputedAt: 0, generation: -1, edge: 0, refreshing: null, lastReadAt: now }
    projects.set(projectId, project)
  }
  project.lastReadAt = now
  await upToDate(projectId, project, through)
  return rowsOf(project, from, to, stepMinutes, byVisibility)
}

/** Brings the held rows up to the project's latest published edge: one read in flight at a time, shared. */
async function upToDate(projectId: string, project: ProjectMinutes, through: number): Promise<void> {
  while (project.generation !== rollupGeneration(projectId) || project.edge < through) {
    if (!project.refreshing) {
      const generation = rollupGeneration(projectId)
      project.refreshing = readSince(projectId, project)
        .then(() => {
          project.generation = generation
          project.edge = Math.max(project.edge, through)
        })
        .finally(() => {
          project.refreshing = null
        })
    }
    try {
      await project.refreshing
    } catch (error) {
      // A failed read leaves the rows as they were; the next read tries again.
      held().delete(projectId)
      throw error
    }
  }
}

async function readSince(projectId: string, project: ProjectMinutes): Promise<void> {
  const since = project.newestComputedAt === 0 ? 0 : project.newestComputedAt - MARGIN_MS
  const rows = await runQuery<Row>(
    project.newestComputedAt === 0 ? 'liveMinutes.hold' : 'liveMinutes.holdSince',
    `SELECT toUnixTimestamp(minute) * 1000 AS t, version, visibility, argMax(sessions, computed_at) AS s, toUnixTimestamp64Milli(max(computed_at)) AS c
     FROM ${qualified(liveMinutesTable)}
     WHERE project_id = {project:String} AND minute >= fromUnixTimestamp64Milli({from:Int64}, 'UTC')
       AND computed_at >= fromUnixTimestamp64Milli({since:Int64}, 'UTC')
     GROUP BY minute, version, visibility`,
    { project: projectId, from: project.from, since },
  )
  for (const row of rows) {
    const minute = Number(row.t)
    const computedAt = Number(row.c)
    const keys = project.minutes.get(minute) ?? new Map<string, HeldCount>()
    project.minutes.set(minute, keys)
    const key = `${row.version}\u0000${row.visibility}`
    const known = keys.get(key)
    if (!known || known.computedAt <= computedAt) keys.set(key, { sessions: Number(row.s), computedAt })
    if (computedAt > project.newestComputedAt) project.newestComputedAt = computedAt
  }
  // The day held moves on: older minutes go, and reads before them go to the table.
  const start = Math.ceil((Date.now() - HELD_MS) / MINUTE) * MINUTE
  for (const minute of project.minutes.keys()) if (minute < start) project.minutes.delete(minute)
  project.from = Math.max(project.from, start)
}

function rowsOf(project: ProjectMinutes, from: number, to: number, stepMinutes: number, byVisibility: boolean): HeldMinuteRow[] {
  const stepMs = Math.max(1, Math.floor(stepMinutes)) * MINUTE
  const out: HeldMinuteRow[] = []
  for (let minute = Math.ceil(from / stepMs) * stepMs; minute <= to; minute += stepMs) {
    const keys = project.minutes.get(minute)
    if (!keys) continue
    const sums = new Map<string, HeldMinuteRow>()
    for (const [key, count] of keys) {
      if (count.sessions <= 0) continue
      const [version, visibility] = key.split('\u0000') as [string, string]
      const groupKey = byVisibility ? key : version
      const row = sums.get(groupKey) ?? { t: minute, version, visibility: byVisibility ? visibility : '', sessions: 0 }
      row.sessions += count.sessions
      sums.set(groupKey, row)
    }
    out.push(...sums.values())
  }
  return out
}

function dropUnread(now: number): void {
  for (const [projectId, project] of held()) if (now - project.lastReadAt > DROP_UNREAD_MS && !project.refreshing) held().delete(projectId)
}

/** How many projects' minutes are held, and how many keys in all (the bench and tests). */
export function heldMinutesStats(): { projects: number; keys: number } {
  let keys = 0
  for (const project of held().values()) for (const minute of project.minutes.values()) keys += minute.size
  return { projects: held().size, keys }
}
