import { addColumn, createTable, type TableDef } from '../ddl'
import type { Migration, MigrationContext } from './types'

// Backend load by client version (docs/backend-load.md): the counts the
// server middleware sends every 10 s, and the project's server key that
// sends them.

const time = "DateTime64(3, 'UTC')"

/**
 * One row per item of an accepted aggregate request: requests to the app's
 * own servers received in [minute, minute + 1 min), by the client version
 * they carried, route group, status class and kind. Summed on merge (the
 * key is every label), so rows from many servers and many 10 s sends
 * collapse to one per label set; readers still sum, since merges are
 * eventual. The figure's rollup (phase B, lib/figures/backend-load/) reads
 * this table, as does lib/figures/backend-load/read-minutes.ts.
 */
export function backendLoadRaw(retentionDays: number): TableDef {
  return {
    name: 'backend_load_raw',
    columns: [
      ['project_id', 'LowCardinality(String)'],
      // http | ws_upgrade (a socket's first connection) | ws_reconnect (a connection the client marked as a reconnect)
      ['kind', 'LowCardinality(String)'],
      // The minute of the app server's receive time.
      ['minute', "DateTime('UTC')"],
      // A version tabs of the project reported, or the labels `unknown` (none, or one Stalewatch does not know) and `other` (over the sender's cap).
      ['version', 'LowCardinality(String)'],
      ['route_group', 'LowCardinality(String)'],
      // 1xx … 5xx, aborted (closed before an answer), forwarded (counted by a proxy that never sees the answer)
      ['status_class', 'LowCardinality(String)'],
      ['requests', 'UInt64'],
    ],
    engine: 'SummingMergeTree(requests)',
    partitionBy: 'toYYYYMMDD(minute)',
    orderBy: '(project_id, kind, minute, version, route_group, status_class)',
    ttl: `minute + INTERVAL ${retentionDays} DAY`,
    // A segment of the ingest log replayed after a crash carries the same
    // insert_deduplication_token, and must not be summed twice.
    settings: { non_replicated_deduplication_window: 1000 },
    shardBy: 'cityHash64(project_id)',
  }
}

/**
 * Rotated-out server keys, valid until expires_at so servers still running
 * with the old key keep sending while they are redeployed. Server keys are
 * secrets: only their SHA-256 is stored, here and in projects.server_key_hash.
 */
export const projectServerKeys: TableDef = {
  name: 'project_server_keys',
  columns: [
    ['project_id', 'String'],
    ['key_hash', 'String'],
    ['created_at', time],
    ['expires_at', time],
    ['updated_at', time],
  ],
  engine: 'ReplacingMergeTree(updated_at)',
  orderBy: '(project_id, key_hash)',
  shardBy: 'cityHash64(project_id)',
}

export const migration: Migration = {
  version: 110,
  name: 'backend_load',
  statements: (ctx: MigrationContext) => [
    // '' for projects created before this migration: they get a server key by rotating it.
    ...addColumn(ctx, 'projects', 'server_key_hash', "String DEFAULT ''"),
    ...createTable(ctx, projectServerKeys),
    ...createTable(ctx, backendLoadRaw(ctx.retentionDays)),
  ],
}
