// Dashboard query latency at scale: `npm run bench -- --only queries`, or
// standalone `npx tsx scripts/bench/queries.ts [--quick] [--events N]`.
//
// Generates the events inside the engine (INSERT … SELECT from numbers()),
// builds the rollup, then times every query each dashboard page runs, twice:
// as the pages run it (rollup for finalised minutes, raw events for the rest)
// and as a raw scan of events (the baseline, same run, same data).

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { pathToFileURL } from 'node:url'
import { existingSingleton } from '../../lib/process-singleton'
import type { BenchOptions, BenchSection, BenchTable } from './section'

const HELP = `Dashboard query latency on generated data (section "queries" of npm run bench).

Usage: npx tsx scripts/bench/queries.ts [options]

  --quick       5M events instead of 100M (a smoke run; figures not representative)
  --events N    number of events to generate (default 100000000)
  --data-dir D  generate into D and keep it; when D already holds a dataset
                this bench generated, reuse it (skips generation and the
                first rollup: for timing one change after another)
  --cases TEXT  time only the cases whose page, query or window contains TEXT
  --no-raw      skip the raw-scan baselines (about 25 min at 100M): for
                comparing the pages' queries between two builds on one kept
                dataset, where each build is the other's baseline
  --prepare-only
                with --data-dir: generate (or reuse) the dataset and build its
                rollup, then stop (the pages section runs this first)
  --help        this text

Generates about 70k sessions heartbeating once a minute for a day (scaled
down with the event count), six versions released through the day with a
long tail of late upgraders, reloads with reasons, resumes, returns from
hidden, errors, and 0.5 % resent duplicates; builds the rollups; then times
every dashboard query with the rollup and as a raw scan of events.
Uses its own temporary data directory unless --data-dir is given. Run
nothing else heavy meanwhile.`

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
const BEATS = 1440 // one heartbeat a minute for a day
const RELEASE_HOURS = [2, 6, 11, 16, 21]
const VERSIONS = ['2026.11.0', '2026.11.1', '2026.11.2', '2026.11.3', '2026.11.4', '2026.11.5']

type Store = typeof import('../../lib/store/client')
type Timed = { p50: number; p95: number; runs: number }

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!
}

/** Runs `fn` after a warm-up; a slow baseline (first run over `slowMs`) is timed once, its warm-up counted as the run. */
async function time(fn: () => Promise<unknown>, runs: number, slowMs = Infinity): Promise<Timed> {
  let start = performance.now()
  await fn() // warm-up: caches, JIT
  const first = performance.now() - start
  if (first > slowMs) return { p50: first, p95: first, runs: 1 }
  const samples: number[] = []
  for (let i = 0; i < runs; i++) {
    start = performance.now()
    await fn()
    samples.push(performance.now() - start)
  }
  return { p50: percentile(samples, 0.5), p95: percentile(samples, 0.95), runs }
}

/** A dataset kept with --data-dir: what a later run needs to reuse it. */
interface KeptDataset {
  projectId: string
  events: number
  rows: number
  sessions: number
}
const KEPT_FILE = 'stalewatch-bench-dataset.json'

/**
 * Points the engine at a fresh temporary data directory (returned, to be
 * removed), or at `keep` (kept), unless this process already opened one.
 */
function useOwnDataDir(keep?: string): string | null {
  if (existingSingleton('store')) return null
  const dir = keep ?? mkdtempSync(path.join(tmpdir(), 'stalewatch-bench-queries-'))
  if (keep) mkdirSync(keep, { recursive: true })
  process.env.STALEWATCH_DATA_DIR = dir
  process.env.CLICKHOUSE_URL = ''
  process.env.STALEWATCH_LOG_LEVEL ??= 'warn'
  return keep ? null : dir
}

