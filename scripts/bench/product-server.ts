import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { performance } from 'node:perf_hooks'

// The server under test, as its own child process (its own event loop, its
// own chDB data directory, RSS measured cleanly from /proc). Two modes:
// - product: server.ts startServer, exactly what `npm start` runs (/api/ingest on bare node:http);
// - next: everything through the Next.js request handler, as a Next-only
//   deployment runs (/api/ingest via app/api/ingest/route.ts, and the trivial
//   /api/bench-baseline route for comparison, in the bench's own build only).
// The parent talks to it over IPC: ready → {url, ingestKey}; metrics; count;
// flush; stop; and for the live-tabs and pages sections: release and minimum
// (change the project's releases as CI would), time-queries (every dashboard
// query once, in this process, as the pages run them), mark and collect (the
// reads run between the two, for the cost of each query in a page), rollups
// (what the scheduler's runs took).

type Message =
  | { type: 'metrics' }
  | { type: 'count'; projectId: string }
  | { type: 'flush' }
  | { type: 'stop' }
  | { type: 'release'; projectId: string; version: string }
  | { type: 'minimum'; projectId: string; version: string }
  | { type: 'time-queries'; projectId: string }
  | { type: 'mark' }
  | { type: 'collect' }
  | { type: 'rollups' }

async function main(): Promise<void> {
  const mode = process.env.STALEWATCH_BENCH_MODE === 'next' ? 'next' : 'product'
  let url: string
  let close: () => Promise<void>

  if (mode === 'product') {
    const { startServer } = await import('../../server')
    const server = await startServer({ port: 0, hostname: '127.0.0.1' })
    url = `http://127.0.0.1:${server.port}`
    close = server.close
  } else {
    const { default: next } = await import('next')
    const { onServerStart } = await import('../../lib/server-start')
    await onServerStart()
    const app = next({ dev: false, dir: path.resolve('.'), hostname: '127.0.0.1', port: 0 })
    const handle = app.getRequestHandler()
    await app.prepare()
    const server = http.createServer((req, res) => void handle(req, res))
    server.keepAliveTimeout = 65_000
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    close = async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      const { closeIngest } = await import('../../ingest/events/runtime')
      await closeIngest()
      await app.close()
    }
  }

  const { createProject } = await import('../../lib/projects/project-store')
  const { ingestMetrics } = await import('../../ingest/edge/metrics')
  const { ingestRuntime } = await import('../../ingest/events/runtime')
  const { store } = await import('../../lib/store/client')
  const { table } = await import('../../lib/store/tables')
  const project = await createProject({ name: `bench-${mode}-${Date.now()}` })
  const { onQueryTimed } = await import('../../lib/store/run-query')
  let collected: { name: string; ms: number }[] | null = null
  onQueryTimed((q) => collected?.push(q))

  process.on('message', (message: Message) => {
    void (async () => {
      if (message.type === 'metrics') {
        const m = ingestMetrics()
        const buffered = ingestRuntime().buffer.stats()
        process.send?.({
          type: 'metrics',
          inserts: m.inserts,
          insertedRows: m.insertedRows,
          failedInserts: m.failedInserts,
          flushSeconds: m.flushSeconds,
          backlogRows: buffered.waitingRows + buffered.inFlightRows,
          // Main-thread busy time so far (ms): the parent takes differences per step.
          eventLoopActiveMs: performance.eventLoopUtilization().active,
        })
      } else if (message.type === 'count') {
        // Acknowledged rows may still be in the ingest log: count once it has drained.
        await ingestRuntime().buffer.flush()
        const result = await store().query.query({
          query: `SELECT version, count() AS events, uniqExact(event_id) AS ids FROM ${table('events')} WHERE project_id = {p:String} GROUP BY version`,
          query_params: { p: message.projectId },
          format: 'JSONEachRow',
        })
        const rows = await result.json<{ version: string; events: string | number; ids: string | number }>()
        process.send?.({ type: 'count', rows: rows.map((r) => ({ version: r.version, events: Number(r.events), ids: Number(r.ids) })) })
      } else if (message.type === 'flush') {
        await ingestRuntime().buffer.flush()
        process.send?.({ type: 'flushed' })
      } else if (message.type === 'release') {
        const { registerRelease } = await import('../../lib/releases/release-store')
        await registerRelease({ project: message.projectId, version: message.version, releasedAt: Date.now() })
        process.send?.({ type: 'released' })
      } else if (message.type === 'minimum') {
        const { setMinSupported } = await import('../../lib/releases/release-store')
        await setMinSupported(message.projectId, message.version)
        process.send?.({ type: 'minimum-set' })
      } else if (message.type === 'time-queries') {
        const { dashboardCases } = await import('./dashboard-cases')
        const timings: { page: string; query: string; ms: number; reads: { name: string; ms: number }[] }[] = []
        for (const c of await dashboardCases(message.projectId, Date.now())) {
          // The engine reads this case ran (others' reads may interleave: the generator's ingest does not read).
          const reads: { name: string; ms: number }[] = []
          const off = onQueryTimed((q) => reads.push({ name: q.name, ms: q.ms }))
          const started = performance.now()
          try {
            await c.run()
          } finally {
            off()
          }
          timings.push({ page: c.page, query: c.query, ms: performance.now() - started, reads })
        }
        process.send?.({ type: 'timed-queries', timings })
      } else if (message.type === 'mark') {
        collected = []
        process.send?.({ type: 'marked' })
      } else if (message.type === 'collect') {
        process.send?.({ type: 'collected', queries: collected ?? [] })
        collected = null
      } else if (message.type === 'rollups') {
        const { rollupRunStats } = await import('../../lib/rollup-runner/scheduler')
        process.send?.({ type: 'rollup-stats', ...rollupRunStats() })
      } else if (message.type === 'stop') {
        await close()
        process.exit(0)
      }
    })().catch((error: unknown) => {
      process.send?.({ type: 'error', message: error instanceof Error ? error.message : String(error) })
    })
  })
  process.send?.({ type: 'ready', url, ingestKey: project.ingestKey, projectId: project.id })
}

main().catch((error: unknown) => {
  console.error(`bench server failed: ${error instanceof Error ? error.stack : String(error)}`)
  process.exit(1)
})
