import { describe, expect, it } from 'vitest'
import { LoopPressure } from '@/ingest/edge/loop-pressure'
import { handleIngest, type IngestDeps } from '@/ingest/events/pipeline'

// Shedding by event-loop delay: overloaded while most of the loop's turns are
// late, not after a single stall, and the pipeline answers 503 before reading
// the body when it is.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function busy(ms: number): void {
  const until = performance.now() + ms
  while (performance.now() < until) {
    // Hold the event loop, as a saturated process does.
  }
}

describe('LoopPressure', () => {
  it('reports overload while the loop is late turn after turn, not after one stall', async () => {
    const pressure = new LoopPressure(30, 200)
    try {
      await sleep(450)
      expect(pressure.isOverloaded()).toBe(false)

      // One long stall among quick turns.
      busy(150)
      await sleep(450)
      expect(pressure.isOverloaded()).toBe(false)

      // Every turn late: a saturated loop.
      const until = performance.now() + 700
      let sawOverload = false
      while (performance.now() < until) {
        busy(60)
        await new Promise((r) => setImmediate(r))
        sawOverload ||= pressure.isOverloaded()
      }
      expect(sawOverload).toBe(true)

      await sleep(600)
      expect(pressure.isOverloaded()).toBe(false)
    } finally {
      pressure.stop()
    }
  })
})

describe('the pipeline under pressure', () => {
  it('answers 503 with Retry-After before looking at the body', async () => {
    let looked = false
    const deps: IngestDeps = {
      findProject: async () => {
        looked = true
        return undefined
      },
      store: async () => undefined,
      advise: async () => ({ latest: null, minSupported: null, belowMinimum: false }),
      retentionDays: 30,
      eventTimes: { maxAgeHours: 24, maxFutureSeconds: 300 },
      overloaded: () => true,
    }
    const result = await handleIngest(
      { method: 'POST', contentType: 'application/json', queryKey: null, body: new TextEncoder().encode('not even json'), bodyTooLarge: false, receivedAt: Date.now() },
      deps,
    )
    expect(result.status).toBe(503)
    expect(Number(result.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    expect(result.body).toMatchObject({ error: { code: 'overloaded' } })
    expect(looked).toBe(false)
  })
})
