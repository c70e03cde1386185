import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { readSetting } from '../../lib/config'
import { ensureAppBuild } from '../app-build'
import { dashboardPages, getPage, logIn } from './dashboard-http'
import { fmt, startProduct } from './ingest'
import type { BenchOptions, BenchSection, BenchTable } from './section'

// Whole dashboard pages at scale (issue 18): the queries section's dataset
// (100M events by default, generated in the engine, or reused from
// --data-dir), then the product server on that data directory, logged in
// through the login form, and every page fetched over HTTP: the server render
// with all its queries, timed end to end. Beside each page, the cost of each
// query it ran, as the server's own query timing heard them (every read goes
// through lib/store/run-query.ts) between the start and the end of the
// request. Pages are fetched one at a time, so a page's reads are its own.

const TARGET_P95_MS = 150
const KEPT_FILE = 'stalewatch-bench-dataset.json'
const LATEST_VERSION = '2026.11.5'

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]! : Number.NaN
}

/** Generates (or reuses) the dataset in its own process: the engine allows one process per data directory. */
function prepareDataset(dataDir: string, events: number, quick: boolean, progress: (m: string) => void): Promise<void> {
  progress(`pages: preparing ${fmt(events)} events in ${dataDir} (reused when it already holds them)`)
  const args = ['--import', 'tsx', 'scripts/bench/queries.ts', '--prepare-only', '--data-dir', dataDir, '--events', String(events), ...(quick ? ['--quick'] : [])]
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, STALEWATCH_LOG_LEVEL: 'warn' } })
    child.once('error', reject)
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`preparing the dataset exited with ${code}`))))
  })
}

async function run(options: BenchOptions): Promise<BenchTable[]> {
  const { progress, quick } = options
  const events = options.events ?? (quick ? 2_000_000 : 100_000_000)
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'stalewatch-bench-pages-'))
  process.env.STALEWATCH_BENCH_ROUTES = '1'
  process.env.STALEWATCH_NEXT_DIST_DIR = `${readSetting('nextDistDir').replace(/-bench$/, '')}-bench`
  try {
    await ensureAppBuild({ skipTypeCheck: true, progress })
    await prepareDataset(dataDir, events, quick, progress)
    const kept = JSON.parse(readFileSync(path.join(dataDir, KEPT_FILE), 'utf8')) as { projectId: string; rows: number; sessions: number }
    const adminToken = randomBytes(24).toString('hex')
    progress('pages: starting the server on the dataset')
    const server = await startProduct('product', { STALEWATCH_DATA_DIR: dataDir, STALEWATCH_ADMIN_TOKEN: adminToken })
    const rows: (string | number)[][] = []
    const costRows: (string | number)[][] = []
    const failures: string[] = []
    try {
      const cookie = await logIn(server.ready.url, adminToken)
      const runs = quick ? 5 : 20
      for (const p of dashboardPages(kept.projectId, LATEST_VERSION, Date.now())) {
        progress(`pages: ${p.page}`)
        for (let i = 0; i < 2; i++) await getPage(server.ready.url, p.path, cookie) // warm-up: caches, JIT, the route's first compile
        const times: number[] = []
        const byQuery = new Map<string, number[][]>()
        for (let i = 0; i < runs; i++) {
          await server.ask({ type: 'mark' }, 'marked')
          const answer = await getPage(server.ready.url, p.path, cookie)
          const { queries } = await server.ask<{ queries: { name: string; ms: number }[] }>({ type: 'collect' }, 'collected')
          times.push(answer.ms)
          const mine = new Map<string, number[]>()
          for (const q of queries) mine.set(q.name, [...(mine.get(q.name) ?? []), q.ms])
          for (const [name, ms] of mine) byQuery.set(name, [...(byQuery.get(name) ?? []), ms])
        }
        const p95 = percentile(times, 0.95)
        const ok = p95 <= TARGET_P95_MS
        if (!ok) failures.push(p.page)
        const costs = [...byQuery.entries()]
          .map(([name, perRun]) => ({ name, calls: perRun.reduce((n, r) => n + r.length, 0) / runs, median: percentile(perRun.map((r) => r.reduce((a, b) => a + b, 0)), 0.5), p95: percentile(perRun.map((r) => r.reduce((a, b) => a + b, 0)), 0.95) }))
          .sort((a, b) => b.median - a.median)
        rows.push([p.page, fmt(percentile(times, 0.5), 1), fmt(p95, 1), ok ? 'ok' : 'MISSED', costs.slice(0, 4).map((c) => `${c.name} ${fmt(c.median, 1)}`).join(', ')])
        for (const c of costs) costRows.push([p.page, c.name, fmt(c.calls, 1), fmt(c.median, 1), fmt(c.p95, 1)])
      }
    } finally {
      await server.stop()
    }
    return [
      {
        title: `Dashboard pages end to end at ${fmt(kept.rows)} events (${fmt(kept.sessions)} sessions): HTTP, logged in, server render with all its queries`,
        columns: ['page', 'p50 ms', 'p95 ms', `target p95 ≤ ${TARGET_P95_MS} ms`, 'costliest queries in it (median ms)'],
        rows,
        notes: [
          `${quick ? 5 : 20} runs per page after 2 warm-ups, one page at a time, on loopback; the baseline for each page is the sum of its queries beside it (next table): the rest is rendering and HTTP`,
          failures.length ? `MISSED: ${failures.join(', ')}` : 'every page met its target',
          'the dataset ends when it was generated: reused hours later, "now" has no live sessions and the overview reads an empty window',
        ],
      },
      {
        title: 'The cost of each query in each page (wall ms inside the server, summed per render when a query runs more than once)',
        columns: ['page', 'query (log_comment)', 'calls per render', 'median ms', 'p95 ms'],
        rows: costRows,
        notes: ['queries of one page run side by side on two engine connections, so their sum can exceed the page\'s time'],
      },
    ]
  } finally {
    if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true })
  }
}

export const pagesSection: BenchSection = { name: 'pages', run }
export default pagesSection
