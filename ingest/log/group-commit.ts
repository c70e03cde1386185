// Group commit: rows from concurrent requests share one insert. Each caller's
// promise settles only when the insert that carried its rows has settled, so a
// request is acknowledged only after its events are stored, and a failed
// insert fails every request in it (nothing acknowledged).
//
// A flush starts when `maxRows` rows wait or the oldest waiting row is
// `maxWaitMs` old. One insert is in flight at a time; rows arriving meanwhile
// form the next one. Memory is bounded by `maxBufferedRows` (waiting plus in
// flight): past it, add() refuses at once and the caller answers 503.

export class BufferFullError extends Error {
  constructor() {
    super('ingest buffer is full')
    this.name = 'BufferFullError'
  }
}

export class WriteFailedError extends Error {
  constructor(cause: unknown) {
    super('storing the events failed', { cause })
    this.name = 'WriteFailedError'
  }
}

export class ClosedError extends Error {
  constructor() {
    super('ingest is shutting down')
    this.name = 'ClosedError'
  }
}

/**
 * The caller waited longer than ackTimeoutMs: it is answered 503 and not
 * acknowledged. Its rows may still be stored (the insert may land later),
 * which is harmless because every figure counts distinct ids and the client
 * resends.
 */
export class AckTimeoutError extends Error {
  constructor() {
    super('storing the events took too long')
    this.name = 'AckTimeoutError'
  }
}

export interface GroupCommitOptions<Row> {
  write: (rows: Row[]) => Promise<void>
  maxRows: number
  maxWaitMs: number
  maxBufferedRows: number
  /** A caller not settled within this many ms is rejected with AckTimeoutError (its rows are dropped if not yet in flight). */
  ackTimeoutMs?: number
  /**
   * An insert not settled within this many ms is given up on, so the buffer
   * moves on when ClickHouse stalls; its rows still count against
   * maxBufferedRows until it does settle, so stalls cannot grow memory.
   */
  stallTimeoutMs?: number
  /** Called after every insert attempt, for metrics. */
  onFlush?: (info: { rows: number; requests: number; ms: number; ok: boolean }) => void
}

interface Waiter<Row> {
  rows: Row[]
  resolve: () => void
  reject: (error: Error) => void
}

export interface GroupCommitStats {
  waitingRows: number
  inFlightRows: number
  capacityRows: number
  /** Bytes held and their bound, for a sink bounded in bytes as well (the ingest log). */
  bytes?: number
  capacityBytes?: number
  flushes: number
  failedFlushes: number
  /** Files in the ingest log's quarantine, waiting for `npm run ingest-log` (the log only). */
  quarantineFiles?: number
  /** Free bytes of the disk under the ingest log or engine, and the floor below which ingest sheds (ingest/log/disk-space.ts). */
  diskFreeBytes?: number
  diskMinFreeBytes?: number
}

export class GroupCommitBuffer<Row> {
  private waiting: Waiter<Row>[] = []
  private waitingRows = 0
  private inFlightRows = 0
  private inFlight: Promise<void> | null = null
  private timer: ReturnType<typeof setTimeout> | null = null
  private closed = false
  /** The oldest waiting row has waited maxWaitMs: insert as soon as none is in flight. */
  private due = false
  private flushes = 0
  private failedFlushes = 0
  /** Rows of inserts given up on (stallTimeoutMs) that have not settled yet. */
  private abandonedRows = 0
  /** Recent cost of storing one row (ms), learnt from large inserts; 0 until one was seen. */
  private msPerRow = 0

  constructor(private readonly options: GroupCommitOptions<Row>) {}

  add(rows: Row[]): Promise<void> {
    if (this.closed) return Promise.reject(new ClosedError())
    if (rows.length === 0) return Promise.resolve()
    if (this.waitingRows + this.inFlightRows + this.abandonedRows + rows.length > this.options.maxBufferedRows) {
      return Promise.reject(new BufferFullError())
    }
    if (this.wouldMissAckDeadline(rows.length)) return Promise.reject(new BufferFullError())
    const stored = new Promise<void>((resolve, reject) => {
      this.waiting.push({ rows, resolve, reject })
      this.waitingRows += rows.length
      this.schedule()
    })
    return this.options.ackTimeoutMs ? this.withAckDeadline(stored, rows, this.options.ackTimeoutMs) : stored
  }

