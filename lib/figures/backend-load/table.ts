import type { TableDef } from '../../store/ddl'

// Backend load by client version (docs/backend-load.md): the raw counts the
// server middleware sends (created by migration 0110) and their per-minute
// rollup (migration 0111), finalised by ./rollup.ts like the other figures.

const time = "DateTime64(3, 'UTC')"

/** The columns both tables share: the labels a request is counted under, and the count. */
const labelColumns = [
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
] as const

const labelKey = '(project_id, kind, minute, version, route_group, status_class)'

/**
 * One row per item of an accepted aggregate request: requests to the app's
 * own servers received in [minute, minute + 1 min), by the client version
 * they carried, route group, status class and kind. Summed on merge (the
 * key is every label), so rows from many servers and many 10 s sends
 * collapse to one per label set; readers still sum, since merges are
 * eventual.
 */
export function backendLoadRaw(retentionDays: number): TableDef {
  return {
    name: 'backend_load_raw',
    columns: labelColumns,
    engine: 'SummingMergeTree(requests)',
    partitionBy: 'toYYYYMMDD(minute)',
    orderBy: labelKey,
    ttl: `minute + INTERVAL ${retentionDays} DAY`,
    // A segment of the ingest log replayed after a crash carries the same
    // insert_deduplication_token, and must not be summed twice.
    settings: { non_replicated_deduplication_window: 1000 },
    shardBy: 'cityHash64(project_id)',
  }
}

/**
 * The same labels with one row per label set and finalised minute, however
 * many servers and sends the raw rows came from. A recomputed minute gets new
 * rows (newer computed_at), read with FINAL. Raw counts only ever grow, so a
 * recompute yields every key the previous one did: no key needs zeroing, as
 * live_minutes' do. Kept as long as the raw counts.
 */
export function backendLoadMinutesTable(retentionDays: number): TableDef {
  return {
    name: 'backend_load_minutes',
    columns: [...labelColumns, ['computed_at', time]],
    engine: 'ReplacingMergeTree(computed_at)',
    partitionBy: 'toYYYYMMDD(minute)',
    orderBy: labelKey,
    ttl: `minute + INTERVAL ${retentionDays} DAY`,
    shardBy: 'cityHash64(project_id)',
  }
}

/** For reads: the name is all a query needs. */
export const BACKEND_LOAD_MINUTES = { name: 'backend_load_minutes' } as const
