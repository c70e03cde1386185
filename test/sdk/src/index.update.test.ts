import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { getState, init, subscribe, update } from '../../../sdk/src/index'
import { observeResponse } from '../../../sdk/src/headers'
import { watchReloads } from '../../../sdk/src/reloads'
import type { Options, State } from '../../../sdk/src/types'
import { fakeEnv, ok, response, type FakeOptions } from '../fakes'

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
    const f = start({ storage: null, respond: () => ok({ belowMinimum: true, reloadIn: 0 }), visibility: 'hidden' })
    watchReloads({ env: f.env })
    await vi.advanceTimersByTimeAsync(120_000)
    expect(f.requests[0]!.envelope.session).toMatch(/^[a-z0-9]{8,}$/)
    expect(f.requests.length).toBeGreaterThan(1)
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

  it('learns latest and belowMinimum from response headers; a forced reload still waits for its slot from Stalewatch', async () => {
    const onUpdate = vi.fn()
    const f = start({ visibility: 'hidden' }, { onUpdate })
    watchReloads({ env: f.env })
    observeResponse(response({ headers: { 'X-App-Version': 'v9' } }))
    expect(onUpdate).toHaveBeenCalledWith('v9')
    expect(getState()).toMatchObject({ latest: 'v9', belowMinimum: false })
    observeResponse(response({ headers: { 'x-force-reload': '1' } }))
    expect(getState()).toMatchObject({ latest: 'v9', belowMinimum: true })
    // The rate is the server's: without a slot in an ingest answer, no tab reloads.
    await vi.advanceTimersByTimeAsync(30 * 60_000)
    expect(f.reloads).toHaveLength(0)
    update({ latest: 'v10' })
    expect(onUpdate).toHaveBeenLastCalledWith('v10')
  })
})
