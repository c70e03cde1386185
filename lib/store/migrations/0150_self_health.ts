import { createTable } from '../ddl'
import { selfHealthTable } from '../../self-gaps/table'
import type { Migration } from './types'

// Stalewatch's own gaps: restarts, down time, shedding, backlog, disk low,
// storage blocked (lib/self-gaps/, docs/timeline.md "Stalewatch's own gaps").
export const migration: Migration = {
  version: 150,
  name: 'self_health',
  statements: (ctx) => createTable(ctx, selfHealthTable(ctx.retentionDays)),
}
