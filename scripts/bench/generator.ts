import { comparedBuilds, interleaved, ratio, type Build } from './builds'
import { startChild } from './child'
import { fmt } from './ingest'
import type { BenchOptions, BenchSection, BenchTable } from './section'
import type { TabStats } from './tab-generator'

// The load generator's own cost (issue 23, "a million tabs, honestly"): the
// live-tabs generator (scripts/bench/tab-generator.ts) drives rate × 60 tabs
// into bare node:http (scripts/bench/baseline-node-server.ts: parse the JSON,
// 204; a body that is not JSON is a 400, so the bytes are checked too), and
// its process's CPU from /proc is divided by the requests it sent. With
// --baseline-dir the baseline checkout's generator (today's main) runs the
// same steps, A B B A, one generator at a time against the same server.

const WARMUP_MS = 3_000

interface Step {
  build: Build['label']
  rate: number
  seconds: number
  sent: number
  answered: number
  refused: number
  behind: number
  cpuSeconds: number
}

async function step(build: Build, url: string, rate: number, ms: number): Promise<Step> {
  const generator = await startChild<object>('scripts/bench/tab-generator.ts', {}, [], 60_000, build.root)
  try {
    await generator.ask({ type: 'start', url, key: 'bench-generator-key', tabs: rate * 60, versions: ['1.0.0'], shares: [1] }, 'started')
    await new Promise((r) => setTimeout(r, WARMUP_MS))
    await generator.ask({ type: 'stats' }, 'stats')
    const cpu0 = generator.cpuSeconds() ?? 0
    const started = Date.now()
    await new Promise((r) => setTimeout(r, ms))
    const cpuSeconds = (generator.cpuSeconds() ?? 0) - cpu0
    const stats = (await generator.ask<{ stats: TabStats }>({ type: 'stats' }, 'stats')).stats
    const answered = Object.values(stats.byStatus).reduce((a, b) => a + b, 0)
    return { build: build.label, rate, seconds: (Date.now() - started) / 1000, sent: stats.sentRequests, answered, refused: answered - (stats.byStatus['204'] ?? 0), behind: stats.behind, cpuSeconds }
  } finally {
    await generator.stop()
  }
}

async function run(options: BenchOptions): Promise<BenchTable[]> {
  const builds = comparedBuilds(options)
  const rates = options.quick ? [1_000] : [1_000, 3_000, 6_000]
  const ms = options.quick ? 5_000 : 20_000
  const server = await startChild<{ url: string }>('scripts/bench/baseline-node-server.ts', {})
  const steps: Step[] = []
  try {
    const url = `${server.ready.url}/api/ingest`
    for (const rate of rates) {
      // A B, then B A: each generator twice, so the machine's other load falls on both alike.
      for (let pass = 0; pass < 2; pass++) {
        for (const build of interleaved(builds, pass)) {
          options.progress(`generator ${build.label}: ${fmt(rate)} requests/s (${fmt(rate * 60)} tabs) for ${ms / 1000} s`)
          steps.push(await step(build, url, rate, ms))
        }
      }
    }
  } finally {
    await server.stop()
  }
  const total = (build: Build['label'], rate: number) => {
    const mine = steps.filter((s) => s.build === build && s.rate === rate)
    const sum = (pick: (s: Step) => number) => mine.reduce((n, s) => n + pick(s), 0)
    return { sent: sum((s) => s.sent), refused: sum((s) => s.refused), behind: Math.max(...mine.map((s) => s.behind)), cpuShare: sum((s) => s.cpuSeconds) / sum((s) => s.seconds), usPerRequest: (sum((s) => s.cpuSeconds) * 1e6) / sum((s) => s.sent) }
  }
  const withBaseline = builds.length > 1
  return [
    {
      title: `The load generator's own CPU: the live-tabs generator into bare node:http, ${ms / 1000} s per step, each step twice${withBaseline ? ', the baseline\'s generator and this build\'s in turn (A B B A)' : ''}`,
      columns: ['requests/s', 'build', 'requests sent', 'not 204', 'max behind', 'generator CPU % of a core', 'generator CPU µs per request', ...(withBaseline ? ['this ÷ baseline'] : [])],
      rows: rates.flatMap((rate) =>
        builds.map((b) => {
          const t = total(b.label, rate)
          const base = withBaseline ? total('baseline', rate) : undefined
          return [fmt(rate), b.label, fmt(t.sent), fmt(t.refused), fmt(t.behind), fmt(100 * t.cpuShare, 1), fmt(t.usPerRequest, 1), ...(base ? [b.label === 'baseline' ? '1×' : ratio(t.usPerRequest, base.usPerRequest)] : [])]
        }),
      ),
      notes: [
        'CPU: utime + stime of the generator process (/proc/<pid>/stat) over the step, divided by the requests it sent; the server is another process',
        '"not 204": answers other than 204 (a 400 would be a body that is not JSON); "max behind": beats due but not yet sent when a step ended',
        'includes the generator\'s fixed cost (its tick and its idle process, a few ms of CPU a second), so the lowest rate costs the most per request',
      ],
    },
  ]
}

export const generatorSection: BenchSection = { name: 'generator', run }
export default generatorSection
