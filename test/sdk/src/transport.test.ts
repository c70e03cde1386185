import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { BACKOFF_BASE_MS, BACKOFF_CAP_MS, backoff } from '../../../sdk/src/backoff'
import { flush, getState, init, report, updatePrompt } from '../../../sdk/src/index'
import { QUEUE_MAX } from '../../../sdk/src/queue'
import { WIRE_LIMITS } from '../../../sdk/src/wire'
import { fakeEnv, headerOk, ok, type FakeAnswer, type FakeOptions } from '../fakes'

const HOUR = 3600

beforeEach(() => {
  vi.useFakeTimers({ now: 1_700_000_000_000 })
})
afterEach(() => {
  vi.useRealTimers()
})

const start = (o: FakeOptions = {}, heartbeatSeconds = HOUR, endpoint = 'https://sw.example/api/ingest') => {
  const f = fakeEnv(o)
  init({ key: 'pk_test', version: 'v1', endpoint, heartbeatSeconds, env: f.env })
  return f
}

describe('backoff', () => {
  it('is full jitter: uniform in [0, min(cap, base * 2^attempt)]', () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      const top = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt)
      expect(backoff(attempt, () => 0)).toBe(0)
      expect(backoff(attempt, () => 0.5)).toBe(top / 2)
      expect(backoff(attempt, () => 0.999999)).toBeLessThan(top)
      expect(backoff(attempt, () => 0.999999)).toBeGreaterThan(top * 0.99)
    }
  })
  it('never retries sooner than Retry-After seconds', () => {
    expect(backoff(0, () => 0.5, '30')).toBe(30_000)
    expect(backoff(10, () => 0.9, '1')).toBe(0.9 * BACKOFF_CAP_MS)
    expect(backoff(0, () => 0.5, 'not a number')).toBe(500)
    expect(backoff(0, () => 0.5, null)).toBe(500)
  })
})

describe('batching', () => {
  it('sends many events in one request, as a valid text/plain envelope', async () => {
    const f = start()
    for (let i = 0; i < 20; i++) updatePrompt('shown')
    await vi.advanceTimersByTimeAsync(999)
    expect(f.requests).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(1)
    expect(f.requests).toHaveLength(1)
    const { envelope, body, keepalive } = f.requests[0]!
    expect(typeof body).toBe('string')
    expect(keepalive).toBe(true)
    expect(envelope.events).toHaveLength(21)
    expect(envelope.events[0]!.type).toBe('load')
    expect(envelope).toMatchObject({ key: 'pk_test', version: 'v1', sentAt: Date.now(), dropped: 0 })
    expect(envelope.session).toMatch(WIRE_LIMITS.idPattern)
    expect(envelope.load).toMatch(WIRE_LIMITS.idPattern)
    for (const e of envelope.events) expect(e.id).toMatch(WIRE_LIMITS.idPattern)
    expect(new Set(envelope.events.map((e) => e.id)).size).toBe(21)
  })

  it('caps an envelope at 100 events and sends the rest next', async () => {
    const f = start()
    for (let i = 0; i < 150; i++) updatePrompt('shown')
    await vi.advanceTimersByTimeAsync(5_000)
    expect(f.requests.map((r) => r.envelope.events.length)).toEqual([100, 51])
  })

  it('keeps at most one request in flight', async () => {
    let release: ((a: FakeAnswer) => void) | undefined
    const f = start({ respond: () => new Promise<FakeAnswer>((r) => (release = r)) })
    await vi.advanceTimersByTimeAsync(1_000)
    expect(f.requests).toHaveLength(1)
    updatePrompt('shown')
    flush()
    await vi.advanceTimersByTimeAsync(30_000)
    expect(f.requests).toHaveLength(1)
    release!(ok())
    await vi.advanceTimersByTimeAsync(1_000)
    expect(f.requests).toHaveLength(2)
    expect(f.requests[1]!.envelope.events.map((e) => e.type)).toEqual(['update_prompt'])
  })

  it('uses keepalive only while the body stays under 60 KB', async () => {
    const f = start()
    await vi.advanceTimersByTimeAsync(1_000)
    for (let i = 0; i < 100; i++) report('x'.repeat(700))
    await vi.advanceTimersByTimeAsync(1_000)
    expect(f.requests).toHaveLength(2)
    expect(f.requests[0]!.keepalive).toBe(true)
    expect(f.requests[1]!.body.length).toBeGreaterThan(60_000)
    expect(f.requests[1]!.keepalive).toBe(false)
  })
})

