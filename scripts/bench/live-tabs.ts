import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { benchBuilds, coresForMillionTabs, interleaved, percentile, ratio, type Build } from './builds'
import { dashboardPages, getPage, request } from './dashboard-http'
import { fmt, type Metrics } from './ingest'
import type { BenchOptions, BenchSection, BenchTable } from './section'
import type { TabStats } from './tab-generator'
import { raiseMinimum, releaseNewest, startTabsNode, stopTabsNode, VERSIONS, type TabsNode } from './tabs-node'

// Many live tabs on one node (issue 18): a load generator in its own process
// drives N tabs heartbeating every 60 s (N/60 events/s), for `minutes`, with
// versions across three releases: tabs open on 1.0 and 1.1; a third of the
// way in, 1.2 is released and tabs move to it after an exponential delay (a
// reload by update prompt); two thirds in, the minimum is raised to 1.1 and
// the tabs still below reload, forced, over three minutes. Meanwhile the
// section times every dashboard query (in the server process, as the pages
// run them) and every page (HTTP, logged in), round after round, and samples
// the ingest log's backlog, the rollup runs and the server's RSS. Repeated
// for each tab count, so the growth is visible. The node's CPU per
// acknowledged request (from /proc, the generator's apart) is taken over the
// warm-up's last two thirds (ingest and rollups alone) and over the measured
// minutes (with the dashboard rounds), and extrapolated to a million tabs.
// With --baseline-dir the baseline build's node runs beside this build's,
// each with its own generator and N tabs (tabs-node.ts), and every figure is
// printed beside the baseline's with the ratio.

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
  build: Build['label']
  tabs: number
  minutes: number
  targetEventsPerSec: number
  ackedEventsPerSec: number
  storedRowsPerSec: number
  maxBehind: number
  backlog: { first: number; last: number; max: number; slopeRowsPerMin: number }
  /** The rollup runs of the measured minutes; busyShare: their summed time over the minutes (the target: ≤ 10 % of the period). */
  rollupMs: { runs: number; p95: number; max: number; intervalMs: number; busyShare: number }
  peakRssMiB: number
  /** reads: the engine reads each figure ran, by name, with their count per run and times (where its time goes). */
  queries: { page: string; query: string; runs: number; p50: number; p95: number; reads: { name: string; perRun: number; p50: number; p95: number }[] }[]
  pages: { page: string; runs: number; p50: number; p95: number }[]
  approximate: { sampledOneIn: number } | null
  answers: Record<string, number>
  /** The node's CPU per acknowledged request: ingest alone (warm-up) and with the dashboard rounds (measured minutes). */
  cpu: { ingestOnly: CpuPerRequest; measured: CpuPerRequest }
}

