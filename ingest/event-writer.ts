import { randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'
import { store } from '../lib/store/client'
import { table, type TableName } from '../lib/store/tables'
import { withSpan } from '../lib/tracing'
import type { EventRow } from './event-row'
import type { SegmentInsert } from './event-log'

// In a cluster `events` is Distributed: by default it acknowledges once the
// rows are queued on this node's disk, before any shard has them. Only what
// the shards stored counts as written.
const clusterSettings = (): { insert_distributed_sync?: 1 } => (store().cluster ? { insert_distributed_sync: 1 } : {})

/**
 * Inserts one group-commit batch into `tableName` on the ingest connection
 * (never behind a dashboard query). The dedup token makes a retried insert of
 * the same batch a no-op in ClickHouse if the first attempt was stored but
 * its answer lost.
 */
export function rowsWriter<Row extends object>(tableName: TableName): (rows: Row[]) => Promise<void> {
  return async (rows) => {
    const token = randomUUID()
    await withSpan('ingest.write', { 'db.system': 'clickhouse', 'stalewatch.batch_rows': rows.length, 'stalewatch.table': tableName }, async () => {
      await store().ingest.insert({
        table: table(tableName),
        values: rows,
        format: 'JSONEachRow',
        clickhouse_settings: { insert_deduplication_token: token, log_comment: 'ingest.write', ...clusterSettings() },
      })
    })
  }
}

/**
 * Inserts one segment of an ingest log (positional rows, JSONCompactEachRow)
 * into `tableName`. The token names the segment, so replaying a segment
 * whose insert landed just before a crash stores nothing twice.
 */
export function segmentWriter(tableName: TableName): (segment: SegmentInsert) => Promise<void> {
  return async (segment) => {
    const s = store()
    await withSpan('ingest.write', { 'db.system': 'clickhouse', 'stalewatch.batch_rows': segment.rows, 'stalewatch.table': tableName }, async () => {
      const settings = { insert_deduplication_token: segment.token, log_comment: 'ingest.write' }
      const columns = segment.columns.map(identifier)
      // Embedded: never a cluster, so no Distributed settings.
      if (s.rawIngestInsert) {
        await s.rawIngestInsert({ table: table(tableName), columns, values: segment.bytes, format: 'JSONCompactEachRow', settings })
        return
      }
      const result = await s.ingest.exec({
        query: `INSERT INTO ${table(tableName)} (${columns.join(', ')}) FORMAT JSONCompactEachRow`,
        values: Readable.from([segment.bytes]),
        clickhouse_settings: { ...settings, ...clusterSettings() },
      })
      result.stream.resume()
    })
  }
}

export const writeEvents: (rows: EventRow[]) => Promise<void> = rowsWriter<EventRow>('events')
export const writeEventLines: (segment: SegmentInsert) => Promise<void> = segmentWriter('events')

// Column names come from a segment file: only plain identifiers reach SQL.
function identifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`ingest log: not a column name: ${JSON.stringify(name)}`)
  return name
}
