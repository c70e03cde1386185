import type { IncomingMessage, ServerResponse } from 'node:http'
import { isClientAbortError } from '../../lib/http/client-abort'
import { clientAddress } from '../../lib/http/client-address'
import { errorMessage, log } from '../../lib/log'
import { WIRE_LIMITS } from '../../sdk/src/wire'
import { handleIngest, type IngestDeps } from './pipeline'
import { readLimitedNode, type LimitedBody } from '../edge/read-body'

// Adapter for a bare node:http server: the high-volume path, which skips
// Next.js's router (about 25× the requests per core on this hardware).

const firstHeader = (value: string | string[] | undefined): string | null => (Array.isArray(value) ? (value[0] ?? null) : (value ?? null))

/** A client that went away mid-request: counted (deps.onClientAbort), never logged (lib/http/client-abort.ts). */
function isClientAbort(req: IncomingMessage, error: unknown): boolean {
  return req.destroyed || isClientAbortError(error)
}

/**
 * Serves one ingest request; never rejects. `search` is the request target's
 * query string (ingest/edge/front-door.ts classifyTarget), so every spelling of
 * the path reads its query the same way.
 */
export function serveIngestNode(req: IncomingMessage, res: ServerResponse, deps: IngestDeps, search = ''): Promise<void> {
  return serveNode(req, res, () => handleIngestNode(req, res, deps, search), deps.onClientAbort, 'ingest request failed')
}

/** Runs one node:http handler of the front door; never rejects: an abort is counted, anything else logged and answered 500. */
export async function serveNode(req: IncomingMessage, res: ServerResponse, run: () => Promise<void>, onClientAbort: (() => void) | undefined, failure: string): Promise<void> {
  try {
    await run()
  } catch (error) {
    if (isClientAbort(req, error)) {
      onClientAbort?.()
      res.destroy()
      return
    }
    log.error(failure, { error: errorMessage(error) })
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ error: { code: 'internal', message: 'Something went wrong on the server; it has been logged.' } }))
  }
}

async function handleIngestNode(req: IncomingMessage, res: ServerResponse, deps: IngestDeps, search: string): Promise<void> {
  const receivedAt = Date.now()
  const declared = Number(req.headers['content-length'] ?? '0')
  let read: LimitedBody = { body: new Uint8Array(), tooLarge: declared > WIRE_LIMITS.maxBodyBytes }
  if (req.method === 'POST' && !read.tooLarge) read = await readLimitedNode(req)
  const query = new URLSearchParams(search)
  const result = await handleIngest(
    {
      method: req.method ?? 'GET',
      contentType: req.headers['content-type'] ?? null,
      queryKey: query.get('key'),
      queryAnswer: query.get('answer'),
      body: read.body,
      bodyTooLarge: read.tooLarge,
      receivedAt,
      remoteAddress: clientAddress(req.socket.remoteAddress, firstHeader(req.headers['x-forwarded-for'])),
      origin: firstHeader(req.headers.origin),
      userAgent: firstHeader(req.headers['user-agent']),
    },
    deps,
  )
  const body = result.body === null ? '' : JSON.stringify(result.body)
  const headers: Record<string, string | number> = { ...result.headers }
  if (body) {
    headers['content-type'] = 'application/json'
    headers['content-length'] = Buffer.byteLength(body)
  }
  // An oversized body was not read to the end: close rather than drain it.
  if (read.tooLarge) headers.connection = 'close'
  res.writeHead(result.status, headers)
  res.end(body)
}
