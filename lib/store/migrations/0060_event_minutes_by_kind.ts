import { createTable } from '../ddl'
import { eventMinutesByKindTable } from '../../figures/event-rates/table'
import type { Migration } from './types'

// event_minutes again, ordered by kind before minute (lib/figures/event-rates/table.ts).
// The rollup writes only this table from now on; event_minutes keeps what it
// had and is no longer read.

export const migration: Migration = {
  version: 60,
  name: 'event_minutes_by_kind',
  statements: (ctx) => [
    ...createTable(ctx, eventMinutesByKindTable),
    // Minutes finalised before this migration; run again, it writes the same rows.
    `INSERT INTO ${ctx.database}.event_minutes_by_kind (project_id, minute, kind, version, reason, events, sessions, computed_at)
     SELECT project_id, minute, kind, version, reason, events, sessions, computed_at FROM ${ctx.database}.event_minutes FINAL`,
  ],
}