function readKept(dir: string | undefined, events: number): KeptDataset | null {
  const file = dir && path.join(dir, KEPT_FILE)
  if (!file || !existsSync(file)) return null
  const kept = JSON.parse(readFileSync(file, 'utf8')) as KeptDataset
  if (kept.events !== events) throw new Error(`${dir} holds a dataset of ${kept.events} events, not ${events}: pass --events ${kept.events} or another --data-dir`)
  return kept
}

async function generate(projectId: string, events: number, dayStart: number, progress: (m: string) => void, store: Store): Promise<{ sessions: number; rows: number }> {
  const { table } = await import('../../lib/store/tables')
  const sessions = Math.max(1, Math.round(events / BEATS))
  const total = sessions * BEATS
  const releaseTimes = RELEASE_HOURS.map((h) => dayStart + h * HOUR)
  const client = store.store().query
  const chunk = 5_000_000
  // Per session and release: an upgrade delay with a long tail (u^4 of 8 h),
  // and 2 % who never reload into that release. Visibility flips every 30 min
  // for a third of the tabs. One beat in 200 is a resume, one a return from
  // hidden, one in 997 an error; the beat where a session's version changes is
  // a load with navigation reload.
  const select = `
    SELECT {project:String}, concat('e', toString(n)), concat('s', toString(sess)), concat('l', toString(sess), '-', toString(vidx)),
           {versions:Array(String)}[vidx + 1],
           multiIf(vidx != vprev, 'load', h % 200 = 0, 'resume', h % 200 = 1, 'visibility', h % 997 = 2, 'error', 'heartbeat') AS type,
           t, t, t + toIntervalMillisecond(250),
           if(type IN ('resume', 'error'), '', if(type = 'visibility', 'visible', if(hidden, 'hidden', 'visible'))),
           if(type = 'load', 'reload', ''), if(type = 'load', {versions:Array(String)}[vprev + 1], ''), '', '', '',
           if(type = 'error', 'ChunkLoadError: Loading chunk 42 failed', '')
    FROM (
      SELECT number AS n, intDiv(number, ${BEATS}) AS sess, number % ${BEATS} AS beat,
             {start:Int64} + beat * 60000 + (intHash32(sess) % 60000) AS tms,
             fromUnixTimestamp64Milli(tms, 'UTC') AS t,
             arrayMap(i -> cityHash64(sess, i) % 1000 / 1000, range(${RELEASE_HOURS.length})) AS u,
             arrayMap((r, x) -> if(x > 0.98, toInt64(1e13), r + toInt64(pow(x, 4) * 8 * 3600000)), {releases:Array(Int64)}, u) AS adopted_at,
             arrayCount(a -> a <= tms, adopted_at) AS vidx,
             if(beat = 0, vidx, arrayCount(a -> a <= tms - 60000, adopted_at)) AS vprev,
             cityHash64(sess, beat) AS h,
             cityHash64(sess, intDiv(beat, 30)) % 3 = 0 AS hidden
      FROM numbers({offset:UInt64}, {count:UInt64})
    )`
  for (let offset = 0; offset < total; offset += chunk) {
    const count = Math.min(chunk, total - offset)
    await client.command({
      query: `INSERT INTO ${table('events')} (project_id, event_id, session_id, load_id, version, type, event_time, client_ts, received_at, visibility, navigation, previous_version, reason, action, latest, message) ${select}`,
      query_params: { project: projectId, versions: VERSIONS, releases: releaseTimes, start: dayStart, offset, count },
    })
    progress(`generated ${(offset + count).toLocaleString('en')} / ${total.toLocaleString('en')} events`)
  }
  // The reload event each upgrade announced (70 % of them; the rest were the browser's button) and 0.5 % resent duplicates.
  await client.command({
    query: `INSERT INTO ${table('events')} (project_id, event_id, session_id, load_id, version, type, event_time, client_ts, received_at, visibility, navigation, previous_version, reason, action, latest, message)
      SELECT project_id, concat(event_id, 'r'), session_id, concat('l', substring(session_id, 2), '-prev'), previous_version, 'reload', event_time - toIntervalSecond(1), client_ts - toIntervalSecond(1), received_at,
             '', '', '', ['update_prompt', 'forced', 'chunk_error', 'app'][cityHash64(event_id) % 4 + 1], '', '', ''
      FROM ${table('events')} WHERE project_id = {project:String} AND type = 'load' AND cityHash64(event_id) % 10 < 7`,
    query_params: { project: projectId },
  })
  await client.command({
    query: `INSERT INTO ${table('events')} SELECT * FROM ${table('events')} WHERE project_id = {project:String} AND cityHash64(event_id) % 200 = 0`,
    query_params: { project: projectId },
  })
  const [row] = await (await client.query({ query: `SELECT count() AS c FROM ${table('events')}`, format: 'JSONEachRow' })).json<{ c: string }>()
  progress(`added reload events and resent duplicates: ${Number(row!.c).toLocaleString('en')} rows`)
  return { sessions, rows: Number(row!.c) }
}

