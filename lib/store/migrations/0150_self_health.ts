import { createTable, type TableDef } from '../ddl'
import type { Migration } from './types'

// Stalewatch's own gaps: restarts, down time, shedding, backlog, disk low,
// storage blocked (docs/timeline.md "Stalewatch's own gaps"); the table as
// this migration created it (today: lib/self-gaps/table.ts).

const selfHealth = (retentionDays: number): TableDef => ({
  name: 'self_health',
  columns: [
    ['node', 'LowCardinality(String)'],
    ['at', "DateTime64(3, 'UTC')"],
    ['kind', 'LowCardinality(String)'],
    ['code', 'LowCardinality(String)'],
    ['value', 'Float64'],
    ['interval_ms', 'UInt32'],
  ],
  engine: 'MergeTree',
  orderBy: '(at, node)',
  partitionBy: 'toYYYYMM(at)',
  ttl: `toDateTime(at) + INTERVAL ${retentionDays} DAY`,
})

export const migration: Migration = {
  version: 150,
  name: 'self_health',
  statements: (ctx) => createTable(ctx, selfHealth(ctx.retentionDays)),
}
