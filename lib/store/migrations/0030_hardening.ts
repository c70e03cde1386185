import { addColumn, createTable, type TableDef } from '../ddl'
import type { Migration } from './types'

const time = "DateTime64(3, 'UTC')"

// Ingest keys a project accepts besides its current one (projects.ingest_key):
// a rotated-out key stays valid until expires_at, so events already queued in
// open tabs with the old key are not lost. Keys are public (they ship in every
// page), so they are stored as they are.
export const projectKeys: TableDef = {
  name: 'project_keys',
  columns: [
    ['project_id', 'String'],
    ['key', 'String'],
    ['created_at', time],
    ['expires_at', time],
    ['updated_at', time],
  ],
  engine: 'ReplacingMergeTree(updated_at)',
  orderBy: '(project_id, key)',
  shardBy: 'cityHash64(project_id)',
}

export const migration: Migration = {
  version: 30,
  name: 'hardening',
  statements: (ctx) => [
    ...createTable(ctx, projectKeys),
    // Browser origins allowed to send events with the project's key; empty = any.
    ...addColumn(ctx, 'projects', 'allowed_origins', 'Array(String) DEFAULT []'),
    // The user agent reduced to browser family and major version (docs/privacy.md).
    ...addColumn(ctx, 'events', 'browser', "LowCardinality(String) DEFAULT ''"),
    ...addColumn(ctx, 'events', 'browser_major', 'UInt16 DEFAULT 0'),
  ],
}
