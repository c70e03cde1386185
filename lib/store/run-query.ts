import type { ClickHouseClient } from '@clickhouse/client'
import { withSpan } from '../tracing'
import { store } from './client'

// Every read goes through here: it runs in a span named after the query, and
// tags the statement with log_comment so system.query_log says who asked.
// Values travel only as query_params ({name:Type} in the SQL).
export async function runQuery<Row>(
  name: string,
  sql: string,
  params: Record<string, unknown> = {},
  client: ClickHouseClient = store().query,
): Promise<Row[]> {
  return withSpan(`clickhouse.query ${name}`, { 'db.system': 'clickhouse', 'stalewatch.query': name }, async (span) => {
    const result = await client.query({
      query: sql,
      query_params: params,
      format: 'JSONEachRow',
      clickhouse_settings: { log_comment: name },
    })
    const rows = await result.json<Row>()
    span.setAttribute('db.rows', rows.length)
    return rows
  })
}

export async function runCommand(
  name: string,
  sql: string,
  params: Record<string, unknown> = {},
  client: ClickHouseClient = store().query,
): Promise<void> {
  await withSpan(`clickhouse.command ${name}`, { 'db.system': 'clickhouse', 'stalewatch.query': name }, async () => {
    await client.command({ query: sql, query_params: params, clickhouse_settings: { log_comment: name } })
  })
}

export async function insertRows(name: string, tableName: string, rows: readonly object[], client: ClickHouseClient = store().query): Promise<void> {
  await withSpan(`clickhouse.insert ${name}`, { 'db.system': 'clickhouse', 'stalewatch.query': name, 'db.rows': rows.length }, async () => {
    await client.insert({ table: tableName, values: rows as object[], format: 'JSONEachRow' })
  })
}
