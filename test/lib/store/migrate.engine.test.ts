import { readdirSync, existsSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { backendLoadRawTableDef } from '@/lib/aggregates/row'
import { resetConfigCache } from '@/lib/config'
import { eventsTableDef } from '@/lib/events/row'
import { store } from '@/lib/store/client'
import type { TableDef } from '@/lib/store/ddl'
import { migrate } from '@/lib/store/migrate'
import { migrations } from '@/lib/store/migrations'

// The migrations are history; the column tables (lib/events/row.ts,
// lib/aggregates/row.ts) and every figure's table definitions
// (lib/figures/*/table.ts, lib/figures/rollup-edge.ts) say what the tables are
// today. Replayed on the real engine, on a fresh install and on an upgrade
// from the first migration with rows already stored, the migrations must
// arrive at exactly those columns: a column added to a table without its
// migration (or the other way round) fails here.

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
  return [eventsTableDef(RETENTION_DAYS), backendLoadRawTableDef(RETENTION_DAYS), ...(await figureTables())]
}

/** A definition's column as system.columns shows it: the type, and the DEFAULT expression if any. */
function described([name, declared]: readonly [string, string]): string {
  const [, type, expression] = /^(.*?)(?: DEFAULT (.*))?$/.exec(declared)!
  return `${name} ${type}${expression === undefined ? '' : ` DEFAULT ${expression}`}`
}

async function engineColumns(database: string, tables: string[]): Promise<Record<string, string[]>> {
  const rows = await (
    await store().query.query({
      query: `SELECT table, name, type, default_kind, default_expression FROM system.columns
              WHERE database = {database:String} AND table IN {tables:Array(String)} ORDER BY table, position`,
      query_params: { database, tables },
      format: 'JSONEachRow',
    })
  ).json<{ table: string; name: string; type: string; default_kind: string; default_expression: string }>()
  const byTable: Record<string, string[]> = {}
  for (const r of rows) (byTable[r.table] ??= []).push(`${r.name} ${r.type}${r.default_kind === 'DEFAULT' ? ` DEFAULT ${r.default_expression}` : ''}`)
  return byTable
}

async function expectColumnsOf(database: string): Promise<void> {
  const tables = await expectedTables()
  const engine = await engineColumns(
    database,
    tables.map((t) => t.name),
  )
  const expected = Object.fromEntries(tables.map((t) => [t.name, t.columns.map(described)]))
  expect(engine).toEqual(expected)
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
    await expectColumnsOf(database)
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
    await expectColumnsOf(database)

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
})
