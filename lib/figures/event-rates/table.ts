import type { TableDef } from '../../store/ddl'

// Distinct events per minute by kind, version and detail (migrations 0010
// and 0060), finalised by the rollup step (./rollup.ts) like live_minutes.

const time = "DateTime64(3, 'UTC')"

// The first layout, ordered by minute first (migration 0010): no longer
// written or read; migration 0060 copied it into event_minutes_by_kind.
export const eventMinutesTable: TableDef = {
  name: 'event_minutes',
  columns: [
    ['project_id', 'LowCardinality(String)'],
    // The bucket [minute, minute + 1 min) of event time.
    ['minute', "DateTime('UTC')"],
    // reload | resume | return | error | load
    ['kind', 'LowCardinality(String)'],
    ['version', 'LowCardinality(String)'],
    // reload reason, or the load's navigation; '' otherwise.
    ['reason', 'LowCardinality(String)'],
    ['events', 'UInt32'],
    ['sessions', 'UInt32'],
    ['computed_at', time],
  ],
  engine: 'ReplacingMergeTree(computed_at)',
  orderBy: '(project_id, minute, kind, version, reason)',
  shardBy: 'cityHash64(project_id)',
}

// The same columns ordered by kind before minute: every event chart reads one
// kind over a long window, and with minute first that read touched the rows
// of every kind.
export const eventMinutesByKindTable: TableDef = {
  ...eventMinutesTable,
  name: 'event_minutes_by_kind',
  orderBy: '(project_id, kind, minute, version, reason)',
}
