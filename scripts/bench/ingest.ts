import { readSetting } from '../../lib/config'
import { ensureAppBuild } from '../app-build'
import { startProduct, type ServerReady } from './builds'
import { startChild, type BenchChild } from './child'
import type { LoadResult, LoadStep } from './load-generator'
import type { BenchOptions, BenchSection, BenchTable } from './section'

// Ingest throughput on loopback against two baselines measured in the same
// run on the same payloads: bare node:http (parse JSON, 204) for the product's
// /api/ingest, and a trivial Next.js route for the Next.js route-handler path.
// Servers and the load generator each run in their own child process.

export interface Metrics {
  inserts: number
  insertedRows: number
  failedInserts: number
  backlogRows: number
  eventLoopActiveMs: number
}
interface StoredCount {
  version: string
  events: number
  ids: number
}

interface Row {
  path: string
  batch: number
  load: string
  result: LoadResult
  eventsPerSec: number
  insertsPerSec?: number
  /** Rows ClickHouse stored per second during the step: what the node sustains. */
  storedPerSec?: number
  /** Rows acknowledged but not yet stored when the step ended. */
  backlogRows?: number
  peakRssBytes?: number
  serverCpu?: number
  mainThread?: number
  generatorCpu?: number
  stored?: number
  version?: string
}

const MiB = 1024 * 1024
// The product's ingest URL as the SDK sends to it: ?answer=header gets a 204
// without a body when every event is accepted. The baselines get none.
export const ingestUrl = (base: string) => `${base}/api/ingest?answer=header`
const PRODUCT_PATH = 'stalewatch /api/ingest'
const STORED_PATH = 'stalewatch /api/ingest, ack when stored'
export const fmt = (n: number | undefined, digits = 0) => (n === undefined ? '—' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }))
const statuses = (r: LoadResult) =>
  Object.entries(r.byStatus)
    .map(([s, n]) => `${s}×${n}`)
    .concat(r.errors ? [`err×${r.errors}`] : [], r.notSent ? [`unsent×${r.notSent}`] : [])
    .join(' ')

export class Generator {
  private constructor(readonly child: BenchChild<object>) {}
  static async start(): Promise<Generator> {
    return new Generator(await startChild('scripts/bench/load-generator.ts', { STALEWATCH_LOAD_GENERATOR: '1' }))
  }
  async run(step: LoadStep): Promise<LoadResult> {
    return (await this.child.ask<{ result: LoadResult }>({ type: 'run', step }, 'result')).result
  }
  stop = () => this.child.stop()
}

/** Sets `stored` on the rows this server took, from ClickHouse's count of each step's version. */
async function fillStored(server: BenchChild<ServerReady>, rows: Row[], tookRow: (row: Row) => boolean): Promise<void> {
  const counts = (await server.ask<{ rows: StoredCount[] }>({ type: 'count', projectId: server.ready.projectId }, 'count')).rows
  const byVersion = new Map(counts.map((c) => [c.version, c.events]))
  for (const row of rows) if (row.version && tookRow(row)) row.stored = byVersion.get(row.version) ?? 0
}

async function measured(
  server: BenchChild<ServerReady> | BenchChild<{ url: string }>,
  generator: Generator,
  step: LoadStep,
  withInserts: boolean,
): Promise<{ result: LoadResult; insertsPerSec?: number; storedPerSec?: number; backlogRows?: number; peakRssBytes?: number; serverCpu?: number; mainThread?: number; generatorCpu?: number }> {
  const ask = server.ask as BenchChild<ServerReady>['ask']
  // Each step starts with the ingest log drained: a step that acknowledged
  // faster than ClickHouse stores must not leave its backlog to the next one.
  if (withInserts) await ask({ type: 'flush' }, 'flushed')
  const before = withInserts ? await ask<Metrics>({ type: 'metrics' }, 'metrics') : undefined
  server.resetPeak()
  const cpu0 = [server.cpuSeconds(), generator.child.cpuSeconds()]
  const result = await generator.run(step)
  const cpu1 = [server.cpuSeconds(), generator.child.cpuSeconds()]
  const peakRssBytes = server.peakRss()
  const after = withInserts ? await ask<Metrics>({ type: 'metrics' }, 'metrics') : undefined
  const insertsPerSec = before && after ? ((after.inserts - before.inserts) * 1000) / result.elapsedMs : undefined
  const storedPerSec = before && after ? ((after.insertedRows - before.insertedRows) * 1000) / result.elapsedMs : undefined
  // Share of one core over the step.
  const share = (i: number) => (cpu0[i] === undefined || cpu1[i] === undefined ? undefined : ((cpu1[i]! - cpu0[i]!) * 1000) / result.elapsedMs)
  // The server's event loop busy share: at 100 % its one JS thread is the limit, whatever the CPU column says.
  const mainThread = before && after ? (after.eventLoopActiveMs - before.eventLoopActiveMs) / result.elapsedMs : undefined
  return { result, insertsPerSec, storedPerSec, backlogRows: after?.backlogRows, peakRssBytes, serverCpu: share(0), mainThread, generatorCpu: share(1) }
}

