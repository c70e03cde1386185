import { createTable, type TableDef } from '../ddl'
import { backendLoadRaw0110 } from './0110_backend_load'
import type { Migration } from './types'

// Backend load per finalised minute, by kind, version, route group and
// status class, written by the rollup; as this migration created it (today:
// lib/figures/backend-load/table.ts).

const time = "DateTime64(3, 'UTC')"

const backendLoadMinutes = (retentionDays: number): TableDef => ({
  name: 'backend_load_minutes',
  // backend_load_raw's labels and count as 0110 created them, and when the minute was computed.
  columns: [...backendLoadRaw0110(retentionDays).columns, ['computed_at', time]],
  engine: 'ReplacingMergeTree(computed_at)',
  partitionBy: 'toYYYYMMDD(minute)',
  orderBy: '(project_id, kind, minute, version, route_group, status_class)',
  ttl: `minute + INTERVAL ${retentionDays} DAY`,
  shardBy: 'cityHash64(project_id)',
})

export const migration: Migration = {
  version: 111,
  name: 'backend_load_minutes',
  statements: (ctx) => [...createTable(ctx, backendLoadMinutes(ctx.retentionDays))],
}
