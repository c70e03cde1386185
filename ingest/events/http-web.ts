import { clientAddress } from '../../lib/http/client-address'
import { WIRE_LIMITS } from '../../sdk/src/wire'
import { badRequest, type IngestResult } from '../edge/answers'
import { handleIngest, type IngestDeps } from './pipeline'
import { readLimited, type LimitedBody } from '../edge/read-body'

// Adapter for the Fetch API (a Next.js route handler, or any serverless runtime).

export async function* streamChunks(stream: ReadableStream<Uint8Array> | null): AsyncIterable<Uint8Array> {
  if (!stream) return
  const reader = stream.getReader()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      yield value
    }
  } finally {
    reader.releaseLock()
  }
}

export function toResponse(result: IngestResult): Response {
  const body = result.body === null ? null : JSON.stringify(result.body)
  const headers = new Headers(result.headers)
  if (body !== null) headers.set('content-type', 'application/json')
  return new Response(body, { status: result.status, headers })
}

async function readBody(request: Request): Promise<LimitedBody> {
  const length = request.headers.get('content-length')
  const declared = Number(length ?? '0')
  if (request.method !== 'POST' || declared > WIRE_LIMITS.maxBodyBytes) return { body: new Uint8Array(), tooLarge: declared > WIRE_LIMITS.maxBodyBytes }
  // A declared length within the limit: the HTTP layer reads no more than
  // declared, and one arrayBuffer() costs far less than a stream read.
  if (length !== null) return { body: new Uint8Array(await request.arrayBuffer()), tooLarge: false }
  return readLimited(streamChunks(request.body))
}

/**
 * A Fetch Request carries no socket: the host passes the peer address when it
 * knows it (lib/http/client-address.ts); X-Forwarded-For is used only with
 * STALEWATCH_TRUST_PROXY=1. The limits and shedding are the pipeline's, the
 * same as on node:http.
 */
export async function handleIngestRequest(request: Request, deps: IngestDeps, peerAddress: string | null = null): Promise<Response> {
  const receivedAt = Date.now()
  let read: LimitedBody
  try {
    read = await readBody(request)
  } catch {
    // The client went away before its body arrived: counted, not logged; nobody reads this answer.
    deps.onClientAbort?.()
    return toResponse(badRequest('incomplete_body', 'The request body ended before its end.'))
  }
  const query = new URL(request.url).searchParams
  const result = await handleIngest(
    {
      method: request.method,
      contentType: request.headers.get('content-type'),
      queryKey: query.get('key'),
      queryAnswer: query.get('answer'),
      body: read.body,
      bodyTooLarge: read.tooLarge,
      receivedAt,
      remoteAddress: clientAddress(peerAddress, request.headers.get('x-forwarded-for')),
      origin: request.headers.get('origin'),
      userAgent: request.headers.get('user-agent'),
    },
    deps,
  )
  return toResponse(result)
}
