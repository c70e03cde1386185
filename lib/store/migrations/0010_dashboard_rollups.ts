import { createTable, createView, type DdlContext } from '../ddl'
import { eventMinutesTable } from '../../figures/event-rates/table'
import { liveMinutesTable, sessionFirstSeenTable } from '../../figures/live-sessions/table'
import { rollupStateTable } from '../../figures/rollup-edge'
import { reloadLoadsTable } from '../../figures/upgrades-by-reload/table'
import type { Migration } from './types'

// Rollups behind the dashboard (docs/dashboard.md). Each table is defined in
// the folder of the figure it serves (lib/figures/<figure>/table.ts), which
// also finalises it. A definition changed there needs a new migration.

export const migration: Migration = {
  version: 10,
  name: 'dashboard_rollups',
  statements: (ctx: DdlContext) => [
    ...createTable(ctx, liveMinutesTable),
    ...createTable(ctx, eventMinutesTable),
    ...createTable(ctx, reloadLoadsTable),
    ...createTable(ctx, rollupStateTable),
    ...createTable(ctx, sessionFirstSeenTable),
    ...createView(ctx, {
      name: 'session_first_seen_mv',
      to: 'session_first_seen',
      source: 'events',
      select: (source) => `SELECT project_id, session_id, min(event_time) AS first_seen FROM ${source} GROUP BY project_id, session_id`,
    }),
    // Sessions that started before this migration.
    `INSERT INTO ${ctx.database}.session_first_seen SELECT project_id, session_id, min(event_time) FROM ${ctx.database}.events GROUP BY project_id, session_id`,
  ],
}
