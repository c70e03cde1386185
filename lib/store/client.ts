import { createClient, type ClickHouseClient, type ClickHouseClientConfigOptions } from '@clickhouse/client'
import { mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { config } from '../config'

// Three clients: `query` serves pages and APIs; `ingest` carries only the
// ingest writes; `background` runs the rollups and alert evaluation. One chDB
// connection runs one call at a time, so neither a slow dashboard query nor a
// rollup may hold acknowledgements of events, or pages, behind it.
export interface Store {
  query: ClickHouseClient
  ingest: ClickHouseClient
  background: ClickHouseClient
  database: string
  cluster: string | undefined
  embedded: boolean
}

// Next.js bundles route modules separately from server.ts, so a module-level
// variable would exist twice in one process. The engine must not: keep the one
// Store on globalThis.
const STORE_KEY = Symbol.for('stalewatch.store')
type Holder = { [STORE_KEY]?: Store }

function openEmbedded(dataDir: string): ClickHouseClient {
  mkdirSync(dataDir, { recursive: true })
  // Required lazily: loading chDB starts the engine, which must never happen
  // during `next build` or in a process that only imports this module.
  const require = createRequire(import.meta.url)
  const { createChdbConnection } = require('chdb/connection') as typeof import('chdb/connection')
  const connection = createChdbConnection({ path: dataDir })
  // chDB's Connection is typed from @clickhouse/client-common, the client's from
  // its own copy of the same interface: the one cast at that boundary.
  return createClient({ connection: connection as unknown as ClickHouseClientConfigOptions['connection'] })
}

function openServer(): ClickHouseClient {
  const c = config()
  return createClient({
    url: c.clickhouseUrl,
    username: c.clickhouseUser,
    password: c.clickhousePassword,
    request_timeout: 30_000,
    clickhouse_settings: { date_time_output_format: 'iso' },
  })
}

export function store(): Store {
  const holder = globalThis as Holder
  if (!holder[STORE_KEY]) {
    const c = config()
    const embedded = !c.clickhouseUrl
    holder[STORE_KEY] = {
      query: embedded ? openEmbedded(c.dataDir) : openServer(),
      ingest: embedded ? openEmbedded(c.dataDir) : openServer(),
      background: embedded ? openEmbedded(c.dataDir) : openServer(),
      database: c.database,
      cluster: c.cluster,
      embedded,
    }
  }
  return holder[STORE_KEY]
}

export async function closeStore(): Promise<void> {
  const holder = globalThis as Holder
  const s = holder[STORE_KEY]
  if (!s) return
  delete holder[STORE_KEY]
  await Promise.allSettled([s.query.close(), s.ingest.close(), s.background.close()])
}
