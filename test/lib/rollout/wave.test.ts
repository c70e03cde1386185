import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MINUTE_MS, minuteOf, projectedEnd, spacingMs } from '@/lib/rollout/pace'
import { MAX_SLOT_CAPACITY, SlotTable, sessionKey } from '@/lib/rollout/slot-table'
import { EARLY_MS, REGRANT_MS, Wave } from '@/lib/rollout/wave'

// The wave's arithmetic, pure: slots, the per-minute bound, pauses, restarts,
// a rate of 0, late tabs, and memory with a million tabs.

const T0 = Date.UTC(2026, 0, 5, 9, 0, 17) // not on a minute boundary
const id = { projectId: 'p', changeId: String(T0), minimum: 'v2', changedAt: T0 }
const wave = (rate: number, leadMs = 60_000, nodes = 1) => new Wave(id, { startsAt: T0 + leadMs, reloadsPerMinute: rate, nodes })

/** Grants per wall-clock minute. */
function perMinute(grants: number[]): Map<number, number> {
  const m = new Map<number, number>()
  for (const t of grants) m.set(minuteOf(t), (m.get(minuteOf(t)) ?? 0) + 1)
  return m
}

/**
 * Tabs that ask as the SDK does: once when they hear of the wave, then when
 * their slot comes (reloadIn), and they reload on "now". `late(i)` delays a
 * tab's requests (a throttled timer, a slow network); `ready(i, k)` says
 * whether it could reload at its k-th request.
 */
function run(w: Wave, tabs: number, o: { firstAsk?: (i: number) => number; late?: (i: number) => number; ready?: (i: number, k: number) => boolean; until?: number } = {}) {
  const grants: number[] = []
  const queue: { at: number; i: number }[] = []
  for (let i = 0; i < tabs; i++) queue.push({ at: T0 + Math.round(o.firstAsk?.(i) ?? (i * 50_000) / tabs), i })
  const until = o.until ?? T0 + 24 * 3600_000
  const asks = new Array<number>(tabs).fill(0)
  let steps = 0
  while (queue.length && steps++ < tabs * 200) {
    queue.sort((a, b) => a.at - b.at)
    const { at, i } = queue.shift()!
    if (at > until) break
    const reloadIn = w.answer({ session: `s${i}`, ready: o.ready?.(i, asks[i]!++) ?? true, unsaved: false }, at)
    if (reloadIn === 0) {
      grants.push(at)
      continue
    }
    // No slot (paused, rate 0), or due but not free to reload (1): the next heartbeat.
    queue.push({ at: at + (reloadIn === null || reloadIn === 1 ? 60_000 : reloadIn) + (o.late?.(i) ?? 0), i })
  }
  return grants
}

describe('pace', () => {
  it('N tabs at R per minute take N / R minutes; rate 0 never ends; no tab, no wait', () => {
    expect(spacingMs(20)).toBe(3000)
    expect(projectedEnd(30, 20, T0)).toBe(T0 + 90_000)
    expect(projectedEnd(0, 20, T0)).toBe(T0)
    expect(projectedEnd(5, 0, T0)).toBeNull()
    expect(spacingMs(0)).toBe(Infinity)
  })
})

