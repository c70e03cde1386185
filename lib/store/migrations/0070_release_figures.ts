import { createTable, type TableDef } from '../ddl'
import type { Migration } from './types'

// Each release's time to 50/90/99 % and upgrades by reload up to a rollup
// edge, as this migration created it (today:
// lib/figures/release-summaries/table.ts).

const time = "DateTime64(3, 'UTC')"

const releaseFigures: TableDef = {
  name: 'release_figures',
  columns: [
    ['project_id', 'LowCardinality(String)'],
    ['window_seconds', 'UInt32'],
    ['catalog_key', 'String'],
    ['through', time],
    ['version', 'LowCardinality(String)'],
    ['released_at', time],
    ['time_to', 'Array(Int64)'],
    ['upgraded_total', 'UInt32'],
    ['upgraded_reasons', 'Array(String)'],
    ['upgraded_sessions', 'Array(UInt32)'],
    ['computed_at', time],
  ],
  engine: 'ReplacingMergeTree(computed_at)',
  orderBy: '(project_id, window_seconds, through, catalog_key, version, released_at)',
  ttl: 'toDateTime(computed_at) + INTERVAL 1 DAY',
  shardBy: 'cityHash64(project_id)',
}

export const migration: Migration = {
  version: 70,
  name: 'release_figures',
  statements: (ctx) => [...createTable(ctx, releaseFigures)],
}
