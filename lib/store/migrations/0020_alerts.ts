import { createTable, type DdlContext, type TableDef } from '../ddl'
import type { Migration } from './types'

const time = "DateTime64(3, 'UTC')"

// Rules are edited rarely and read every 30 s: a ReplacingMergeTree row per
// version, read with FINAL. Deleting sets `deleted`, so past transitions keep
// their rule's name and destinations.
export const alertRules: TableDef = {
  name: 'alert_rules',
  columns: [
    ['project_id', 'String'],
    ['id', 'String'],
    ['name', 'String'],
    ['kind', 'LowCardinality(String)'],
    // The validated condition as JSON (lib/alerts/rule-schema.ts).
    ['condition', 'String'],
    // Destinations as JSON, secrets included: they sign every delivery.
    ['destinations', 'String'],
    ['deleted', 'UInt8'],
    ['created_at', time],
    ['updated_at', time],
  ],
  engine: 'ReplacingMergeTree(updated_at)',
  orderBy: '(project_id, id)',
  shardBy: 'cityHash64(project_id)',
}

// Where each rule stands between evaluations, so a restart resumes it.
export const alertRuleState: TableDef = {
  name: 'alert_rule_state',
  columns: [
    ['project_id', 'String'],
    ['rule_id', 'String'],
    ['state', 'LowCardinality(String)'],
    ['seq', 'UInt32'],
    ['since', 'Nullable(DateTime64(3, \'UTC\'))'],
    ['clear_count', 'UInt32'],
    ['updated_at', time],
  ],
  engine: 'ReplacingMergeTree(updated_at)',
  orderBy: '(project_id, rule_id)',
  shardBy: 'cityHash64(project_id)',
}

// Every transition of every rule. (rule_id, seq) is the transition's identity:
// an evaluation repeated after a crash writes the same key again, and the
// replacing engine keeps one row, so it is never notified twice.
export const alertTransitions: TableDef = {
  name: 'alert_transitions',
  columns: [
    ['project_id', 'String'],
    ['rule_id', 'String'],
    ['seq', 'UInt32'],
    ['kind', 'LowCardinality(String)'],
    ['at', time],
    ['since', time],
    ['value', 'Nullable(Float64)'],
    ['threshold', 'Float64'],
    ['rule_name', 'String'],
    ['summary', 'String'],
    ['destination_ids', 'Array(String)'],
    ['recorded_at', time],
  ],
  engine: 'ReplacingMergeTree(recorded_at)',
  orderBy: '(project_id, rule_id, seq)',
  shardBy: 'cityHash64(project_id)',
}

// Delivery of one transition to one destination: pending (with the time of
// the next attempt), delivered, or failed after the last attempt.
export const alertDeliveries: TableDef = {
  name: 'alert_deliveries',
  columns: [
    ['project_id', 'String'],
    ['rule_id', 'String'],
    ['seq', 'UInt32'],
    ['destination_id', 'String'],
    ['status', 'LowCardinality(String)'],
    ['attempts', 'UInt32'],
    ['next_attempt_at', time],
    ['last_status', 'UInt16'],
    ['last_error', 'String'],
    ['updated_at', time],
  ],
  engine: 'ReplacingMergeTree(updated_at)',
  orderBy: '(project_id, rule_id, seq, destination_id)',
  shardBy: 'cityHash64(project_id)',
}

export const migration: Migration = {
  version: 20,
  name: 'alerts',
  statements: (ctx: DdlContext) => [
    ...createTable(ctx, alertRules),
    ...createTable(ctx, alertRuleState),
    ...createTable(ctx, alertTransitions),
    ...createTable(ctx, alertDeliveries),
  ],
}
