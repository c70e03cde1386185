import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { init, reload } from '../../../sdk/src/index'
import { watchReloads } from '../../../sdk/src/reloads'
import type { Options } from '../../../sdk/src/types'
import { FakeBrowser, fakeEnv, headerOk, type FakeAnswer, type FakeOptions, type Sent } from '../fakes'

// Automatic reloads (sdk/src/reloads.ts) against fake answers: the slot, the
// "now" that alone starts a forced reload, the safety rules, the loop guard
// and tabs following each other.

beforeEach(() => {
  vi.useFakeTimers({ now: 1_700_000_000_000 })
})
afterEach(() => {
  vi.useRealTimers()
})

const MIN = 60_000

/** A tab on v1 with automatic reloads, whose answers come from `answer` (default: nothing new). */
function tab(o: FakeOptions & { answer?: (sent: Sent) => Record<string, unknown> } = {}, more: Partial<Options> = {}) {
  const respond = o.respond ?? ((sent: Sent): FakeAnswer => headerOk(o.answer?.(sent) ?? {}))
  const f = fakeEnv({ visibility: 'hidden', ...o, respond })
  const options = { key: 'pk', version: 'v1', env: f.env, heartbeatSeconds: 60, ...more }
  init(options)
  watchReloads(options)
  return f
}

/** The server side of a slot: below the minimum, the slot at `slotAt`; "now" for a request at or after it. */
const slotAt = (at: number) => () => ({ belowMinimum: true, minSupported: 'v2', reloadIn: Math.max(0, at - Date.now()) })

describe('forced reloads at the slot the server gives', () => {
  it('asks again when the slot comes and reloads on the answer that says now, reporting reason forced first', async () => {
    const due = Date.now() + 150_000
    const f = tab({ answer: slotAt(due) })
    await vi.advanceTimersByTimeAsync(1_000)
    expect(f.requests).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(due - Date.now() - 1)
    expect(f.reloads).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(1)
    // The slot's request: a heartbeat, sent at once.
    expect(f.requests.at(-1)!.at).toBe(due)
    expect(f.requests.at(-1)!.envelope.events.at(-1)).toMatchObject({ type: 'heartbeat', visibility: 'hidden' })
    await vi.advanceTimersByTimeAsync(0)
    expect(f.reloads).toEqual([due])
    expect(f.log.slice(-2)).toEqual(['beacon', 'reload'])
    expect(f.beacons.at(-1)!.envelope.events.at(-1)).toMatchObject({ type: 'reload', reason: 'forced' })
  })

  it('acts when its timer fires early (the slot is the server’s to judge, not the timer’s)', async () => {
    const due = Date.now() + 90_000
    const f = fakeEnv({ visibility: 'hidden', respond: () => headerOk(slotAt(due)()) })
    // Chromium may fire a timer up to 1 ms early.
    const setTimer = f.env.setTimeout
    f.env.setTimeout = (fn, ms) => setTimer(fn, Math.max(0, ms - 1))
    const options = { key: 'pk', version: 'v1', env: f.env, heartbeatSeconds: 3600 }
    init(options)
    watchReloads(options)
    await vi.advanceTimersByTimeAsync(due - Date.now() + 1_000)
    // Asked at due − 1 ms: told to wait 1 ms more, asked again, reloaded.
    expect(f.reloads).toHaveLength(1)
    expect(f.reloads[0]! - due).toBeLessThanOrEqual(1)
  })

  it('cancels a scheduled forced reload as soon as an answer no longer says the tab is below the minimum (undo)', async () => {
    let below = true
    const due = Date.now() + 5 * MIN
    const f = tab({ answer: () => (below ? slotAt(due)() : { belowMinimum: false, minSupported: null, reloadIn: null }) })
    await vi.advanceTimersByTimeAsync(1_000)
    below = false
    await vi.advanceTimersByTimeAsync(MIN)
    const asked = f.requests.length
    await vi.advanceTimersByTimeAsync(10 * MIN)
    expect(f.reloads).toHaveLength(0)
    // No request at the cancelled slot: only heartbeats, one a minute.
    expect(f.requests.length - asked).toBe(10)
  })

  it('never reloads without an answer that says now: not at the slot if the ask fails, not on a paused wave', async () => {
    const due = Date.now() + MIN
    let failing = false
    const f = tab({ respond: () => (failing ? { status: 503, headers: { 'retry-after': '1' } } : headerOk(slotAt(due)())) })
    await vi.advanceTimersByTimeAsync(1_000)
    failing = true
    await vi.advanceTimersByTimeAsync(5 * MIN)
    expect(f.reloads).toHaveLength(0)
    const g = tab({ answer: () => ({ belowMinimum: true, minSupported: 'v2', reloadIn: null }) })
    await vi.advanceTimersByTimeAsync(30 * MIN)
    expect(g.reloads).toHaveLength(0)
  })

  it('a malformed or hostile answer never throws or reloads', async () => {
    const hostile: unknown[] = [
      { belowMinimum: true, reloadIn: '0' },
      { belowMinimum: true, reloadIn: -1 },
      { belowMinimum: 'true', reloadIn: 0 },
      { belowMinimum: true, reloadIn: { valueOf: 0 } },
      { belowMinimum: true, reloadIn: [0] },
      null,
      7,
      'now',
    ]
    for (const body of hostile) {
      const f = tab({ respond: () => ({ status: 200, body }) })
      await vi.advanceTimersByTimeAsync(3 * MIN)
      expect(f.reloads, JSON.stringify(body)).toHaveLength(0)
    }
    // A slot beyond what a timer can hold (1e999 parses to Infinity) asks again within the hour.
    const far = tab({ respond: () => ({ status: 204, headers: { 'stalewatch-answer': '{"belowMinimum":true,"reloadIn":1e999}' } }) }, { heartbeatSeconds: 86400 })
    await vi.advanceTimersByTimeAsync(1_000)
    await vi.advanceTimersByTimeAsync(60 * MIN)
    expect(far.requests).toHaveLength(2)
    expect(far.reloads).toHaveLength(0)
  })

  it('without watchReloads the core never reloads by itself', async () => {
    const f = fakeEnv({ visibility: 'hidden', respond: () => headerOk({ belowMinimum: true, reloadIn: 0 }) })
    init({ key: 'pk', version: 'v1', env: f.env })
    await vi.advanceTimersByTimeAsync(30 * MIN)
    expect(f.reloads).toHaveLength(0)
    // A safe reload needs watchReloads; a plain one is the app's to make.
    reload('chunk_error', true)
    expect(f.reloads).toHaveLength(0)
    reload('app')
    expect(f.reloads).toHaveLength(1)
  })
})

