import type { TableDef } from '../../store/ddl'

// Live sessions at each finalised minute boundary, by version and visibility
// (created by migration 0010). Distinct-session counts cannot be merged
// across minutes or re-inserted events, so they are not kept as
// materialized-view states: the rollup step (./rollup.ts) finalises each
// closed minute, recomputing trailing and late-touched minutes; rows are
// replaced by `computed_at` and readers take the newest row per key.

const time = "DateTime64(3, 'UTC')"

export const liveMinutesTable: TableDef = {
  name: 'live_minutes',
  columns: [
    ['project_id', 'LowCardinality(String)'],
    // A minute boundary m: sessions live at m, each under its version at m.
    ['minute', "DateTime('UTC')"],
    ['version', 'LowCardinality(String)'],
    ['visibility', 'LowCardinality(String)'],
    ['sessions', 'UInt32'],
    ['computed_at', time],
  ],
  engine: 'ReplacingMergeTree(computed_at)',
  orderBy: '(project_id, minute, version, visibility)',
  shardBy: 'cityHash64(project_id)',
}

// Each session's first event time, kept by a materialized view on the events
// (migration 0010), so tab ages need no scan back to a session's start.
export const sessionFirstSeenTable: TableDef = {
  name: 'session_first_seen',
  columns: [
    ['project_id', 'LowCardinality(String)'],
    ['session_id', 'String'],
    // min is idempotent, so a resent batch cannot move it.
    ['first_seen', `SimpleAggregateFunction(min, ${time})`],
  ],
  engine: 'AggregatingMergeTree',
  orderBy: '(project_id, session_id)',
  shardBy: 'cityHash64(project_id, session_id)',
}
