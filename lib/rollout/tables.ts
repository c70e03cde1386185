import { config } from '../config'

// The rollout's own tables (migration 0091), qualified as lib/store/tables.ts
// does; kept here because that union belongs to the store.
export type RolloutTableName = 'rollout_settings' | 'rollout_waves' | 'rollout_audit'

export function rolloutTable(name: RolloutTableName): string {
  return `${config().database}.${name}`
}
