import type { IncomingMessage, ServerResponse } from 'node:http'
import { WIRE_LIMITS } from '../lib/wire-format'
import { clientAddress, ingestLimits } from './limits'
import { handleIngest, type IngestDeps } from './pipeline'
import { readLimitedNode, type LimitedBody } from './read-body'

// Adapter for a bare node:http server: the high-volume path, which skips
// Next.js's router (about 25× the requests per core on this hardware).

const firstHeader = (value: string | string[] | undefined): string | null => (Array.isArray(value) ? (value[0] ?? null) : (value ?? null))

export async function handleIngestNode(req: IncomingMessage, res: ServerResponse, deps: IngestDeps): Promise<void> {
  const receivedAt = Date.now()
  const declared = Number(req.headers['content-length'] ?? '0')
  let read: LimitedBody = { body: new Uint8Array(), tooLarge: declared > WIRE_LIMITS.maxBodyBytes }
  if (req.method === 'POST' && !read.tooLarge) read = await readLimitedNode(req)
  const url = new URL(req.url ?? '/', 'http://localhost')
  const result = await handleIngest(
    {
      method: req.method ?? 'GET',
      contentType: req.headers['content-type'] ?? null,
      queryKey: url.searchParams.get('key'),
      queryAnswer: url.searchParams.get('answer'),
      body: read.body,
      bodyTooLarge: read.tooLarge,
      receivedAt,
      remoteAddress: clientAddress(req.socket.remoteAddress, firstHeader(req.headers['x-forwarded-for']), ingestLimits().trustProxy),
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
