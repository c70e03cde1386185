import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { benchBuilds, interleaved, percentile, ratio, startProduct, type Build } from './builds'
import { dashboardPages, getPage, logIn } from './dashboard-http'
import { fmt } from './ingest'
import type { BenchOptions, BenchSection, BenchTable } from './section'

// Whole dashboard pages at scale (issue 18): the queries section's dataset
// (100M events by default, generated in the engine, or reused from
// --data-dir), then the product server on that data directory, logged in
// through the login form, and every page fetched over HTTP: the server render
// with all its queries, timed end to end. Beside each page, the cost of each
// query it ran, as the server's own query timing heard them (every read goes
// through lib/store/run-query.ts) between the start and the end of the
// request. Pages are fetched one at a time, so a page's reads are its own.
//
// With --baseline-dir the baseline build's server measures the same pages on
// a copy of the same prepared dataset (`cp -a`, taken before any server
// starts: the engine locks a data directory to one process, and each server's
// rollups change its own). One server at a time, A B B A: each build measured
// twice, half the runs each time, so a drift of the machine's other load or
// of "now" past the dataset's end falls on both builds alike.

const TARGET_P95_MS = 150
const KEPT_FILE = 'stalewatch-bench-dataset.json'
const LATEST_VERSION = '2026.11.5'

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

