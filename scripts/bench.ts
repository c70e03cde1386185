import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import type { BenchSection, BenchTable } from './bench/section'

const HELP = `Usage: npm run bench -- [--quick] [--only <section>] [options]

Measures Stalewatch on this machine and prints one table per section; every
figure is compared with a baseline measured in the same run. The results are
also written to bench-results/<timestamp>.json.

Sections:
  ingest     events/s, latency, inserts/s and peak RSS of /api/ingest against
             bare node:http and a trivial Next.js route; overload behaviour
             (builds the app with the bench's baseline route into
             <STALEWATCH_NEXT_DIST_DIR>-bench if needed; minutes)
  ingest-floor
             acknowledged-and-stored events/s against the floor measured in
             the same run (bare node:http + the engine storing the same rows in
             its cheapest input format, no views); engine CPU per row by input
             format; the ideas measured (first-seen views, two inserts in
             flight); server CPU per event split main thread / engine (minutes)
  queries    dashboard query latency (when scripts/bench/queries.ts exists)
  pages      every dashboard page end to end (HTTP, logged in, server
             render with all its queries) at --events (default 100M), with
             the cost of each query in the page beside it; with
             --baseline-dir, the baseline's server on a cp -a copy of the same
             dataset, one server at a time, A B B A, and the p95 ratios
  live-tabs  --tabs simulated tabs heartbeating every 60 s for --minutes
             each, a release and a raised minimum during each run: ingest
             rate, backlog, rollup run time, peak RSS, p95 of every query
             and page while the generator runs; the node's CPU per
             acknowledged request (the generator's apart, µs per request)
             extrapolated to a million tabs; with --baseline-dir, the
             baseline's node beside this build's, each with its own generator
             and tabs, the rounds alternating, every figure with its ratio
  viewers    twenty viewers: --tabs (first count; default 10,000) tabs heartbeating
             while one, then twenty logged-in dashboards auto-refresh the
             rollout, overview and release pages for --minutes each (default 3):
             page p95, engine time per refresh round against one viewer,
             ingest's acknowledged rate, server and generator CPU apart, the
             node's CPU per request extrapolated to a million tabs; with
             --baseline-dir, the same against that checkout first, as ratios
  generator  the live-tabs load generator's own CPU per request at 1,000,
             3,000 and 6,000 requests/s into bare node:http; with
             --baseline-dir, the baseline's generator in turn (A B B A), as
             ratios (about 5 min with a baseline)
  sdk-size   the SDK core's gzip size against its budget and other agents
  backend-load  the backend-load middleware's CPU per request against the
             same bare node:http server, in process, and its heap growth

Options:
  --quick           short steps and small data: a smoke run, figures not representative
  --only <section>  run one section (repeatable, or comma-separated)
  --events N        events the queries and pages sections generate (default 100,000,000)
  --data-dir D      the queries and pages sections generate their dataset into
                    D and keep it; a later run with the same --events reuses it
                    (skips generation and the first rollup)
  --tabs N[,N…]     live-tabs: tab counts, one run each (default 10000,100000,1000000;
                    --quick: 2000)
  --minutes M       live-tabs: minutes per tab count after a 3-minute warm-up
                    (default 20; --quick: 1, after 30 s)
  --baseline-dir D  the live-tabs, pages, viewers and generator sections also run the
                    checkout in D, today's main, in the same run and print each
                    figure beside the baseline's with the ratio (this ÷ baseline).
                    Make D once: git worktree add --detach D main;
                    cp -al node_modules D/; the section builds D's app (in
                    <STALEWATCH_NEXT_DIST_DIR>-bench) if it has none or an old one
  --clickhouse-url URL
                    the ingest section's servers store into this ClickHouse
                    server (database stalewatch_bench, created if missing;
                    CLICKHOUSE_USER and CLICKHOUSE_PASSWORD from the
                    environment) instead of an embedded engine each: what an
                    ingest node in front of a server or cluster takes. The
                    queries section always uses its own embedded engine.
  --help            this text

Run nothing else heavy meanwhile: the figures are only as steady as the machine.
The long runs (docs/scaling.md, "Commands that fill the figures"):
  npm run bench -- --only ingest-floor                       about 6 min
  npm run bench -- --only live-tabs                          about 70 min (3 × (3 + 20) min)
  npm run bench -- --only live-tabs --tabs 10000,100000 --baseline-dir D
                                                             about 46 min, both builds side by side
  npm run bench -- --only pages --data-dir bench-data/100m   about 45 min the first time, minutes after
  npm run bench -- --only pages --data-dir bench-data/100m --baseline-dir D
                                                             twice the pages' minutes, and room for a copy of the data
  npm run bench -- --only queries --data-dir bench-data/100m about 40 min the first time`

// Sections load lazily: one whose module is missing (being written by
// another engineer) or broken is reported as not available, not a crash.
const SECTIONS: { name: string; load: () => Promise<Record<string, unknown>> }[] = [
  { name: 'ingest', load: () => import('./bench/ingest') },
  { name: 'ingest-floor', load: () => import('./bench/ingest-floor') },
  { name: 'queries', load: () => import(/* optional */ `./bench/${'queries'}`) },
  { name: 'pages', load: () => import('./bench/pages') },
  { name: 'live-tabs', load: () => import('./bench/live-tabs') },
  { name: 'viewers', load: () => import('./bench/viewers') },
  { name: 'generator', load: () => import('./bench/generator') },
  { name: 'sdk-size', load: () => import('./bench/sdk-size') },
  { name: 'backend-load', load: () => import('./bench/backend-load') },
]

