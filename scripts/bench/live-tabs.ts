import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { readSetting } from '../../lib/config'
import { ensureAppBuild } from '../app-build'
import { startChild, type BenchChild } from './child'
import { dashboardPages, getPage, logIn, request } from './dashboard-http'
import { fmt, startProduct, type Metrics, type ServerReady } from './ingest'
import type { BenchOptions, BenchSection, BenchTable } from './section'
import type { TabStats } from './tab-generator'

// Many live tabs on one node (issue 18): a load generator in its own process
// drives N tabs heartbeating every 60 s (N/60 events/s), for `minutes`, with
// versions across three releases: tabs open on 1.0 and 1.1; a third of the
// way in, 1.2 is released and tabs move to it after an exponential delay (a
// reload by update prompt); two thirds in, the minimum is raised to 1.1 and
// the tabs still below reload, forced, over three minutes. Meanwhile the
// section times every dashboard query (in the server process, as the pages
// run them) and every page (HTTP, logged in), round after round, and samples
// the ingest log's backlog, the rollup runs and the server's RSS. Repeated
// for each tab count, so the growth is visible.

const VERSIONS = ['1.0.0', '1.1.0', '1.2.0']
const TARGETS = { p95Ms: 100, rssMiB: 2048 }
const MiB = 1024 * 1024

interface Sample {
  at: number
  backlogRows: number
  insertedRows: number
  inserts: number
  gen: TabStats
}

export interface LiveTabsRun {
  tabs: number
  minutes: number
  targetEventsPerSec: number
  ackedEventsPerSec: number
  storedRowsPerSec: number
  maxBehind: number
  backlog: { first: number; last: number; max: number; slopeRowsPerMin: number }
  rollupMs: { runs: number; p95: number; max: number; intervalMs: number }
  peakRssMiB: number
  queries: { page: string; query: string; runs: number; p50: number; p95: number }[]
  pages: { page: string; runs: number; p50: number; p95: number }[]
  approximate: { sampledOneIn: number } | null
  answers: Record<string, number>
}

const percentile = (values: number[], p: number) => {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!
}

/** Least-squares slope of backlog rows against time, in rows per minute: a backlog that keeps growing means ingest does not keep up. */
function slopePerMinute(samples: Sample[]): number {
  if (samples.length < 2) return 0
  const xs = samples.map((s) => s.at / 60_000)
  const ys = samples.map((s) => s.backlogRows)
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length
  const my = ys.reduce((a, b) => a + b, 0) / ys.length
  const num = xs.reduce((a, x, i) => a + (x - mx) * (ys[i]! - my), 0)
  const den = xs.reduce((a, x) => a + (x - mx) ** 2, 0)
  return den === 0 ? 0 : num / den
}

