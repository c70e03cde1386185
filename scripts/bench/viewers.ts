import { readFileSync } from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { benchBuilds, coresForMillionTabs, interleaved, percentile, ratio, type Build } from './builds'
import { getPage } from './dashboard-http'
import { fmt } from './ingest'
import type { BenchOptions, BenchSection, BenchTable } from './section'
import type { TabStats } from './tab-generator'
import { raiseMinimum, releaseNewest, startTabsNode, stopTabsNode, VERSIONS, type TabsNode } from './tabs-node'

// Twenty viewers (issue 23): N simulated tabs heartbeat into one node while
// first one, then twenty logged-in dashboards auto-refresh the rollout page
// (every 5 s), the overview and the latest release's page (every 30 s), as
// their browsers would. Measured per phase: each page's p95 over HTTP, the
// engine time of a 30 s refresh round (every read's wall time, summed, from
// the server's own timing of each query), the server's CPU, ingest's
// acknowledged rate, and the load generator's CPU apart. With
// --baseline-dir that checkout's build (today's main) runs beside this one,
// each with its own tabs, the viewers visiting them in turn, and every figure
// is also given as a ratio. Each build's viewers refresh as its own pages do:
// on the clock's multiples of the period (app/components/auto-refresh.tsx,
// since 2026-12-07), or, in a build from before, on a timer started when the
// page opened (a random phase per viewer).

const ROLLOUT_PERIOD_MS = 5_000
const ROUND_MS = 30_000
/** What the aligned refresh waits past a boundary (app/components/auto-refresh.tsx). */
const PAST_BOUNDARY_MS = 250
const TARGET_P95_MS = 150

interface PhaseResult {
  build: string
  viewers: number
  seconds: number
  pages: Record<string, { runs: number; p50: number; p95: number; errors: number }>
  engineMsPerRound: number
  readsPerRound: number
  /** The reads that took the most engine time, for where the time goes. */
  costliestReads: { name: string; readsPerRound: number; msPerRound: number }[]
  serverCpuPerRound: number
  ackedEventsPerSec: number
  ackedRequestsPerSec: number
  generatorCpuShare: number
  serverCpuShare: number
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * Whether a build's pages refresh on the clock's multiples of the period (as
 * app/components/auto-refresh.tsx has done since 2026-12-07) or on a timer
 * from when the page opened, read from the build's own code: a baseline from
 * before then refreshes from a random phase.
 */
const refreshesAligned = (build: Build) => readFileSync(path.join(build.root, 'app/components/auto-refresh.tsx'), 'utf8').includes('Date.now() % period')

/**
 * One viewer's browser: its own session and sockets, refreshing the rollout
 * page every 5 s and the overview and release pages every 30 s, until `until`.
 */
async function viewer(base: string, cookie: string, pages: { rollout: string; overview: string; release: () => string }, aligned: boolean, until: number, times: Map<string, number[]>, errors: Map<string, number>): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 3 })
  // A page opened at a random moment; a timer keeps that phase, an aligned build snaps to the clock.
  const phase = Math.random() * ROUND_MS
  const jitter = Math.random() * 300
  const fetchPage = async (name: string, pagePath: string) => {
    try {
      const answer = await getPage(base, pagePath, cookie, agent)
      times.set(name, [...(times.get(name) ?? []), answer.ms])
    } catch {
      errors.set(name, (errors.get(name) ?? 0) + 1)
    }
  }
  try {
    let next = aligned ? Math.ceil(Date.now() / ROLLOUT_PERIOD_MS) * ROLLOUT_PERIOD_MS + PAST_BOUNDARY_MS + jitter : Date.now() + (phase % ROLLOUT_PERIOD_MS)
    let beat = aligned ? Math.round((next - PAST_BOUNDARY_MS - jitter) / ROLLOUT_PERIOD_MS) : Math.floor(phase / ROLLOUT_PERIOD_MS)
    while (next < until) {
      await sleep(Math.max(0, next - Date.now()))
      const work = [fetchPage('rollout', pages.rollout)]
      if (beat % (ROUND_MS / ROLLOUT_PERIOD_MS) === 0) work.push(fetchPage('overview', pages.overview), fetchPage('release', pages.release()))
      await Promise.all(work)
      beat++
      next += ROLLOUT_PERIOD_MS
    }
  } finally {
    agent.destroy()
  }
}

interface Node extends TabsNode {
  pages: { rollout: string; overview: string; release: () => string }
}

/** A build's server with its own tabs, and twenty sessions logged in. */
async function startNode(build: Build, tabs: number): Promise<Node> {
  // Twenty people log in from one address within a second.
  const node = await startTabsNode(build, tabs, { sessions: 20, env: { STALEWATCH_LOGIN_PER_IP_PER_MINUTE: '1000', STALEWATCH_LOGIN_PER_MINUTE: '1000' } })
  const q = `project=${encodeURIComponent(node.server.ready.projectId)}`
  return { ...node, pages: { rollout: `/rollout?${q}`, overview: `/?${q}`, release: () => `/releases/${encodeURIComponent(VERSIONS[2]!)}?${q}` } }
}

