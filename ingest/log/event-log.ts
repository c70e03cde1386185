import { access, open, readFile, unlink, type FileHandle } from 'node:fs/promises'
import path from 'node:path'
import { BufferFullError, ClosedError, WriteFailedError, type GroupCommitStats } from './group-commit'
import { errorMessage, log } from '../../lib/log'
import { engineError } from '../../lib/store/engine-error'
import { engineTakesInserts, isDataError, splitSegment, storeLines, type RejectedLine } from './salvage'
import {
  countQuarantined,
  dedupToken,
  nextSegmentName,
  parseColumns,
  quarantinePath,
  quarantineSegment,
  recoverSegments,
  rejectedName,
  splitHeader,
  writeQuarantineFile,
  type SegmentFile,
  type SegmentInsert,
} from './segments'

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
//
// A segment only ever holds whole rows that were acknowledged: a write that
// fails, or writes less than asked (a full disk), is cut back to the last
// whole row before its callers hear of it. A segment that cannot be stored
// whole (ClickHouse refuses it as data, or its column line is damaged) is
// split at once (log-salvage.ts): its good rows are stored, its bad lines go
// to quarantine/<segment>.rejected.jsonl with their reasons, and the log goes
// on. A file that cannot be read at all is moved to quarantine/ whole.
//
// No segment holds the log up, whatever the engine answers: one refused
// SPLIT_AFTER_FAILURES times in a row with a code not known to be about data
// (say, a lone surrogate's CANNOT_PARSE_ESCAPE_SEQUENCE) is split too, as
// long as the engine still takes an insert of no rows through the same path.
// If it does not (ClickHouse down, a fault injected), that is an outage: the
// segment waits, whole, and nothing is set aside.

export interface EventLogOptions<Row> {
  dir: string
  /** Each segment's first line names these columns, so a segment written by an older release still replays. */
  columns: readonly string[]
  values: (row: Row) => unknown[]
  insert: (segment: SegmentInsert) => Promise<void>
  /**
   * Stores a whole segment straight from its file, without reading it here
   * (the embedded engine reads it with its own parser). Tried first when
   * given; if it fails for any reason, the segment goes the way of `insert`,
   * with the same deduplication token, so nothing is stored twice.
   */
  insertFile?: (segment: SegmentFile) => Promise<void>
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
  /** Told when a segment could not be stored whole and was split or moved aside. */
  onQuarantine?: (report: QuarantineReport) => void
  /** Told of every failed append (its requests are refused), e.g. to look at the disk's free space again. */
  onAppendFailure?: (error: unknown) => void
  /** Fault injection (fault-hook.ts): when it says so, an append writes part of its bytes and fails as a full disk would. */
  appendFault?: () => boolean
  /** Asked before each append with the bytes it will write: an error refuses the append (disk-space.ts reserve: the floor). */
  reserveBytes?: (bytes: number) => Error | null
  /** Wait before retrying a failed insert, by attempt (1, 2, …). */
  retryDelayMs?: (attempt: number) => number
}

export interface QuarantineReport {
  segment: string
  /** Where its set-aside lines (or the whole unreadable file) now are; null if it could not even be moved. */
  file: string | null
  /** The segment's good rows that were stored. */
  storedRows: number
  /** The lines set aside, each with its reason; empty when the whole file was unreadable. */
  rejected: RejectedLine[]
  /** Why the segment could not be stored whole. */
  reason: string
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
  /** The file's whole-row length when bytes past it could not be cut off (they were never acknowledged). */
  length?: number
}

/** A segment's column line, read without reading the whole file; null when it cannot be read or is damaged. */
async function readColumnLine(file: string): Promise<string[] | null> {
  let handle: FileHandle | undefined
  try {
    handle = await open(file, 'r')
    const buffer = Buffer.alloc(COLUMN_LINE_MAX_BYTES)
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0)
    const end = buffer.subarray(0, bytesRead).indexOf(0x0a)
    return end === -1 ? null : parseColumns(buffer.subarray(0, end))
  } catch {
    return null
  } finally {
    await handle?.close().catch(() => undefined)
  }
}

/** A column line is a JSON array of a few dozen names: far below this. */
const COLUMN_LINE_MAX_BYTES = 16 * 1024

/** A short write is a failure: a full disk writes what fits and reports no error. */
function shortWrite(written: number, size: number): NodeJS.ErrnoException {
  return Object.assign(new Error(`ENOSPC: wrote ${written} of ${size} bytes (no space left on device?)`), { code: 'ENOSPC' })
}

