import { readdirSync, existsSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { backendLoadRawTableDef } from '@/lib/aggregates/row'
import { resetConfigCache } from '@/lib/config'
import { eventsTableDef } from '@/lib/events/row'
import { liveMinutesTable } from '@/lib/figures/live-sessions/table'
import { releaseFiguresTable } from '@/lib/figures/release-summaries/table'
import { selfHealthTable } from '@/lib/self-gaps/table'
import { store } from '@/lib/store/client'
import type { TableDef } from '@/lib/store/ddl'
import { migrate } from '@/lib/store/migrate'
import { migrations } from '@/lib/store/migrations'

// The migrations are history, each with its own literal definitions; the
// column tables (lib/events/row.ts, lib/aggregates/row.ts), every figure's
// table definitions (lib/figures/*/table.ts, lib/figures/rollup-edge.ts) and
// lib/self-gaps/table.ts say what the tables are today. Replayed on the real
// engine, on a fresh install and on an upgrade from the first migration with
// rows already stored, the migrations must arrive at exactly those columns,
// engines, partition and sorting keys, TTLs and settings: a definition
// changed without a new migration (or the other way round) fails here, and
// says what drifted.

const RETENTION_DAYS = 30
const root = path.resolve(import.meta.dirname, '../../..')

const isTableDef = (value: unknown): value is TableDef =>
  typeof value === 'object' && value !== null && typeof (value as TableDef).name === 'string' && Array.isArray((value as TableDef).columns) && typeof (value as TableDef).engine === 'string'

/** Every table a figure defines: exported TableDefs, and functions named …Table(retentionDays). */
async function figureTables(): Promise<TableDef[]> {
  const dir = path.join(root, 'lib/figures')
  const files = [
    path.join(dir, 'rollup-edge.ts'),
    ...readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => path.join(dir, d.name, 'table.ts'))
      .filter((f) => existsSync(f)),
  ]
  const defs: TableDef[] = []
  for (const file of files) {
    const module = (await import(file)) as Record<string, unknown>
    for (const [name, value] of Object.entries(module)) {
      const def = typeof value === 'function' && /Table$/.test(name) ? (value as (days: number) => unknown)(RETENTION_DAYS) : value
      if (isTableDef(def)) defs.push(def)
    }
  }
  return defs
}

async function expectedTables(): Promise<TableDef[]> {
  return [eventsTableDef(RETENTION_DAYS), backendLoadRawTableDef(RETENTION_DAYS), selfHealthTable(RETENTION_DAYS), ...(await figureTables())]
}

/**
 * A table as the engine shows it (system.columns, and its clauses from
 * system.tables' engine_full), or as a definition says it should be, its
 * expressions formatted by the engine the same way.
 */
interface Shape {
  /** `name type`, and ` DEFAULT expression` if any, in the table's order. */
  columns: string[]
  /** The clauses of CREATE TABLE: the engine with its arguments, PARTITION BY, ORDER BY, TTL, and SETTINGS as `name = value`, sorted. */
  clauses: { engine: string; partitionBy: string; orderBy: string; ttl: string; settings: string }
}

/** A definition's column as system.columns shows it: the type, and the DEFAULT expression if any. */
function described([name, declared]: readonly [string, string]): string {
  const [, type, expression] = /^(.*?)(?: DEFAULT (.*))?$/.exec(declared)!
  return `${name} ${type}${expression === undefined ? '' : ` DEFAULT ${expression}`}`
}

const settingsText = (settings: string[]) => settings.sort().join(', ')
// The one setting the engine adds to every table's engine_full.
const ENGINE_DEFAULT_SETTINGS = { index_granularity: 8192 }

/** The engine's own text for an expression (INTERVAL 30 DAY is toIntervalDay(30) in engine_full). */
async function formatted(expression: string | undefined): Promise<string> {
  if (expression === undefined) return ''
  const [row] = await (
    await store().query.query({ query: 'SELECT formatQuerySingleLine({q:String}) AS q', query_params: { q: `SELECT ${expression}` }, format: 'JSONEachRow' })
  ).json<{ q: string }>()
  return row!.q.replace(/^SELECT /, '')
}

