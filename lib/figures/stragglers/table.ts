import type { TableDef } from '../../store/ddl'

// Live sessions per version at single instants the releases pages ask about
// again and again: each release's releasedAt + grace (migration 0040). The
// rollup step (./rollup.ts) computes an instant once the minutes around it
// are finalised, and again whenever late events reopen them; readers take the
// newest computation of an instant as a whole (`computed_at`), and fall back
// to raw events for an instant it has not computed.

const time = "DateTime64(3, 'UTC')"

export const liveInstantsTable: TableDef = {
  name: 'live_instants',
  columns: [
    ['project_id', 'LowCardinality(String)'],
    ['at', time],
    // The liveness window the figure was computed with.
    ['window_seconds', 'UInt32'],
    // '' (with 0 sessions) marks the instant as computed, live sessions or not.
    ['version', 'LowCardinality(String)'],
    ['sessions', 'UInt32'],
    ['computed_at', time],
  ],
  engine: 'ReplacingMergeTree(computed_at)',
  orderBy: '(project_id, at, window_seconds, version)',
  shardBy: 'cityHash64(project_id)',
}