interface QueriesBenchOptions extends BenchOptions {
  cases?: string
  /** false: time the pages' queries only, without their raw-scan baselines. */
  raw?: boolean
  prepareOnly?: boolean
}

async function run(options: QueriesBenchOptions): Promise<BenchTable[]> {
  const events = options.events ?? (options.quick ? 5_000_000 : 100_000_000)
  const dataDir = useOwnDataDir(options.dataDir)
  const kept = readKept(options.dataDir, events)
  const { resetConfigCache } = await import('../../lib/config')
  resetConfigCache()
  const store = await import('../../lib/store/client')
  const { migrate } = await import('../../lib/store/migrate')
  const { createProject } = await import('../../lib/projects/project-store')
  const { projectById } = await import('../../lib/projects/project-directory')
  const { registerRelease } = await import('../../lib/releases/release-store')
  const { chartContext, findRelease } = await import('../../lib/figures/chart-context')
  const { loadChart } = await import('../../lib/figures/charts')
  const { liveSessions } = await import('../../lib/figures/live-sessions/read-now')
  const { versionTabAges } = await import('../../lib/figures/live-sessions/read-tab-ages')
  const { versionSeen } = await import('../../lib/releases/versions-seen')
  const { reloadUpgrades } = await import('../../lib/figures/upgrades-by-reload/read')
  const { projectOverview } = await import('../../lib/figures/overview')
  const { releaseSummaries } = await import('../../lib/figures/release-summaries/summaries')
  const { rollupProject } = await import('../../lib/rollup-runner/run-project')

  try {
    await migrate(undefined, options.progress)
    let projectId: string
    let data: { sessions: number; rows: number }
    let generateSeconds: number | null = null
    let backfillSeconds: number | null = null
    if (kept) {
      options.progress(`reusing the dataset in ${options.dataDir} (${kept.rows.toLocaleString('en')} events)`)
      projectId = kept.projectId
      data = kept
      await rollupProject(projectId, 180, Date.now(), options.progress)
    } else {
      const created = await createProject({ name: 'bench' })
      projectId = created.id
      const now = Math.floor(Date.now() / MINUTE) * MINUTE
      const dayStart = now - DAY
      await registerRelease({ project: projectId, version: VERSIONS[0]!, releasedAt: dayStart - DAY })
      for (const [i, h] of RELEASE_HOURS.entries()) await registerRelease({ project: projectId, version: VERSIONS[i + 1]!, releasedAt: dayStart + h * HOUR })

      options.progress(`generating ${events.toLocaleString('en')} events in the engine`)
      let started = performance.now()
      data = await generate(projectId, events, dayStart, options.progress, store)
      generateSeconds = (performance.now() - started) / 1000

      options.progress('building the rollup (first run: the whole day)')
      started = performance.now()
      await rollupProject(projectId, 180, Date.now(), options.progress)
      backfillSeconds = (performance.now() - started) / 1000
      if (options.dataDir) writeFileSync(path.join(options.dataDir, KEPT_FILE), JSON.stringify({ projectId, events, ...data } satisfies KeptDataset))
    }
    if (options.prepareOnly) return []
    const tickStarted = performance.now()
    await rollupProject(projectId, 180, Date.now() + MINUTE)
    const tickMs = performance.now() - tickStarted

    const project = (await projectById(projectId))!
    const fast = await chartContext(project, 'auto')
    const raw = await chartContext(project, 'raw')
    const latest = findRelease(fast, VERSIONS.at(-1)!)!
    const middle = findRelease(fast, VERSIONS[3]!)!
    const at = Date.now()
    const w = project.livenessWindowSeconds

    interface Case {
      page: string
      query: string
      window: string
      windowMs: number
      fast: () => Promise<unknown>
      raw?: () => Promise<unknown>
    }
    const chart = (page: string, name: Parameters<typeof loadChart>[1], windowMs: number, label: string, release?: typeof latest): Case => {
      const request = { from: release ? release.releasedAt - 15 * MINUTE : at - windowMs, to: at, release }
      return { page, query: `chart ${name}`, window: label, windowMs: request.to - request.from, fast: () => loadChart(fast, name, request), raw: () => loadChart(raw, name, request) }
    }
    const sinceMiddle = at - middle.releasedAt
    const cases: Case[] = [
      { page: 'overview', query: 'liveSessions (now)', window: '3 min', windowMs: 3 * MINUTE, fast: () => liveSessions({ projectId: project.id, at, windowSeconds: w }) },
      { page: 'overview', query: 'versionTabAges (now)', window: '3 min', windowMs: 3 * MINUTE, fast: () => versionTabAges({ projectId: project.id, at, windowSeconds: w }) },
      { page: 'overview', query: 'versionSeen', window: 'all', windowMs: 0, fast: () => versionSeen({ projectId: project.id }) },
      { page: 'overview', query: 'projectOverview (all figures)', window: 'now + 1 h ago', windowMs: HOUR, fast: () => projectOverview(fast, at), raw: () => projectOverview(raw, at) },
      chart('overview', 'versions', HOUR, '1 h'),
      chart('overview', 'stale-share', DAY, '24 h'),
      { page: 'releases', query: 'releaseSummaries (6 releases)', window: '24 h', windowMs: DAY, fast: () => releaseSummaries(fast, { at }), raw: () => releaseSummaries(raw, { at }) },
      {
        page: 'releases',
        query: 'reloadUpgrades (one release)',
        window: 'all',
        windowMs: DAY,
        fast: () => reloadUpgrades({ projectId: project.id, versions: [latest.version], catalog: fast.catalog }),
        raw: () => reloadUpgrades({ projectId: project.id, versions: [latest.version], catalog: fast.catalog, source: 'raw' }),
      },
      { page: 'release', query: 'releaseSummaries (one)', window: 'since release', windowMs: sinceMiddle, fast: () => releaseSummaries(fast, { at, only: middle }), raw: () => releaseSummaries(raw, { at, only: middle }) },
      chart('release', 'adoption', 0, 'since release', middle),
      chart('release', 'aligned', 0, 'since release', middle),
      chart('release', 'versions', 0, 'since release', middle),
      chart('release', 'visibility', 0, 'since release', middle),
      chart('release', 'reloads', 0, 'since release', middle),
      ...(['versions', 'reloads', 'resumes', 'returns', 'errors'] as const).flatMap((name) => [chart('explorer', name, HOUR, '1 h'), chart('explorer', name, DAY, '24 h')]),
    ]

    const rows: (string | number)[][] = []
    const failures: string[] = []
    const wanted = options.cases?.toLowerCase()
    for (const c of cases) {
      if (wanted && ![c.page, c.query, c.window].some((text) => text.toLowerCase().includes(wanted))) continue
      options.progress(`timing ${c.page}: ${c.query} (${c.window})`)
      const f = await time(c.fast, options.quick ? 5 : 20)
      const r = c.raw && options.raw !== false ? await time(c.raw, options.quick ? 2 : 3, 3000) : null
      const speedup = r ? r.p50 / f.p50 : null
      const needsTenfold = c.windowMs >= DAY && r !== null
      const ok = f.p95 <= 100 && (!needsTenfold || (speedup ?? 0) >= 10)
      if (!ok) failures.push(`${c.page} ${c.query} ${c.window}`)
      rows.push([
        c.page,
        c.query,
        c.window,
        f.p50.toFixed(1),
        f.p95.toFixed(1),
        r ? r.p50.toFixed(1) : '= same query',
        r ? (r.runs === 1 ? 'one run' : r.p95.toFixed(1)) : '—',
        speedup ? `${speedup.toFixed(1)}×` : '—',
        ok ? 'ok' : 'MISSED',
      ])
    }
    return [
      {
        title: `Dashboard queries at ${data.rows.toLocaleString('en')} events (${data.sessions.toLocaleString('en')} sessions, one day, ${VERSIONS.length} versions)`,
        columns: ['page', 'query', 'window', 'p50 ms', 'p95 ms', 'raw p50 ms', 'raw p95 ms', 'speed-up', 'target'],
        rows,
        notes: [
          'p50/p95: as the pages run them (rollup for finalised minutes, raw events for the last ~2), 20 runs after a warm-up. raw: the same function reading raw events only (baseline, same run, same data), 3 runs, or one when it takes over 3 s.',
          'Targets: p95 ≤ 100 ms for every query; ≥ 10× faster than raw for windows of 24 h and more.',
          failures.length ? `MISSED: ${failures.join('; ')}` : 'All targets met.',
        ],
      },
      {
        title: 'Data generation and rollup cost',
        columns: ['step', 'value'],
        rows: [
          ['events generated (in the engine)', data.rows.toLocaleString('en')],
          ['generation time', generateSeconds === null ? 'reused' : `${generateSeconds.toFixed(1)} s`],
          ['rollup first build (whole day)', backfillSeconds === null ? 'reused' : `${backfillSeconds.toFixed(1)} s`],
          ['rollup steady tick (one new minute + 5 trailing)', `${tickMs.toFixed(0)} ms`],
        ],
        notes: ['The server runs the rollup tick every 20 s (lib/rollup-runner/scheduler.ts).'],
      },
    ]
  } finally {
    await store.closeStore()
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  }
}

