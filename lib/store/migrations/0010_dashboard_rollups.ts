import { createTable, createView, type DdlContext, type TableDef } from '../ddl'
import type { Migration } from './types'

// Rollups behind the dashboard (docs/dashboard.md), as this migration created
// them. Each is finalised by the figure it serves (lib/figures/<figure>/,
// whose table.ts says what it is today; rollup_state: lib/figures/rollup-edge.ts).
// Distinct-session counts cannot be merged across minutes or re-inserted
// events, so they are not kept as materialized-view states: the rollup step
// finalises each closed minute (recomputing trailing and late-touched
// minutes) into small tables keyed by project and minute. Rows are replaced
// by `computed_at`; readers take the newest row per key.

const time = "DateTime64(3, 'UTC')"

const liveMinutes: TableDef = {
  name: 'live_minutes',
  columns: [
    ['project_id', 'LowCardinality(String)'],
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

// Ordered by minute first; 0060 copied it into event_minutes_by_kind.
export const eventMinutes: TableDef = {
  name: 'event_minutes',
  columns: [
    ['project_id', 'LowCardinality(String)'],
    ['minute', "DateTime('UTC')"],
    ['kind', 'LowCardinality(String)'],
    ['version', 'LowCardinality(String)'],
    ['reason', 'LowCardinality(String)'],
    ['events', 'UInt32'],
    ['sessions', 'UInt32'],
    ['computed_at', time],
  ],
  engine: 'ReplacingMergeTree(computed_at)',
  orderBy: '(project_id, minute, kind, version, reason)',
  shardBy: 'cityHash64(project_id)',
}

const reloadLoads: TableDef = {
  name: 'reload_loads',
  columns: [
    ['project_id', 'LowCardinality(String)'],
    ['version', 'LowCardinality(String)'],
    ['session_id', 'String'],
    ['load_id', 'String'],
    ['load_time', time],
    ['previous_version', 'LowCardinality(String)'],
    ['reason', 'LowCardinality(String)'],
    ['computed_at', time],
  ],
  engine: 'ReplacingMergeTree(computed_at)',
  orderBy: '(project_id, version, session_id, load_id)',
  shardBy: 'cityHash64(project_id)',
}

const rollupState: TableDef = {
  name: 'rollup_state',
  columns: [
    ['project_id', 'String'],
    ['through', time],
    ['run_started_at', time],
    ['updated_at', time],
  ],
  engine: 'ReplacingMergeTree(updated_at)',
  orderBy: 'project_id',
}

const sessionFirstSeen: TableDef = {
  name: 'session_first_seen',
  columns: [
    ['project_id', 'LowCardinality(String)'],
    ['session_id', 'String'],
    ['first_seen', `SimpleAggregateFunction(min, ${time})`],
  ],
  engine: 'AggregatingMergeTree',
  orderBy: '(project_id, session_id)',
  shardBy: 'cityHash64(project_id, session_id)',
}

export const migration: Migration = {
  version: 10,
  name: 'dashboard_rollups',
  statements: (ctx: DdlContext) => [
    ...createTable(ctx, liveMinutes),
    ...createTable(ctx, eventMinutes),
    ...createTable(ctx, reloadLoads),
    ...createTable(ctx, rollupState),
    ...createTable(ctx, sessionFirstSeen),
    ...createView(ctx, {
      name: 'session_first_seen_mv',
      to: 'session_first_seen',
      source: 'events',
      select: (source) => `SELECT project_id, session_id, min(event_time) AS first_seen FROM ${source} GROUP BY project_id, session_id`,
    }),
    // Sessions that started before this migration.
    `INSERT INTO ${ctx.database}.session_first_seen SELECT project_id, session_id, min(event_time) FROM ${ctx.database}.events GROUP BY project_id, session_id`,
  ],
}