describe('a wave', () => {
  it('never starts more than the rate in any minute, whatever the rate, population and lateness of tabs', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 300 }),
        fc.array(fc.integer({ min: 0, max: 90_000 }), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 0, max: 600_000 }),
        (rate, tabs, lateness, spread) => {
          const w = wave(rate)
          const grants = run(w, tabs, {
            firstAsk: (i) => (i * spread) / tabs,
            late: (i) => lateness[i % lateness.length]!,
            ready: (i, k) => (i + k) % 3 !== 0,
          })
          expect(grants).toHaveLength(tabs)
          for (const [minute, n] of perMinute(grants)) expect(n, `minute ${minute}`).toBeLessThanOrEqual(rate)
          expect(w.granted).toBe(tabs)
        },
      ),
      { numRuns: 150 },
    )
  })

  it('ends when the preview says: tabs that hear of it in the lead start one spacing apart from its start', () => {
    const rate = 20
    const w = wave(rate, 60_000)
    const grants = run(w, 30)
    const end = projectedEnd(30, rate, w.startsAt)!
    expect(Math.min(...grants)).toBe(w.startsAt)
    expect(Math.max(...grants)).toBe(end - spacingMs(rate))
    expect(grants.sort((a, b) => a - b).map((t, i) => t - w.startsAt - i * spacingMs(rate))).toEqual(Array(30).fill(0))
  })

  it('gives a tab that asks again the same slot, and starts it only once it is due (a moment early is due)', () => {
    const w = wave(6)
    const a = w.answer({ session: 'a', ready: true, unsaved: false }, T0)
    const b = w.answer({ session: 'b', ready: true, unsaved: false }, T0 + 1)
    expect(a).toBe(60_000)
    expect(b).toBe(60_000 + 10_000 - 1)
    expect(w.answer({ session: 'b', ready: true, unsaved: false }, T0 + 30_000)).toBe(40_000)
    expect(w.answer({ session: 'b', ready: true, unsaved: false }, T0 + 70_000 - EARLY_MS)).toBe(0)
    // Granted once: asking again within the loop guard gives no second start.
    expect(w.answer({ session: 'b', ready: true, unsaved: false }, T0 + 80_000)).toBe(T0 + 70_000 - EARLY_MS + REGRANT_MS - (T0 + 80_000))
  })

  it('does not start a due tab that says it cannot reload now; it starts once it can', () => {
    const w = wave(60, 0)
    expect(w.answer({ session: 'busy', ready: false, unsaved: false }, T0)).toBe(1)
    expect(w.answer({ session: 'busy', ready: false, unsaved: false }, T0 + 60_000)).toBe(1)
    expect(w.granted).toBe(0)
    expect(w.answer({ session: 'busy', ready: true, unsaved: false }, T0 + 120_000)).toBe(0)
  })

  it('gives a tab that asks late (its slot in the past) the next free slot from now, never one in the past', () => {
    const w = wave(60, 0)
    run(w, 10, { until: T0 + 20_000 })
    // Ten slots, a second apart, taken; a tab first heard of at T0 + 5 min queues from then.
    const late = w.answer({ session: 'late', ready: true, unsaved: false }, T0 + 5 * MINUTE_MS)
    expect(late).toBe(0)
  })

  it('starts nothing while paused, and moves every slot on by the pause', () => {
    const w = wave(6, 0)
    const a = w.answer({ session: 'a', ready: true, unsaved: false }, T0)
    expect(a).toBe(0)
    expect(w.answer({ session: 'b', ready: true, unsaved: false }, T0 + 1_000)).toBe(9_000)
    w.pause([{ cause: 'ingest_errors', summary: 'test' }], T0 + 2_000)
    expect(w.answer({ session: 'b', ready: true, unsaved: false }, T0 + 10_000)).toBeNull()
    expect(w.answer({ session: 'c', ready: true, unsaved: false }, T0 + 20_000)).toBeNull()
    w.resume(T0 + 62_000)
    // b's slot was 8 s after the pause began: now 8 s after the resumption.
    expect(w.answer({ session: 'b', ready: true, unsaved: false }, T0 + 62_000)).toBe(8_000)
    expect(w.pausedMs).toBe(60_000)
  })

  it('at a rate of 0 gives no slot at all', () => {
    const w = wave(0)
    expect(w.answer({ session: 'a', ready: true, unsaved: false }, T0 + 3600_000)).toBeNull()
    expect(w.granted).toBe(0)
  })

  it('shares the rate among the nodes that pace it', () => {
    expect(wave(60, 0, 4).reloadsPerMinute).toBe(15)
  })

  it('after a restart carries on from its progress: counts kept, and the minute of the restart starts nothing more', () => {
    const w = wave(30, 0)
    const grants = run(w, 20, { until: T0 + 25_000 })
    const restartAt = T0 + 25_500
    const again = new Wave(id, { startsAt: w.startsAt, reloadsPerMinute: 30 }, { progress: w.progress(), restart: true }, restartAt)
    expect(again.granted).toBe(grants.length)
    const after = run(again, 20, { firstAsk: () => 26_000, until: T0 + 10 * MINUTE_MS })
    expect(after.every((t) => t >= minuteOf(restartAt) + MINUTE_MS)).toBe(true)
    expect(again.granted).toBe(grants.length + after.length)
    for (const [, n] of perMinute([...grants, ...after])) expect(n).toBeLessThanOrEqual(30)
  })

  it('counts a granted tab that comes back at the minimum as landed, under the minute it was granted in', () => {
    const w = wave(60, 0)
    expect(w.answer({ session: 'a', ready: true, unsaved: false }, T0)).toBe(0)
    w.arrived('a')
    w.arrived('a')
    w.arrived('never-granted')
    expect(w.landed).toBe(1)
    expect(w.perMinute()).toEqual([{ minute: minuteOf(T0), granted: 1, landed: 1 }])
  })
})

