import { createTable, type TableDef } from '../ddl'
import type { Migration } from './types'

// Sessions upgraded by reload, as exact distinct-session sets per minute of
// the load: reading every reload load (reload_loads) per releases page grew
// with the sessions. Whether a load is an upgrade depends on the version order
// at its time, and releases can be registered after the fact, so the rollup
// keeps the (version, previous_version) pair and the page applies the order
// per minute (lib/queries/reload-upgrades.ts). Distinct sets merge exactly
// across minutes. lib/rollups/ finalises a minute, and recomputes it when late
// events reopen it; a key that no longer occurs gets an empty set. Readers
// take the newest row per key (FINAL).

const time = "DateTime64(3, 'UTC')"

export const reloadUpgradeMinutes: TableDef = {
  name: 'reload_upgrade_minutes',
  columns: [
    ['project_id', 'LowCardinality(String)'],
    // The version the load ran.
    ['version', 'LowCardinality(String)'],
    // The bucket [minute, minute + 1 min) of the load's time.
    ['minute', "DateTime('UTC')"],
    ['previous_version', 'LowCardinality(String)'],
    // Reason of the session's reload event in the 60 s before, else 'user'.
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
