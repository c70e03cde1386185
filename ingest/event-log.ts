import { open, readFile, unlink, type FileHandle } from 'node:fs/promises'
import path from 'node:path'
import { BufferFullError, ClosedError, WriteFailedError, type GroupCommitStats } from './group-commit'
import { errorMessage, log } from '../lib/log'
import { dedupToken, splitHeader, nextSegmentName, quarantineSegment, recoverSegments } from './log-segments'

// The ingest log: a request is acknowledged once its rows are written to a
// file on local disk and fdatasync'd, not when ClickHouse has them. Segments
// of the log are then inserted whole, one at a time, and deleted once stored.
//
// Why: acknowledging after the insert ties every answer's latency to the
// insert cadence (wait for the batch to fill, then the insert itself), so a
// server either answers slowly or inserts many times a second. With the log,
// answers take a write and an fdatasync (about a millisecond, shared by every
// request in the same write), and inserts are large and rare (one a second,
// or one per maxSegmentRows). A crash loses nothing acknowledged: the next
// start replays the segments left on disk (recoverSegments), and the segment
// name as deduplication token keeps a replay from storing rows twice.
//
// While ClickHouse is down, segments pile up on disk and requests are still
// acknowledged, up to maxBacklogRows and maxBacklogBytes; past either,
// add() refuses (503). The byte bound is what protects the disk: rows that
// carry long error messages are many times the size of a heartbeat's.

export interface SegmentInsert {
  name: string
  token: string
  /** The columns of each row, from the segment's first line. */
  columns: string[]
  /** The rows, one JSON array (JSONCompactEachRow) per line. */
  bytes: Buffer
  rows: number
}

export interface EventLogOptions<Row> {
  dir: string
  /** Each segment's first line names these columns, so a segment written by an older release still replays. */
  columns: readonly string[]
  values: (row: Row) => unknown[]
  insert: (segment: SegmentInsert) => Promise<void>
  /** A segment is closed and inserted when it holds this many rows… */
  maxSegmentRows: number
  /** …or this long after its first row was written. */
  maxSegmentAgeMs: number
  /** Rows written but not yet stored (on disk, waiting or inserting), beyond which add() refuses. */
  maxBacklogRows: number
  /** The same bound in bytes of the log's lines. */
  maxBacklogBytes: number
  /** fdatasync after each write (survives power loss, not just a process crash). */
  fsync: boolean
  /** Called after every insert attempt, for metrics. */
  onFlush?: (info: { rows: number; requests: number; ms: number; ok: boolean }) => void
  /** Told when ClickHouse refuses a segment as data; the segment is moved aside. */
  onQuarantine?: (file: string, error: unknown) => void
  /** Wait before retrying a failed insert, by attempt (1, 2, …). */
  retryDelayMs?: (attempt: number) => number
}

interface PendingAppend {
  bytes: Buffer
  rows: number
  resolve: () => void
  reject: (error: Error) => void
}

interface OpenSegment {
  name: string
  file: FileHandle
  rows: number
  /** The file's size, header line included. */
  bytes: number
  requests: number
}

interface SealedSegment {
  name: string
  rows: number
  /** Its rows' bytes, header line excluded: as counted against maxBacklogBytes. */
  bytes: number
  requests: number
}

// ClickHouse error codes that mean "these bytes are not valid rows" rather
// than "ClickHouse is unreachable": retrying such a segment would block the
// log for ever, so it is moved aside instead.
const DATA_ERROR_CODES = new Set([6, 26, 27, 38, 41, 53, 69, 72, 117, 130, 131])

function isDataError(error: unknown): boolean {
  const code = /Code: (\d+)\./.exec(error instanceof Error ? error.message : String(error))?.[1]
  return code !== undefined && DATA_ERROR_CODES.has(Number(code))
}

const defaultRetryDelay = (attempt: number) => Math.min(5000, 100 * 2 ** Math.min(attempt, 6))

export class EventLog<Row> {
  private pending: PendingAppend[] = []
  private current: OpenSegment | null = null
  private sealed: SealedSegment[] = []
  private shippingRows = 0
  /** Rows added and not yet stored, quarantined or refused by the disk: what maxBacklogRows bounds. */
  private unstoredRows = 0
  /** Their bytes in the log: what maxBacklogBytes bounds. */
  private unstoredBytes = 0
  private pumping: Promise<void> | null = null
  private sealWanted = false
  private ageTimer: ReturnType<typeof setTimeout> | null = null
  private shipping: Promise<void> | null = null
  private closed = false
  private stopShipping = false
  private flushes = 0
  private failedFlushes = 0
  private retryWake: (() => void) | null = null

