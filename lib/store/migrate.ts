import { config } from '../config'
import { log } from '../log'
import { store } from './client'
import { createDatabase, createTable, type TableDef } from './ddl'
import { migrations as allMigrations } from './migrations'
import type { Migration, MigrationContext } from './migrations/types'

const schemaMigrations: TableDef = {
  name: 'schema_migrations',
  columns: [
    ['version', 'UInt32'],
    ['name', 'String'],
    ['applied_at', "DateTime64(3, 'UTC')"],
  ],
  engine: 'MergeTree',
  orderBy: 'version',
}

export function migrationContext(): MigrationContext {
  const c = config()
  return { database: c.database, cluster: c.cluster, retentionDays: c.retentionDays }
}

/** Every statement the migrations would run, in order, for review or parser checks. */
export function plannedStatements(ctx: MigrationContext, migrations: readonly Migration[] = allMigrations): string[] {
  return [createDatabase(ctx), ...createTable(ctx, schemaMigrations), ...migrations.flatMap((m) => m.statements(ctx))]
}

export interface MigrateResult {
  applied: { version: number; name: string }[]
  alreadyApplied: number
}

/** Applies the migrations not yet recorded in schema_migrations. Safe to run any number of times. */
export async function migrate(
  migrations: readonly Migration[] = allMigrations,
  onProgress: (message: string) => void = (message) => log.info(message),
): Promise<MigrateResult> {
  const ctx = migrationContext()
  const client = store().query
  await client.command({ query: createDatabase(ctx) })
  for (const statement of createTable(ctx, schemaMigrations)) await client.command({ query: statement })

  const rows = await (
    await client.query({ query: `SELECT version FROM ${ctx.database}.schema_migrations`, format: 'JSONEachRow' })
  ).json<{ version: number }>()
  const done = new Set(rows.map((r) => Number(r.version)))
  const applied: MigrateResult['applied'] = []

  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (done.has(migration.version)) continue
    onProgress(`applying migration ${String(migration.version).padStart(4, '0')}_${migration.name}`)
    for (const statement of migration.statements(ctx)) await client.command({ query: statement })
    await client.insert({
      table: `${ctx.database}.schema_migrations`,
      values: [{ version: migration.version, name: migration.name, applied_at: Date.now() }],
      format: 'JSONEachRow',
    })
    applied.push({ version: migration.version, name: migration.name })
  }
  return { applied, alreadyApplied: done.size }
}