async function shapeOf(def: TableDef): Promise<Shape> {
  return {
    columns: def.columns.map(described),
    clauses: {
      engine: def.engine,
      partitionBy: await formatted(def.partitionBy),
      orderBy: await formatted(def.orderBy),
      ttl: await formatted(def.ttl),
      settings: settingsText(Object.entries({ ...ENGINE_DEFAULT_SETTINGS, ...def.settings }).map(([k, v]) => `${k} = ${v}`)),
    },
  }
}

/** engine_full, e.g. `MergeTree PARTITION BY p ORDER BY (a, b) TTL t SETTINGS x = 1, y = 2`, cut at its keywords. */
function clausesOf(engineFull: string): Shape['clauses'] {
  const [, engine, partitionBy, orderBy, ttl, settings] = /^(.*?)(?: PARTITION BY (.*?))?(?: ORDER BY (.*?))?(?: TTL (.*?))?(?: SETTINGS (.*))?$/.exec(engineFull)!
  return { engine: engine!, partitionBy: partitionBy ?? '', orderBy: orderBy ?? '', ttl: ttl ?? '', settings: settingsText(settings ? settings.split(', ') : []) }
}

async function engineShapes(database: string, tables: string[]): Promise<Record<string, Shape>> {
  const query = async <Row>(sql: string) =>
    (await store().query.query({ query: sql, query_params: { database, tables }, format: 'JSONEachRow' })).json<Row>()
  const shapes: Record<string, Shape> = {}
  const described = await query<{ name: string; engine_full: string }>(
    `SELECT name, engine_full FROM system.tables WHERE database = {database:String} AND name IN {tables:Array(String)}`,
  )
  for (const t of described) shapes[t.name] = { columns: [], clauses: clausesOf(t.engine_full) }
  const columns = await query<{ table: string; name: string; type: string; default_kind: string; default_expression: string }>(
    `SELECT table, name, type, default_kind, default_expression FROM system.columns
     WHERE database = {database:String} AND table IN {tables:Array(String)} ORDER BY table, position`,
  )
  for (const c of columns) shapes[c.table]!.columns.push(`${c.name} ${c.type}${c.default_kind === 'DEFAULT' ? ` DEFAULT ${c.default_expression}` : ''}`)
  return shapes
}

/**
 * Where the engine's tables differ from today's definitions, one line per
 * difference; none when the migrations arrived at exactly what the
 * definitions say. A column is named by its declaration, so a changed type
 * shows as one missing and one not defined.
 */
function drift(engine: Record<string, Shape>, defined: Record<string, Shape>): string[] {
  const lines: string[] = []
  for (const [table, want] of Object.entries(defined)) {
    const have = engine[table]
    if (!have) {
      lines.push(`${table}: defined, but no migration creates it`)
      continue
    }
    for (const c of want.columns.filter((c) => !have.columns.includes(c))) lines.push(`${table}: column \`${c}\` defined, but not in the engine`)
    for (const c of have.columns.filter((c) => !want.columns.includes(c))) lines.push(`${table}: column \`${c}\` in the engine, but not defined`)
    const common = (list: string[], other: string[]) => list.filter((c) => other.includes(c)).join(', ')
    if (common(want.columns, have.columns) !== common(have.columns, want.columns)) lines.push(`${table}: columns in another order than defined`)
    for (const [clause, text] of Object.entries(want.clauses)) {
      const actual = have.clauses[clause as keyof Shape['clauses']]
      if (actual !== text) lines.push(`${table}: ${clause} \`${actual}\` in the engine, \`${text}\` defined`)
    }
  }
  return lines
}

