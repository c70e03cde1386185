import { afterAll, beforeAll } from 'vitest'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { classifyTarget } from '@/ingest/edge/front-door'
import { serveIngestNode } from '@/ingest/events/http-node'
import { ingestRuntime } from '@/ingest/events/runtime'
import type { IngestDeps } from '@/ingest/events/pipeline'

/** A real node:http server on loopback serving only /api/ingest, through the same front door as server.ts. */
export async function startIngestServer(deps: IngestDeps = ingestRuntime().deps): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const target = classifyTarget(req.url)
    if (target.kind === 'ingest') void serveIngestNode(req, res, deps, target.search)
    else res.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/api/ingest`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** A real ingest server on loopback for the test file, on the runtime's deps: `.url` once beforeAll has run. */
export function useIngestServer(): { url: string } {
  const handle = { url: '' }
  let server: Awaited<ReturnType<typeof startIngestServer>> | undefined
  beforeAll(async () => {
    server = await startIngestServer()
    handle.url = server.url
  })
  afterAll(async () => {
    await server?.close()
  })
  return handle
}
