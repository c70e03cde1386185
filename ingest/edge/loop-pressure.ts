import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks'

// Load shedding by event-loop delay. When the process cannot keep up, every
// request waits in the event loop, and taking more only makes all of them
// slower: the right answer to the excess is a quick 503 + Retry-After before
// any parsing, so the requests already admitted stay fast. The event loop's
// delay is the one signal that sees that queue, whatever its cause (CPU,
// inserts, GC).
//
// The median over a window, not the maximum: one long stall (a page render,
// a major GC) is a single late sample and says nothing about load; overload
// makes every sample late.

export class LoopPressure {
  private readonly histogram: IntervalHistogram
  private readonly timer: ReturnType<typeof setInterval>
  private overloaded = false

  /** Overloaded while the median loop delay over the last `windowMs` exceeds `thresholdMs`. */
  constructor(
    private readonly thresholdMs: number,
    windowMs = 250,
  ) {
    this.histogram = monitorEventLoopDelay({ resolution: 10 })
    this.histogram.enable()
    this.timer = setInterval(() => {
      this.overloaded = this.histogram.count > 0 && this.histogram.percentile(50) / 1e6 > this.thresholdMs
      this.histogram.reset()
    }, windowMs)
    this.timer.unref()
  }

  isOverloaded(): boolean {
    return this.overloaded
  }

  stop(): void {
    clearInterval(this.timer)
    this.histogram.disable()
  }
}