async function driftIn(database: string, definitions: readonly TableDef[]): Promise<string[]> {
  const defined: Record<string, Shape> = {}
  for (const def of definitions) defined[def.name] = await shapeOf(def)
  return drift(
    await engineShapes(
      database,
      definitions.map((t) => t.name),
    ),
    defined,
  )
}

/** Points the store at another database of the same engine; the migrations name it in every statement. */
function useDatabase(name: string): string {
  process.env.CLICKHOUSE_DATABASE = name
  resetConfigCache()
  return name
}

afterEach(() => {
  delete process.env.CLICKHOUSE_DATABASE
  resetConfigCache()
})

describe('the migrations arrive at the column tables and the figures’ table definitions', () => {
  it('on a fresh install', async () => {
    const database = useDatabase('fresh_install')
    await migrate(undefined, () => undefined)
    expect(await driftIn(database, await expectedTables())).toEqual([])
  })

  it('on an upgrade from the first migration, with rows stored before, which keep their values and take the new columns’ defaults', async () => {
    const database = useDatabase('upgraded')
    await migrate(migrations.slice(0, 1), () => undefined)
    const now = Date.now() - 60_000 // within the retention, or the TTL drops the rows
    await store().query.insert({
      table: `${database}.events`,
      values: [
        [
          'p1', 'event_0001', 'session_1', 'load_0001', '1.0.0', 'heartbeat', now, now, now, 'visible', '', '', '', '', '', '',
        ],
        ['p1', 'event_0002', 'session_1', 'load_0001', '1.0.0', 'error', now, now, now, '', '', '', '', '', '', 'boom'],
      ],
      format: 'JSONCompactEachRow',
    })
    await migrate(undefined, () => undefined)
    expect(await driftIn(database, await expectedTables())).toEqual([])

    const stored = await (
      await store().query.query({
        query: `SELECT event_id, type, message, browser, browser_major, idle, unsaved FROM ${database}.events ORDER BY event_id`,
        format: 'JSONEachRow',
      })
    ).json()
    expect(stored).toEqual([
      { event_id: 'event_0001', type: 'heartbeat', message: '', browser: '', browser_major: 0, idle: 0, unsaved: 0 },
      { event_id: 'event_0002', type: 'error', message: 'boom', browser: '', browser_major: 0, idle: 0, unsaved: 0 },
    ])
  })

  it('names what a definition changed without its migration: a column added, a type changed, another sorting key, TTL or settings', async () => {
    const database = useDatabase('drifted')
    await migrate(undefined, () => undefined)
    const changed: TableDef[] = [
      { ...liveMinutesTable, columns: [...liveMinutesTable.columns.slice(0, -1), ['hidden_sessions', 'UInt32 DEFAULT 0'], ...liveMinutesTable.columns.slice(-1)] },
      {
        ...releaseFiguresTable,
        columns: releaseFiguresTable.columns.map(([name, type]) => [name, name === 'upgraded_total' ? 'UInt64' : type] as const),
        orderBy: '(project_id, through, window_seconds, catalog_key, version, released_at)',
      },
      { ...eventsTableDef(RETENTION_DAYS), ttl: `toDateTime(received_at) + INTERVAL ${RETENTION_DAYS} DAY`, settings: {} },
    ]
    expect(await driftIn(database, changed)).toEqual([
      'live_minutes: column `hidden_sessions UInt32 DEFAULT 0` defined, but not in the engine',
      'release_figures: column `upgraded_total UInt64` defined, but not in the engine',
      'release_figures: column `upgraded_total UInt32` in the engine, but not defined',
      'release_figures: orderBy `(project_id, window_seconds, through, catalog_key, version, released_at)` in the engine, `(project_id, through, window_seconds, catalog_key, version, released_at)` defined',
      'events: ttl `toDateTime(event_time) + toIntervalDay(30)` in the engine, `toDateTime(received_at) + toIntervalDay(30)` defined',
      'events: settings `index_granularity = 8192, non_replicated_deduplication_window = 1000` in the engine, `index_granularity = 8192` defined',
    ])
  })
})
