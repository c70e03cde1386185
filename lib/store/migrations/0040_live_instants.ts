import { createTable, type TableDef } from '../ddl'
import type { Migration } from './types'

// Live sessions per version at each release's releasedAt + grace, as this
// migration created it (today: lib/figures/stragglers/table.ts).

const time = "DateTime64(3, 'UTC')"

const liveInstants: TableDef = {
  name: 'live_instants',
  columns: [
    ['project_id', 'LowCardinality(String)'],
    ['at', time],
    ['window_seconds', 'UInt32'],
    ['version', 'LowCardinality(String)'],
    ['sessions', 'UInt32'],
    ['computed_at', time],
  ],
  engine: 'ReplacingMergeTree(computed_at)',
  orderBy: '(project_id, at, window_seconds, version)',
  shardBy: 'cityHash64(project_id)',
}

export const migration: Migration = {
  version: 40,
  name: 'live_instants',
  statements: (ctx) => [...createTable(ctx, liveInstants)],
}
