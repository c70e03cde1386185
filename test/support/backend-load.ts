import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { AGGREGATES_PATH, handleAggregatesNode } from '@/ingest/aggregates/http'
import { handleAggregates } from '@/ingest/aggregates/pipeline'
import { aggregateRuntime } from '@/ingest/aggregates/runtime'
import { serveIngestNode } from '@/ingest/events/http-node'
import { ingestRuntime } from '@/ingest/events/runtime'
import type { AggregateItem } from '@/sdk/src/server/wire'
import { backendLoadMinutes } from '@/lib/figures/backend-load/read-minutes'
import { runQuery } from '@/lib/store/run-query'
import { table } from '@/lib/store/tables'

// Stalewatch's ingest front door for backend-load tests: a real node:http
// server on loopback answering /api/ingest and /api/ingest/aggregates as
// server.ts does, and readers of what backend_load_raw holds.

export async function startStalewatchIngest(): Promise<{ url: string; aggregatesUrl: string; close: () => Promise<void> }> {
  const events = ingestRuntime().deps
  const aggregates = aggregateRuntime().deps
  const server = http.createServer((req, res) => {
    if (req.url === AGGREGATES_PATH) void handleAggregatesNode(req, res, aggregates)
    else void serveIngestNode(req, res, events)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const url = `http://127.0.0.1:${port}`
  return {
    url,
    aggregatesUrl: url + AGGREGATES_PATH,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

export async function postAggregates(url: string, key: string | null, body: unknown, contentType = 'application/json'): Promise<{ status: number; json: unknown }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': contentType, ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  const text = await res.text()
  return { status: res.status, json: text ? JSON.parse(text) : null }
}

export const minuteOf = (ms: number) => Math.floor(ms / 60_000) * 60_000

export function item(overrides: Partial<AggregateItem> = {}): AggregateItem {
  return { minute: minuteOf(Date.now()), kind: 'http', version: 'v1', route: '/api/items/:id', status: '2xx', count: 1, ...overrides }
}

export interface StoredLabelCount {
  kind: string
  version: string
  route_group: string
  status_class: string
  requests: number
}

/** Requests stored per label set (summed over minutes and rows), sorted, for exact comparisons. */
export async function storedByLabels(projectId: string): Promise<StoredLabelCount[]> {
  const rows = await runQuery<StoredLabelCount & { requests: string }>(
    'test.backendLoadByLabels',
    `SELECT kind, version, route_group, status_class, sum(requests) AS requests FROM ${table('backend_load_raw')}
     WHERE project_id = {project:String} GROUP BY kind, version, route_group, status_class ORDER BY kind, version, route_group, status_class`,
    { project: projectId },
  )
  return rows.map((r) => ({ ...r, requests: Number(r.requests) }))
}

/** Polls until `read` returns what `until` accepts (figures arrive a moment after the acknowledgement). */
export async function eventually<T>(read: () => Promise<T>, until: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await read()
    if (until(value) || Date.now() > deadline) return value
    await new Promise((r) => setTimeout(r, 100))
  }
}

export { backendLoadMinutes }

/** Sends aggregate items through the real pipeline as if the server had received them at `receivedAt` (crafted history). */
export async function sendLoadAt(serverKey: string, receivedAt: number, items: AggregateItem[]): Promise<void> {
  const result = await handleAggregates(
    {
      method: 'POST',
      contentType: 'application/json',
      authorization: `Bearer ${serverKey}`,
      body: new TextEncoder().encode(JSON.stringify({ sentAt: receivedAt, items })),
      bodyTooLarge: false,
      receivedAt,
    },
    { ...aggregateRuntime().deps, rateLimiter: undefined },
  )
  const answer = result.body as { accepted?: number; relabelled?: number; rejected?: unknown[] }
  if (result.status !== 200 || answer.rejected?.length || answer.relabelled) throw new Error(`aggregates not stored as sent: ${result.status} ${JSON.stringify(result.body)}`)
}
