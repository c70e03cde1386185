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

export interface GroupCommitOptions<Row> {
  write: (rows: Row[]) => Promise<void>
  maxRows: number
  maxWaitMs: number
  maxBufferedRows: number
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
  flushes: number
  failedFlushes: number
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

  constructor(private readonly options: GroupCommitOptions<Row>) {}

  add(rows: Row[]): Promise<void> {
    if (this.closed) return Promise.reject(new ClosedError())
    if (rows.length === 0) return Promise.resolve()
    if (this.waitingRows + this.inFlightRows + rows.length > this.options.maxBufferedRows) {
      return Promise.reject(new BufferFullError())
    }
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ rows, resolve, reject })
      this.waitingRows += rows.length
      this.schedule()
    })
  }

  stats(): GroupCommitStats {
    return {
      waitingRows: this.waitingRows,
      inFlightRows: this.inFlightRows,
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

    this.inFlight = this.options
      .write(rows)
      .then(
        () => {
          this.flushes++
          this.options.onFlush?.({ rows: rowCount, requests: batch.length, ms: performance.now() - started, ok: true })
          for (const w of batch) w.resolve()
        },
        (error: unknown) => {
          this.failedFlushes++
          this.options.onFlush?.({ rows: rowCount, requests: batch.length, ms: performance.now() - started, ok: false })
          const failure = new WriteFailedError(error)
          for (const w of batch) w.reject(failure)
        },
      )
      .finally(() => {
        this.inFlight = null
        this.inFlightRows = 0
        // Rows that arrived during the insert go now if a full batch is
        // waiting or the oldest has waited long enough; else their timer runs on.
        if (this.waiting.length > 0) this.schedule()
      })
  }
}
