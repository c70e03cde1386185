import { hostname } from 'node:os'
import { config } from '../config'
import { errorMessage, log } from '../log'
import type { BufferSnapshot } from '../metrics/collect'
import { processSingleton } from '../process-singleton'
import { insertRows } from '../store/run-query'
import { qualified } from '../store/tables'
import { store } from '../store/client'
import { selfHealthTable, type HealthKind } from './table'

// The one writer of Stalewatch's own health (./table.ts). server.ts starts it
// with a probe of what ingest knows (its answers by code, its log's stats):
// lib/ does not import ingest/ (ARCHITECTURE.md), so ingest's figures come
// in as plain data, as they do for /api/metrics. Every tick it writes a
// heartbeat and the troubles it saw since the last tick. A write that fails
// (the store is what is in trouble) keeps its rows for the next tick, up to a
// bound, so a stretch of trouble is recorded once storage is back.

/** What ingest knows at an instant: counters since the process started, and its log's state. */
export interface IngestHealth {
  /** Ingest answers refused, by error code (ingest/edge/metrics.ts rejectedByReason). */
  rejectedByReason: ReadonlyMap<string, number>
  /** The ingest log's state, as /api/metrics reads it, and its stores so far and failed. */
  buffer: BufferSnapshot & { flushes: number; failedFlushes: number }
}

/** The codes ingest answers with 503 (ingest/log/sink.ts, ingest/events/pipeline.ts). */
export const SHED_CODES = ['overloaded', 'storage_slow', 'storage_unavailable', 'disk_low', 'shutting_down'] as const

interface HealthRow {
  node: string
  at: number
  kind: HealthKind
  code: string
  value: number
  interval_ms: number
}

/** Rows kept while writes fail: a day of heartbeats at 10 s, plus the troubles of their ticks. */
const MAX_PENDING = 20_000

/** The rows one tick adds, from the probe now and at the last tick. Pure. */
export function tickRows(node: string, at: number, intervalMs: number, now: IngestHealth, before: IngestHealth | null, backlogShare: number): HealthRow[] {
  const row = (kind: HealthKind, value = 0, code = ''): HealthRow => ({ node, at, kind, code, value, interval_ms: intervalMs })
  const rows = [row('beat')]
  if (before) {
    for (const code of SHED_CODES) {
      const answers = (now.rejectedByReason.get(code) ?? 0) - (before.rejectedByReason.get(code) ?? 0)
      if (answers > 0) rows.push(row('shed', answers, code))
    }
  }
  const b = now.buffer
  const unstored = b.waitingRows + b.inFlightRows
  // Either bound refuses when reached (lib/metrics/collect.ts), so the fill is the fuller of the two.
  const fill = Math.max(b.capacityRows > 0 ? unstored / b.capacityRows : 0, b.capacityBytes ? (b.bytes ?? 0) / b.capacityBytes : 0)
  if (fill >= backlogShare) rows.push(row('backlog', fill))
  if (b.diskFreeBytes !== undefined && b.diskMinFreeBytes !== undefined && b.diskFreeBytes < b.diskMinFreeBytes) rows.push(row('disk_low', b.diskFreeBytes))
  // Storage blocked: a store of the log failed in this tick, or rows waited through the whole tick and none was stored.
  if (before) {
    const failed = b.failedFlushes > before.buffer.failedFlushes
    const stuck = unstored > 0 && before.buffer.waitingRows + before.buffer.inFlightRows > 0 && b.flushes === before.buffer.flushes
    if (failed || stuck) rows.push(row('storage_blocked', unstored))
  }
  return rows
}

class SelfHealthWriter {
  private pending: HealthRow[] = []
  private before: IngestHealth | null = null
  private timer: ReturnType<typeof setInterval> | undefined
  private writing: Promise<void> = Promise.resolve()
  private lastTick = Date.now()
  readonly node = `${hostname()}:${process.pid}`

  constructor(private readonly probe: () => IngestHealth) {}

  start(): void {
    const intervalMs = config().heartbeatSeconds * 1000
    this.lastTick = Date.now()
    this.pending.push({ node: this.node, at: this.lastTick, kind: 'start', code: '', value: 0, interval_ms: intervalMs })
    this.before = this.safeProbe()
    void this.flush()
    this.timer = setInterval(() => this.tick(), intervalMs)
    this.timer.unref()
  }

  private safeProbe(): IngestHealth | null {
    try {
      const probed = this.probe()
      // The counters are live maps: keep this tick's values to compare the next one with.
      return { rejectedByReason: new Map(probed.rejectedByReason), buffer: { ...probed.buffer } }
    } catch (error) {
      log.warn('self health: ingest probe failed', { error: errorMessage(error) })
      return null
    }
  }

  private tick(): void {
    const now = Date.now()
    const probed = this.safeProbe()
    if (probed) {
      this.pending.push(...tickRows(this.node, now, now - this.lastTick, probed, this.before, config().backlogGapPercent / 100))
      this.before = probed
    } else {
      this.pending.push({ node: this.node, at: now, kind: 'beat', code: '', value: 0, interval_ms: now - this.lastTick })
    }
    this.lastTick = now
    if (this.pending.length > MAX_PENDING) this.pending.splice(0, this.pending.length - MAX_PENDING)
    void this.flush()
  }

  /** Writes what is pending; one write at a time, on the background connection (pages and ingest never wait for it). */
  flush(): Promise<void> {
    this.writing = this.writing.then(async () => {
      if (this.pending.length === 0) return
      const batch = this.pending
      this.pending = []
      try {
        await insertRows('writeSelfHealth', qualified(selfHealthTable(config().retentionDays)), batch, store().background)
      } catch (error) {
        log.warn('self health not stored; retrying at the next heartbeat', { error: errorMessage(error), rows: batch.length })
        this.pending = [...batch, ...this.pending].slice(-MAX_PENDING)
      }
    })
    return this.writing
  }

  /** A clean stop: the down time starts here rather than at the last heartbeat, and no heartbeat follows. */
  halt(at: number): void {
    clearInterval(this.timer)
    this.pending.push({ node: this.node, at, kind: 'stop', code: '', value: 0, interval_ms: 0 })
  }
}

const holder = () => processSingleton<{ writer?: SelfHealthWriter }>('selfHealth', () => ({}))

/** Starts recording this process's health (once per process). */
export function startSelfHealth(probe: () => IngestHealth): void {
  const h = holder()
  if (h.writer) return
  h.writer = new SelfHealthWriter(probe)
  h.writer.start()
}

/** Records the stop at `at` (when the server stopped taking requests): no heartbeat after it. Written by stopSelfHealth. */
export function haltSelfHealth(at = Date.now()): void {
  holder().writer?.halt(at)
}

/** Writes what is pending (the stop row among it) and lets go; after the background jobs stopped, before the store closes. */
export async function stopSelfHealth(): Promise<void> {
  const h = holder()
  const writer = h.writer
  h.writer = undefined
  await writer?.flush()
}
