import http from 'node:http'
import type { AddressInfo } from 'node:net'

// A loopback relay in front of the app's /api/ingest, for browser tests that
// must know what the app acknowledged at moments when the page cannot tell
// (a frozen page runs no script and Playwright sees its responses only after
// it resumes). It forwards each request to the app and records the envelope;
// while `down`, it answers 503 + Retry-After instead, as the app does when
// storage is down.

/** One envelope as the relay saw it. */
export interface RelayedBatch {
  session: string
  load?: string
  version?: string
  events: { id: string; type: string; ts?: number; reason?: string }[]
}

/** The versions of a 2xx answer: its stalewatch-answer header, else its JSON body. */
export type RelayedAnswer = Record<string, unknown>

export interface IngestRelay {
  url: string
  /** While true, every request gets 503 + Retry-After: 1. */
  down: boolean
  /** Called with each envelope the app answered 2xx and that answer's versions, before the page sees it. */
  onAnswer?: (batch: RelayedBatch, answer: RelayedAnswer) => void
  /** Each refused envelope, in order. */
  refused: RelayedBatch[]
  /** Each envelope the app answered 2xx (so stored), in order. */
  forwarded: RelayedBatch[]
  /** Requests received and not yet answered. */
  pending: number
  close: () => Promise<void>
}

// The ingest answer's CORS headers, so the SDK on another origin can read the 503 and Retry-After.
const CORS = { 'access-control-allow-origin': '*', 'access-control-expose-headers': 'retry-after, stalewatch-answer' }

export async function startIngestRelay(target: string, options: { down?: boolean } = {}): Promise<IngestRelay> {
  const state = { down: options.down ?? false, refused: [] as RelayedBatch[], forwarded: [] as RelayedBatch[], pending: 0 }
  const server = http.createServer(async (req, res) => {
    state.pending++
    res.once('close', () => state.pending--)
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks)
    const batch = req.method === 'POST' ? (JSON.parse(body.toString()) as RelayedBatch) : undefined
    const seen = batch && {
      session: batch.session,
      load: batch.load,
      version: batch.version,
      events: batch.events.map(({ id, type, ts, reason }) => ({ id, type, ts, ...(reason ? { reason } : {}) })),
    }
    if (state.down) {
      if (seen) state.refused.push(seen)
      res.writeHead(503, { ...CORS, 'content-type': 'application/json', 'retry-after': '1' })
      res.end(JSON.stringify({ error: { code: 'storage_unavailable', message: 'down for the test' } }))
      return
    }
    const headers: Record<string, string> = {}
    for (const name of ['content-type', 'origin', 'user-agent']) if (req.headers[name]) headers[name] = String(req.headers[name])
    // The page can still send (a beacon on unload) while the test stops the
    // app: a request it can no longer forward gets a 502, like a real proxy.
    const answer = await fetch(new URL(req.url ?? '/', target), { method: req.method, headers, body: req.method === 'POST' ? body : undefined }).catch(
      () => null,
    )
    if (!answer) {
      res.writeHead(502, CORS)
      res.end()
      return
    }
    if (seen?.events.length && answer.ok) state.forwarded.push(seen)
    const passed = [...answer.headers].filter(([name]) => !['content-length', 'content-encoding', 'transfer-encoding', 'connection', 'keep-alive'].includes(name))
    const bytes = Buffer.from(await answer.arrayBuffer())
    if (seen && answer.ok && relay.onAnswer) {
      const header = answer.headers.get('stalewatch-answer')
      relay.onAnswer(seen, JSON.parse(header ?? (bytes.length ? bytes.toString() : '{}')) as RelayedAnswer)
    }
    res.writeHead(answer.status, Object.fromEntries(passed))
    res.end(bytes)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const relay: IngestRelay = Object.assign(state, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  })
  return relay
}
