import { AGGREGATE_COLUMN_TABLE, AGGREGATE_LABEL_KEY } from '../../aggregates/row'
import { ddlColumns } from '../../store/column-table'
import type { TableDef } from '../../store/ddl'

// Backend load by client version (docs/backend-load.md): the raw counts the
// server middleware sends (backend_load_raw: lib/aggregates/row.ts, created by migration 0110) and their per-minute
// rollup (migration 0111), finalised by ./rollup.ts like the other figures.

const time = "DateTime64(3, 'UTC')"

// The labels a request is counted under, and the count: backend_load_raw's
// columns (lib/aggregates/row.ts, its one home), one row per label set here.
const labelColumns = ddlColumns(AGGREGATE_COLUMN_TABLE)

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
    orderBy: AGGREGATE_LABEL_KEY,
    ttl: `minute + INTERVAL ${retentionDays} DAY`,
    shardBy: 'cityHash64(project_id)',
  }
}

/** For reads: the name is all a query needs. */
export const BACKEND_LOAD_MINUTES = { name: 'backend_load_minutes' } as const