// Read errors worth retrying: the process, not the file, is short of something.
const TRANSIENT_READ_ERRORS = new Set(['EMFILE', 'ENFILE', 'ENOMEM', 'EAGAIN', 'EINTR', 'EBUSY'])

const defaultRetryDelay = (attempt: number) => Math.min(5000, 100 * 2 ** Math.min(attempt, 6))

/** Failed tries of one segment after which it is split whatever the error, if the engine takes inserts (about 0.6 s of back-off by default). */
const SPLIT_AFTER_FAILURES = 3

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
  private quarantineFiles = 0

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
      this.quarantineFiles = await countQuarantined(this.options.dir)
      for (const segment of await recoverSegments(this.options.dir)) {
        // An empty segment that cannot be removed is tried again at the next start: it holds nothing.
        if (segment.rows === 0 && !segment.unreadable) await unlink(path.join(this.options.dir, segment.name)).catch(() => undefined)
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
    const noRoom = this.options.reserveBytes?.(bytes.length)
    if (noRoom) return Promise.reject(noRoom)
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
      quarantineFiles: this.quarantineFiles,
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
    try {
      const segment = this.current ?? (await this.openSegment())
      const buffers = batch.map((b) => b.bytes)
      if (segment.bytes === 0) buffers.unshift(this.header)
      await this.append(segment, buffers)
      segment.rows += rows
      segment.requests += batch.length
    } catch (error) {
      const failure = new WriteFailedError(error)
      this.unstoredRows -= rows
      this.unstoredBytes -= rowBytes
      for (const b of batch) b.reject(failure)
      this.options.onAppendFailure?.(error)
      return
    }
    for (const b of batch) b.resolve()
  }

  // Writes at the end of the open segment and syncs. On any failure the
  // segment is cut back to its last whole row before the callers are told,
  // so the rows of a refused request never stay behind as a torn line.
  private async append(segment: OpenSegment, buffers: Buffer[]): Promise<void> {
    const size = buffers.reduce((n, b) => n + b.length, 0)
    try {
      if (this.options.appendFault?.()) {
        const bytes = Buffer.concat(buffers)
        await segment.file.write(bytes, 0, Math.floor(bytes.length / 2))
        throw Object.assign(new Error('ENOSPC: fault injected: no space left on device'), { code: 'ENOSPC' })
      }
      const { bytesWritten } = await segment.file.writev(buffers)
      if (bytesWritten !== size) throw shortWrite(bytesWritten, size)
      if (this.options.fsync) await segment.file.datasync()
    } catch (error) {
      await this.cutBack(segment)
      throw error
    }
    segment.bytes += size
  }

  private async cutBack(segment: OpenSegment): Promise<void> {
    try {
      await segment.file.truncate(segment.bytes)
      if ((await segment.file.stat()).size === segment.bytes) return
    } catch {
      // Below: the segment is closed where it is.
    }
    // The torn bytes could not be cut off: nothing more is appended after
    // them. The segment is sealed with its whole-row length, which is all
    // that is read of it, and the next append opens a new one.
    log.error('ingest log: could not cut a failed write back; closing the segment', { segment: segment.name })
    this.current = null
    this.clearAgeTimer()
    await segment.file.close().catch(() => undefined)
    if (segment.rows === 0) {
      await unlink(path.join(this.options.dir, segment.name)).catch(() => undefined)
      return
    }
    this.sealed.push({ name: segment.name, rows: segment.rows, bytes: segment.bytes - this.header.length, requests: segment.requests, length: segment.bytes })
    this.ship()
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
  // back-off) until it succeeds, so order and completeness are kept. Only a
  // segment that can never be stored whole is split or moved aside instead.
  private async shipAll(): Promise<void> {
    let attempt = 0
    while (this.sealed.length > 0 && !this.stopShipping) {
      const segment = this.sealed[0]!
      const started = performance.now()
      this.shippingRows = segment.rows
      let stored: number | null = null
      try {
        stored = await this.shipOne(segment, attempt + 1)
      } catch (error) {
        // Once per outage, not once per retry.
        if (attempt === 0) log.warn('ingest log: storing a segment failed; retrying with back-off', { segment: segment.name, error: errorMessage(error) })
      }
      this.shippingRows = 0
      if (stored !== 0) this.options.onFlush?.({ rows: stored ?? segment.rows, requests: segment.requests, ms: performance.now() - started, ok: stored !== null })
      if (stored !== null) {
        this.sealed.shift()
        this.unstoredRows -= segment.rows
        this.unstoredBytes -= segment.bytes
        this.flushes++
        attempt = 0
      } else {
        this.failedFlushes++
        attempt++
        await this.sleep((this.options.retryDelayMs ?? defaultRetryDelay)(attempt))
      }
    }
  }

  /**
   * Stores one segment and removes its file; resolves to the rows stored.
   * Throws when it should be tried again (ClickHouse unreachable, the disk
   * full while setting lines aside). `tryNumber` counts this segment's tries.
   */
  private async shipOne(segment: SealedSegment, tryNumber: number): Promise<number> {
    const file = path.join(this.options.dir, segment.name)
    if (await this.shipFile(segment, file)) return segment.rows
    let bytes: Buffer
    try {
      bytes = await readFile(file)
    } catch (error) {
      if (TRANSIENT_READ_ERRORS.has((error as NodeJS.ErrnoException).code ?? '')) throw error
      return this.quarantineUnreadable(segment, error)
    }
    if (segment.length !== undefined) bytes = bytes.subarray(0, segment.length)
    const whole = splitHeader(bytes)
    let reason = 'the column line is damaged'
    let engineAnswers: (() => Promise<boolean>) | undefined
    if (whole) {
      try {
        await this.options.insert({ name: segment.name, token: dedupToken(segment.name), columns: whole.columns, bytes: whole.rows, rows: segment.rows })
        await unlink(file).catch(() => undefined)
        return segment.rows
      } catch (error) {
        const code = engineError(error)?.label
        if (isDataError(error)) reason = `ClickHouse refused it as data (${code})`
        else {
          engineAnswers = () => engineTakesInserts(this.options.insert, segment.name, whole.columns)
          if (tryNumber < SPLIT_AFTER_FAILURES || !(await engineAnswers())) throw error
          reason = `ClickHouse refused it ${tryNumber} times (${code ?? errorMessage(error).split('\n')[0]}) while taking other inserts`
        }
      }
    }
    return this.split(segment, bytes, reason, whole !== null, engineAnswers)
  }

  /**
   * The cheap way: the engine reads the segment file itself. Only for a file
   * that is whole (no torn bytes past its rows) with a sound column line.
   * False when it did not store it: the caller then reads the file and
   * inserts its bytes, which also decides between retrying and splitting.
   */
  private async shipFile(segment: SealedSegment, file: string): Promise<boolean> {
    const insertFile = this.options.insertFile
    if (!insertFile || segment.length !== undefined) return false
    const columns = await readColumnLine(file)
    if (!columns) return false
    try {
      // Absolute: the engine resolves a relative path against its own working directory.
      await insertFile({ name: segment.name, token: dedupToken(segment.name), path: path.resolve(file), columns, rows: segment.rows })
    } catch (error) {
      log.debug('ingest log: storing a segment from its file failed; inserting its bytes instead', { segment: segment.name, error: errorMessage(error) })
      return false
    }
    await unlink(file).catch(() => undefined)
    return true
  }

  private async split(segment: SealedSegment, bytes: Buffer, reason: string, refusedWhole: boolean, engineAnswers?: () => Promise<boolean>): Promise<number> {
    const parts = splitSegment(segment.name, bytes, this.options.columns)
    // Nothing set aside before the insert means the rows are exactly those ClickHouse just refused whole.
    const result = await storeLines(parts.rows, {
      segment: segment.name,
      columns: parts.columns,
      insert: this.options.insert,
      refusedWhole: refusedWhole && parts.rejected.length === 0,
      engineAnswers,
    })
    const rejected = [...parts.rejected, ...result.rejected].sort((a, b) => a.line - b.line)
    let file: string | null = null
    if (rejected.length > 0) {
      const name = rejectedName(segment.name)
      const existed = await access(quarantinePath(this.options.dir, name)).then(
        () => true,
        () => false,
      )
      // Written before the segment is removed: a crash in between splits it again, storing nothing twice.
      file = await writeQuarantineFile(this.options.dir, name, rejected.map((r) => JSON.stringify(r)))
      if (!existed) this.quarantineFiles++
    }
    await unlink(path.join(this.options.dir, segment.name)).catch(() => undefined)
    this.options.onQuarantine?.({ segment: segment.name, file, storedRows: result.stored, rejected, reason })
    return result.stored
  }

  private async quarantineUnreadable(segment: SealedSegment, error: unknown): Promise<number> {
    const reason = `the file cannot be read: ${errorMessage(error)}`
    let file: string | null = null
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      file = await quarantineSegment(this.options.dir, segment.name).catch(() => null)
      if (file) this.quarantineFiles++
    }
    this.options.onQuarantine?.({ segment: segment.name, file, storedRows: 0, rejected: [], reason })
    return 0
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
