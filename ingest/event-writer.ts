import { randomUUID } from 'node:crypto'
import { store } from '../lib/store/client'
import { table } from '../lib/store/tables'
import { withSpan } from '../lib/tracing'
import type { EventRow } from './event-row'

/**
 * Inserts one group-commit batch on the ingest connection (never behind a
 * dashboard query). The dedup token makes a retried insert of the same batch
 * a no-op in ClickHouse if the first attempt was stored but its answer lost.
 */
export async function writeEvents(rows: EventRow[]): Promise<void> {
  const token = randomUUID()
  await withSpan('ingest.write', { 'db.system': 'clickhouse', 'stalewatch.batch_rows': rows.length }, async () => {
    await store().ingest.insert({
      table: table('events'),
      values: rows,
      format: 'JSONEachRow',
      clickhouse_settings: {
        insert_deduplication_token: token,
        log_comment: 'ingest.write',
        // In a cluster `events` is Distributed: by default it acknowledges once
        // the rows are queued on this node's disk, before any shard has them.
        // Acknowledge only what the shards stored.
        ...(store().cluster ? { insert_distributed_sync: 1 } : {}),
      },
    })
  })
}
