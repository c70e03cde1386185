import { createTable, type TableDef } from '../ddl'
import { eventMinutes } from './0010_dashboard_rollups'
import type { Migration } from './types'

// event_minutes as 0010 created it, again, ordered by kind before minute
// (today: lib/figures/event-rates/table.ts). The rollup writes
// only this table from now on; event_minutes keeps what it had and is no
// longer read.

const eventMinutesByKind: TableDef = {
  ...eventMinutes,
  name: 'event_minutes_by_kind',
  orderBy: '(project_id, kind, minute, version, reason)',
}

export const migration: Migration = {
  version: 60,
  name: 'event_minutes_by_kind',
  statements: (ctx) => [
    ...createTable(ctx, eventMinutesByKind),
    // Minutes finalised before this migration; run again, it writes the same rows.
    `INSERT INTO ${ctx.database}.event_minutes_by_kind (project_id, minute, kind, version, reason, events, sessions, computed_at)
     SELECT project_id, minute, kind, version, reason, events, sessions, computed_at FROM ${ctx.database}.event_minutes FINAL`,
  ],
}
