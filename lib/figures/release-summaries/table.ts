import type { TableDef } from '../../store/ddl'

// Each release's time to 50/90/99 % and sessions upgraded by reload, over the
// minutes the rollup has finalised, computed by the rollup run right after it
// finalises them. The releases page took 100–180 ms at 100M events computing
// these from the minute rollups on every view (merging thousands of session
// sets, searching every minute since each release); with this table it reads
// one row per release and adds only the minutes after `through`
// (./summaries.ts).
//
// A row holds for one rollup edge (`through`), one liveness window and one
// version catalog (`catalog_key`: releases and first-seen times decide the
// version order these figures depend on). Readers ask for exactly the edge
// and catalog they see, and compute the figures the slow way when there is
// no such row. A run that recomputes the same edge (late events) writes the
// rows again; the newest computation wins.
// Created by migration 0070.

const time = "DateTime64(3, 'UTC')"

export const releaseFiguresTable: TableDef = {
  name: 'release_figures',
  columns: [
    ['project_id', 'LowCardinality(String)'],
    ['window_seconds', 'UInt32'],
    ['catalog_key', 'String'],
    // Minute boundaries up to and including this one, and loads before it, are counted.
    ['through', time],
    ['version', 'LowCardinality(String)'],
    ['released_at', time],
    // Per target share (50, 90, 99 %): ms from released_at to the first boundary reaching it; -1 if none up to `through`.
    ['time_to', 'Array(Int64)'],
    ['upgraded_total', 'UInt32'],
    ['upgraded_reasons', 'Array(String)'],
    ['upgraded_sessions', 'Array(UInt32)'],
    ['computed_at', time],
  ],
  engine: 'ReplacingMergeTree(computed_at)',
  orderBy: '(project_id, window_seconds, through, catalog_key, version, released_at)',
  // Only the current edge is read: older rows are kept a day, for readers a few runs behind.
  ttl: 'toDateTime(computed_at) + INTERVAL 1 DAY',
  shardBy: 'cityHash64(project_id)',
}