async function runTabs(tabs: number, minutes: number, quick: boolean, progress: (m: string) => void): Promise<LiveTabsRun> {
  const adminToken = randomBytes(24).toString('hex')
  const server: BenchChild<ServerReady> = await startProduct('product', { STALEWATCH_ADMIN_TOKEN: adminToken })
  const generator = await startChild<object>('scripts/bench/tab-generator.ts', {})
  const project = server.ready.projectId
  const ask = server.ask
  try {
    // Two releases already out before the tabs open.
    for (const version of VERSIONS.slice(0, 2)) await ask({ type: 'release', projectId: project, version }, 'released')
    await generator.ask({ type: 'start', url: `${server.ready.url}/api/ingest`, key: server.ready.ingestKey, tabs, versions: VERSIONS, shares: [0.3, 0.7] }, 'started')
    const cookie = await logIn(server.ready.url, adminToken)
    // Every tab reports within a minute; the window (3 min) fills and the rollup takes its first runs.
    const warmupMs = quick ? 30_000 : 180_000
    progress(`live-tabs ${fmt(tabs)}: warming up ${warmupMs / 1000} s (every tab reports once a minute)`)
    await new Promise((r) => setTimeout(r, warmupMs))
    await generator.ask({ type: 'stats' }, 'stats')
    const rollupsBefore = (await ask<{ runs: number; durationsMs: number[] }>({ type: 'rollups' }, 'rollup-stats')).runs
    server.resetPeak()
    const phaseMs = minutes * 60_000
    const started = Date.now()
    const samples: Sample[] = []
    const queryTimes = new Map<string, { page: string; query: string; ms: number[] }>()
    const pageTimes = new Map<string, number[]>()
    let released = false
    let raised = false
    let approximate: { sampledOneIn: number } | null = null
    const answers: Record<string, number> = {}
    let maxBehind = 0
    let lastSample = 0
    let lastProgress = 0
    while (Date.now() - started < phaseMs) {
      const elapsed = Date.now() - started
      if (!released && elapsed >= phaseMs / 3) {
        released = true
        await ask({ type: 'release', projectId: project, version: VERSIONS[2] }, 'released')
        await generator.ask({ type: 'release', version: VERSIONS[2], meanDelayMs: Math.max(30_000, phaseMs / 6) }, 'released')
        progress(`live-tabs ${fmt(tabs)}: released ${VERSIONS[2]}`)
      }
      if (!raised && elapsed >= (2 * phaseMs) / 3) {
        raised = true
        await ask({ type: 'minimum', projectId: project, version: VERSIONS[1] }, 'minimum-set')
        await generator.ask({ type: 'minimum', version: VERSIONS[1], waveMs: Math.min(180_000, phaseMs / 6) }, 'minimum-set')
        progress(`live-tabs ${fmt(tabs)}: raised the minimum to ${VERSIONS[1]}`)
      }
      if (Date.now() - lastSample >= 10_000) {
        lastSample = Date.now()
        const m = await ask<Metrics & { insertedRows: number }>({ type: 'metrics' }, 'metrics')
        const gen = (await generator.ask<{ stats: TabStats }>({ type: 'stats' }, 'stats')).stats
        for (const [status, n] of Object.entries(gen.byStatus)) answers[status] = (answers[status] ?? 0) + n
        maxBehind = Math.max(maxBehind, gen.behind)
        samples.push({ at: Date.now(), backlogRows: m.backlogRows, insertedRows: m.insertedRows, inserts: m.inserts, gen })
      }
      // One round: every dashboard query once in the server, then every page once over HTTP.
      const timed = (await ask<{ timings: { page: string; query: string; ms: number }[] }>({ type: 'time-queries', projectId: project }, 'timed-queries')).timings
      for (const t of timed) {
        const key = `${t.page}\u0000${t.query}`
        const entry = queryTimes.get(key) ?? { page: t.page, query: t.query, ms: [] }
        entry.ms.push(t.ms)
        queryTimes.set(key, entry)
      }
      const latest = released ? VERSIONS[2] : VERSIONS[1]
      for (const p of dashboardPages(project, latest, Date.now())) {
        const answer = await getPage(server.ready.url, p.path, cookie)
        pageTimes.set(p.page, [...(pageTimes.get(p.page) ?? []), answer.ms])
      }
      const live = await request(`${server.ready.url}/api/stats/live?project=${project}`, { headers: { authorization: `Bearer ${adminToken}` } })
      const sampled = (JSON.parse(live.body) as { approximate?: { sampledOneIn: number } }).approximate
      if (sampled) approximate = { sampledOneIn: sampled.sampledOneIn }
      if (Date.now() - lastProgress >= 60_000) {
        lastProgress = Date.now()
        const last = samples.at(-1)
        progress(
          `live-tabs ${fmt(tabs)}: ${((Date.now() - started) / 60_000).toFixed(1)} / ${minutes} min, backlog ${fmt(last?.backlogRows)} rows, generator behind ${fmt(last?.gen.behind)}, overview page ${fmt(pageTimes.get('overview')?.at(-1), 0)} ms`,
        )
      }
      await new Promise((r) => setTimeout(r, quick ? 500 : 2_000))
    }
    const elapsedMs = Date.now() - started
    const rollups = await ask<{ runs: number; durationsMs: number[] }>({ type: 'rollups' }, 'rollup-stats')
    const during = rollups.durationsMs.slice(-(rollups.runs - rollupsBefore))
    const acked = samples.reduce((n, s) => n + s.gen.ackedEvents, 0)
    const spanMs = samples.length > 1 ? samples.at(-1)!.at - samples[0]!.at : elapsedMs
    return {
      tabs,
      minutes,
      targetEventsPerSec: tabs / 60,
      ackedEventsPerSec: samples.length > 1 ? (samples.slice(1).reduce((n, s) => n + s.gen.ackedEvents, 0) * 1000) / spanMs : (acked * 1000) / elapsedMs,
      storedRowsPerSec: samples.length > 1 ? ((samples.at(-1)!.insertedRows - samples[0]!.insertedRows) * 1000) / spanMs : 0,
      maxBehind,
      backlog: {
        first: samples[0]?.backlogRows ?? 0,
        last: samples.at(-1)?.backlogRows ?? 0,
        max: Math.max(0, ...samples.map((s) => s.backlogRows)),
        slopeRowsPerMin: slopePerMinute(samples),
      },
      rollupMs: { runs: during.length, p95: percentile(during, 0.95), max: Math.max(0, ...during), intervalMs: 20_000 },
      peakRssMiB: (server.peakRss() ?? 0) / MiB,
      queries: [...queryTimes.values()].map((q) => ({ page: q.page, query: q.query, runs: q.ms.length, p50: percentile(q.ms, 0.5), p95: percentile(q.ms, 0.95) })),
      pages: [...pageTimes.entries()].map(([page, ms]) => ({ page, runs: ms.length, p50: percentile(ms, 0.5), p95: percentile(ms, 0.95) })),
      approximate,
      answers,
    }
  } finally {
    await generator.stop()
    await server.stop()
  }
}

