import { createTable, createView, type DdlContext, type TableDef, type ViewDef } from '../ddl'
import type { Migration } from './types'

const time = "DateTime64(3, 'UTC')"

export const projects: TableDef = {
  name: 'projects',
  columns: [
    ['id', 'String'],
    ['name', 'String'],
    ['ingest_key', 'String'],
    // sha256 of the deploy token: the token itself is shown once, at creation.
    ['deploy_token_hash', 'String'],
    ['liveness_window_seconds', 'UInt32 DEFAULT 180'],
    ['created_at', time],
    ['updated_at', time],
  ],
  engine: 'ReplacingMergeTree(updated_at)',
  orderBy: 'id',
}

export const releases: TableDef = {
  name: 'releases',
  columns: [
    ['project_id', 'String'],
    ['version', 'String'],
    ['released_at', time],
    ['commit', 'String'],
    ['created_at', time],
  ],
  engine: 'MergeTree',
  orderBy: '(project_id, released_at, version)',
  shardBy: 'cityHash64(project_id)',
}

export const minSupportedChanges: TableDef = {
  name: 'min_supported_changes',
  columns: [
    ['project_id', 'String'],
    // '' clears the minimum.
    ['version', 'String'],
    ['changed_at', time],
  ],
  engine: 'MergeTree',
  orderBy: '(project_id, changed_at)',
  shardBy: 'cityHash64(project_id)',
}

export function eventsTable(retentionDays: number): TableDef {
  return {
    name: 'events',
    columns: [
      ['project_id', 'LowCardinality(String)'],
      ['event_id', 'String'],
      ['session_id', 'String'],
      ['load_id', 'String'],
      ['version', 'LowCardinality(String)'],
      ['type', 'LowCardinality(String)'],
      // Client time corrected by the request's clock offset (docs/semantics.md, Words).
      ['event_time', time],
      ['client_ts', time],
      ['received_at', time],
      // '' where the event carries none; freeze is stored as hidden.
      ['visibility', 'LowCardinality(String)'],
      ['navigation', 'LowCardinality(String)'],
      ['previous_version', 'LowCardinality(String)'],
      ['reason', 'LowCardinality(String)'],
      ['action', 'LowCardinality(String)'],
      ['latest', 'LowCardinality(String)'],
      ['message', 'String'],
    ],
    engine: 'MergeTree',
    partitionBy: 'toYYYYMMDD(event_time)',
    orderBy: '(project_id, event_time, session_id)',
    ttl: `toDateTime(event_time) + INTERVAL ${retentionDays} DAY`,
    // Lets the writer retry an insert whose answer was lost without storing
    // it twice (same insert_deduplication_token).
    settings: { non_replicated_deduplication_window: 1000 },
    shardBy: 'cityHash64(project_id, session_id)',
  }
}

export const versionFirstSeen: TableDef = {
  name: 'version_first_seen',
  columns: [
    ['project_id', 'String'],
    ['version', 'String'],
    ['first_seen', `SimpleAggregateFunction(min, ${time})`],
    ['last_seen', `SimpleAggregateFunction(max, ${time})`],
  ],
  engine: 'AggregatingMergeTree',
  orderBy: '(project_id, version)',
  shardBy: 'cityHash64(project_id)',
}

/** Each version's first and last event time; 0120 takes first_seen from received_at instead. */
export const versionFirstSeenView = (firstSeenFrom: 'event_time' | 'received_at'): ViewDef => ({
  name: 'version_first_seen_mv',
  to: 'version_first_seen',
  source: 'events',
  select: (source) =>
    `SELECT project_id, version, min(${firstSeenFrom}) AS first_seen, max(event_time) AS last_seen FROM ${source} GROUP BY project_id, version`,
})

export const migration: Migration = {
  version: 1,
  name: 'initial',
  statements: (ctx: DdlContext & { retentionDays: number }) => [
    ...createTable(ctx, projects),
    ...createTable(ctx, releases),
    ...createTable(ctx, minSupportedChanges),
    ...createTable(ctx, eventsTable(ctx.retentionDays)),
    ...createTable(ctx, versionFirstSeen),
    ...createView(ctx, versionFirstSeenView('event_time')),
  ],
}
