import { createTable } from '../ddl'
import { liveInstantsTable } from '../../figures/stragglers/table'
import type { Migration } from './types'

// Live sessions at each release's releasedAt + grace (lib/figures/stragglers/table.ts).

export const migration: Migration = {
  version: 40,
  name: 'live_instants',
  statements: (ctx) => [...createTable(ctx, liveInstantsTable)],
}
