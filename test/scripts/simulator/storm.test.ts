import { describe, expect, it } from 'vitest'
import { misbehaving, pollDelayMs, reconnectDelayMs, WELL_BEHAVED } from '@/scripts/simulator/backend/behaviour'
import { mulberry32, planStorm } from '@/scripts/simulator/index'

// The storm scenario's plan and the backend behaviours it is made of: pure,
// so what `npm run simulate -- --storm` replays is fixed by its seed.

const NOW = Date.UTC(2026, 5, 12, 14, 0)

describe('the storm plan', () => {
  const plan = planStorm({ nowMs: NOW, tabs: 120, seed: 7, calmMs: 90_000, blipMs: 75_000, afterMs: 120_000 })

  it('puts 30 % of the tabs on a two-day-old build, mostly in the background, and the rest on newer builds', () => {
    const on = (build: string) => plan.tabs.filter((t) => t.build === build)
    expect(on('old')).toHaveLength(36)
    expect(on('previous')).toHaveLength(18)
    expect(on('latest')).toHaveLength(66)
    expect(on('old').filter((t) => t.hidden).length).toBeGreaterThan(28)
    expect(plan.releases.map((r) => NOW - r.releasedAt)).toEqual([2 * 86_400_000, 86_400_000, 3 * 3_600_000])
    expect(plan.versions.old).toBe(plan.releases[0]!.version)
    expect(new Set(plan.tabs.map((t) => t.session)).size).toBe(120)
  })

  it('blips after the calm, ends after the blip and what follows, and alerts above 8 reconnects a minute per tab', () => {
    expect(plan.blipAt).toBe(NOW + 90_000)
    expect(plan.endAt).toBe(NOW + 90_000 + 75_000 + 120_000)
    expect(plan.rule).toEqual({ kind: 'reconnect_storm', baselineFactor: 5, baselineMinutes: 30, minPerMinute: 960, forMinutes: 0 })
  })

  it('is the same plan for the same seed and time', () => {
    expect(planStorm({ nowMs: NOW, tabs: 120, seed: 7, calmMs: 90_000, blipMs: 75_000, afterMs: 120_000 })).toEqual(plan)
  })
})

describe('backend behaviours', () => {
  it('backs a well-behaved socket off from about 2 s to at most 45 s, and retries a misbehaving one at once, then every second', () => {
    const rng = mulberry32(1)
    const waits = Array.from({ length: 10 }, (_, attempt) => reconnectDelayMs(WELL_BEHAVED, attempt, rng))
    expect(waits[0]).toBeGreaterThanOrEqual(1_000)
    expect(waits[0]).toBeLessThanOrEqual(3_000)
    expect(Math.max(...waits)).toBeLessThanOrEqual(45_000)
    expect(waits[9]).toBeGreaterThanOrEqual(15_000)
    const bad = misbehaving(6)
    expect(reconnectDelayMs(bad, 0, rng)).toBe(0)
    for (let attempt = 1; attempt < 10; attempt++) {
      const wait = reconnectDelayMs(bad, attempt, rng)
      expect(wait).toBeGreaterThanOrEqual(500)
      expect(wait).toBeLessThanOrEqual(1_000)
    }
  })

  it('polls a misbehaving build F times as often, and every 2 s while its socket is down', () => {
    const rng = mulberry32(2)
    expect(pollDelayMs(WELL_BEHAVED, true, true, rng)).toBeGreaterThanOrEqual(48_000)
    expect(pollDelayMs(WELL_BEHAVED, true, false, rng)).toBeGreaterThanOrEqual(48_000)
    const visible = pollDelayMs(misbehaving(6), false, true, rng)
    expect(visible).toBeGreaterThanOrEqual(4_000)
    expect(visible).toBeLessThanOrEqual(6_000)
    expect(pollDelayMs(misbehaving(6), true, false, rng)).toBeLessThanOrEqual(2_400)
    expect(() => misbehaving(0.5)).toThrow(RangeError)
  })
})
