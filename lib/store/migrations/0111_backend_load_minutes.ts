import { createTable } from '../ddl'
import { backendLoadMinutesTable } from '../../figures/backend-load/table'
import type { Migration } from './types'

// Backend load per finalised minute, by kind, version, route group and
// status class (lib/figures/backend-load/table.ts), written by the rollup.

export const migration: Migration = {
  version: 111,
  name: 'backend_load_minutes',
  statements: (ctx) => [...createTable(ctx, backendLoadMinutesTable(ctx.retentionDays))],
}