describe('slots held per address', () => {
  it('fake tabs from A addresses delay a real tab\'s slot by at most A × addressSeconds, whatever the rate and however many they are', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 600 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 3000 }),
        fc.integer({ min: 1, max: 120 }),
        (rate, addresses, fakes, addressSeconds) => {
          const make = () => new Wave(id, { startsAt: T0 + 3600_000, reloadsPerMinute: rate, addressSeconds })
          const alone = make().answer({ session: 'real', source: 999, ready: true, unsaved: false }, T0)!
          const w = make()
          for (let i = 0; i < fakes; i++) w.answer({ session: `fake-${i}`, source: 1 + (i % addresses), ready: true, unsaved: false }, T0)
          const delayed = w.answer({ session: 'real', source: 999, ready: true, unsaved: false }, T0)!
          // Answers are whole ms (rounded up): 1 ms of rounding.
          expect(delayed - alone).toBeLessThanOrEqual(addresses * Math.max(addressSeconds * 1000, spacingMs(rate)) + 1)
        },
      ),
      { numRuns: 200 },
    )
  })

  it('a new tab of an address holding its share gets no slot yet and asks again once the first has passed', () => {
    const w = new Wave(id, { startsAt: T0 + 60_000, reloadsPerMinute: 60, addressSeconds: 3 })
    expect([0, 1, 2].map((i) => w.answer({ session: `t${i}`, source: 7, ready: true, unsaved: false }, T0))).toEqual([60_000, 61_000, 62_000])
    expect(w.answer({ session: 't3', source: 7, ready: true, unsaved: false }, T0)).toBe(60_001)
    // Another address is not held back, nor are tabs with no address.
    expect(w.answer({ session: 'u', source: 8, ready: true, unsaved: false }, T0)).toBe(63_000)
    expect(w.answer({ session: 'v', ready: true, unsaved: false }, T0)).toBe(64_000)
    // Once t0's slot has passed, t3 gets the next free one.
    expect(w.answer({ session: 't3', source: 7, ready: true, unsaved: false }, T0 + 60_001)).toBe(4_999)
  })
})

describe('slot table', () => {
  it('holds a million tabs in about 38 MB, then stops growing', () => {
    const t = new SlotTable()
    for (let i = 0; i < 1_000_000; i++) t.set(sessionKey(`session-${i}`), { index: i, grant: 0, landed: false, unsaved: null })
    expect(t.size).toBeGreaterThan(999_800) // 53-bit hashes: collisions are rare
    expect(t.bytes).toBeLessThanOrEqual(MAX_SLOT_CAPACITY * 18)
    expect(t.get(sessionKey('session-123456'))).toMatchObject({ index: 123456 })
    let refused = 0
    for (let i = 1_000_000; i < 1_600_000; i++) if (!t.set(sessionKey(`session-${i}`), { index: i, grant: 0, landed: false, unsaved: null })) refused++
    expect(refused).toBeGreaterThan(0)
    expect(t.bytes).toBeLessThanOrEqual(MAX_SLOT_CAPACITY * 18)
    expect(t.full).toBe(true)
  }, 60_000)
})
