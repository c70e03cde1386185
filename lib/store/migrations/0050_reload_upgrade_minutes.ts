import { createTable } from '../ddl'
import { reloadUpgradeMinutesTable } from '../../figures/upgrades-by-reload/table'
import type { Migration } from './types'

// Sessions upgraded by reload as exact sets per minute of the load
// (lib/figures/upgrades-by-reload/table.ts).

export const migration: Migration = {
  version: 50,
  name: 'reload_upgrade_minutes',
  statements: (ctx) => [
    ...createTable(ctx, reloadUpgradeMinutesTable),
    // Minutes the rollup finalised before this migration, from the loads it kept.
    `INSERT INTO ${ctx.database}.reload_upgrade_minutes (project_id, version, minute, previous_version, reason, sessions, computed_at)
     SELECT project_id, version, toDateTime(toStartOfMinute(load_time), 'UTC'), previous_version, reason, uniqExactState(session_id), now64(3)
     FROM ${ctx.database}.reload_loads FINAL
     GROUP BY project_id, version, toDateTime(toStartOfMinute(load_time), 'UTC'), previous_version, reason`,
  ],
}
