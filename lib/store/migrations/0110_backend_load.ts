import { addColumn, createTable, type TableDef } from '../ddl'
import { backendLoadRaw } from '../../figures/backend-load/table'
import type { Migration, MigrationContext } from './types'

// Backend load by client version (docs/backend-load.md): the counts the
// server middleware sends every 10 s (backend_load_raw, defined with its
// figure in lib/figures/backend-load/table.ts), and the project's server key
// that sends them.

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

export const migration: Migration = {
  version: 110,
  name: 'backend_load',
  statements: (ctx: MigrationContext) => [
    // '' for projects created before this migration: they get a server key by rotating it.
    ...addColumn(ctx, 'projects', 'server_key_hash', "String DEFAULT ''"),
    ...createTable(ctx, projectServerKeys),
    ...createTable(ctx, backendLoadRaw(ctx.retentionDays)),
  ],
}
