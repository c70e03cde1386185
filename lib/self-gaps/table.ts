import type { TableDef } from '../store/ddl'

// Stalewatch's own health, as each server process saw it (migration 0150):
// the writer (./writer.ts) adds a row when the process starts and stops, a
// heartbeat every STALEWATCH_HEARTBEAT_SECONDS, and one row per tick for
// each trouble it saw in that tick (ingest answering 503, the log's backlog
// beyond its bound, the disk under its floor, storage not draining). A
// missing stretch of heartbeats is down time: nothing listened then.
// lib/figures/self-gaps/ reads it back as gaps.

export type HealthKind = 'start' | 'beat' | 'stop' | 'shed' | 'backlog' | 'disk_low' | 'storage_blocked'

export const selfHealthTable = (retentionDays: number): TableDef => ({
  name: 'self_health',
  columns: [
    // The process: host name and pid, so two nodes (or two runs) never share a heartbeat line.
    ['node', 'LowCardinality(String)'],
    ['at', "DateTime64(3, 'UTC')"],
    ['kind', 'LowCardinality(String)'],
    // shed: the 503 code (overloaded, disk_low, …); otherwise empty.
    ['code', 'LowCardinality(String)'],
    // shed: answers in the tick; backlog: the fill (0..1); disk_low: free bytes; storage_blocked: rows waiting.
    ['value', 'Float64'],
    // The tick the row speaks for: the trouble held over (at - interval_ms, at].
    ['interval_ms', 'UInt32'],
  ],
  engine: 'MergeTree',
  orderBy: '(at, node)',
  partitionBy: 'toYYYYMM(at)',
  ttl: `toDateTime(at) + INTERVAL ${retentionDays} DAY`,
})
