import { config } from '../config'

// Fully qualified table names. The embedded engine ignores the client's
// `database` option, so every statement names its database. The name is an
// identifier validated by lib/config.ts, never a value from a request.
export type TableName =
  | 'schema_migrations'
  | 'projects'
  | 'releases'
  | 'min_supported_changes'
  | 'events'
  | 'version_first_seen'
  | 'version_first_seen_mv'
  | 'project_keys'
  | 'alert_rules'
  | 'alert_rule_state'
  | 'alert_transitions'
  | 'alert_deliveries'
  | 'project_server_keys'
  | 'backend_load_raw'
  | 'session_revocations'
  | 'ingest_refusals'

export function table(name: TableName): string {
  return `${config().database}.${name}`
}

/** The qualified name of a table defined outside this list (a figure's rollup table). */
export function qualified(def: { name: string }): string {
  return `${config().database}.${def.name}`
}
