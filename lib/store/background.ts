import { store } from './client'
import { runCommand, runQuery } from './run-query'

// The rollups and the alert evaluator run on the store's background
// connection, so their work never queues pages or ingest behind it.

export function backgroundQuery<Row>(name: string, sql: string, params: Record<string, unknown> = {}): Promise<Row[]> {
  return runQuery<Row>(name, sql, params, store().background)
}

export function backgroundCommand(name: string, sql: string, params: Record<string, unknown> = {}): Promise<void> {
  return runCommand(name, sql, params, store().background)
}