  /** Settles once the segments a previous process left are queued; nothing is written before. */
  readonly recovered: Promise<void>
  /** Each segment's first line: the columns of its rows. */
  private readonly header: Buffer

  /** Opens the log and starts inserting what a previous process left in it. */
  constructor(private readonly options: EventLogOptions<Row>) {
    this.header = Buffer.from(JSON.stringify(options.columns) + '\n')
    this.recovered = this.recover()
  }

  private async recover(): Promise<void> {
    try {
      for (const segment of await recoverSegments(this.options.dir)) {
        if (segment.rows === 0) await unlink(path.join(this.options.dir, segment.name))
        else {
          this.sealed.push({ ...segment, requests: 0 })
          this.unstoredRows += segment.rows
          this.unstoredBytes += segment.bytes
        }
      }
    } catch (error) {
      log.error('ingest log: could not read the log directory', { dir: this.options.dir, error: errorMessage(error) })
    }
    if (this.sealed.length > 0) log.info('ingest log: replaying segments left by the last run', { segments: this.sealed.length, rows: this.unstoredRows })
    this.ship()
  }

  /** Resolves once the rows are in the log on disk. */
  add(rows: Row[]): Promise<void> {
    if (this.closed) return Promise.reject(new ClosedError())
    if (rows.length === 0) return Promise.resolve()
    if (this.unstoredRows + rows.length > this.options.maxBacklogRows) return Promise.reject(new BufferFullError())
    let text = ''
    for (const row of rows) text += JSON.stringify(this.options.values(row)) + '\n'
    const bytes = Buffer.from(text)
    if (this.unstoredBytes + bytes.length > this.options.maxBacklogBytes) return Promise.reject(new BufferFullError())
    this.unstoredRows += rows.length
    this.unstoredBytes += bytes.length
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ bytes, rows: rows.length, resolve, reject })
      void this.pump()
    })
  }

  /** Rows acknowledged or about to be, not yet stored in ClickHouse. */
  backlogRows(): number {
    return this.unstoredRows
  }

  stats(): GroupCommitStats {
    return {
      waitingRows: this.unstoredRows - this.shippingRows,
      inFlightRows: this.shippingRows,
      capacityRows: this.options.maxBacklogRows,
      bytes: this.unstoredBytes,
      capacityBytes: this.options.maxBacklogBytes,
      flushes: this.flushes,
      failedFlushes: this.failedFlushes,
    }
  }

  /** Closes the open segment and resolves once everything logged so far is stored. */
  async flush(): Promise<void> {
    this.sealWanted = true
    this.wakeRetry()
    while (this.sealWanted || this.pumping || this.shipping) await (this.pumping ?? this.shipping ?? this.pump())
  }

  /**
   * Refuses new rows, writes what is pending, and tries for up to
   * `timeoutMs` to store the log. What is still unstored stays on disk for
   * the next start.
   */
  async close(timeoutMs = 10_000): Promise<void> {
    this.closed = true
    let timer: ReturnType<typeof setTimeout> | undefined
    const gaveUp = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))
    await Promise.race([this.flush(), gaveUp])
    clearTimeout(timer)
    this.stopShipping = true
    this.wakeRetry()
    this.clearAgeTimer()
  }

  // One writer at a time: takes every pending append, writes them with one
  // writev into the open segment, fdatasyncs, then acknowledges them all.
  private pump(): Promise<void> {
    this.pumping ??= this.writeAll()
      .catch((error: unknown) => log.error('ingest log: could not close a segment; it is replayed at the next start', { error: errorMessage(error) }))
      .finally(() => {
        this.pumping = null
        // Appends that came in after the loop's last look.
        if (this.pending.length > 0 || this.sealWanted) void this.pump()
      })
    return this.pumping
  }

  private async writeAll(): Promise<void> {
    await this.recovered
    while (this.pending.length > 0 || this.sealWanted) {
      if (this.pending.length > 0) await this.writePending()
      if (this.sealWanted || (this.current && this.current.rows >= this.options.maxSegmentRows)) {
        this.sealWanted = false
        await this.sealCurrent()
      }
    }
  }

  private async writePending(): Promise<void> {
    const batch = this.pending
    const rows = batch.reduce((n, b) => n + b.rows, 0)
    const rowBytes = batch.reduce((n, b) => n + b.bytes.length, 0)
    this.pending = []
    let segment: OpenSegment | null = null
    try {
      segment = this.current ?? (await this.openSegment())
      const buffers = batch.map((b) => b.bytes)
      if (segment.bytes === 0) buffers.unshift(this.header)
      const size = buffers.reduce((n, b) => n + b.length, 0)
      try {
        await segment.file.writev(buffers)
        if (this.options.fsync) await segment.file.datasync()
      } catch (error) {
        // Cut a partial write off, so the segment stays whole lines.
        await segment.file.truncate(segment.bytes).catch(() => undefined)
        throw error
      }
      segment.bytes += size
      segment.rows += rows
      segment.requests += batch.length
    } catch (error) {
      const failure = new WriteFailedError(error)
      this.unstoredRows -= rows
      this.unstoredBytes -= rowBytes
      for (const b of batch) b.reject(failure)
      return
    }
    for (const b of batch) b.resolve()
  }

  private async openSegment(): Promise<OpenSegment> {
    const name = nextSegmentName()
    const file = await open(path.join(this.options.dir, name), 'a')
    this.current = { name, file, rows: 0, bytes: 0, requests: 0 }
    this.ageTimer = setTimeout(() => {
      this.ageTimer = null
      this.sealWanted = true
      void this.pump()
    }, this.options.maxSegmentAgeMs)
    return this.current
  }

  private async sealCurrent(): Promise<void> {
    const segment = this.current
    if (!segment) return
    this.current = null
    this.clearAgeTimer()
    await segment.file.close()
    if (segment.rows === 0) {
      await unlink(path.join(this.options.dir, segment.name)).catch(() => undefined)
      return
    }
    this.sealed.push({ name: segment.name, rows: segment.rows, bytes: segment.bytes - this.header.length, requests: segment.requests })
    this.ship()
  }

  private clearAgeTimer(): void {
    if (this.ageTimer) clearTimeout(this.ageTimer)
    this.ageTimer = null
  }

  private ship(): void {
    if (this.shipping || this.sealed.length === 0) return
    this.shipping = this.shipAll().finally(() => {
      this.shipping = null
      // A segment sealed while the last insert settled.
      if (!this.stopShipping) this.ship()
    })
  }

  // Oldest first, one insert at a time; a failed insert is retried (with
  // back-off) until it succeeds, so order and completeness are kept.
  private async shipAll(): Promise<void> {
    let attempt = 0
    while (this.sealed.length > 0 && !this.stopShipping) {
      const segment = this.sealed[0]!
      const file = path.join(this.options.dir, segment.name)
      const started = performance.now()
      this.shippingRows = segment.rows
      let ok = false
      try {
        const { columns, rows } = splitHeader(await readFile(file))
        await this.options.insert({ name: segment.name, token: dedupToken(segment.name), columns, bytes: rows, rows: segment.rows })
        ok = true
      } catch (error) {
        if (isDataError(error)) {
          const moved = await quarantineSegment(this.options.dir, segment.name).catch(() => file)
          this.options.onQuarantine?.(moved, error)
          this.sealed.shift()
          this.shippingRows = 0
          this.unstoredRows -= segment.rows
          this.unstoredBytes -= segment.bytes
          continue
        }
      }
      this.shippingRows = 0
      this.options.onFlush?.({ rows: segment.rows, requests: segment.requests, ms: performance.now() - started, ok })
      if (ok) {
        this.sealed.shift()
        this.unstoredRows -= segment.rows
        this.unstoredBytes -= segment.bytes
        this.flushes++
        attempt = 0
        await unlink(file).catch(() => undefined)
      } else {
        this.failedFlushes++
        attempt++
        await this.sleep((this.options.retryDelayMs ?? defaultRetryDelay)(attempt))
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms)
      function done() {
        clearTimeout(timer)
        resolve()
      }
      this.retryWake = () => {
        this.retryWake = null
        done()
      }
    })
  }

  /** A flush or close retries a failed insert now rather than after its back-off. */
  private wakeRetry(): void {
    this.retryWake?.()
  }
}
