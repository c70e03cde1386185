import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { getState, init, subscribe, update } from '../../sdk/src/index'
import { observeResponse } from '../../sdk/src/headers'
import type { Options, State } from '../../sdk/src/types'
import { fakeEnv, ok, response, type FakeOptions } from './fakes'

beforeEach(() => {
  vi.useFakeTimers({ now: 1_700_000_000_000 })
})
afterEach(() => {
  vi.useRealTimers()
})

const start = (o: FakeOptions = {}, more: Partial<Options> = {}) => {
  const f = fakeEnv(o)
  init({ key: 'pk', version: 'v1', env: f.env, heartbeatSeconds: 60, ...more })
  return f
}

describe('session and load', () => {
  it('keeps the session in sessionStorage, starts a new load per page load, carries previousVersion', async () => {
    const storage = new Map<string, string>()
    const a = fakeEnv({ storage })
    init({ key: 'pk', version: 'v1', env: a.env })
    const b = fakeEnv({ storage, navigation: 'reload' })
    init({ key: 'pk', version: 'v2', env: b.env })
    await vi.advanceTimersByTimeAsync(1_000)
    const [x, y] = [a.requests[0]!.envelope, b.requests[0]!.envelope]
    expect(y.session).toBe(x.session)
    expect(y.load).not.toBe(x.load)
    expect(x.events[0]).toMatchObject({ type: 'load', navigation: 'navigate', visibility: 'visible' })
    expect(x.events[0]).not.toHaveProperty('previousVersion')
    expect(y.events[0]).toMatchObject({ type: 'load', navigation: 'reload', previousVersion: 'v1' })
  })

  it('works without sessionStorage (no loop guard, so no automatic reloads)', async () => {
    const f = start({ storage: null, respond: () => ok({ belowMinimum: true }), visibility: 'hidden' }, { forceReloadWindowSeconds: 10 })
    await vi.advanceTimersByTimeAsync(120_000)
    expect(f.requests[0]!.envelope.session).toMatch(/^[a-z0-9]{8,}$/)
    expect(f.reloads).toHaveLength(0)
  })
})

describe('updates', () => {
  it('sends update_available once per new latest and calls onUpdate', async () => {
    let latest = 'v2'
    const onUpdate = vi.fn()
    const seen: State[] = []
    const off = subscribe((s) => seen.push(s))
    const f = start({ respond: () => ok({ latest, minSupported: 'v0' }) }, { onUpdate })
    expect(getState()).toMatchObject({ version: 'v1', latest: null, updateAvailable: false })
    await vi.advanceTimersByTimeAsync(1_000)
    expect(getState()).toEqual({ version: 'v1', latest: 'v2', minSupported: 'v0', belowMinimum: false, updateAvailable: true })
    await vi.advanceTimersByTimeAsync(3 * 60_000)
    expect(onUpdate.mock.calls).toEqual([['v2']])
    latest = 'v3'
    await vi.advanceTimersByTimeAsync(2 * 60_000)
    expect(onUpdate.mock.calls).toEqual([['v2'], ['v3']])
    const sent = f.events().filter((e) => e.type == 'update_available')
    expect(sent).toMatchObject([{ latest: 'v2' }, { latest: 'v3' }])
    expect(seen.at(-1)).toMatchObject({ latest: 'v3', updateAvailable: true })
    off()
  })

  it('is not an update when latest is this version', async () => {
    const onUpdate = vi.fn()
    start({ respond: () => ok({ latest: 'v1' }) }, { onUpdate })
    await vi.advanceTimersByTimeAsync(2 * 60_000)
    expect(onUpdate).not.toHaveBeenCalled()
    expect(getState()).toMatchObject({ latest: 'v1', updateAvailable: false })
  })

  it('learns latest and force from response headers', async () => {
    const onUpdate = vi.fn()
    const f = start({ random: () => 0.5, visibility: 'hidden' }, { onUpdate, forceReloadWindowSeconds: 100 })
    observeResponse(response({ headers: { 'X-App-Version': 'v9' } }))
    expect(onUpdate).toHaveBeenCalledWith('v9')
    expect(getState()).toMatchObject({ latest: 'v9', belowMinimum: false })
    observeResponse(response({ headers: { 'x-force-reload': '1' } }))
    expect(getState()).toMatchObject({ latest: 'v9', belowMinimum: true })
    await vi.advanceTimersByTimeAsync(50_000)
    expect(f.reloads).toHaveLength(1)
    update({ latest: 'v10' })
    expect(onUpdate).toHaveBeenLastCalledWith('v10')
  })
})

describe('forced reload', () => {
  const below = () => ok({ latest: 'v2', minSupported: 'v2', belowMinimum: true })

  it('waits a random delay within the window, then beacons reason forced before reloading', async () => {
    const f = start({ random: () => 0.25, respond: below, visibility: 'hidden' })
    await vi.advanceTimersByTimeAsync(1_000)
    await vi.advanceTimersByTimeAsync(150_000 - 1)
    expect(f.reloads).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(1)
    expect(f.reloads).toEqual([f.requests[0]!.at + 150_000])
    expect(f.log.slice(-2)).toEqual(['beacon', 'reload'])
    expect(f.beacons.at(-1)!.envelope.events.at(-1)).toMatchObject({ type: 'reload', reason: 'forced' })
  })

  it('never reloads while canReload() returns false', async () => {
    let allowed = false
    const f = start({ random: () => 0, respond: below, visibility: 'hidden' }, { canReload: () => allowed })
    await vi.advanceTimersByTimeAsync(30 * 60_000)
    expect(f.reloads).toHaveLength(0)
    allowed = true
    await vi.advanceTimersByTimeAsync(60_000)
    expect(f.reloads).toHaveLength(1)
  })

  it('prefers a hidden or unfocused tab; a tab in use waits at most one more window', async () => {
    const f = start({ random: () => 0, respond: below, focused: true }, { forceReloadWindowSeconds: 600 })
    await vi.advanceTimersByTimeAsync(5 * 60_000)
    expect(f.reloads).toHaveLength(0)
    f.setVisibility('hidden')
    expect(f.reloads).toHaveLength(1)

    const g = start({ random: () => 0, respond: below, focused: false })
    await vi.advanceTimersByTimeAsync(1_001)
    expect(g.reloads).toHaveLength(1)

    const h = start({ random: () => 0, respond: below, focused: true })
    await vi.advanceTimersByTimeAsync(10 * 60_000)
    expect(h.reloads).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(h.reloads).toHaveLength(1)
  })

  it('loop guard: at most one forced reload per session per window', async () => {
    const storage = new Map<string, string>()
    const first = start({ storage, random: () => 0, respond: below, visibility: 'hidden' })
    await vi.advanceTimersByTimeAsync(1_001)
    expect(first.reloads).toHaveLength(1)
    // the reloaded page still runs an old build: same session, new load
    const second = start({ storage, random: () => 0, respond: below, visibility: 'hidden' })
    await vi.advanceTimersByTimeAsync(9 * 60_000)
    expect(second.reloads).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(second.reloads).toHaveLength(1)
    expect(second.reloads[0]! - first.reloads[0]!).toBeGreaterThanOrEqual(600_000)
    // another tab (its own sessionStorage) is not held back
    const other = start({ random: () => 0, respond: below, visibility: 'hidden' })
    await vi.advanceTimersByTimeAsync(1_001)
    expect(other.reloads).toHaveLength(1)
  })
})