/** A copy of the prepared dataset for another build's server, with the same files, times and modes. */
function copyDataset(from: string, progress: (m: string) => void): string {
  const copy = mkdtempSync(path.join(tmpdir(), 'stalewatch-bench-pages-baseline-'))
  progress(`pages: copying the dataset for the baseline (cp -a ${from} → ${copy})`)
  const result = spawnSync('cp', ['-a', `${from}/.`, copy], { encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`copying the dataset failed: ${result.stderr}`)
  return copy
}

interface PageTimes {
  times: number[]
  /** Per render, each query's wall times in it. */
  byQuery: Map<string, number[][]>
}

/** One server of `build` on `dataDir`: every page `runs` times after 2 warm-ups, added to `into`. */
async function measurePages(build: Build, dataDir: string, projectId: string, runs: number, into: Map<string, PageTimes>, progress: (m: string) => void): Promise<void> {
  const adminToken = randomBytes(24).toString('hex')
  progress(`pages: starting ${build.label}'s server on its dataset`)
  const server = await startProduct('product', { STALEWATCH_DATA_DIR: dataDir, STALEWATCH_ADMIN_TOKEN: adminToken }, build.root)
  try {
    const cookie = await logIn(server.ready.url, adminToken)
    for (const p of dashboardPages(projectId, LATEST_VERSION, Date.now())) {
      progress(`pages ${build.label}: ${p.page}`)
      for (let i = 0; i < 2; i++) await getPage(server.ready.url, p.path, cookie) // warm-up: caches, JIT, the route's first compile
      const page: PageTimes = into.get(p.page) ?? { times: [], byQuery: new Map() }
      into.set(p.page, page)
      for (let i = 0; i < runs; i++) {
        await server.ask({ type: 'mark' }, 'marked')
        const answer = await getPage(server.ready.url, p.path, cookie)
        const { queries } = await server.ask<{ queries: { name: string; ms: number }[] }>({ type: 'collect' }, 'collected')
        page.times.push(answer.ms)
        const mine = new Map<string, number[]>()
        for (const q of queries) mine.set(q.name, [...(mine.get(q.name) ?? []), q.ms])
        for (const [name, ms] of mine) page.byQuery.set(name, [...(page.byQuery.get(name) ?? []), ms])
      }
    }
  } finally {
    await server.stop()
  }
}

function queryCosts(page: PageTimes) {
  const renders = page.times.length
  const sum = (ms: number[]) => ms.reduce((a, b) => a + b, 0)
  return [...page.byQuery.entries()]
    .map(([name, perRun]) => ({ name, calls: perRun.reduce((n, r) => n + r.length, 0) / renders, median: percentile(perRun.map(sum), 0.5), p95: percentile(perRun.map(sum), 0.95) }))
    .sort((a, b) => b.median - a.median)
}

async function run(options: BenchOptions): Promise<BenchTable[]> {
  const { progress, quick } = options
  const events = options.events ?? (quick ? 2_000_000 : 100_000_000)
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'stalewatch-bench-pages-'))
  const builds = await benchBuilds(options, 'pages')
  const withBaseline = builds.length > 1
  let baselineDir: string | undefined
  try {
    await prepareDataset(dataDir, events, quick, progress)
    const kept = JSON.parse(readFileSync(path.join(dataDir, KEPT_FILE), 'utf8')) as { projectId: string; rows: number; sessions: number }
    if (withBaseline) baselineDir = copyDataset(dataDir, progress)
    const dirOf = (build: Build) => (build.label === 'baseline' ? baselineDir! : dataDir)
    const measured = new Map<Build['label'], Map<string, PageTimes>>(builds.map((b) => [b.label, new Map()]))
    // Alone: one pass of every run. Beside a baseline: A B, then B A, half the runs each.
    const passes = withBaseline ? 2 : 1
    const runsPerPass = Math.ceil((quick ? 5 : 20) / passes)
    const runs = runsPerPass * passes
    for (let pass = 0; pass < passes; pass++) {
      for (const build of interleaved(builds, pass)) await measurePages(build, dirOf(build), kept.projectId, runsPerPass, measured.get(build.label)!, progress)
    }
    const mine = measured.get('this build')!
    const base = measured.get('baseline')
    const failures = [...mine.entries()].filter(([, p]) => !(percentile(p.times, 0.95) <= TARGET_P95_MS)).map(([name]) => name)
    const timesCell = (p: PageTimes | undefined) => (p ? `${fmt(percentile(p.times, 0.5), 1)} / ${fmt(percentile(p.times, 0.95), 1)}` : '—')
    const rows = [...mine.entries()].map(([name, p]) => {
      const p95 = percentile(p.times, 0.95)
      const costliest = queryCosts(p).slice(0, 4).map((c) => `${c.name} ${fmt(c.median, 1)}`).join(', ')
      const verdict = p95 <= TARGET_P95_MS ? 'ok' : 'MISSED'
      if (!base) return [name, fmt(percentile(p.times, 0.5), 1), fmt(p95, 1), verdict, costliest]
      const b = base.get(name)
      return [name, timesCell(b), timesCell(p), ratio(p95, b && percentile(b.times, 0.95)), verdict, costliest]
    })
    const costRows = builds.flatMap((build) =>
      [...measured.get(build.label)!.entries()].flatMap(([name, p]) => queryCosts(p).map((c) => [...(withBaseline ? [build.label] : []), name, c.name, fmt(c.calls, 1), fmt(c.median, 1), fmt(c.p95, 1)])),
    )
    return [
      {
        title: `Dashboard pages end to end at ${fmt(kept.rows)} events (${fmt(kept.sessions)} sessions): HTTP, logged in, server render with all its queries${withBaseline ? '; the baseline build on a copy of the same data' : ''}`,
        columns: withBaseline
          ? ['page', 'baseline p50 / p95 ms', 'this build p50 / p95 ms', 'p95 this ÷ baseline', `this build: target p95 ≤ ${TARGET_P95_MS} ms`, 'costliest queries in this build\'s (median ms)']
          : ['page', 'p50 ms', 'p95 ms', `target p95 ≤ ${TARGET_P95_MS} ms`, 'costliest queries in it (median ms)'],
        rows,
        notes: [
          withBaseline
            ? `${runs} runs per page and build after 2 warm-ups per server start, one page at a time, on loopback; one server at a time, A B B A (each build twice, ${runsPerPass} runs each), the baseline on a cp -a copy of the dataset taken before any server started`
            : `${runs} runs per page after 2 warm-ups, one page at a time, on loopback; the baseline for each page is the sum of its queries beside it (next table): the rest is rendering and HTTP`,
          failures.length ? `MISSED: ${failures.join(', ')}` : 'every page met its target',
          'the dataset ends when it was generated: reused hours later, "now" has no live sessions and the overview reads an empty window',
        ],
      },
      {
        title: 'The cost of each query in each page (wall ms inside the server, summed per render when a query runs more than once)',
        columns: [...(withBaseline ? ['build'] : []), 'page', 'query (log_comment)', 'calls per render', 'median ms', 'p95 ms'],
        rows: costRows,
        notes: ['queries of one page run side by side on two engine connections, so their sum can exceed the page\'s time'],
      },
    ]
  } finally {
    if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true })
    if (baselineDir) rmSync(baselineDir, { recursive: true, force: true })
  }
}

export const pagesSection: BenchSection = { name: 'pages', run }
export default pagesSection
