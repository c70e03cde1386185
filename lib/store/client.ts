import { createClient, type ClickHouseClient, type ClickHouseClientConfigOptions } from '@clickhouse/client'
import { mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { config } from '../config'
import { dropSingleton, existingSingleton, processSingleton } from '../process-singleton'

// Three clients: `query` serves pages and APIs; `ingest` carries only the
// ingest writes; `background` runs the rollups and alert evaluation. One chDB
// connection runs one call at a time, so neither a slow dashboard query nor a
// rollup may hold acknowledgements of events, or pages, behind it.
export interface Store {
  query: ClickHouseClient
  /**
   * Clients for dashboard reads, `query` first. Embedded: one chDB connection
   * runs one call at a time, so a page's independent queries (and two people's
   * pages) would queue behind each other on one; a second connection lets
   * them run side by side. A server client pools HTTP connections itself.
   */
  queryPool: ClickHouseClient[]
  ingest: ClickHouseClient
  background: ClickHouseClient
  database: string
  cluster: string | undefined
  embedded: boolean
  /**
   * The embedded engine's raw insert on the ingest connection: the bytes go to
   * the engine as they are, parsed by its multithreaded parser off the event
   * loop (the client's insert builds one SQL string on the main thread first).
   */
  rawIngestInsert?: RawInsert
}

export type RawInsert = (params: {
  table: string
  columns: readonly string[]
  values: Buffer
  format: 'JSONCompactEachRow'
  settings?: Record<string, string | number>
}) => Promise<unknown>

interface Embedded {
  client: ClickHouseClient
  rawInsert: RawInsert
}

// The one Store of this process (lib/process-singleton.ts): Next.js bundles
// route modules separately from server.ts, and the engine must not be opened
// twice.

function openEmbedded(dataDir: string): Embedded {
  mkdirSync(dataDir, { recursive: true })
  // Required lazily: loading chDB starts the engine, which must never happen
  // during `next build` or in a process that only imports this module.
  const require = createRequire(import.meta.url)
  const { createChdbConnection } = require('chdb/connection') as typeof import('chdb/connection')
  const connection = createChdbConnection({ path: dataDir })
  // chDB's Connection is typed from @clickhouse/client-common, the client's from
  // its own copy of the same interface: the one cast at that boundary.
  const client = createClient({ connection: connection as unknown as ClickHouseClientConfigOptions['connection'] })
  return { client, rawInsert: (params) => connection.chdb.rawInsert(params) }
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
  return processSingleton('store', (): Store => {
    const c = config()
    const embedded = !c.clickhouseUrl
    if (embedded) {
      const ingest = openEmbedded(c.dataDir)
      const query = openEmbedded(c.dataDir).client
      return {
        query,
        queryPool: [query, ...Array.from({ length: c.queryConnections - 1 }, () => openEmbedded(c.dataDir).client)],
        ingest: ingest.client,
        background: openEmbedded(c.dataDir).client,
        database: c.database,
        cluster: c.cluster,
        embedded,
        rawIngestInsert: ingest.rawInsert,
      }
    }
    const query = openServer()
    return { query, queryPool: [query], ingest: openServer(), background: openServer(), database: c.database, cluster: c.cluster, embedded }
  })
}

export async function closeStore(): Promise<void> {
  const s = existingSingleton<Store>('store')
  if (!s) return
  dropSingleton('store')
  await Promise.allSettled([...s.queryPool.map((c) => c.close()), s.ingest.close(), s.background.close()])
}
