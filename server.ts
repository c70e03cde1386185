import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import next from 'next'
import { classifyTarget } from './ingest/edge/front-door'
import { serveIngestNode, serveNode } from './ingest/events/http-node'
import { closeIngest, ingestRuntime } from './ingest/events/runtime'
import { config } from './lib/config'
import { handleAggregatesNode } from './ingest/aggregates/http'
import { aggregateRuntime, closeAggregateIngest } from './ingest/aggregates/runtime'
import { addressLimiter } from './ingest/edge/address-limit'
import { ingestMetrics } from './ingest/edge/metrics'
import { ingestBufferSnapshot } from './ingest/buffer-snapshot'
import { clientAddress, PEER_ADDRESS_HEADER, trustPeerAddressHeader } from './lib/http/client-address'
import { quietNextClientAborts } from './lib/http/client-abort'
import { connectionLimits, connectionServerOptions, guardConnections } from './ingest/edge/connection-guard'
import { closeStore } from './lib/store/client'
import { onServerStart, onServerStop } from './lib/server-start'
import { haltSelfHealth, startSelfHealth, stopSelfHealth } from './lib/self-gaps/writer'
import { log, errorMessage } from './lib/log'
import { startLiveIndexWarming } from './lib/figures/live-sessions/live-index-feed'

// One process serves everything, as the embedded engine requires: /api/ingest
// straight on node:http (the high-volume path, no Next.js router in the way),
// every other request through Next.js. Which is which is decided on the
// request target as sent (ingest/edge/front-door.ts): every spelling of the ingest
// path goes to the same front door, and a target whose percent-encoding is
// broken is answered 400 here, before a router can trip over it.

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

const RATE_LIMITED = JSON.stringify({ error: { code: 'rate_limited', message: 'Too many requests from this address; retry after the given seconds.' } })
const firstHeader = (value: string | string[] | undefined): string | null => (Array.isArray(value) ? (value[0] ?? null) : (value ?? null))
const MALFORMED_TARGET = JSON.stringify({ error: { code: 'malformed_path', message: 'The request path is not valid percent-encoding.' } })
const SERVER_WIDE_ALLOW = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS'
const SERVER_WIDE_ONLY_OPTIONS = JSON.stringify({ error: { code: 'malformed_path', message: 'Only OPTIONS may name the server (*); give a path.' } })

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  // Every chDB call holds a libuv pool thread while it runs, and the ingest
  // log's writes use the same pool: with the default 4 threads, a slow query
  // or insert delays acknowledgements. Only settable before the process starts.
  if (config().threadpoolSize === undefined) log.warn('UV_THREADPOOL_SIZE is not set: start with UV_THREADPOOL_SIZE=16 (npm start does) so ingest log writes never wait behind ClickHouse calls')
  await onServerStart()
  const app = next({ dev: options.dev ?? false, dir: options.dir ?? path.resolve('.'), hostname: options.hostname, port: options.port })
  const handle = app.getRequestHandler()
  await app.prepare()
  const deps = ingestRuntime().deps
  // The live figures' index, fed from here on, built for the projects with live tabs now and as they begin (the table answers meanwhile).
  startLiveIndexWarming()
  const aggregateDeps = aggregateRuntime().deps
  // Pages, API and assets go through Next.js, milliseconds a request: one address may not take the cores ingest needs (ingest/edge/address-limit.ts).
  const pagesLimit = addressLimiter()
  // Route handlers learn the client's address from this header, which is set (overwritten) on every request below.
  trustPeerAddressHeader()
  quietNextClientAborts(() => ingestMetrics().httpClientAborts++)
  const limits = connectionLimits(config())

  const server = http.createServer(connectionServerOptions(limits), (req, res) => {
    const target = classifyTarget(req.url)
    if (target.kind === 'ingest') {
      void serveIngestNode(req, res, deps, target.search)
      return
    }
    // Backend-load aggregates from the app's servers (docs/backend-load.md).
    if (target.kind === 'aggregates') {
      void serveNode(req, res, () => handleAggregatesNode(req, res, aggregateDeps), deps.onClientAbort, 'aggregate request failed')
      return
    }
    if (target.kind === 'malformed') {
      res.writeHead(400, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(MALFORMED_TARGET) })
      res.end(MALFORMED_TARGET)
      return
    }
    // `OPTIONS *` asks what the server allows; Next.js would answer it 500 with a stack in the log.
    if (target.kind === 'server-wide') {
      if (req.method === 'OPTIONS') res.writeHead(204, { allow: SERVER_WIDE_ALLOW }).end()
      else res.writeHead(400, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(SERVER_WIDE_ONLY_OPTIONS) }).end(SERVER_WIDE_ONLY_OPTIONS)
      return
    }
    const admitted = pagesLimit.check(clientAddress(req.socket.remoteAddress, firstHeader(req.headers['x-forwarded-for'])))
    if (!admitted.ok) {
      ingestMetrics().httpRateLimited++
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(admitted.retryAfterSeconds), 'content-length': Buffer.byteLength(RATE_LIMITED) })
      res.end(RATE_LIMITED)
      return
    }
    req.headers[PEER_ADDRESS_HEADER] = req.socket.remoteAddress ?? ''
    handle(req, res).catch((error: unknown) => {
      log.error('request failed', { error: errorMessage(error) })
      if (!res.headersSent) res.writeHead(500)
      res.end()
    })
  })
  // Idle and slow connections closed, connections capped per address and in all (ingest/edge/connection-guard.ts).
  guardConnections(server, limits, ingestMetrics().connections)

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.hostname ?? '0.0.0.0', () => resolve())
  })
  // Stalewatch's own gaps (lib/self-gaps/): from now tabs are heard. Ingest's answers and its log's state are handed over as data.
  startSelfHealth(() => ({ rejectedByReason: ingestMetrics().rejectedByReason, buffer: ingestBufferSnapshot() }))
  const port = (server.address() as AddressInfo).port
  const host = options.hostname && options.hostname !== '0.0.0.0' ? options.hostname : 'localhost'

  let closing: Promise<void> | undefined
  let step: string | null = null
  const close = () => {
    // Stop taking connections, store what was acknowledged-to-be, then let go of the engine.
    closing ??= (async () => {
      // From here no tab is heard: the down time on the timeline starts now, and no heartbeat may follow it.
      haltSelfHealth(Date.now())
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
      step = 'recording the stop'
      await stopSelfHealth().catch(() => undefined)
      step = 'closing the engine'
      await closeStore()
      step = null
    })()
    return closing
  }
  return { url: `http://${host}:${port}`, port, close, closingStep: () => step }
}