function isSection(value: unknown): value is BenchSection {
  return typeof value === 'object' && value !== null && typeof (value as BenchSection).run === 'function'
}

function findSection(module: Record<string, unknown>): BenchSection | undefined {
  return [module.default, ...Object.values(module)].find(isSection)
}

function printTable(table: BenchTable): void {
  const cells = [table.columns, ...table.rows.map((r) => r.map(String))]
  const widths = table.columns.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? '').length)))
  const numeric = table.columns.map((_, i) => table.rows.every((r) => typeof r[i] === 'number' || /^[\d,.\s%—-]+$/.test(String(r[i]))))
  const line = (r: (string | number)[]) => r.map((c, i) => (numeric[i] ? String(c).padStart(widths[i]!) : String(c).padEnd(widths[i]!))).join('  ')
  console.log(`\n${table.title}`)
  console.log(line(table.columns))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const r of table.rows) console.log(line(r))
  for (const note of table.notes ?? []) console.log(`  ${note}`)
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string', multiple: true },
      events: { type: 'string' },
      'clickhouse-url': { type: 'string' },
      'data-dir': { type: 'string' },
      tabs: { type: 'string' },
      minutes: { type: 'string' },
      'baseline-dir': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) {
    console.log(HELP)
    return
  }
  const only = (values.only ?? []).flatMap((o) => o.split(',')).map((o) => o.trim()).filter(Boolean)
  const unknown = only.filter((o) => !SECTIONS.some((s) => s.name === o))
  if (unknown.length) {
    console.error(`Unknown section ${unknown.join(', ')}; sections: ${SECTIONS.map((s) => s.name).join(', ')}`)
    process.exit(2)
  }
  const clickhouseUrl = values['clickhouse-url']
  if (clickhouseUrl !== undefined && !/^https?:\/\/[^/]+/.test(clickhouseUrl)) {
    console.error(`--clickhouse-url must be an http(s) URL of a ClickHouse server, e.g. http://clickhouse:8123 (got ${JSON.stringify(clickhouseUrl)})`)
    process.exit(2)
  }
  const tabs = values.tabs?.split(',').map((t) => Number(t.trim()))
  if (tabs && (tabs.length === 0 || tabs.some((t) => !Number.isInteger(t) || t < 1 || t > 10_000_000))) {
    console.error(`--tabs must be whole numbers from 1 to 10,000,000, comma-separated (got ${JSON.stringify(values.tabs)})`)
    process.exit(2)
  }
  const minutes = values.minutes === undefined ? undefined : Number(values.minutes)
  if (minutes !== undefined && !(minutes > 0 && minutes <= 24 * 60)) {
    console.error(`--minutes must be a number of minutes above 0 (got ${JSON.stringify(values.minutes)})`)
    process.exit(2)
  }
  const started = Date.now()
  const progress = (message: string) => console.error(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}`)
  const results: { section: string; status: 'ok' | 'not available' | 'failed'; message?: string; tables: BenchTable[] }[] = []

  for (const entry of SECTIONS.filter((s) => only.length === 0 || only.includes(s.name))) {
    let section: BenchSection | undefined
    try {
      section = findSection(await entry.load())
    } catch (error) {
      const message = error instanceof Error ? error.message.split('\n')[0]! : String(error)
      results.push({ section: entry.name, status: 'not available', message, tables: [] })
      console.log(`\n${entry.name}: section not available (${message})`)
      continue
    }
    if (!section) {
      results.push({ section: entry.name, status: 'not available', message: 'the module exports no section', tables: [] })
      console.log(`\n${entry.name}: section not available (the module exports no section)`)
      continue
    }
    progress(`section ${entry.name}…`)
    try {
      const tables = await section.run({
        quick: values.quick ?? false,
        progress,
        events: values.events ? Number(values.events) : undefined,
        clickhouseUrl,
        dataDir: values['data-dir'] === undefined ? undefined : path.resolve(values['data-dir']),
        tabs,
        minutes,
        baselineDir: values['baseline-dir'] === undefined ? undefined : path.resolve(values['baseline-dir']),
      })
      results.push({ section: entry.name, status: 'ok', tables })
      tables.forEach(printTable)
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error)
      results.push({ section: entry.name, status: 'failed', message, tables: [] })
      console.log(`\n${entry.name}: section FAILED\n${message}`)
    }
  }

  const dir = path.resolve('bench-results')
  mkdirSync(dir, { recursive: true })
  const file = path.join(dir, `${new Date(started).toISOString().replace(/[:.]/g, '-')}.json`)
  writeFileSync(
    file,
    JSON.stringify({ startedAt: new Date(started).toISOString(), quick: values.quick ?? false, node: process.version, cpus: (await import('node:os')).cpus().length, sections: results }, null, 2),
  )
  console.log(`\nResults written to ${path.relative(process.cwd(), file)}`)
  if (results.some((r) => r.status === 'failed')) process.exitCode = 1
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
})
