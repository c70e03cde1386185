import { createTable, type TableDef } from '../ddl'
import type { Migration } from './types'

// Sessions upgraded by reload as exact sets per minute of the load, as this
// migration created it (today: lib/figures/upgrades-by-reload/table.ts).

const time = "DateTime64(3, 'UTC')"

const reloadUpgradeMinutes: TableDef = {
  name: 'reload_upgrade_minutes',
  columns: [
    ['project_id', 'LowCardinality(String)'],
    ['version', 'LowCardinality(String)'],
    ['minute', "DateTime('UTC')"],
    ['previous_version', 'LowCardinality(String)'],
    ['reason', 'LowCardinality(String)'],
    ['sessions', 'AggregateFunction(uniqExact, String)'],
    ['computed_at', time],
  ],
  engine: 'ReplacingMergeTree(computed_at)',
  orderBy: '(project_id, version, minute, previous_version, reason)',
  shardBy: 'cityHash64(project_id)',
}

export const migration: Migration = {
  version: 50,
  name: 'reload_upgrade_minutes',
  statements: (ctx) => [
    ...createTable(ctx, reloadUpgradeMinutes),
    // Minutes the rollup finalised before this migration, from the loads it kept.
    `INSERT INTO ${ctx.database}.reload_upgrade_minutes (project_id, version, minute, previous_version, reason, sessions, computed_at)
     SELECT project_id, version, toDateTime(toStartOfMinute(load_time), 'UTC'), previous_version, reason, uniqExactState(session_id), now64(3)
     FROM ${ctx.database}.reload_loads FINAL
     GROUP BY project_id, version, toDateTime(toStartOfMinute(load_time), 'UTC'), previous_version, reason`,
  ],
}
