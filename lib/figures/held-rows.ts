import type { TableDef } from '../store/ddl'
import { config } from '../config'
import { processSingleton } from '../process-singleton'
import { qualified } from '../store/tables'
import { runQuery } from '../store/run-query'
import { rollupGeneration } from './shared-reads'

// A minute rollup's rows of the last day, held in memory per project on the
// embedded engine, so a chart's finalised part is not a read of the table on
// every render (docs/scaling.md, Finalised minutes held in memory).
//
// The rollup tables are ReplacingMergeTree(computed_at): the row of a key
// with the newest computed_at is the figure, as the readers' argMax or FINAL
// take it. The rows held are the table's own, newest per key, zeros
// included, so a recomputed key that fell to 0 hides its old count.
//
// Kept up to date by the rollup run: when it publishes its edge (the
// project's rollup generation), the next read takes the rows computed since
// the newest one held, with a few minutes' margin (an insert that began
// earlier may have become visible later). Late events are covered: the run
// that takes them rewrites their minutes with a newer computed_at. Nothing
// but the rollup writes these tables. Minutes older than the day held, and a
// ClickHouse server (whose rollup may run on another node), read the table.

const HELD_MS = 25 * 3600_000
const MARGIN_MS = 5 * 60_000
const DROP_UNREAD_MS = 10 * 60_000
const MINUTE = 60_000

/** A rollup table held: its key columns after project_id and minute (fixed SQL text, never a value), and the value column. */
export interface HeldTable {
  name: string
  table: TableDef
  keys: readonly string[]
  value: string
}

interface HeldCount {
  /** The key columns' values, in HeldTable.keys order. */
  keys: readonly string[]
  value: number
  computedAt: number
}

interface ProjectRows {
  /** Earliest minute held. */
  from: number
  /** minute → the key's values joined by \0 → its newest row. */
  minutes: Map<number, Map<string, HeldCount>>
  newestComputedAt: number
  /** The rollup generation and edge the rows were last brought up to. */
  generation: number
  edge: number
  refreshing: Promise<void> | null
  lastReadAt: number
}

/** What one project holds of a table: its non-zero rows by minute. */
export interface HeldMinutes {
  /** Calls `visit` with each key's values and value at each held minute in [from, to] on multiples of stepMs, zeros skipped. */
  forEach(from: number, to: number, stepMs: number, visit: (minute: number, keys: readonly string[], value: number) => void): void
}

interface Row {
  t: number | string
  s: number | string
  c: number | string
  [key: string]: number | string
}

const held = () => processSingleton('heldRollupRows', () => new Map<string, Map<string, ProjectRows>>())

/**
 * The project's rows of `def` brought up to its rollup edge `through`, or
 * null when minutes from `from` on are not held (a ClickHouse server, or
 * older than the day held): the caller reads the table.
 */
export async function heldRows(def: HeldTable, projectId: string, through: number, from: number): Promise<HeldMinutes | null> {
  if (config().clickhouseUrl) return null
  const now = Date.now()
  const projects = held().get(def.name) ?? new Map<string, ProjectRows>()
  held().set(def.name, projects)
  for (const [id, project] of projects) if (now - project.lastReadAt > DROP_UNREAD_MS && !project.refreshing) projects.delete(id)
  let project = projects.get(projectId)
  if (project && project.from > from) return null
  if (!project) {
    const start = Math.ceil((now - HELD_MS) / MINUTE) * MINUTE
    if (start > from) return null
    project = { from: start, minutes: new Map(), newestComputedAt: 0, generation: -1, edge: 0, refreshing: null, lastReadAt: now }
    projects.set(projectId, project)
  }
  project.lastReadAt = now
  try {
    await upToDate(def, projectId, project, through)
  } catch (error) {
    // A failed read leaves nothing half-known: the next read starts again.
    projects.delete(projectId)
    throw error
  }
  const minutes = project.minutes
  return {
    forEach(from, to, stepMs, visit) {
      for (let minute = Math.ceil(from / stepMs) * stepMs; minute <= to; minute += stepMs) {
        const keys = minutes.get(minute)
        if (keys) for (const count of keys.values()) if (count.value > 0) visit(minute, count.keys, count.value)
      }
    },
  }
}

/** Brings the held rows up to the project's latest published edge: one read in flight at a time, shared. */
async function upToDate(def: HeldTable, projectId: string, project: ProjectRows, through: number): Promise<void> {
  while (project.generation !== rollupGeneration(projectId) || project.edge < through) {
    if (!project.refreshing) {
      const generation = rollupGeneration(projectId)
      project.refreshing = readSince(def, projectId, project)
        .then(() => {
          project.generation = generation
          project.edge = Math.max(project.edge, through)
        })
        .finally(() => {
          project.refreshing = null
        })
    }
    await project.refreshing
  }
}

async function readSince(def: HeldTable, projectId: string, project: ProjectRows): Promise<void> {
  const since = project.newestComputedAt === 0 ? 0 : project.newestComputedAt - MARGIN_MS
  const keys = def.keys.join(', ')
  const rows = await runQuery<Row>(
    `${def.name}.${project.newestComputedAt === 0 ? 'hold' : 'holdSince'}`,
    `SELECT toUnixTimestamp(minute) * 1000 AS t, ${keys}, argMax(${def.value}, computed_at) AS s, toUnixTimestamp64Milli(max(computed_at)) AS c
     FROM ${qualified(def.table)}
     WHERE project_id = {project:String} AND minute >= fromUnixTimestamp64Milli({from:Int64}, 'UTC')
       AND computed_at >= fromUnixTimestamp64Milli({since:Int64}, 'UTC')
     GROUP BY minute, ${keys}`,
    { project: projectId, from: project.from, since },
  )
  for (const row of rows) {
    const minute = Number(row.t)
    const computedAt = Number(row.c)
    const values = def.keys.map((k) => String(row[k]))
    const key = values.join('\u0000')
    const counts = project.minutes.get(minute) ?? new Map<string, HeldCount>()
    project.minutes.set(minute, counts)
    const known = counts.get(key)
    if (!known || known.computedAt <= computedAt) counts.set(key, { keys: values, value: Number(row.s), computedAt })
    if (computedAt > project.newestComputedAt) project.newestComputedAt = computedAt
  }
  // The day held moves on: older minutes go, and reads before them go to the table.
  const start = Math.ceil((Date.now() - HELD_MS) / MINUTE) * MINUTE
  for (const minute of project.minutes.keys()) if (minute < start) project.minutes.delete(minute)
  project.from = Math.max(project.from, start)
}