/** The rollout the dashboards watch: a release the tabs move to, and a raised minimum with its wave. */
async function startRollout(node: Node, phaseMs: number): Promise<void> {
  await releaseNewest(node, 4 * phaseMs)
  await raiseMinimum(node, 8 * phaseMs)
}

async function measurePhase(node: Node, viewers: number, phaseMs: number): Promise<PhaseResult> {
  const { server, generator } = node
  const times = new Map<string, number[]>()
  const errors = new Map<string, number>()
  await generator.ask({ type: 'stats' }, 'stats')
  await server.ask({ type: 'mark' }, 'marked')
  const cpu0 = [server.cpuSeconds() ?? 0, generator.cpuSeconds() ?? 0]
  const started = Date.now()
  await Promise.all(node.cookies.slice(0, viewers).map((cookie) => viewer(server.ready.url, cookie, node.pages, refreshesAligned(node.build), started + phaseMs, times, errors)))
  const elapsed = Date.now() - started
  const cpu1 = [server.cpuSeconds() ?? 0, generator.cpuSeconds() ?? 0]
  const reads = (await server.ask<{ queries: { name: string; ms: number }[] }>({ type: 'collect' }, 'collected')).queries
  const gen = (await generator.ask<{ stats: TabStats }>({ type: 'stats' }, 'stats')).stats
  const rounds = elapsed / ROUND_MS
  const byName = new Map<string, { reads: number; ms: number }>()
  for (const r of reads) {
    const entry = byName.get(r.name) ?? { reads: 0, ms: 0 }
    entry.reads++
    entry.ms += r.ms
    byName.set(r.name, entry)
  }
  return {
    build: node.build.label,
    viewers,
    seconds: elapsed / 1000,
    pages: Object.fromEntries(
      ['overview', 'release', 'rollout'].map((name) => {
        const ms = times.get(name) ?? []
        return [name, { runs: ms.length, p50: percentile(ms, 0.5), p95: percentile(ms, 0.95), errors: errors.get(name) ?? 0 }]
      }),
    ),
    // Reads of the rollup run and alerts are on the background connection but timed too: the same in every phase.
    engineMsPerRound: reads.reduce((n, r) => n + r.ms, 0) / rounds,
    readsPerRound: reads.length / rounds,
    costliestReads: [...byName.entries()]
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, 10)
      .map(([name, r]) => ({ name, readsPerRound: r.reads / rounds, msPerRound: r.ms / rounds })),
    serverCpuPerRound: (cpu1[0]! - cpu0[0]!) / rounds,
    ackedEventsPerSec: (gen.ackedEvents * 1000) / gen.elapsedMs,
    ackedRequestsPerSec: (((gen.byStatus['204'] ?? 0) + (gen.byStatus['200'] ?? 0)) * 1000) / gen.elapsedMs,
    generatorCpuShare: (cpu1[1]! - cpu0[1]!) / (elapsed / 1000),
    serverCpuShare: (cpu1[0]! - cpu0[0]!) / (elapsed / 1000),
  }
}

