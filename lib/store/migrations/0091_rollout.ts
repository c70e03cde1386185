import { createTable, type TableDef } from '../ddl'
import type { Migration } from './types'

const time = "DateTime64(3, 'UTC')"

// A project's reload rate and the lead before a wave's first forced reload
// (docs/rollout.md); a project without a row uses the configured defaults.
export const rolloutSettings: TableDef = {
  name: 'rollout_settings',
  columns: [
    ['project_id', 'String'],
    ['reloads_per_minute', 'UInt32'],
    ['lead_seconds', 'UInt32'],
    ['updated_by', 'String'],
    ['updated_at', time],
  ],
  engine: 'ReplacingMergeTree(updated_at)',
  orderBy: 'project_id',
  shardBy: 'cityHash64(project_id)',
}

// Where each reload wave stands: written by the process that paces it every
// few seconds and at each pause and resumption, so a restart carries on from
// here rather than from zero, another ingest node follows its pause, and the
// pages read its progress. One row per wave (a change of the minimum).
export const rolloutWaves: TableDef = {
  name: 'rollout_waves',
  columns: [
    ['project_id', 'String'],
    ['change_id', 'String'],
    ['minimum', 'String'],
    ['changed_at', time],
    ['starts_at', time],
    ['reloads_per_minute', 'UInt32'],
    ['paused', 'UInt8'],
    ['paused_since', time],
    // While the wave was paused, in total: slots move on by it.
    ['paused_ms', 'UInt64'],
    // JSON [{cause, summary}] of the running pause; [] when running.
    ['causes', 'String'],
    ['granted', 'UInt32'],
    ['landed', 'UInt32'],
    ['last_grant_at', time],
    // JSON [[minute epoch ms, forced reloads started]] of the wave's minutes.
    ['per_minute', 'String'],
    // running | ended (the minimum changed again)
    ['status', 'LowCardinality(String)'],
    ['updated_at', time],
  ],
  engine: 'ReplacingMergeTree(updated_at)',
  orderBy: '(project_id, change_id)',
  shardBy: 'cityHash64(project_id)',
}

// Every change of the minimum and every pause and resumption of a wave: who,
// when, what the preview said at that moment, and (kept up to date while the
// wave runs) what then happened. A row is rewritten with its outcome, so
// ReplacingMergeTree keeps the newest per (project, id).
export const rolloutAudit: TableDef = {
  name: 'rollout_audit',
  columns: [
    ['project_id', 'String'],
    ['id', 'String'],
    ['at', time],
    // min_supported | guard_paused | guard_resumed | settings
    ['action', 'LowCardinality(String)'],
    // admin token | deploy token | dashboard | guard
    ['actor', 'LowCardinality(String)'],
    ['from_version', 'String'],
    ['to_version', 'String'],
    // JSON: the preview's figures at the change, or the guard's causes.
    ['detail', 'String'],
    // JSON: what then happened ('' until known).
    ['outcome', 'String'],
    ['updated_at', time],
  ],
  engine: 'ReplacingMergeTree(updated_at)',
  orderBy: '(project_id, id)',
  shardBy: 'cityHash64(project_id)',
}

export const migration: Migration = {
  version: 91,
  name: 'rollout',
  statements: (ctx) => [...createTable(ctx, rolloutSettings), ...createTable(ctx, rolloutWaves), ...createTable(ctx, rolloutAudit)],
}
