// Runs expensive tasks at most `concurrency` at a time, with at most
// `maxWaiting` queued behind them; past that, a task is refused at once
// (BusyError) rather than queued, so a flood costs refusals, not memory or
// threads. Used for password hashing: scrypt holds a libuv pool thread and
// ~32 MiB per call, and that pool also serves the ingest log's writes and
// every chDB call.

export class BusyError extends Error {
  constructor() {
    super('busy')
    this.name = 'BusyError'
  }
}

export class BoundedWork {
  private running = 0
  private readonly waiting: (() => void)[] = []

  constructor(
    private readonly concurrency: number,
    private readonly maxWaiting: number,
  ) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.maxWaiting) throw new BusyError()
      await new Promise<void>((resolve) => this.waiting.push(resolve))
    } else this.running++
    try {
      return await task()
    } finally {
      // Hand the slot straight to the next waiter, or free it.
      const next = this.waiting.shift()
      if (next) next()
      else this.running--
    }
  }

  get queued(): number {
    return this.waiting.length
  }
}
