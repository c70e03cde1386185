import type { IncomingMessage, ServerResponse } from 'node:http'
import { AGGREGATE_LIMITS } from '../../sdk/src/server/wire'
import type { IngestResult } from '../edge/answers'
import { handleAggregates, type AggregateDeps } from './pipeline'
import { streamChunks, toResponse } from '../events/http-web'
import { clientAddress } from '../../lib/http/client-address'
import { readLimited, readLimitedNode, type LimitedBody } from '../edge/read-body'

// The aggregate endpoint's two adapters, as ingest/events/http-node.ts and
// ingest/events/http-web.ts are the events': node:http (server.ts's front door) and
// the Fetch API (the Next.js route app/api/ingest/aggregates/route.ts).

export { AGGREGATES_PATH } from '../edge/front-door'

const firstHeader = (value: string | string[] | undefined): string | null => (Array.isArray(value) ? (value[0] ?? null) : (value ?? null))

export async function handleAggregatesNode(req: IncomingMessage, res: ServerResponse, deps: AggregateDeps): Promise<void> {
  const receivedAt = Date.now()
  const declared = Number(req.headers['content-length'] ?? '0')
  let read: LimitedBody = { body: new Uint8Array(), tooLarge: declared > AGGREGATE_LIMITS.maxBodyBytes }
  if (req.method === 'POST' && !read.tooLarge) read = await readLimitedNode(req, AGGREGATE_LIMITS.maxBodyBytes)
  const result = await handleAggregates(
    {
      method: req.method ?? 'GET',
      contentType: req.headers['content-type'] ?? null,
      authorization: req.headers.authorization ?? null,
      body: read.body,
      bodyTooLarge: read.tooLarge,
      receivedAt,
      remoteAddress: clientAddress(req.socket.remoteAddress, firstHeader(req.headers['x-forwarded-for'])),
    },
    deps,
  )
  writeNode(res, result, read.tooLarge)
}

function writeNode(res: ServerResponse, result: IngestResult, closeAfter: boolean): void {
  const body = result.body === null ? '' : JSON.stringify(result.body)
  const headers: Record<string, string | number> = { ...result.headers, 'cache-control': 'no-store' }
  if (body) {
    headers['content-type'] = 'application/json'
    headers['content-length'] = Buffer.byteLength(body)
  }
  // An oversized body was not read to the end: close rather than drain it.
  if (closeAfter) headers.connection = 'close'
  res.writeHead(result.status, headers)
  res.end(body)
}

/** A Fetch Request carries no socket: the host passes the peer address when it knows it. */
export async function handleAggregatesRequest(request: Request, deps: AggregateDeps, peerAddress: string | null = null): Promise<Response> {
  const receivedAt = Date.now()
  const declared = Number(request.headers.get('content-length') ?? '0')
  const { body, tooLarge } =
    request.method !== 'POST' || declared > AGGREGATE_LIMITS.maxBodyBytes
      ? { body: new Uint8Array(), tooLarge: declared > AGGREGATE_LIMITS.maxBodyBytes }
      : await readLimited(streamChunks(request.body), AGGREGATE_LIMITS.maxBodyBytes)
  const result = await handleAggregates(
    {
      method: request.method,
      contentType: request.headers.get('content-type'),
      authorization: request.headers.get('authorization'),
      body,
      bodyTooLarge: tooLarge,
      receivedAt,
      remoteAddress: clientAddress(peerAddress, request.headers.get('x-forwarded-for')),
    },
    deps,
  )
  return toResponse({ ...result, headers: { ...result.headers, 'cache-control': 'no-store' } })
}
