import { config } from '../config'

// The dashboard's own tables (migrations 0010, 0040, 0050, 0060, 0070). Qualified like
// lib/store/tables.ts does; kept here because that union belongs to the store.
export type RollupTableName = 'live_minutes' | 'reload_loads' | 'rollup_state' | 'session_first_seen' | 'live_instants' | 'reload_upgrade_minutes' | 'event_minutes_by_kind' | 'release_figures'

export function rollupTable(name: RollupTableName): string {
  return `${config().database}.${name}`
}