async function run(options: BenchOptions): Promise<BenchTable[]> {
  const { progress, quick } = options
  const tabCounts = options.tabs ?? (quick ? [2_000] : [10_000, 100_000, 1_000_000])
  const minutes = options.minutes ?? (quick ? 1 : 20)
  process.env.STALEWATCH_BENCH_ROUTES = '1'
  process.env.STALEWATCH_NEXT_DIST_DIR = `${readSetting('nextDistDir').replace(/-bench$/, '')}-bench`
  await ensureAppBuild({ skipTypeCheck: true, progress })
  // Each tab count's result is kept as soon as it is measured: a later, larger one that fails loses nothing.
  const partial = path.resolve('bench-results', `live-tabs-${new Date().toISOString().replace(/[:.]/g, '-')}.json`)
  mkdirSync(path.dirname(partial), { recursive: true })
  const runs: LiveTabsRun[] = []
  for (const tabs of tabCounts) {
    progress(`live-tabs: ${fmt(tabs)} tabs (${fmt(tabs / 60)} events/s) for ${minutes} min`)
    runs.push(await runTabs(tabs, minutes, quick, progress))
    writeFileSync(partial, JSON.stringify({ quick, minutes, runs }, null, 2))
    progress(`live-tabs: ${fmt(tabs)} tabs done; results so far in ${path.relative(process.cwd(), partial)}`)
  }

  const ok = (good: boolean) => (good ? 'ok' : 'MISSED')
  const worst = <T extends { p95: number }>(items: T[]) => items.reduce<T | undefined>((a, b) => (!a || b.p95 > a.p95 ? b : a), undefined)
  const summary = runs.map((r) => {
    const q = worst(r.queries)
    const p = worst(r.pages)
    return [
      fmt(r.tabs),
      fmt(r.targetEventsPerSec),
      `${fmt(r.ackedEventsPerSec)} (${fmt((100 * r.ackedEventsPerSec) / r.targetEventsPerSec)} %)`,
      fmt(r.storedRowsPerSec),
      fmt(r.maxBehind),
      `${fmt(r.backlog.first)} → ${fmt(r.backlog.last)} (max ${fmt(r.backlog.max)}, ${fmt(r.backlog.slopeRowsPerMin)}/min)`,
      `${fmt(r.rollupMs.p95)} / ${fmt(r.rollupMs.max)} (${r.rollupMs.runs} runs)`,
      `${fmt(r.peakRssMiB)} ${ok(r.peakRssMiB < TARGETS.rssMiB)}`,
      q ? `${fmt(q.p95, 1)} ${q.page}: ${q.query} ${ok(q.p95 <= TARGETS.p95Ms)}` : '—',
      p ? `${fmt(p.p95, 1)} ${p.page} ${ok(p.p95 <= TARGETS.p95Ms)}` : '—',
      r.approximate ? `yes, 1 in ${r.approximate.sampledOneIn}` : 'no (exact)',
    ]
  })
  const allQueries = [...new Map(runs.flatMap((r) => r.queries.map((q) => [`${q.page}: ${q.query}`, q] as const))).keys()]
  const allPages = [...new Set(runs.flatMap((r) => r.pages.map((p) => p.page)))]
  const header = runs.map((r) => `p95 ms at ${fmt(r.tabs)}`)
  return [
    {
      title: `Live tabs on one node: ${minutes} min per tab count, release and raised minimum during each run`,
      columns: ['tabs', 'target events/s', 'acked events/s (of target)', 'stored rows/s', 'generator max behind', 'ingest log backlog rows', 'rollup run p95 / max ms', `peak RSS MiB (< ${TARGETS.rssMiB})`, 'worst query p95 ms', 'worst page p95 ms', 'approximate'],
      rows: summary,
      notes: [
        'baseline for the rate: the target, tabs ÷ 60 s; "generator max behind" = beats that were due but waiting for a free request slot (2,048 in flight): above 0 the generator, not the node, was short',
        'backlog: rows acknowledged but not yet stored, sampled every 10 s; the slope is a least-squares fit: near 0 means ingest keeps up',
        `rollup runs every ${20} s; its p95 and max must stay well below that`,
        `targets: every query and every page p95 ≤ ${TARGETS.p95Ms} ms while the generator runs; peak RSS < ${TARGETS.rssMiB} MiB (VmHWM of the server process over the measured minutes)`,
        'each request carries one tab\'s beat, as the SDK sends it: requests/s = events/s (plus a reload and a load per upgrading tab)',
      ],
    },
    {
      title: 'Dashboard queries while the generator runs (in the server process, as the pages run them)',
      columns: ['query', ...header],
      rows: allQueries.map((name) => [name, ...runs.map((r) => {
        const q = r.queries.find((x) => `${x.page}: ${x.query}` === name)
        return q ? `${fmt(q.p95, 1)} ${ok(q.p95 <= TARGETS.p95Ms)}` : '—'
      })]),
      notes: ['one round of every query, then every page, then a pause of 2 s, for the whole run; p95 over the rounds'],
    },
    {
      title: 'Dashboard pages while the generator runs (HTTP, logged in, server render with all its queries)',
      columns: ['page', ...header],
      rows: allPages.map((page) => [page, ...runs.map((r) => {
        const p = r.pages.find((x) => x.page === page)
        return p ? `${fmt(p.p95, 1)} ${ok(p.p95 <= TARGETS.p95Ms)}` : '—'
      })]),
    },
  ]
}

export const liveTabsSection: BenchSection = { name: 'live-tabs', run }
export default liveTabsSection
