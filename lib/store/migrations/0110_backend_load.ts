import { addColumn, createTable, type TableDef } from '../ddl'
import type { Migration, MigrationContext } from './types'

// Backend load by client version (docs/backend-load.md): the counts the
// server middleware sends every 10 s (backend_load_raw), and the project's
// server key that sends them. backend_load_raw as this migration created it:
// history, held here so a column added to its column table later
// (lib/aggregates/row.ts) needs a migration of its own, as on a server
// upgraded from here (test/lib/store/migrate.engine.test.ts).

const time = "DateTime64(3, 'UTC')"

/**
 * Rotated-out server keys, valid until expires_at so servers still running
 * with the old key keep sending while they are redeployed. Server keys are
 * secrets: only their SHA-256 is stored, here and in projects.server_key_hash.
 */
export const projectServerKeys: TableDef = {
  name: 'project_server_keys',
  columns: [
    ['project_id', 'String'],
    ['key_hash', 'String'],
    ['created_at', time],
    ['expires_at', time],
    ['updated_at', time],
  ],
  engine: 'ReplacingMergeTree(updated_at)',
  orderBy: '(project_id, key_hash)',
  shardBy: 'cityHash64(project_id)',
}

export const backendLoadRaw0110 = (retentionDays: number): TableDef => ({
  name: 'backend_load_raw',
  columns: [
    ['project_id', 'LowCardinality(String)'],
    ['kind', 'LowCardinality(String)'],
    ['minute', "DateTime('UTC')"],
    ['version', 'LowCardinality(String)'],
    ['route_group', 'LowCardinality(String)'],
    ['status_class', 'LowCardinality(String)'],
    ['requests', 'UInt64'],
  ],
  engine: 'SummingMergeTree(requests)',
  partitionBy: 'toYYYYMMDD(minute)',
  orderBy: '(project_id, kind, minute, version, route_group, status_class)',
  ttl: `minute + INTERVAL ${retentionDays} DAY`,
  settings: { non_replicated_deduplication_window: 1000 },
  shardBy: 'cityHash64(project_id)',
})

export const migration: Migration = {
  version: 110,
  name: 'backend_load',
  statements: (ctx: MigrationContext) => [
    // '' for projects created before this migration: they get a server key by rotating it.
    ...addColumn(ctx, 'projects', 'server_key_hash', "String DEFAULT ''"),
    ...createTable(ctx, projectServerKeys),
    ...createTable(ctx, backendLoadRaw0110(ctx.retentionDays)),
  ],
}
