import { createTable, type TableDef } from '../ddl'
import type { Migration } from './types'

const time = "DateTime64(3, 'UTC')"

// Dashboard sessions revoked before their cookie expires (logout, "log out
// everywhere"). A row names one session id, or '*' for every session issued
// at or before revoked_at. Rows are useless once the cookies they name have
// expired, so the TTL drops them.
export const sessionRevocations: TableDef = {
  name: 'session_revocations',
  columns: [
    ['session_id', 'String'],
    ['revoked_at', time],
    ['expires_at', time],
  ],
  engine: 'ReplacingMergeTree(revoked_at)',
  orderBy: 'session_id',
  ttl: 'toDateTime(expires_at) + INTERVAL 1 DAY',
  shardBy: 'cityHash64(session_id)',
}

// Events ingest refused by the version cap or the new-version rate limit,
// per project, minute and reason, so the dashboard can say what it did not
// take. Counted in memory and written every few seconds, never per request.
export const ingestRefusals = (retentionDays: number): TableDef => ({
  name: 'ingest_refusals',
  columns: [
    ['project_id', 'String'],
    ['minute', "DateTime('UTC')"],
    ['reason', 'LowCardinality(String)'],
    ['events', 'UInt64'],
  ],
  engine: 'SummingMergeTree(events)',
  orderBy: '(project_id, minute, reason)',
  ttl: `minute + INTERVAL ${retentionDays} DAY`,
  shardBy: 'cityHash64(project_id)',
})

export const migration: Migration = {
  version: 80,
  name: 'edge_security',
  statements: (ctx) => [...createTable(ctx, sessionRevocations), ...createTable(ctx, ingestRefusals(ctx.retentionDays))],
}