async function run(options: BenchOptions): Promise<BenchTable[]> {
  const { progress, quick } = options
  const tabs = options.tabs?.[0] ?? (quick ? 2_000 : 10_000)
  const phaseMs = (options.minutes ?? (quick ? 1 : 3)) * 60_000
  const warmupMs = quick ? 30_000 : 120_000
  const builds = await benchBuilds(options, 'viewers')
  // Every build's server runs, with its own tabs, for the whole section; the
  // viewers visit one at a time, the builds interleaved, so each phase has the
  // same background (both nodes ingesting, both rollups running) and the
  // machine's other load falls on the builds alike.
  const nodes: Node[] = []
  const results: PhaseResult[] = []
  try {
    for (const build of builds) nodes.push(await startNode(build, tabs))
    progress(`viewers: ${nodes.length} node${nodes.length === 1 ? '' : 's'} with ${fmt(tabs)} tabs each, warming up ${warmupMs / 1000} s`)
    await sleep(warmupMs)
    for (const node of nodes) await startRollout(node, phaseMs)
    // A B, then B A: neither build always goes first into whatever the machine's other load is doing.
    for (const [pass, viewers] of [1, 20].entries()) {
      for (const node of interleaved(nodes, pass)) {
        progress(`viewers ${node.build.label}: ${viewers} viewer${viewers === 1 ? '' : 's'} for ${phaseMs / 1000} s`)
        results.push(await measurePhase(node, viewers, phaseMs))
      }
    }
  } finally {
    for (const node of nodes) await stopTabsNode(node)
  }

  const find = (build: string, viewers: number) => results.find((r) => r.build === build && r.viewers === viewers)
  const rows = results.map((r) => {
    const one = find(r.build, 1)!
    return [
      r.build,
      r.viewers,
      ...['overview', 'release', 'rollout'].map((name) => {
        const p = r.pages[name]!
        return `${fmt(p.p95, 0)}${p.p95 <= TARGET_P95_MS ? '' : ' MISSED'}${p.errors ? ` (${p.errors} failed)` : ''} (${p.runs})`
      }),
      fmt(r.engineMsPerRound, 0),
      fmt(r.readsPerRound, 1),
      r.viewers === 1 ? '1×' : ratio(r.engineMsPerRound, one.engineMsPerRound),
      fmt(r.serverCpuPerRound, 2),
      `${fmt(r.ackedEventsPerSec, 0)} (${ratio(r.ackedEventsPerSec, one.ackedEventsPerSec)})`,
      `${fmt(100 * r.serverCpuShare, 0)} / ${fmt(100 * r.generatorCpuShare, 0)}`,
    ]
  })
  const tables: BenchTable[] = [
    {
      title: `Twenty viewers: ${fmt(tabs)} live tabs per node, ${phaseMs / 60_000} min with one viewer then with twenty per build, builds interleaved (a release and a raised minimum before the phases)`,
      columns: ['build', 'viewers', 'overview p95 ms (n)', 'release p95 ms (n)', 'rollout p95 ms (n)', 'engine ms per 30 s round', 'reads per round', 'engine vs one viewer (target ≤ 1.5×)', 'server CPU s per round', 'acked events/s (vs one viewer)', 'CPU % server / generator'],
      rows,
      notes: [
        'a viewer: its own session and sockets; the rollout page every 5 s, the overview and the latest release every 30 s (a 30 s round)',
        "engine ms: every read's wall time in the server (queueing on the engine's connections included), the rollup's and alerts' too, summed over the phase, per round",
        'each build\'s viewers refresh as its own pages do: on the clock\'s multiples of the period (app/components/auto-refresh.tsx since 2026-12-07), or on a timer from a random moment before that',
        `targets: every page p95 ≤ ${TARGET_P95_MS} ms; twenty viewers' engine time per round ≤ 1.5× one viewer's; acknowledged rate unchanged within the noise`,
      ],
    },
  ]
  const baseline = builds.length > 1
  if (baseline) {
    tables.push({
      title: 'Twenty viewers, this build against the baseline (ratio this / baseline, same run, same machine)',
      columns: ['viewers', 'overview p95', 'release p95', 'rollout p95', 'engine ms per round', 'server CPU per round', 'acked events/s'],
      rows: [1, 20].map((viewers) => {
        const a = find('this build', viewers)
        const b = find('baseline', viewers)
        return [
          viewers,
          ...['overview', 'release', 'rollout'].map((name) => ratio(a?.pages[name]!.p95, b?.pages[name]!.p95)),
          ratio(a?.engineMsPerRound, b?.engineMsPerRound),
          ratio(a?.serverCpuPerRound, b?.serverCpuPerRound),
          ratio(a?.ackedEventsPerSec, b?.ackedEventsPerSec),
        ]
      }),
      notes: ['below 1× is better for times and CPU, above 1× for the rate'],
    })
  }
  tables.push({
    title: 'Where the engine time goes: the costliest reads per 30 s round (ms of wall time, reads)',
    columns: ['build', 'viewers', 'reads'],
    rows: results.map((r) => [r.build, r.viewers, r.costliestReads.slice(0, 6).map((c) => `${c.name} ${fmt(c.msPerRound, 0)} (${fmt(c.readsPerRound, 1)})`).join('; ')]),
  })
  const one = find('this build', 1)!
  const cpuPerRequestUs = (one.serverCpuShare * 1e6) / one.ackedRequestsPerSec
  tables.push({
    title: 'A million tabs: the node\'s CPU per request, measured here and extrapolated (not run)',
    columns: ['measured at', 'requests/s acknowledged', 'server CPU % of a core', 'server CPU µs per request (all work: ingest, inserts, rollups, one viewer)', 'generator CPU % (apart)', 'extrapolated: cores for 1M tabs (16,667 requests/s)'],
    rows: [[`${fmt(tabs)} tabs, one viewer`, fmt(one.ackedRequestsPerSec, 0), fmt(100 * one.serverCpuShare, 0), fmt(cpuPerRequestUs, 0), fmt(100 * one.generatorCpuShare, 0), fmt(coresForMillionTabs(cpuPerRequestUs), 1)]],
    notes: ['extrapolation, linear in requests/s: it assumes the per-request cost stays as measured here (the engine\'s rollup grows with the live window, so it is a floor, not a plan)'],
  })
  return tables
}

export const viewersSection: BenchSection = { name: 'viewers', run }
export default viewersSection
