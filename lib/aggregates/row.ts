import type { LoadKind, StatusClass } from '../../sdk/src/server/wire'
import { columnNames, columnsFrom, ddlColumns, rowMaker, valuesOf, type RowOf } from '../store/column-table'
import type { TableDef } from '../store/ddl'
import type { ParsedAggregateItem } from './schema'

// backend_load_raw (docs/backend-load.md), column by column: the one list
// the row type, the ingest log's column order, a row's values and the table's
// definition are generated from (lib/store/column-table.ts), as the events'
// (lib/events/row.ts). Its per-minute rollup
// (lib/figures/backend-load/table.ts) takes the same label columns.

/** An accepted item of an aggregate request, and the version it is counted under. */
export interface AggregateInput {
  projectId: string
  item: ParsedAggregateItem
  /** The item's version, or the label it was counted under instead (`unknown`: no tab of the project reported it). */
  version: string
}

const { required } = columnsFrom<AggregateInput>()
const text = 'LowCardinality(String)'

export const AGGREGATE_COLUMN_TABLE = [
  required('project_id', text, (a) => a.projectId),
  // http | ws_upgrade (a socket's first connection) | ws_reconnect (a connection the client marked as a reconnect)
  required('kind', text, (a): LoadKind => a.item.kind),
  // The minute of the app server's receive time: the wire's epoch ms as the column's Unix seconds.
  required('minute', "DateTime('UTC')", (a) => a.item.minute / 1000),
  // A version tabs of the project reported, or the labels `unknown` (none, or one Stalewatch does not know) and `other` (over the sender's cap).
  required('version', text, (a) => a.version),
  required('route_group', text, (a) => a.item.route),
  // 1xx … 5xx, aborted (closed before an answer), forwarded (counted by a proxy that never sees the answer)
  required('status_class', text, (a): StatusClass => a.item.status),
  required('requests', 'UInt64', (a) => a.item.count),
] as const

/** One row of backend_load_raw, as the writer sends it. */
export type AggregateRow = RowOf<typeof AGGREGATE_COLUMN_TABLE>

/** An accepted item as its row. */
export const aggregateRow = rowMaker(AGGREGATE_COLUMN_TABLE)

/** The backend_load_raw columns in the order of aggregateValues: the ingest log's header line. */
export const AGGREGATE_COLUMNS = columnNames(AGGREGATE_COLUMN_TABLE)

/** A row as positional values (JSONCompactEachRow), for the ingest log. */
export const aggregateValues = valuesOf(AGGREGATE_COLUMN_TABLE)

/** The labels a request is counted under: the sorting key, and the rollup's key too. */
export const AGGREGATE_LABEL_KEY = '(project_id, kind, minute, version, route_group, status_class)'

/**
 * backend_load_raw as a fresh install would define it today. One row per item
 * of an accepted aggregate request: requests to the app's own servers
 * received in [minute, minute + 1 min), by the client version they carried,
 * route group, status class and kind. Summed on merge (the key is every
 * label), so rows from many servers and many 10 s sends collapse to one per
 * label set; readers still sum, since merges are eventual.
 */
export function backendLoadRawTableDef(retentionDays: number): TableDef {
  return {
    name: 'backend_load_raw',
    columns: ddlColumns(AGGREGATE_COLUMN_TABLE),
    engine: 'SummingMergeTree(requests)',
    partitionBy: 'toYYYYMMDD(minute)',
    orderBy: AGGREGATE_LABEL_KEY,
    ttl: `minute + INTERVAL ${retentionDays} DAY`,
    // A segment of the ingest log replayed after a crash carries the same
    // insert_deduplication_token, and must not be summed twice.
    settings: { non_replicated_deduplication_window: 1000 },
    shardBy: 'cityHash64(project_id)',
  }
}