export const section: BenchSection = { name: 'queries', run: (options) => run(options) }

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      events: { type: 'string' },
      'data-dir': { type: 'string' },
      cases: { type: 'string' },
      'prepare-only': { type: 'boolean', default: false },
      'no-raw': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) {
    console.log(HELP)
    return
  }
  const events = values.events === undefined ? undefined : Number(values.events)
  if (events !== undefined && (!Number.isInteger(events) || events < BEATS)) {
    console.error(`--events must be an integer of at least ${BEATS}`)
    process.exit(2)
  }
  const begun = Date.now()
  const progress = (message: string) => console.error(`[${((Date.now() - begun) / 1000).toFixed(0).padStart(4)} s] ${message}`)
  const dataDir = values['data-dir'] === undefined ? undefined : path.resolve(values['data-dir'])
  if (values['prepare-only'] && !dataDir) {
    console.error('--prepare-only needs --data-dir (the dataset would be removed at the end)')
    process.exit(2)
  }
  const tables = await run({ quick: values.quick, progress, events, dataDir, cases: values.cases, prepareOnly: values['prepare-only'], raw: !values['no-raw'] })
  for (const t of tables) {
    console.log(`\n${t.title}`)
    const cells = [t.columns, ...t.rows.map((r) => r.map(String))]
    const widths = t.columns.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? '').length)))
    for (const r of cells) console.log(r.map((c, i) => String(c).padEnd(widths[i]!)).join('  '))
    for (const n of t.notes ?? []) console.log(`  ${n}`)
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error)
      process.exit(1)
    },
  )
}