interface CpuPerRequest {
  ackedRequestsPerSec: number
  serverCpuShare: number
  serverCpuUsPerRequest: number
  generatorCpuShare: number
  generatorCpuUsPerRequest: number
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

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

/** One build's node while the section drives it, and what was measured on it. */
interface NodeRun {
  node: TabsNode
  samples: Sample[]
  queryTimes: Map<string, { page: string; query: string; ms: number[]; reads: Map<string, number[]> }>
  pageTimes: Map<string, number[]>
  approximate: { sampledOneIn: number } | null
  answers: Record<string, number>
  maxBehind: number
  rollupsBefore: number
  ingestOnly?: CpuWindow
  measured?: CpuWindow
}

/** CPU seconds of the server and of its load generator between two readings, and the requests of that span. */
interface CpuWindow {
  seconds: number
  serverCpuSeconds: number
  generatorCpuSeconds: number
  sentRequests: number
  ackedRequests: number
}

const ackedRequests = (gen: TabStats) => (gen.byStatus['204'] ?? 0) + (gen.byStatus['200'] ?? 0)

/** Reads both processes' CPU now; the returned function reads them again, with the generator's counts since, as a window. */
async function cpuWindowFrom(node: TabsNode): Promise<(stats?: TabStats[]) => Promise<CpuWindow>> {
  await node.generator.ask({ type: 'stats' }, 'stats')
  const at = Date.now()
  const server0 = node.server.cpuSeconds() ?? 0
  const generator0 = node.generator.cpuSeconds() ?? 0
  return async (earlier = []) => {
    const last = (await node.generator.ask<{ stats: TabStats }>({ type: 'stats' }, 'stats')).stats
    const all = [...earlier, last]
    return {
      seconds: (Date.now() - at) / 1000,
      serverCpuSeconds: (node.server.cpuSeconds() ?? 0) - server0,
      generatorCpuSeconds: (node.generator.cpuSeconds() ?? 0) - generator0,
      sentRequests: all.reduce((n, g) => n + g.sentRequests, 0),
      ackedRequests: all.reduce((n, g) => n + ackedRequests(g), 0),
    }
  }
}

/** One round on one node: every dashboard query once in the server, then every page once over HTTP, then the live figures' API. */
async function round(r: NodeRun, latest: string): Promise<void> {
  const { server, adminToken } = r.node
  const project = server.ready.projectId
  const timed = (await server.ask<{ timings: { page: string; query: string; ms: number; reads?: { name: string; ms: number }[] }[] }>({ type: 'time-queries', projectId: project }, 'timed-queries')).timings
  for (const t of timed) {
    const key = `${t.page}\u0000${t.query}`
    const entry = r.queryTimes.get(key) ?? { page: t.page, query: t.query, ms: [], reads: new Map<string, number[]>() }
    entry.ms.push(t.ms)
    // Where a figure's time goes: each engine read it ran (a baseline built before this was recorded sends none).
    for (const read of t.reads ?? []) entry.reads.set(read.name, [...(entry.reads.get(read.name) ?? []), read.ms])
    r.queryTimes.set(key, entry)
  }
  for (const p of dashboardPages(project, latest, Date.now())) {
    const answer = await getPage(server.ready.url, p.path, r.node.cookies[0]!)
    r.pageTimes.set(p.page, [...(r.pageTimes.get(p.page) ?? []), answer.ms])
  }
  const live = await request(`${server.ready.url}/api/stats/live?project=${project}`, { headers: { authorization: `Bearer ${adminToken}` } })
  const sampled = (JSON.parse(live.body) as { approximate?: { sampledOneIn: number } }).approximate
  if (sampled) r.approximate = { sampledOneIn: sampled.sampledOneIn }
}

async function sample(r: NodeRun): Promise<void> {
  const m = await r.node.server.ask<Metrics & { insertedRows: number }>({ type: 'metrics' }, 'metrics')
  const gen = (await r.node.generator.ask<{ stats: TabStats }>({ type: 'stats' }, 'stats')).stats
  for (const [status, n] of Object.entries(gen.byStatus)) r.answers[status] = (r.answers[status] ?? 0) + n
  r.maxBehind = Math.max(r.maxBehind, gen.behind)
  r.samples.push({ at: Date.now(), backlogRows: m.backlogRows, insertedRows: m.insertedRows, inserts: m.inserts, gen })
}

/**
 * N tabs on every build's node at once, each node with its own generator;
 * the rounds of queries and pages visit the nodes in turn, A B, B A, …, so
 * each build's figures are taken under the same load, the machine's other
 * work falling on both alike.
 */
async function runTabs(builds: Build[], tabs: number, minutes: number, quick: boolean, progress: (m: string) => void): Promise<LiveTabsRun[]> {
  const runs: NodeRun[] = []
  const label = (r: NodeRun) => (builds.length > 1 ? `live-tabs ${fmt(tabs)} ${r.node.build.label}` : `live-tabs ${fmt(tabs)}`)
  try {
    for (const build of builds) {
      const node = await startTabsNode(build, tabs, { sessions: 1 })
      runs.push({ node, samples: [], queryTimes: new Map(), pageTimes: new Map(), approximate: null, answers: {}, maxBehind: 0, rollupsBefore: 0 })
    }
    // Every tab reports within a minute; the window (3 min) fills and the rollup takes its first runs.
    const warmupMs = quick ? 30_000 : 180_000
    progress(`live-tabs ${fmt(tabs)}: warming up ${warmupMs / 1000} s (every tab reports once a minute)`)
    await sleep(warmupMs / 3)
    // The warm-up's last two thirds: tabs, inserts and rollups, no dashboard reads: the node's CPU per request for ingest alone.
    const ingestOnly = await Promise.all(runs.map((r) => cpuWindowFrom(r.node)))
    await sleep((2 * warmupMs) / 3)
    for (const [i, r] of runs.entries()) {
      r.ingestOnly = await ingestOnly[i]!()
      r.rollupsBefore = (await r.node.server.ask<{ runs: number; durationsMs: number[] }>({ type: 'rollups' }, 'rollup-stats')).runs
      r.node.server.resetPeak()
    }
    const measured = await Promise.all(runs.map((r) => cpuWindowFrom(r.node)))
    const phaseMs = minutes * 60_000
    const started = Date.now()
    let released = false
    let raised = false
    let lastSample = 0
    let lastProgress = 0
    for (let pass = 0; Date.now() - started < phaseMs; pass++) {
      const elapsed = Date.now() - started
      if (!released && elapsed >= phaseMs / 3) {
        released = true
        for (const r of runs) await releaseNewest(r.node, Math.max(30_000, phaseMs / 6))
        progress(`live-tabs ${fmt(tabs)}: released ${VERSIONS[2]}`)
      }
      if (!raised && elapsed >= (2 * phaseMs) / 3) {
        raised = true
        for (const r of runs) await raiseMinimum(r.node, Math.min(180_000, phaseMs / 6))
        progress(`live-tabs ${fmt(tabs)}: raised the minimum to ${VERSIONS[1]}`)
      }
      if (Date.now() - lastSample >= 10_000) {
        lastSample = Date.now()
        for (const r of runs) await sample(r)
      }
      for (const r of interleaved(runs, pass)) await round(r, released ? VERSIONS[2]! : VERSIONS[1]!)
      if (Date.now() - lastProgress >= 60_000) {
        lastProgress = Date.now()
        for (const r of runs) {
          const last = r.samples.at(-1)
          progress(
            `${label(r)}: ${((Date.now() - started) / 60_000).toFixed(1)} / ${minutes} min, backlog ${fmt(last?.backlogRows)} rows, generator behind ${fmt(last?.gen.behind)}, overview page ${fmt(r.pageTimes.get('overview')?.at(-1), 0)} ms`,
          )
        }
      }
      await sleep(quick ? 500 : 2_000)
    }
    const elapsedMs = Date.now() - started
    for (const [i, r] of runs.entries()) r.measured = await measured[i]!(r.samples.map((s) => s.gen))
    const results: LiveTabsRun[] = []
    for (const r of runs) {
      const rollups = await r.node.server.ask<{ runs: number; durationsMs: number[] }>({ type: 'rollups' }, 'rollup-stats')
      results.push(summarize(r, tabs, minutes, elapsedMs, rollups.durationsMs.slice(-(rollups.runs - r.rollupsBefore))))
    }
    return results
  } finally {
    for (const r of runs) await stopTabsNode(r.node)
  }
}

const perRequest = (w: CpuWindow): CpuPerRequest => ({
  ackedRequestsPerSec: w.ackedRequests / w.seconds,
  serverCpuShare: w.serverCpuSeconds / w.seconds,
  serverCpuUsPerRequest: (w.serverCpuSeconds * 1e6) / w.ackedRequests,
  generatorCpuShare: w.generatorCpuSeconds / w.seconds,
  generatorCpuUsPerRequest: (w.generatorCpuSeconds * 1e6) / w.sentRequests,
})

function summarize(r: NodeRun, tabs: number, minutes: number, elapsedMs: number, during: number[]): LiveTabsRun {
  const { samples } = r
  const acked = samples.reduce((n, s) => n + s.gen.ackedEvents, 0)
  const spanMs = samples.length > 1 ? samples.at(-1)!.at - samples[0]!.at : elapsedMs
  return {
    build: r.node.build.label,
    tabs,
    minutes,
    targetEventsPerSec: tabs / 60,
    ackedEventsPerSec: samples.length > 1 ? (samples.slice(1).reduce((n, s) => n + s.gen.ackedEvents, 0) * 1000) / spanMs : (acked * 1000) / elapsedMs,
    storedRowsPerSec: samples.length > 1 ? ((samples.at(-1)!.insertedRows - samples[0]!.insertedRows) * 1000) / spanMs : 0,
    maxBehind: r.maxBehind,
    backlog: {
      first: samples[0]?.backlogRows ?? 0,
      last: samples.at(-1)?.backlogRows ?? 0,
      max: Math.max(0, ...samples.map((s) => s.backlogRows)),
      slopeRowsPerMin: slopePerMinute(samples),
    },
    rollupMs: { runs: during.length, p95: percentile(during, 0.95), max: Math.max(0, ...during), intervalMs: 20_000, busyShare: during.reduce((n, ms) => n + ms, 0) / elapsedMs },
    peakRssMiB: (r.node.server.peakRss() ?? 0) / MiB,
    queries: [...r.queryTimes.values()].map((q) => ({
      page: q.page,
      query: q.query,
      runs: q.ms.length,
      p50: percentile(q.ms, 0.5),
      p95: percentile(q.ms, 0.95),
      reads: [...q.reads].map(([name, ms]) => ({ name, perRun: ms.length / q.ms.length, p50: percentile(ms, 0.5), p95: percentile(ms, 0.95) })),
    })),
    pages: [...r.pageTimes.entries()].map(([page, ms]) => ({ page, runs: ms.length, p50: percentile(ms, 0.5), p95: percentile(ms, 0.95) })),
    approximate: r.approximate,
    answers: r.answers,
    cpu: { ingestOnly: perRequest(r.ingestOnly!), measured: perRequest(r.measured!) },
  }
}

async function run(options: BenchOptions): Promise<BenchTable[]> {
  const { progress, quick } = options
  const tabCounts = options.tabs ?? (quick ? [2_000] : [10_000, 100_000, 1_000_000])
  const minutes = options.minutes ?? (quick ? 1 : 20)
  const builds = await benchBuilds(options, 'live-tabs')
  // Each tab count's result is kept as soon as it is measured: a later, larger one that fails loses nothing.
  const partial = path.resolve('bench-results', `live-tabs-${new Date().toISOString().replace(/[:.]/g, '-')}.json`)
  mkdirSync(path.dirname(partial), { recursive: true })
  const runs: LiveTabsRun[] = []
  for (const tabs of tabCounts) {
    progress(`live-tabs: ${fmt(tabs)} tabs (${fmt(tabs / 60)} events/s) for ${minutes} min${builds.length > 1 ? ', on the baseline and this build side by side' : ''}`)
    runs.push(...(await runTabs(builds, tabs, minutes, quick, progress)))
    writeFileSync(partial, JSON.stringify({ quick, minutes, builds, runs }, null, 2))
    progress(`live-tabs: ${fmt(tabs)} tabs done; results so far in ${path.relative(process.cwd(), partial)}`)
  }
  return tables(runs, minutes, builds.length > 1)
}

const ok = (good: boolean) => (good ? 'ok' : 'MISSED')
const worst = <T extends { p95: number }>(items: T[]) => items.reduce<T | undefined>((a, b) => (!a || b.p95 > a.p95 ? b : a), undefined)

function tables(runs: LiveTabsRun[], minutes: number, withBaseline: boolean): BenchTable[] {
  const buildColumn = (r: LiveTabsRun) => (withBaseline ? [r.build] : [])
  const summary = runs.map((r) => {
    const q = worst(r.queries)
    const p = worst(r.pages)
    return [
      fmt(r.tabs),
      ...buildColumn(r),
      fmt(r.targetEventsPerSec),
      `${fmt(r.ackedEventsPerSec)} (${fmt((100 * r.ackedEventsPerSec) / r.targetEventsPerSec)} %)`,
      fmt(r.storedRowsPerSec),
      fmt(r.maxBehind),
      `${fmt(r.backlog.first)} → ${fmt(r.backlog.last)} (max ${fmt(r.backlog.max)}, ${fmt(r.backlog.slopeRowsPerMin)}/min)`,
      `${fmt(r.rollupMs.p95)} / ${fmt(r.rollupMs.max)} (${r.rollupMs.runs} runs; busy ${fmt(100 * r.rollupMs.busyShare, 1)} % ${ok(r.rollupMs.busyShare <= 0.1)})`,
      `${fmt(r.peakRssMiB)} ${ok(r.peakRssMiB < TARGETS.rssMiB)}`,
      q ? `${fmt(q.p95, 1)} ${q.page}: ${q.query} ${ok(q.p95 <= TARGETS.p95Ms)}` : '—',
      p ? `${fmt(p.p95, 1)} ${p.page} ${ok(p.p95 <= TARGETS.p95Ms)}` : '—',
      r.approximate ? `yes, 1 in ${r.approximate.sampledOneIn}` : 'no (exact)',
    ]
  })
  const tabCounts = [...new Set(runs.map((r) => r.tabs))]
  const of = (tabs: number, build: Build['label']) => runs.find((r) => r.tabs === tabs && r.build === build)
  // A p95 cell: this build's, and with a baseline the baseline's first and the ratio.
  const p95Cell = (tabs: number, pick: (r: LiveTabsRun) => { p95: number } | undefined) => {
    const mine = pick(of(tabs, 'this build')!)
    const mineText = mine ? `${fmt(mine.p95, 1)} ${ok(mine.p95 <= TARGETS.p95Ms)}` : '—'
    if (!withBaseline) return mineText
    const base = pick(of(tabs, 'baseline')!)
    return `${base ? fmt(base.p95, 1) : '—'} / ${mineText} (${ratio(mine?.p95, base?.p95)})`
  }
  const header = tabCounts.map((tabs) => (withBaseline ? `p95 ms at ${fmt(tabs)}: baseline / this build (ratio)` : `p95 ms at ${fmt(tabs)}`))
  const allQueries = [...new Map(runs.flatMap((r) => r.queries.map((q) => [`${q.page}: ${q.query}`, q] as const))).keys()]
  const allPages = [...new Set(runs.flatMap((r) => r.pages.map((p) => p.page)))]
  const result: BenchTable[] = [
    {
      title: `Live tabs on one node: ${minutes} min per tab count, release and raised minimum during each run${withBaseline ? '; the baseline build\'s node beside this build\'s, each with its own generator and tabs' : ''}`,
      columns: ['tabs', ...(withBaseline ? ['build'] : []), 'target events/s', 'acked events/s (of target)', 'stored rows/s', 'generator max behind', 'ingest log backlog rows', 'rollup run p95 / max ms (busy share ≤ 10 %)', `peak RSS MiB (< ${TARGETS.rssMiB})`, 'worst query p95 ms', 'worst page p95 ms', 'approximate'],
      rows: summary,
      notes: [
        'baseline for the rate: the target, tabs ÷ 60 s; "generator max behind" = beats that were due but waiting for a free request slot (2,048 in flight): above 0 the generator, not the node, was short',
        'backlog: rows acknowledged but not yet stored, sampled every 10 s; the slope is a least-squares fit: near 0 means ingest keeps up',
        `rollup runs every ${20} s (a run with no new minute closed and nothing late only asks); busy: the runs' summed time over the measured minutes, target ≤ 10 %`,
        `targets: every query and every page p95 ≤ ${TARGETS.p95Ms} ms while the generator runs; peak RSS < ${TARGETS.rssMiB} MiB (VmHWM of the server process over the measured minutes)`,
        'each request carries one tab\'s beat, as the SDK sends it: requests/s = events/s (plus a reload and a load per upgrading tab)',
        ...(withBaseline ? ['both nodes ran at once on this machine, so each carried the other\'s load beside its own: the ratios compare them, the absolute figures are of a machine with twice the tabs'] : []),
      ],
    },
  ]
  if (withBaseline) {
    const cell = (base: number | undefined, mine: number | undefined, digits = 0) => `${fmt(base, digits)} → ${fmt(mine, digits)} (${ratio(mine, base)})`
    result.push({
      title: 'Live tabs, this build against the baseline: baseline → this build (ratio this ÷ baseline), same run, same machine',
      columns: ['tabs', 'acked events/s', 'stored rows/s', 'backlog slope rows/min', 'rollup busy % of the time', 'peak RSS MiB', 'worst query p95 ms', 'worst page p95 ms', 'server CPU µs per acked request: ingest alone', 'with the dashboard rounds'],
      rows: tabCounts.map((tabs) => {
        const b = of(tabs, 'baseline')!
        const a = of(tabs, 'this build')!
        return [
          fmt(tabs),
          cell(b.ackedEventsPerSec, a.ackedEventsPerSec),
          cell(b.storedRowsPerSec, a.storedRowsPerSec),
          `${fmt(b.backlog.slopeRowsPerMin)} → ${fmt(a.backlog.slopeRowsPerMin)}`,
          cell(100 * b.rollupMs.busyShare, 100 * a.rollupMs.busyShare, 1),
          cell(b.peakRssMiB, a.peakRssMiB),
          cell(worst(b.queries)?.p95, worst(a.queries)?.p95, 1),
          cell(worst(b.pages)?.p95, worst(a.pages)?.p95, 1),
          cell(b.cpu.ingestOnly.serverCpuUsPerRequest, a.cpu.ingestOnly.serverCpuUsPerRequest),
          cell(b.cpu.measured.serverCpuUsPerRequest, a.cpu.measured.serverCpuUsPerRequest),
        ]
      }),
      notes: ['below 1× is better for times, RSS and CPU, above 1× for the rates; the slope has no ratio (near 0 either way means ingest keeps up)'],
    })
  }
  result.push(
    {
      title: 'Dashboard queries while the generator runs (in the server process, as the pages run them)',
      columns: ['query', ...header],
      rows: allQueries.map((name) => [name, ...tabCounts.map((tabs) => p95Cell(tabs, (r) => r.queries.find((x) => `${x.page}: ${x.query}` === name)))]),
      notes: [`one round of every query, then every page, then a pause of 2 s, for the whole run${withBaseline ? ', the rounds alternating between the nodes (A B, B A, …)' : ''}; p95 over the rounds`],
    },
    {
      title: 'Dashboard pages while the generator runs (HTTP, logged in, server render with all its queries)',
      columns: ['page', ...header],
      rows: allPages.map((page) => [page, ...tabCounts.map((tabs) => p95Cell(tabs, (r) => r.pages.find((x) => x.page === page)))]),
    },
    {
      title: 'A million tabs: the node\'s CPU per acknowledged request, measured here and extrapolated (not run)',
      columns: ['tabs', ...(withBaseline ? ['build'] : []), 'window', 'requests/s acknowledged', 'server CPU % of a core', 'server CPU µs per request', 'generator CPU % (apart)', 'generator CPU µs per request sent', 'extrapolated: cores for 1M tabs (16,667 requests/s)'],
      rows: runs.flatMap((r) =>
        (['ingestOnly', 'measured'] as const).map((window) => {
          const c = r.cpu[window]
          return [
            fmt(r.tabs),
            ...buildColumn(r),
            window === 'ingestOnly' ? 'ingest and rollups alone (warm-up)' : 'with the dashboard rounds',
            fmt(c.ackedRequestsPerSec, 0),
            fmt(100 * c.serverCpuShare, 0),
            fmt(c.serverCpuUsPerRequest, 0),
            fmt(100 * c.generatorCpuShare, 0),
            fmt(c.generatorCpuUsPerRequest, 0),
            fmt(coresForMillionTabs(c.serverCpuUsPerRequest), 1),
          ]
        }),
      ),
      notes: [
        'server CPU: utime + stime of the server process (/proc/<pid>/stat): all its work (ingest, the log, inserts into the engine, rollups, and in the second window the queries and pages the section runs every 2 s), per request the generator saw acknowledged',
        'generator: its own process, apart; per request it sent (prepared request bytes on keep-alive sockets)',
        'extrapolation, linear in requests/s: it assumes the per-request cost stays as measured here (the rollup grows with the live window, so it is a floor, not a plan)',
        'at a few thousand tabs both per-request figures are mostly fixed costs spread over few requests (the rollup every 20 s; the generator\'s tick and its idle process, about 9 ms of CPU a second with one tab): extrapolate from the largest tab count',
      ],
    },
  )
  return result
}

export const liveTabsSection: BenchSection = { name: 'live-tabs', run }
export default liveTabsSection
