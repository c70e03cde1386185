import { describe, expect, it } from 'vitest'
import { FairShareBuckets } from '@/lib/limits/fair-share'
import { defaultMaxConnections, descriptorLimit } from '@/ingest/edge/connection-guard'

// The arithmetic of a shared budget, on a clock of the test's own.

describe('a budget shared fairly by clients', () => {
  it('always admits a client within its share, whatever another spends, and admits at most twice the rate in all', () => {
    const buckets = new FairShareBuckets({ perSecond: 10, burst: 20 })
    let flood = 0
    let tab = 0
    let tabRefused = 0
    // 60 s: the flood asks 100 times a second, the tab twice a second (under its half share of 5/s).
    for (let ms = 0; ms < 60_000; ms += 10) {
      if (buckets.take('key', '198.51.100.1', ms) === 0) flood++
      if (ms % 500 === 0) {
        if (buckets.take('key', '203.0.113.2', ms) === 0) tab++
        else tabRefused++
      }
    }
    expect(tabRefused).toBe(0)
    expect(tab).toBe(120)
    // The key's own bucket (20 + 10/s) plus the flood's share (10 + 5/s), at most.
    expect(flood + tab).toBeLessThanOrEqual(2 * (20 + 10 * 60))
    expect(flood).toBeGreaterThan(0)
  })

  it('gives a lone client the whole budget, and refuses past it with the seconds to wait', () => {
    const buckets = new FairShareBuckets({ perSecond: 1, burst: 3 })
    const answers = Array.from({ length: 5 }, () => buckets.take('key', '127.0.0.1', 0))
    // Its share is the whole burst, and the key's bucket is spent with it: as if the budget were not shared.
    expect(answers.slice(0, 3)).toEqual([0, 0, 0])
    expect(answers[3]).toBeGreaterThanOrEqual(1)
    expect(buckets.take('key', '127.0.0.1', 1000)).toBe(0)
  })

  it('is off with a rate of 0', () => {
    const buckets = new FairShareBuckets({ perSecond: 0, burst: 1 })
    expect(Array.from({ length: 100 }, () => buckets.take('key', 'a', 0)).every((w) => w === 0)).toBe(true)
  })
})

describe('the total connection cap', () => {
  it("keeps a quarter of the descriptor limit (at least 512) for the engine and the log", () => {
    expect(defaultMaxConnections(1024)).toBe(512)
    expect(defaultMaxConnections(20_000)).toBe(15_000)
    expect(defaultMaxConnections(256)).toBe(64)
    expect(descriptorLimit()).toBeGreaterThan(0)
  })
})