export function plan(quick: boolean) {
  return {
    durationMs: quick ? 1_500 : 5_000,
    warmupMs: quick ? 500 : 2_000,
    // Acknowledgement waits for the group commit (a few hundred ms), so by
    // Little's law a closed loop needs hundreds of requests in flight to
    // reach the peak; a release brings millions of tabs, so that is realistic.
    concurrencies: quick ? [64, 512] : [16, 64, 256, 1024],
    nextConcurrencies: quick ? [64] : [16, 128],
    storedConcurrencies: quick ? [512] : [256, 1024],
    batches: [10, 50],
  }
}

/**
 * Where the servers under test store: an embedded engine each (the default),
 * or a ClickHouse server, in a database of the bench's own. With a server the
 * product still acknowledges from its ingest log unless a step says otherwise.
 */
function storageEnv(clickhouseUrl: string | undefined): Record<string, string> {
  if (!clickhouseUrl) return {}
  return { CLICKHOUSE_URL: clickhouseUrl, CLICKHOUSE_DATABASE: 'stalewatch_bench', STALEWATCH_INGEST_ACK: 'logged' }
}

async function run(options: BenchOptions): Promise<BenchTable[]> {
  const { progress, quick } = options
  const p = plan(quick)
  const storage = storageEnv(options.clickhouseUrl)
  // The trivial Next.js route is in the bench's own build only, next to the
  // product's (next.config.ts): the servers below, children of this process,
  // run that build.
  process.env.STALEWATCH_BENCH_ROUTES = '1'
  process.env.STALEWATCH_NEXT_DIST_DIR = `${readSetting('nextDistDir').replace(/-bench$/, '')}-bench`
  await ensureAppBuild({ skipTypeCheck: true, progress })
  const rows: Row[] = []
  const generator = await Generator.start()
  const eps = (r: LoadResult) => (r.ackedEvents * 1000) / r.elapsedMs
  const notes: string[] = []
  const settingsRows: (string | number)[][] = []

  try {
    // 1. Baseline: bare node:http, parse and 204.
    progress('ingest: bare node:http baseline')
    const bare = await startChild<{ url: string }>('scripts/bench/baseline-node-server.ts', {})
    try {
      await generator.run({ url: bare.ready.url, key: 'k', version: 'warmup', batchSize: 50, concurrency: 16, durationMs: p.warmupMs })
      for (const batch of p.batches) {
        for (const concurrency of p.concurrencies) {
          const step: LoadStep = { url: bare.ready.url, key: 'k', version: 'bare', batchSize: batch, concurrency, durationMs: p.durationMs }
          const m = await measured(bare, generator, step, false)
          rows.push({ path: 'bare node:http (baseline)', batch, load: `c=${concurrency}`, ...m, eventsPerSec: eps(m.result) })
          progress(`  bare batch=${batch} c=${concurrency}: ${fmt(eps(m.result))} events/s`)
        }
      }
    } finally {
      await bare.stop()
    }

    // 2. The product: server.ts, /api/ingest on node:http, group commit into chDB.
    progress('ingest: product server (server.ts) /api/ingest')
    const product = await startProduct('product', storage)
    const peak = new Map<number, number>()
    // The rate ClickHouse kept up with: above it the node still acknowledges
    // (the log absorbs the burst) but the backlog grows, so this is the
    // sustained peak; the acknowledged peak is a burst figure.
    const peakStored = new Map<number, number>()
    try {
      const url = ingestUrl(product.ready.url)
      const key = product.ready.ingestKey
      await generator.run({ url, key, version: 'warmup', batchSize: 50, concurrency: 16, durationMs: p.warmupMs })
      for (const batch of p.batches) {
        for (const concurrency of p.concurrencies) {
          const version = `b${batch}-c${concurrency}`
          const m = await measured(product, generator, { url, key, version, batchSize: batch, concurrency, durationMs: p.durationMs }, true)
          const e = eps(m.result)
          peak.set(batch, Math.max(peak.get(batch) ?? 0, e))
          peakStored.set(batch, Math.max(peakStored.get(batch) ?? 0, m.storedPerSec ?? 0))
          rows.push({ path: PRODUCT_PATH, batch, load: `c=${concurrency}`, ...m, eventsPerSec: e, version })
          progress(`  product batch=${batch} c=${concurrency}: ${fmt(e)} events/s, p99 ${fmt(m.result.p99Ms, 1)} ms`)
        }
        // Open loop at 80 % of the sustained (stored) peak, and at 80 % and
        // 200 % of the acknowledged peak, same payloads.
        const openSteps = [
          { id: 's0.8', label: '80 % of stored peak (open loop)', eventsPerSec: 0.8 * peakStored.get(batch)!, concurrency: 1024 },
          { id: 'x0.8', label: '80 % of acked peak (open loop)', eventsPerSec: 0.8 * peak.get(batch)!, concurrency: 1024 },
          { id: 'x2', label: '200 % of acked peak (open loop)', eventsPerSec: 2 * peak.get(batch)!, concurrency: 2048 },
        ]
        for (const o of openSteps) {
          const version = `b${batch}-${o.id}`
          const m = await measured(product, generator, { url, key, version, batchSize: batch, concurrency: o.concurrency, durationMs: p.durationMs, rate: o.eventsPerSec / batch }, true)
          rows.push({ path: PRODUCT_PATH, batch, load: o.label, ...m, eventsPerSec: eps(m.result), version })
          progress(`  product batch=${batch} at ${o.label}: ${fmt(eps(m.result))} events/s, p99 ${fmt(m.result.p99Ms, 1)} ms, ${statuses(m.result)}`)
        }
      }
      await fillStored(product, rows, (row) => row.path === PRODUCT_PATH)
    } finally {
      await product.stop()
    }

    // 2b. The same server acknowledging only after the insert (STALEWATCH_INGEST_ACK=stored,
    // the default with CLICKHOUSE_URL): what the ingest log buys.
    progress('ingest: product server, acknowledgement after the insert')
    const stored = await startProduct('product', { ...storage, STALEWATCH_INGEST_ACK: 'stored' })
    try {
      const url = ingestUrl(stored.ready.url)
      await generator.run({ url, key: stored.ready.ingestKey, version: 'warmup', batchSize: 50, concurrency: 16, durationMs: p.warmupMs })
      for (const batch of p.batches) {
        for (const concurrency of p.storedConcurrencies) {
          const m = await measured(stored, generator, { url, key: stored.ready.ingestKey, version: `stored-b${batch}-c${concurrency}`, batchSize: batch, concurrency, durationMs: p.durationMs }, true)
          rows.push({ path: STORED_PATH, batch, load: `c=${concurrency}`, ...m, eventsPerSec: eps(m.result), version: `stored-b${batch}-c${concurrency}` })
          progress(`  stored batch=${batch} c=${concurrency}: ${fmt(eps(m.result))} events/s, p99 ${fmt(m.result.p99Ms, 1)} ms`)
        }
      }
      await fillStored(stored, rows, (row) => row.path === STORED_PATH)
    } finally {
      await stored.stop()
    }

    // 3. Next.js: the ingest route handler against a trivial route, one server.
    progress('ingest: Next.js route handler vs a trivial Next.js route')
    const nextServer = await startProduct('next', storage)
    try {
      const key = nextServer.ready.ingestKey
      const targets = [
        { path: 'trivial Next.js route (baseline)', url: `${nextServer.ready.url}/api/bench-baseline`, inserts: false },
        { path: 'Next.js /api/ingest route handler', url: ingestUrl(nextServer.ready.url), inserts: true },
      ]
      for (const t of targets) await generator.run({ url: t.url, key, version: 'warmup', batchSize: 50, concurrency: 8, durationMs: p.warmupMs })
      for (const batch of p.batches) {
        for (const concurrency of p.nextConcurrencies) {
          for (const t of targets) {
            const version = `next-b${batch}-c${concurrency}`
            const m = await measured(nextServer, generator, { url: t.url, key, version, batchSize: batch, concurrency, durationMs: p.durationMs }, t.inserts)
            rows.push({ path: t.path, batch, load: `c=${concurrency}`, ...m, eventsPerSec: eps(m.result), version: t.inserts ? version : undefined })
            progress(`  ${t.path} batch=${batch} c=${concurrency}: ${fmt(eps(m.result))} events/s`)
          }
        }
      }
      await fillStored(nextServer, rows, (row) => row.path === 'Next.js /api/ingest route handler')
    } finally {
      await nextServer.stop()
    }

    // 4. Group-commit settings at 80 % of peak (full run only): the trade-off
    // between inserts per second and acknowledgement latency.
    if (!quick) {
      const batch = 50
      const rate = (0.8 * peak.get(batch)!) / batch
      for (const [maxWait, maxRows] of [
        [50, 10_000],
        [100, 10_000],
        [200, 10_000],
        [200, 50_000],
        [500, 50_000],
      ] as const) {
        progress(`ingest: ack when stored, group commit maxWait=${maxWait} ms maxRows=${maxRows} at 80 % of peak`)
        const server = await startProduct('product', {
          ...storage,
          STALEWATCH_INGEST_ACK: 'stored',
          STALEWATCH_FLUSH_MAX_WAIT_MS: String(maxWait),
          STALEWATCH_FLUSH_MAX_ROWS: String(maxRows),
        })
        try {
          const url = ingestUrl(server.ready.url)
          await generator.run({ url, key: server.ready.ingestKey, version: 'warmup', batchSize: batch, concurrency: 16, durationMs: p.warmupMs })
          const m = await measured(server, generator, { url, key: server.ready.ingestKey, version: 'x', batchSize: batch, concurrency: 1024, durationMs: p.durationMs, rate }, true)
          settingsRows.push([maxWait, maxRows, fmt(eps(m.result)), fmt(m.result.p50Ms, 1), fmt(m.result.p99Ms, 1), fmt(m.insertsPerSec, 1)])
        } finally {
          await server.stop()
        }
      }
    }
  } finally {
    await generator.stop()
  }

  // Verdicts against the targets, from figures of this run only.
  const best = (pathName: string, batch: number) => Math.max(0, ...rows.filter((r) => r.path === pathName && r.batch === batch && r.load.startsWith('c=')).map((r) => r.eventsPerSec))
  for (const batch of p.batches) {
    const product = best(PRODUCT_PATH, batch)
    const bare = best('bare node:http (baseline)', batch)
    const peakInserts = Math.max(0, ...rows.filter((r) => r.path === PRODUCT_PATH && r.batch === batch).map((r) => r.insertsPerSec ?? 0))
    const sustained = Math.max(0, ...rows.filter((r) => r.path === PRODUCT_PATH && r.batch === batch && r.load.startsWith('c=')).map((r) => r.storedPerSec ?? 0))
    notes.push(
      `batch ${batch}: product peak ${fmt(product)} events/s acknowledged = ${fmt((100 * product) / bare, 1)} % of bare node:http (target ≥ 50 %); ` +
        `stored at up to ${fmt(sustained)} rows/s = ${fmt((100 * sustained) / bare, 1)} %; max inserts/s ${fmt(peakInserts, 1)} (target ≤ 5)`,
    )
    for (const at80 of rows.filter((r) => r.path === PRODUCT_PATH && r.batch === batch && r.load.startsWith('80 %'))) {
      notes.push(`batch ${batch}: at ${at80.load.replace(' (open loop)', '')} p99 ${fmt(at80.result.p99Ms, 1)} ms (target ≤ 100 ms)`)
    }
    const at200 = rows.find((r) => r.path === PRODUCT_PATH && r.batch === batch && r.load.startsWith('200 %'))
    if (at200) {
      const missing = at200.result.ackedEvents - (at200.stored ?? 0)
      notes.push(
        `batch ${batch}: at 200 % of peak: ${statuses(at200.result)}; refusals without Retry-After ${at200.result.refusalsWithoutRetryAfter}; ` +
          `peak RSS ${fmt((at200.peakRssBytes ?? 0) / MiB)} MiB (target < 1024); acknowledged ${fmt(at200.result.ackedEvents)}, stored ${fmt(at200.stored)} ` +
          (missing > 0 ? `(${fmt(missing)} ACKNOWLEDGED BUT MISSING)` : missing < 0 ? `(none lost; ${fmt(-missing)} more stored than acknowledged: requests answered 503 after the ack timeout whose insert landed anyway)` : '(none lost)'),
      )
    }
    const nextIngest = best('Next.js /api/ingest route handler', batch)
    const nextTrivial = best('trivial Next.js route (baseline)', batch)
    if (nextTrivial) notes.push(`batch ${batch}: Next.js ingest route ${fmt(nextIngest)} events/s = ${fmt((100 * nextIngest) / nextTrivial, 1)} % of the trivial Next.js route (target ≥ 80 %)`)
  }
  const unstored = rows.filter((r) => r.stored !== undefined && r.stored < r.result.ackedEvents)
  notes.push(unstored.length ? `ACKNOWLEDGED BUT NOT STORED in: ${unstored.map((r) => `${r.path} ${r.load}`).join(', ')}` : 'every acknowledged event was stored (counted in ClickHouse per step)')
  notes.push('stalewatch /api/ingest acknowledges once events are in the ingest log (written and fdatasync\'d; the embedded default), and inserts the log a segment at a time; "stored" is counted in ClickHouse after the log drained')
  notes.push('stored/s: rows ClickHouse stored during the step (what the node sustains); backlog: rows acknowledged but not yet stored at the step\'s end (the ingest log catches up after a burst)')
  notes.push('load generator: a separate child process (prepared request bytes on kept-alive sockets, as many as the concurrency); each server in its own child process; peak RSS = VmHWM of the server process during the step')
  notes.push(
    options.clickhouseUrl
      ? `storage: the ClickHouse server at ${new URL(options.clickhouseUrl).host} (database stalewatch_bench), not an embedded engine: server CPU and inserts/s are the ingest node's side only`
      : 'storage: an embedded chDB engine in each server process, on the same cores as the server and the load generator',
  )

  const tables: BenchTable[] = [
    {
      title: 'Ingest throughput (loopback, same payloads for every path)',
      columns: ['path', 'batch', 'load', 'req/s', 'events/s acked', 'stored/s', 'backlog', 'stored', 'p50 ms', 'p99 ms', 'inserts/s', 'peak RSS MiB', 'server CPU', 'main thread', 'gen CPU', 'answers'],
      rows: rows.map((r) => [
        r.path,
        r.batch,
        r.load,
        fmt((r.result.requests * 1000) / r.result.elapsedMs),
        fmt(r.eventsPerSec),
        fmt(r.storedPerSec),
        fmt(r.backlogRows),
        r.stored === undefined ? '—' : fmt(r.stored),
        fmt(r.result.p50Ms, 1),
        fmt(r.result.p99Ms, 1),
        fmt(r.insertsPerSec, 1),
        fmt(r.peakRssBytes === undefined ? undefined : r.peakRssBytes / MiB),
        r.serverCpu === undefined ? '—' : `${fmt(100 * r.serverCpu)} %`,
        r.mainThread === undefined ? '—' : `${fmt(100 * r.mainThread)} %`,
        r.generatorCpu === undefined ? '—' : `${fmt(100 * r.generatorCpu)} %`,
        statuses(r.result),
      ]),
      notes,
    },
  ]
  if (settingsRows.length) {
    tables.push({
      title: 'Acknowledgement after the insert (STALEWATCH_INGEST_ACK=stored): group-commit settings at 80 % of the default path\'s peak (batch 50, open loop)',
      columns: ['max wait ms', 'max rows', 'events/s', 'p50 ms', 'p99 ms', 'inserts/s'],
      rows: settingsRows,
      notes: ['a flush waits up to max wait ms for more rows, so p99 ≈ max wait + one insert; inserts/s ≈ 1000 / max wait while rate < max rows per max wait'],
    })
  }
  return tables
}

export const ingestSection: BenchSection = { name: 'ingest', run }
export default ingestSection