describe('retries', () => {
  it('backs off with full jitter after 5xx and network errors, then resets', async () => {
    let n = 0
    const f = start({
      random: () => 0.5,
      respond: () => (++n <= 8 ? (n % 2 ? { status: 503 } : { networkError: true }) : ok()),
    })
    await vi.advanceTimersByTimeAsync(1_000)
    await vi.advanceTimersByTimeAsync(10 * 60_000)
    const gaps = f.requests.slice(1, 9).map((r, i) => r.at - f.requests[i]!.at)
    // attempt k waits 0.5 * min(60 s, 1 s * 2^k)
    expect(gaps).toEqual([500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000])
    expect(f.requests).toHaveLength(9)
    // every try carried the same events (ids kept)
    const ids = f.requests.map((r) => r.envelope.events.map((e) => e.id).join())
    expect(new Set(ids).size).toBe(1)
    // after a success the next failure starts again at attempt 0
    updatePrompt('shown')
    n = 0
    await vi.advanceTimersByTimeAsync(1_000)
    await vi.advanceTimersByTimeAsync(500)
    expect(f.requests).toHaveLength(11)
  })

  it('honours Retry-After on 429 and 503', async () => {
    let n = 0
    const f = start({
      random: () => 0.1,
      respond: () => (++n == 1 ? { status: 429, headers: { 'Retry-After': '30' } } : n == 2 ? { status: 503, headers: { 'retry-after': '5' } } : ok()),
    })
    await vi.advanceTimersByTimeAsync(1_000)
    await vi.advanceTimersByTimeAsync(29_999)
    expect(f.requests).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(f.requests).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(4_999)
    expect(f.requests).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(1)
    expect(f.requests).toHaveLength(3)
  })

  it.each([400, 401, 413, 415])('never retries a %i', async (status) => {
    const f = start({ respond: (s) => (s.envelope.events.some((e) => e.type == 'load') ? { status } : ok()) })
    await vi.advanceTimersByTimeAsync(1_000)
    expect(f.requests).toHaveLength(1)
    const lost = f.requests[0]!.envelope.events.map((e) => e.id)
    await vi.advanceTimersByTimeAsync(30 * 60_000)
    expect(f.requests).toHaveLength(1)
    updatePrompt('shown')
    await vi.advanceTimersByTimeAsync(60_000)
    expect(f.requests).toHaveLength(2)
    expect(f.requests[1]!.envelope.events.map((e) => e.id)).not.toContain(lost[0])
  })
})

describe('bounded queue', () => {
  it('drops the oldest events when full and reports the count once', async () => {
    let down = true
    const f = start({ random: () => 0.5, respond: () => (down ? { networkError: true } : ok()) })
    for (let i = 0; i < 250; i++) report(`e${i}`)
    // 251 queued (load + 250) -> 51 dropped
    await vi.advanceTimersByTimeAsync(1_000)
    expect(f.requests[0]!.envelope.dropped).toBe(51)
    down = false
    await vi.advanceTimersByTimeAsync(5_000)
    const good = f.requests.slice(1)
    expect(good.map((r) => r.envelope.dropped)).toEqual([51, 0])
    const messages = good.flatMap((r) => r.envelope.events).map((e) => (e.type == 'error' ? e.message : e.type))
    expect(messages).toHaveLength(QUEUE_MAX)
    expect(messages[0]).toBe('e50')
    expect(messages.at(-1)).toBe('e249')
  })
})

describe('page lifecycle', () => {
  it('keeps the queue for the next load when the page becomes hidden, and sends it by fetch', async () => {
    const f = start()
    await vi.advanceTimersByTimeAsync(1_000)
    updatePrompt('shown')
    f.setVisibility('hidden')
    expect(f.beacons).toHaveLength(0)
    const kept = JSON.parse(f.storage!.get('sw_q')!) as [{ load: string }, { type: string }[]][]
    expect(kept.map(([head, events]) => [head.load, events.map((e) => e.type)])).toEqual([[f.requests[0]!.envelope.load, ['update_prompt', 'visibility']]])
    await vi.advanceTimersByTimeAsync(1_000)
    expect(f.requests[1]!.envelope.events).toMatchObject([{ type: 'update_prompt' }, { type: 'visibility', visibility: 'hidden' }])
    f.setVisibility('visible')
    await vi.advanceTimersByTimeAsync(1_000)
    expect(f.requests[2]!.envelope.events).toMatchObject([{ type: 'visibility', visibility: 'visible' }])
    // Acknowledged: nothing is kept.
    f.fire('window', 'pagehide')
    expect(JSON.parse(f.storage!.get('sw_q')!)).toEqual([[expect.objectContaining({ load: f.requests[0]!.envelope.load }), []]])
  })

  it('hands a copy of the queue to sendBeacon on pagehide, and keeps the events until an answer settles them', async () => {
    const f = start()
    f.fire('window', 'pagehide')
    expect(f.beacons).toHaveLength(1)
    expect(f.beacons[0]!.envelope.events[0]!.type).toBe('load')
    expect(JSON.parse(f.storage!.get('sw_q')!)[0][1]).toMatchObject([{ type: 'load' }])
    // The page lived on (a bfcache restore): the same event goes once more, by fetch.
    await vi.advanceTimersByTimeAsync(5_000)
    expect(f.requests.map((r) => r.envelope.events.map((e) => e.id))).toEqual([[f.beacons[0]!.envelope.events[0]!.id]])
  })

  it('keeps events queued when sendBeacon refuses them', async () => {
    const f = start({ beaconOk: false })
    f.fire('window', 'pagehide')
    await vi.advanceTimersByTimeAsync(1_000)
    expect(f.requests[0]!.envelope.events[0]!.type).toBe('load')
  })

  it('reports freeze and resume, the freeze by sendBeacon at once: a frozen page runs no timer', async () => {
    const f = start()
    await vi.advanceTimersByTimeAsync(1_000)
    f.fire('document', 'freeze')
    expect(f.beacons.map((b) => b.envelope.events.map((e) => e.type))).toEqual([['freeze']])
    f.fire('document', 'resume')
    await vi.advanceTimersByTimeAsync(1_000)
    // The beacon's fate is unknown: the freeze goes again, with the same id.
    expect(f.requests.map((r) => r.envelope.events.map((e) => e.type))).toEqual([['load'], ['freeze', 'resume']])
    expect(f.requests[1]!.envelope.events[0]!.id).toBe(f.beacons[0]!.envelope.events[0]!.id)
  })

  it('sends a heartbeat every 60 s, visible or hidden', async () => {
    const f = start({}, 60)
    await vi.advanceTimersByTimeAsync(60_000)
    f.state.visibility = 'hidden'
    await vi.advanceTimersByTimeAsync(60_000)
    await vi.advanceTimersByTimeAsync(60_000)
    await vi.advanceTimersByTimeAsync(1_000)
    const beats = f.events().filter((e) => e.type == 'heartbeat')
    expect(beats.map((e) => [e.ts - f.requests[0]!.at + 1_000, e.type == 'heartbeat' && e.visibility])).toEqual([
      [60_000, 'visible'],
      [120_000, 'hidden'],
      [180_000, 'hidden'],
    ])
  })

  it('arms no timer while nothing needs sending (only the heartbeat)', async () => {
    const f = start({}, 60)
    expect(vi.getTimerCount()).toBe(2) // heartbeat + batch
    await vi.advanceTimersByTimeAsync(1_000)
    expect(f.requests).toHaveLength(1)
    expect(vi.getTimerCount()).toBe(1)
    updatePrompt('shown')
    f.setVisibility('hidden')
    expect(vi.getTimerCount()).toBe(2) // heartbeat + batch
    await vi.advanceTimersByTimeAsync(1_000)
    expect(vi.getTimerCount()).toBe(1)
  })
})

