import type { ClickHouseClient } from '@clickhouse/client'
import { processSingleton } from '../process-singleton'
import { withSpan } from '../tracing'
import { store } from './client'
import { withEngineErrors } from './engine-error'
import { table } from './tables'

export interface TimedQuery {
  name: string
  ms: number
  /** The query's parameters (tests see what a read was asked for). */
  params: Record<string, unknown>
}

// Who hears of every finished read, with its name and time: the bench's
// per-query cost of each page (scripts/bench/pages.ts). Nobody by default.
const queryListeners = () => processSingleton('queryListeners', () => new Set<(query: TimedQuery) => void>())

/** Calls `listener` after every read that runQuery ran; returns the unsubscribe. */
export function onQueryTimed(listener: (query: TimedQuery) => void): () => void {
  queryListeners().add(listener)
  return () => queryListeners().delete(listener)
}

// Who hears of rows written into the events table through here (tests' and
// scripts' own inserts, never ingest's): the live index, which only ingest
// feeds, is then rebuilt (lib/figures/live-sessions/live-index-feed.ts).
const eventsWriteListeners = () => processSingleton('eventsWriteListeners', () => new Set<() => void>())

/** Calls `listener` after every statement run here that writes into the events table; returns the unsubscribe. */
export function onEventsWritten(listener: () => void): () => void {
  eventsWriteListeners().add(listener)
  return () => eventsWriteListeners().delete(listener)
}

// The table a statement writes: INSERT INTO t, ALTER TABLE t, DELETE FROM t, TRUNCATE [TABLE] [IF EXISTS] t.
// Only the target counts: the rollups' INSERT INTO <figure> … SELECT … FROM events
// read the events table, and dropping the index at each run rebuilt it every 20 s.
const WRITE_TARGET = /^\s*(?:INSERT\s+INTO|ALTER\s+TABLE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?(?:\s+IF\s+EXISTS)?)\s+([\w.`"]+)/i
function writesEvents(sqlOrTable: string, isTable = false): boolean {
  const events = table('events')
  if (isTable) return sqlOrTable === events
  const target = WRITE_TARGET.exec(sqlOrTable)?.[1]?.replace(/[`"]/g, '')
  return target !== undefined && (target === events || target === 'events')
}

function tellEventsWritten(): void {
  for (const listener of eventsWriteListeners()) listener()
}

const inFlight = new WeakMap<ClickHouseClient, number>()

/** The read client with the fewest calls running (a page's queries then run side by side). */
function leastBusyQueryClient(): ClickHouseClient {
  const pool = store().queryPool
  let best = pool[0]!
  for (const client of pool) if ((inFlight.get(client) ?? 0) < (inFlight.get(best) ?? 0)) best = client
  return best
}

// Every read goes through here: it runs in a span named after the query, and
// tags the statement with log_comment so system.query_log says who asked.
// Values travel only as query_params ({name:Type} in the SQL).
export async function runQuery<Row>(name: string, sql: string, params: Record<string, unknown> = {}, client?: ClickHouseClient): Promise<Row[]> {
  const chosen = client ?? leastBusyQueryClient()
  inFlight.set(chosen, (inFlight.get(chosen) ?? 0) + 1)
  const started = performance.now()
  try {
    return await withSpan(`clickhouse.query ${name}`, { 'db.system': 'clickhouse', 'stalewatch.query': name }, async (span) => {
      const rows = await withEngineErrors(async () => {
        const result = await chosen.query({ query: sql, query_params: params, format: 'JSONEachRow', clickhouse_settings: { log_comment: name } })
        return result.json<Row>()
      })
      span.setAttribute('db.rows', rows.length)
      return rows
    })
  } finally {
    if (writesEvents(sql)) tellEventsWritten()
    inFlight.set(chosen, inFlight.get(chosen)! - 1)
    const listeners = queryListeners()
    if (listeners.size > 0) for (const listener of listeners) listener({ name, ms: performance.now() - started, params })
  }
}

export async function runCommand(
  name: string,
  sql: string,
  params: Record<string, unknown> = {},
  client: ClickHouseClient = store().query,
): Promise<void> {
  try {
    await withSpan(`clickhouse.command ${name}`, { 'db.system': 'clickhouse', 'stalewatch.query': name }, async () => {
      await withEngineErrors(() => client.command({ query: sql, query_params: params, clickhouse_settings: { log_comment: name } }))
    })
  } finally {
    if (writesEvents(sql)) tellEventsWritten()
  }
}

export async function insertRows(name: string, tableName: string, rows: readonly object[], client: ClickHouseClient = store().query): Promise<void> {
  try {
    await withSpan(`clickhouse.insert ${name}`, { 'db.system': 'clickhouse', 'stalewatch.query': name, 'db.rows': rows.length }, async () => {
      await withEngineErrors(() => client.insert({ table: tableName, values: rows as object[], format: 'JSONEachRow' }))
    })
  } finally {
    if (writesEvents(tableName, true)) tellEventsWritten()
  }
}
