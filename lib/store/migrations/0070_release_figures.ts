import { createTable } from '../ddl'
import { releaseFiguresTable } from '../../figures/release-summaries/table'
import type { Migration } from './types'

// Each release's time to 50/90/99 % and upgrades by reload up to a rollup
// edge (lib/figures/release-summaries/table.ts).

export const migration: Migration = {
  version: 70,
  name: 'release_figures',
  statements: (ctx) => [...createTable(ctx, releaseFiguresTable)],
}