describe('safe by default', () => {
  const now = () => ({ belowMinimum: true, minSupported: 'v2', reloadIn: 0 })

  it('a tab in use waits; once hidden it asks again and reloads', async () => {
    const f = tab({ visibility: 'visible', answer: now })
    await vi.advanceTimersByTimeAsync(10 * MIN)
    expect(f.reloads).toHaveLength(0)
    f.setVisibility('hidden')
    await vi.advanceTimersByTimeAsync(1_000)
    expect(f.reloads).toHaveLength(1)
  })

  it('a visible tab reloads once idle (no input for idleSeconds); input starts the wait again', async () => {
    const f = tab({ visibility: 'visible', answer: now }, { idleSeconds: 5 * 60 })
    await vi.advanceTimersByTimeAsync(4 * MIN)
    f.fire('window', 'keydown')
    await vi.advanceTimersByTimeAsync(4 * MIN)
    expect(f.reloads).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(2 * MIN)
    expect(f.reloads).toHaveLength(1)
    // Its heartbeats said so: idle once it was.
    const beats = f.requests.flatMap((r) => r.envelope.events).filter((e) => e.type == 'heartbeat')
    expect(beats.at(0)).not.toHaveProperty('idle')
    expect(beats.at(-1)).toMatchObject({ idle: true })
  })

  it('never reloads while a form field holds unsaved edits; submitting or clearing it lets it go on', async () => {
    for (const fix of ['submit', 'clear'] as const) {
      const f = tab({ answer: now })
      const form = { elements: [] as object[] }
      const field = { tagName: 'INPUT', type: 'text', value: '', checked: false, isConnected: true, form }
      form.elements.push(field)
      f.fire('document', 'focusin', { target: field })
      field.value = 'half a sentence'
      await vi.advanceTimersByTimeAsync(10 * MIN)
      expect(f.reloads, fix).toHaveLength(0)
      expect(f.requests.flatMap((r) => r.envelope.events).filter((e) => e.type == 'heartbeat').at(-1)).toMatchObject({ unsaved: true })
      if (fix == 'submit') f.fire('document', 'submit', { target: form })
      else field.value = ''
      await vi.advanceTimersByTimeAsync(MIN + 1_000)
      expect(f.reloads, fix).toHaveLength(1)
    }
  })

  it('a checkbox the person ticked counts as unsaved; a field removed from the page does not', async () => {
    const f = tab({ answer: now })
    const box = { tagName: 'INPUT', type: 'checkbox', value: 'on', checked: false, isConnected: true, form: null }
    f.fire('document', 'focusin', { target: box })
    box.checked = true
    await vi.advanceTimersByTimeAsync(5 * MIN)
    expect(f.reloads).toHaveLength(0)
    box.isConnected = false
    await vi.advanceTimersByTimeAsync(MIN + 1_000)
    expect(f.reloads).toHaveLength(1)
  })

  it('never reloads while canReload() says no, and the heartbeat says unsaved meanwhile', async () => {
    let allowed = false
    const f = tab({ answer: now }, { canReload: () => allowed })
    await vi.advanceTimersByTimeAsync(30 * MIN)
    expect(f.reloads).toHaveLength(0)
    expect(f.requests.at(-1)!.envelope.events.at(-1)).toMatchObject({ type: 'heartbeat', unsaved: true })
    allowed = true
    await vi.advanceTimersByTimeAsync(MIN + 1_000)
    expect(f.reloads).toHaveLength(1)
  })

  it('chunk errors wait for the same rules', async () => {
    const f = tab({ visibility: 'visible' })
    reload('chunk_error', true)
    expect(f.reloads).toHaveLength(0)
    f.setVisibility('hidden')
    expect(f.reloads).toHaveLength(1)
    expect(f.beacons.at(-1)!.envelope.events.at(-1)).toMatchObject({ type: 'reload', reason: 'chunk_error' })
  })

  it('loop guard: at most one automatic reload per tab per loopGuardSeconds', async () => {
    const storage = new Map<string, string>()
    const first = tab({ storage, answer: now })
    await vi.advanceTimersByTimeAsync(1_001)
    expect(first.reloads).toHaveLength(1)
    // The reloaded page still runs the old build: same tab, new load.
    const second = tab({ storage, answer: now })
    await vi.advanceTimersByTimeAsync(9 * MIN)
    expect(second.reloads).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(MIN + 1_000)
    expect(second.reloads).toHaveLength(1)
    expect(second.reloads[0]! - first.reloads[0]!).toBeGreaterThanOrEqual(10 * MIN)
  })
})

