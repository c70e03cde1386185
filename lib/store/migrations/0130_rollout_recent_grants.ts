import { addColumn } from '../ddl'
import type { Migration } from './types'

// Each wave's forced reloads of the last 15 minutes, one by one: JSON
// [[session key, address key, granted at epoch ms, landed 0/1]]. A restarted
// server reads them back, so a tab granted before the restart whose landing
// arrives after it counts as landed, and the guard's landing check judges
// them by address (docs/rollout.md, "Restarts" and "The guard").
export const migration: Migration = {
  version: 130,
  name: 'rollout_recent_grants',
  statements: (ctx) => addColumn(ctx, 'rollout_waves', 'recent_grants', "String DEFAULT '[]'"),
}