  /**
   * Admission by time as well as by rows: when the rows queued ahead would
   * take more than half the ack deadline to store, a new request would most
   * likely be answered 503 only after its rows were written anyway (and then
   * resent), so under overload the server would do all the work and
   * acknowledge none of it. Refusing it at once keeps the acknowledged rate
   * near the insert rate instead of collapsing.
   */
  private wouldMissAckDeadline(newRows: number): boolean {
    const deadline = this.options.ackTimeoutMs
    if (!deadline || this.msPerRow === 0) return false
    return (this.waitingRows + this.inFlightRows + newRows) * this.msPerRow > deadline / 2
  }

  private learnInsertCost(rows: number, ms: number): void {
    if (rows === 0) return
    const sample = ms / rows
    // Small inserts are dominated by the fixed cost of an insert and overstate
    // the per-row cost, so they may only lower the estimate. Without that, one
    // slow spell could leave admission so tight that no insert reaches 1000
    // rows again and the estimate never recovers.
    if (rows < 1000 && !(this.msPerRow > 0 && sample < this.msPerRow)) return
    this.msPerRow = this.msPerRow === 0 ? sample : 0.7 * this.msPerRow + 0.3 * sample
  }

  private withAckDeadline(stored: Promise<void>, rows: Row[], ms: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        // Not yet in an insert: take the rows out, the client will resend them.
        const index = this.waiting.findIndex((w) => w.rows === rows)
        if (index >= 0) {
          this.waiting.splice(index, 1)
          this.waitingRows -= rows.length
        }
        reject(new AckTimeoutError())
      }, ms)
      stored.then(
        () => {
          clearTimeout(timer)
          resolve()
        },
        (error: unknown) => {
          clearTimeout(timer)
          reject(error as Error)
        },
      )
    })
  }

  private withStallTimeout(written: Promise<void>, rowCount: number): Promise<void> {
    const ms = this.options.stallTimeoutMs
    if (!ms) return written
    return new Promise<void>((resolve, reject) => {
      let abandoned = false
      const timer = setTimeout(() => {
        abandoned = true
        this.abandonedRows += rowCount
        reject(new Error(`the insert did not settle in ${ms} ms`))
      }, ms)
      const done = () => {
        clearTimeout(timer)
        if (abandoned) this.abandonedRows -= rowCount
      }
      written.then(
        () => {
          done()
          resolve()
        },
        (error: unknown) => {
          done()
          reject(error as Error)
        },
      )
    })
  }

  stats(): GroupCommitStats {
    return {
      waitingRows: this.waitingRows,
      inFlightRows: this.inFlightRows + this.abandonedRows,
      capacityRows: this.options.maxBufferedRows,
      flushes: this.flushes,
      failedFlushes: this.failedFlushes,
    }
  }

  /** Writes everything waiting now, and resolves when it is stored (or failed). */
  async flush(): Promise<void> {
    this.clearTimer()
    while (this.inFlight || this.waiting.length > 0) {
      if (this.inFlight) await this.inFlight
      else this.startInsert()
    }
  }

  /** Refuses new rows, then writes what is waiting. */
  async close(): Promise<void> {
    this.closed = true
    await this.flush()
  }

  private schedule(): void {
    const full = this.waitingRows >= this.options.maxRows || this.options.maxWaitMs === 0
    if (full || this.due) {
      if (this.inFlight) return // the running insert's completion starts the next one
      this.clearTimer()
      this.startInsert()
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null
        this.due = true
        this.schedule()
      }, this.options.maxWaitMs)
    }
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }

  private startInsert(): void {
    if (this.waiting.length === 0) return
    const batch = this.waiting
    this.waiting = []
    this.due = false
    const rowCount = this.waitingRows
    this.waitingRows = 0
    this.inFlightRows = rowCount
    const rows = batch.length === 1 ? batch[0]!.rows : batch.flatMap((w) => w.rows)
    const started = performance.now()

    const settle = (ok: boolean, error?: unknown) => {
      // Free the capacity before waking callers, so a caller that resends at
      // once finds room for it.
      this.inFlight = null
      this.inFlightRows = 0
      const ms = performance.now() - started
      if (ok) this.flushes++
      else this.failedFlushes++
      if (ok) this.learnInsertCost(rowCount, ms)
      this.options.onFlush?.({ rows: rowCount, requests: batch.length, ms, ok })
      if (ok) for (const w of batch) w.resolve()
      else {
        const failure = new WriteFailedError(error)
        for (const w of batch) w.reject(failure)
      }
      // Rows that arrived during the insert go now if a full batch is
      // waiting or the oldest has waited long enough; else their timer runs on.
      if (this.waiting.length > 0) this.schedule()
    }
    this.inFlight = this.withStallTimeout(this.options.write(rows), rowCount).then(
      () => settle(true),
      (error: unknown) => settle(false, error),
    )
  }
}
