import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import next from 'next'
import { handleIngestNode } from './ingest/http-node'
import { closeIngest, ingestRuntime } from './ingest/runtime'
import { AGGREGATES_PATH, handleAggregatesNode } from './ingest/aggregate-http'
import { aggregateRuntime, closeAggregateIngest } from './ingest/aggregate-runtime'
import { closeStore } from './lib/store/client'
import { onServerStart, onServerStop } from './lib/server-start'
import { log, errorMessage } from './lib/log'

// One process serves everything, as the embedded engine requires: /api/ingest
// straight on node:http (the high-volume path, no Next.js router in the way),
// every other request through Next.js.

export interface RunningServer {
  url: string
  port: number
  close: () => Promise<void>
  /** While closing: the step it is waiting on (for a shutdown that overruns its deadline). */
  closingStep: () => string | null
}

export interface ServerOptions {
  port: number
  hostname?: string
  dev?: boolean
  dir?: string
}

function isIngest(url: string | undefined): boolean {
  return url === '/api/ingest' || url?.startsWith('/api/ingest?') === true
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  // Every chDB call holds a libuv pool thread while it runs, and the ingest
  // log's writes use the same pool: with the default 4 threads, a slow query
  // or insert delays acknowledgements. Only settable before the process starts.
  if (!process.env.UV_THREADPOOL_SIZE) log.warn('UV_THREADPOOL_SIZE is not set: start with UV_THREADPOOL_SIZE=16 (npm start does) so ingest log writes never wait behind ClickHouse calls')
  await onServerStart()
  const app = next({ dev: options.dev ?? false, dir: options.dir ?? path.resolve('.'), hostname: options.hostname, port: options.port })
  const handle = app.getRequestHandler()
  await app.prepare()
  const deps = ingestRuntime().deps
  const aggregateDeps = aggregateRuntime().deps

  const server = http.createServer((req, res) => {
    // Backend-load aggregates from the app's servers (docs/backend-load.md).
    if (req.url === AGGREGATES_PATH) {
      handleAggregatesNode(req, res, aggregateDeps).catch((error: unknown) => {
        log.error('aggregate request failed', { error: errorMessage(error) })
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ error: { code: 'internal', message: 'Something went wrong on the server; it has been logged.' } }))
      })
      return
    }
    if (isIngest(req.url)) {
      handleIngestNode(req, res, deps).catch((error: unknown) => {
        log.error('ingest request failed', { error: errorMessage(error) })
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ error: { code: 'internal', message: 'Something went wrong on the server; it has been logged.' } }))
      })
      return
    }
    handle(req, res).catch((error: unknown) => {
      log.error('request failed', { error: errorMessage(error) })
      if (!res.headersSent) res.writeHead(500)
      res.end()
    })
  })
  server.keepAliveTimeout = 65_000

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.hostname ?? '0.0.0.0', () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  const host = options.hostname && options.hostname !== '0.0.0.0' ? options.hostname : 'localhost'

  let closing: Promise<void> | undefined
  let step: string | null = null
  const close = () => {
    // Stop taking connections, store what was acknowledged-to-be, then let go of the engine.
    closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeIdleConnections()
      step = 'storing buffered events'
      await Promise.all([closeIngest(), closeAggregateIngest()])
      step = 'waiting for open requests'
      await Promise.race([stopped, new Promise((r) => setTimeout(r, 5_000))])
      step = 'closing Next.js'
      await app.close().catch(() => undefined)
      step = 'stopping background jobs'
      await onServerStop()
      step = 'closing the engine'
      await closeStore()
      step = null
    })()
    return closing
  }
  return { url: `http://${host}:${port}`, port, close, closingStep: () => step }
}