describe('tabs follow the one that updated', () => {
  it('an accepted prompt in one tab: the others reload under their own rules, one at a time, staggerSeconds apart', async () => {
    const browser = new FakeBrowser()
    const answer = () => ({ latest: 'v2' })
    const front = tab({ browser, visibility: 'visible', answer }, { staggerSeconds: 3 })
    const others = [tab({ browser, answer }, { staggerSeconds: 3 }), tab({ browser, answer }, { staggerSeconds: 3 })]
    const busy = tab({ browser, visibility: 'visible', answer }, { staggerSeconds: 3 })
    await vi.advanceTimersByTimeAsync(1_000)
    // reload() acts on the tab init() started last: the front tab's, started again as the prompt's page.
    const options = { key: 'pk', version: 'v1', env: front.env }
    init(options)
    watchReloads(options)
    await vi.advanceTimersByTimeAsync(1_000)
    const clicked = Date.now()
    reload('update_prompt')
    expect(front.reloads).toEqual([clicked])
    await vi.advanceTimersByTimeAsync(60_000)
    const followed = others.map((o) => o.reloads[0]!).sort((a, b) => a - b)
    expect(followed[0]! - clicked).toBeGreaterThanOrEqual(3_000)
    expect(followed[1]! - followed[0]!).toBeGreaterThanOrEqual(3_000)
    for (const o of others) expect(o.beacons.at(-1)!.envelope.events.at(-1)).toMatchObject({ type: 'reload', reason: 'update_prompt' })
    // The tab in use follows only once the person leaves it.
    expect(busy.reloads).toHaveLength(0)
    busy.setVisibility('hidden')
    await vi.advanceTimersByTimeAsync(10_000)
    expect(busy.reloads).toHaveLength(1)
  })

  it('a forced reload in one tab: the others ask for their own slot at once, so the rate holds', async () => {
    const browser = new FakeBrowser()
    const other = tab({ browser, answer: () => ({ belowMinimum: true, minSupported: 'v2', reloadIn: 10 * MIN }) })
    const forced = tab({ browser, answer: () => ({ belowMinimum: true, minSupported: 'v2', reloadIn: 0 }) })
    await vi.advanceTimersByTimeAsync(1_000)
    expect(forced.reloads).toHaveLength(1)
    const asked = other.requests.length
    await vi.advanceTimersByTimeAsync(100)
    expect(other.requests.length).toBe(asked + 1)
    expect(other.reloads).toHaveLength(0)
  })
})
