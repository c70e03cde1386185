import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { getState, init } from '../../../sdk/src/index'
import { observeResponse } from '../../../sdk/src/headers'
import { fakeEnv, ok, response } from '../fakes'

// stalewatch/headers: the app's own responses say which build its servers
// run (x-app-version). Without registered releases, Stalewatch's answers name
// no latest (docs/semantics.md, What a tab is told), so this is how a tab
// learns of a new build; the next answer must not make it forget.

beforeEach(() => {
  vi.useFakeTimers({ now: 1_700_000_000_000 })
})
afterEach(() => {
  vi.useRealTimers()
})

describe('observeResponse', () => {
  it('keeps the version the app announced through answers that name no latest', async () => {
    const onUpdate = vi.fn()
    const f = fakeEnv({ respond: () => ok({ latest: null, minSupported: null, belowMinimum: false }) })
    init({ key: 'pk', version: 'v1', env: f.env, heartbeatSeconds: 60, onUpdate })
    await vi.advanceTimersByTimeAsync(1_000)
    observeResponse(response({ headers: { 'x-app-version': 'v2' } }))
    expect(getState()).toMatchObject({ latest: 'v2', updateAvailable: true })
    // Three heartbeats, each answered with latest: null.
    await vi.advanceTimersByTimeAsync(3 * 60_000)
    expect(f.requests.length).toBeGreaterThanOrEqual(4)
    expect(getState()).toMatchObject({ latest: 'v2', updateAvailable: true })
    expect(onUpdate.mock.calls).toEqual([['v2']])
  })

  it('gives way to a registered release an answer names', async () => {
    let latest: string | null = null
    const f = fakeEnv({ respond: () => ok({ latest, minSupported: null, belowMinimum: false }) })
    init({ key: 'pk', version: 'v1', env: f.env, heartbeatSeconds: 60 })
    observeResponse(response({ headers: { 'x-app-version': 'v2' } }))
    latest = 'v3'
    await vi.advanceTimersByTimeAsync(61_000)
    expect(getState()).toMatchObject({ latest: 'v3', updateAvailable: true })
  })
})