describe('answers', () => {
  it('asks for the header answer once, with ? or & as the endpoint needs, on fetches and beacons', async () => {
    const f = start()
    await vi.advanceTimersByTimeAsync(1_000)
    updatePrompt('shown')
    await vi.advanceTimersByTimeAsync(1_000)
    f.fire('window', 'pagehide')
    report('late')
    f.fire('window', 'pagehide')
    expect([...f.requests, ...f.beacons].map((r) => r.url)).toEqual(Array(3).fill('https://sw.example/api/ingest?answer=header'))
    const withQuery = start({}, HOUR, 'https://sw.example/api/ingest?key=pk_test')
    await vi.advanceTimersByTimeAsync(1_000)
    expect(withQuery.requests[0]!.url).toBe('https://sw.example/api/ingest?key=pk_test&answer=header')
  })

  it('learns the versions from the stalewatch-answer header of a 204, non-ASCII included', async () => {
    const f = start({ respond: () => headerOk({ latest: '2026.11.0-β', minSupported: 'v0' }) })
    await vi.advanceTimersByTimeAsync(1_000)
    expect(getState()).toEqual({ version: 'v1', latest: '2026.11.0-β', minSupported: 'v0', belowMinimum: false, updateAvailable: true })
    await vi.advanceTimersByTimeAsync(1_000)
    expect(f.requests[1]!.envelope.events).toMatchObject([{ type: 'update_available', latest: '2026.11.0-β' }])
  })

  it('still learns them from a 200 JSON body (a server older than the header answer)', async () => {
    start({ respond: () => ok({ latest: 'v2', minSupported: 'v0', belowMinimum: false }) })
    await vi.advanceTimersByTimeAsync(1_000)
    expect(getState()).toMatchObject({ latest: 'v2', minSupported: 'v0', updateAvailable: true })
  })

  it('drops a stalewatch-answer header that is not JSON, without an unhandled rejection, and keeps sending', async () => {
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    try {
      const f = start({ respond: () => ({ status: 204, headers: { 'stalewatch-answer': '{"latest":' } }) })
      await vi.advanceTimersByTimeAsync(1_000)
      expect(getState()).toMatchObject({ latest: null, updateAvailable: false })
      updatePrompt('shown')
      await vi.advanceTimersByTimeAsync(1_000)
      expect(f.requests).toHaveLength(2)
      // Unhandled rejections are reported once the microtask queue has drained (setImmediate is faked here).
      for (let i = 0; i < 3; i++) await new Promise((resolve) => process.nextTick(resolve))
      expect(unhandled).toEqual([])
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
  })

  it('learns nothing from a 2xx with neither, and keeps sending', async () => {
    const f = start({ respond: () => ({ status: 204 }) })
    await vi.advanceTimersByTimeAsync(1_000)
    expect(getState()).toMatchObject({ latest: null, updateAvailable: false })
    updatePrompt('shown')
    await vi.advanceTimersByTimeAsync(1_000)
    expect(f.requests).toHaveLength(2)
  })
})
