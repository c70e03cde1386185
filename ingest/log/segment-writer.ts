import { randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'
import { store } from '../../lib/store/client'
import { withEngineErrors } from '../../lib/store/engine-error'
import { table, type TableName } from '../../lib/store/tables'
import { withSpan } from '../../lib/tracing'
import type { EventRow } from '../../lib/events/row'
import type { SegmentFile, SegmentInsert } from './segments'

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
    // Engine errors come out with their code parsed (lib/store/engine-error.ts): the log decides on it.
    await withEngineErrors(() => withSpan('ingest.write', { 'db.system': 'clickhouse', 'stalewatch.batch_rows': rows.length, 'stalewatch.table': tableName }, async () => {
      await store().ingest.insert({
        table: table(tableName),
        values: rows,
        format: 'JSONEachRow',
        clickhouse_settings: { insert_deduplication_token: token, log_comment: 'ingest.write', ...clusterSettings() },
      })
    }))
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
    await withEngineErrors(() => withSpan('ingest.write', { 'db.system': 'clickhouse', 'stalewatch.batch_rows': segment.rows, 'stalewatch.table': tableName }, async () => {
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
    }))
  }
}

/**
 * Stores a whole ingest-log segment from its file, read by the embedded
 * engine's file() table function, for engines on this machine only (a
 * ClickHouse server cannot see the node's files).
 *
 * Why: the engine parses the same JSON rows about three times cheaper this
 * way, because the file's columns are declared as plain String and converted
 * to the table's LowCardinality columns a block at a time, where an INSERT …
 * FORMAT parses straight into LowCardinality row by row (measured by
 * `npm run bench -- --only ingest-floor`, table "engine CPU per row"). It also
 * spares the event loop reading the segment into memory.
 */
export function segmentFileWriter(tableName: TableName): (segment: SegmentFile) => Promise<void> {
  let inputTypes: Promise<Map<string, string>> | undefined
  return async (segment) => {
    const s = store()
    inputTypes ??= readInputTypes(tableName).catch((error: unknown) => {
      inputTypes = undefined
      throw error
    })
    const types = await inputTypes
    const columns = segment.columns.map(identifier)
    const missing = columns.filter((c) => !types.has(c))
    if (missing.length) throw new Error(`ingest log: ${table(tableName)} has no column ${missing.join(', ')}`)
    const structure = columns.map((c) => `${c} ${types.get(c)!}`).join(', ')
    await withEngineErrors(() => withSpan('ingest.write', { 'db.system': 'clickhouse', 'stalewatch.batch_rows': segment.rows, 'stalewatch.table': tableName }, async () => {
      const result = await s.ingest.exec({
        query: `INSERT INTO ${table(tableName)} (${columns.join(', ')})
                SETTINGS insert_deduplication_token = {token:String}, log_comment = 'ingest.write'
                SELECT ${columns.join(', ')} FROM file({path:String}, 'JSONCompactEachRowWithNames', {structure:String})`,
        query_params: { token: segment.token, path: segment.path, structure },
      })
      result.stream.resume()
    }))
  }
}

/** The table's column types as the file is read: LowCardinality(T) as T, converted by the engine on insert. */
async function readInputTypes(tableName: TableName): Promise<Map<string, string>> {
  const [database, name] = table(tableName).split('.') as [string, string]
  const result = await store().ingest.query({
    query: 'SELECT name, type FROM system.columns WHERE database = {database:String} AND table = {name:String}',
    query_params: { database, name },
    format: 'JSONEachRow',
  })
  const rows = await result.json<{ name: string; type: string }>()
  if (rows.length === 0) throw new Error(`ingest log: ${table(tableName)} has no columns (not migrated?)`)
  return new Map(rows.map((r) => [r.name, r.type.replace(/^LowCardinality\((.*)\)$/, '$1')]))
}

export const writeEvents: (rows: EventRow[]) => Promise<void> = rowsWriter<EventRow>('events')
export const writeEventLines: (segment: SegmentInsert) => Promise<void> = segmentWriter('events')
export const writeEventFile: (segment: SegmentFile) => Promise<void> = segmentFileWriter('events')

// Column names come from a segment file: only plain identifiers reach SQL.
function identifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`ingest log: not a column name: ${JSON.stringify(name)}`)
  return name
}
