import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createLoadCounter, type LoadCounterOptions } from '../../../../sdk/src/server/counter'
import { routeGroup, statusClass, versionLabel } from '../../../../sdk/src/server/labels'
import type { AggregateEnvelope } from '../../../../sdk/src/server/wire'

// The middleware's core with fake timers and a fake Stalewatch: what it
// sends and when, its caps, and how it fails without touching the app.

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0)
const root = path.resolve(import.meta.dirname, '../../../..')

function fakeStalewatch(answer: () => Promise<{ ok: boolean; status: number }> = async () => ({ ok: true, status: 200 })) {
  const sent: { url: string; authorization: string; body: AggregateEnvelope }[] = []
  const fetch: LoadCounterOptions['fetch'] = async (url, init) => {
    const headers = init.headers as Record<string, string>
    sent.push({ url, authorization: headers.authorization!, body: JSON.parse(String(init.body)) })
    return answer()
  }
  return { sent, fetch }
}

const counterWith = (extra: Partial<LoadCounterOptions> = {}, stalewatch = fakeStalewatch()) => ({
  stalewatch,
  counter: createLoadCounter({ endpoint: 'https://sw.test/api/ingest/aggregates', serverKey: 'sws_secret', fetch: stalewatch.fetch, warn: () => {}, ...extra }),
})

const totals = (bodies: AggregateEnvelope[]) => {
  const out: Record<string, number> = {}
  for (const b of bodies) for (const i of b.items) out[`${i.kind} ${i.version} ${i.route} ${i.status}`] = (out[`${i.kind} ${i.version} ${i.route} ${i.status}`] ?? 0) + i.count
  return out
}

beforeEach(() => {
  vi.useFakeTimers({ now: T0 })
})
afterEach(() => {
  vi.useRealTimers()
})

describe('labels', () => {
  it('collapses ids in route groups and keeps the words', () => {
    const cases: [string, string][] = [
      ['/', '/'],
      ['', '/'],
      ['/api/items/42', '/api/items/:id'],
      ['/api/items/42/comments?page=2#top', '/api/items/:id/comments'],
      ['/api/items/550e8400-e29b-41d4-a716-446655440000', '/api/items/:id'],
      ['/commits/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b', '/commits/:id'],
      ['/_next/static/chunks/main.3f2a1b9c.js', '/_next/static/chunks/:id'],
      ['/u/01ARZ3NDEKTSV4RRFFQ69G5FAV/profile', '/u/:id/profile'],
      ['/t/V1StGXR8_Z5jdHi6B-myT', '/t/:id'],
      ['/users/someone@example.com', '/users/:id'],
      ['/api/v2/oauth2callback', '/api/v2/oauth2callback'],
      ['/api/items/', '/api/items/'],
      ['/a/b/c/d/e/f/g/h/i/j', '/a/b/c/d/e/f/g/h/…'],
      ['/caf%C3%A9/menu', '/caf%C3%A9/menu'],
      ['/tab\tbed', '/:id'],
    ]
    for (const [url, group] of cases) expect(routeGroup(url), url).toBe(group)
    expect(routeGroup('/' + 'word/'.repeat(7) + 'x'.repeat(200)).length).toBeLessThanOrEqual(100)
  })
  it('keeps valid versions, counts the rest as unknown, and classes statuses', () => {
    expect(['2026.01.05-1', 'a'.repeat(64), 'a'.repeat(65), '', 'v1\n', undefined, null, ['v2', 'v3']].map(versionLabel)).toEqual([
      '2026.01.05-1',
      'a'.repeat(64),
      'unknown',
      'unknown',
      'unknown',
      'unknown',
      'unknown',
      'v2',
    ])
    expect([101, 200, 204, 304, 404, 499, 500, 503, 0, 99, 600].map(statusClass)).toEqual(['1xx', '2xx', '2xx', '3xx', '4xx', '4xx', '5xx', '5xx', 'aborted', 'aborted', 'aborted'])
  })
})

describe('the counter', () => {
  it('sends every 10 s, per minute of receive time, with the server key, and nothing when nothing was counted', async () => {
    const { counter, stalewatch } = counterWith()
    counter.count('v1', '/api/items/:id', '2xx')
    counter.count('v1', '/api/items/:id', '2xx')
    counter.count('v1', '/api/items/:id', '5xx')
    counter.count(undefined, '/', '3xx')
    counter.count('v2', '/live', '1xx', 'ws_reconnect')
    counter.count('v1', '/api/items/:id', '2xx', 'http', T0 - 30_000)
    await vi.advanceTimersByTimeAsync(9_999)
    expect(stalewatch.sent).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    expect(stalewatch.sent).toHaveLength(1)
    const [send] = stalewatch.sent
    expect(send!.url).toBe('https://sw.test/api/ingest/aggregates')
    expect(send!.authorization).toBe('Bearer sws_secret')
    expect(send!.body.sentAt).toBe(T0 + 10_000)
    expect(send!.body.items).toEqual(
      expect.arrayContaining([
        { minute: T0, kind: 'http', version: 'v1', route: '/api/items/:id', status: '2xx', count: 2 },
        { minute: T0, kind: 'http', version: 'v1', route: '/api/items/:id', status: '5xx', count: 1 },
        { minute: T0, kind: 'http', version: 'unknown', route: '/', status: '3xx', count: 1 },
        { minute: T0, kind: 'ws_reconnect', version: 'v2', route: '/live', status: '1xx', count: 1 },
        { minute: T0 - 60_000, kind: 'http', version: 'v1', route: '/api/items/:id', status: '2xx', count: 1 },
      ]),
    )
    expect(send!.body.items).toHaveLength(5)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(stalewatch.sent).toHaveLength(1)
    expect(counter.stats()).toMatchObject({ counted: 6, overflowed: 0, sends: 1, failedSends: 0, lostRequests: 0, series: 0 })
  })

  it('bounds its memory: past each cap requests go to `other`, are still counted, and the overflow is counted', async () => {
    const { counter, stalewatch } = counterWith({ maxVersions: 3, maxRoutes: 2, maxSeries: 10 })
    for (let i = 0; i < 10_000; i++) counter.count(`v${i % 5}`, '/a', '2xx')
    for (let i = 0; i < 10_000; i++) counter.count('v0', `/r${i}`, '2xx')
    expect(counter.stats().series).toBe(6)
    await counter.flush()
    expect(totals(stalewatch.sent.map((s) => s.body))).toEqual({
      'http v0 /a 2xx': 2000,
      'http v1 /a 2xx': 2000,
      'http v2 /a 2xx': 2000,
      'http other /a 2xx': 4000,
      'http v0 /r0 2xx': 1,
      'http v0 other 2xx': 9999,
    })
    expect(counter.stats()).toMatchObject({ counted: 20_000, overflowed: 4000 + 9999 })

    // Series cap: new (version, route) pairs past it go to (other, other).
    const small = counterWith({ maxSeries: 2 })
    for (const v of ['a', 'b', 'c', 'd']) small.counter.count(v, '/x', '4xx')
    await small.counter.flush()
    expect(totals(small.stalewatch.sent.map((s) => s.body))).toEqual({ 'http a /x 4xx': 1, 'http b /x 4xx': 1, 'http other other 4xx': 2 })
  })

  it('counts a flood of made-up versions and paths in bounded memory, window after window', async () => {
    const { counter, stalewatch } = counterWith()
    for (let window = 0; window < 3; window++) {
      for (let i = 0; i < 50_000; i++) counter.count(`forged-${window}-${i}`, `/junk${i}`, '4xx')
      expect(counter.stats().series).toBeLessThanOrEqual(2000)
      await vi.advanceTimersByTimeAsync(10_000)
    }
    const sends = stalewatch.sent.map((s) => s.body)
    // Each send stays within the server's per-request limits.
    for (const body of sends) {
      expect(body.items.length).toBeLessThanOrEqual(1000)
      expect(new Set(body.items.map((i) => i.version)).size).toBeLessThanOrEqual(200)
      expect(new Set(body.items.map((i) => i.route)).size).toBeLessThanOrEqual(500)
    }
    expect(Object.values(totals(sends)).reduce((a, b) => a + b, 0)).toBe(150_000)
  })

  it('drops a failed send, counts it, logs at most once a minute, never rejects and never retries', async () => {
    const warnings: string[] = []
    let fail: 'status' | 'network' = 'status'
    const stalewatch = fakeStalewatch(async () => {
      if (fail === 'network') throw new TypeError('fetch failed')
      return { ok: false, status: 503 }
    })
    const { counter } = counterWith({ warn: (m) => warnings.push(m) }, stalewatch)
    for (let s = 0; s < 12; s++) {
      if (s === 6) fail = 'network'
      counter.count('v1', '/a', '2xx')
      counter.count('v1', '/a', '2xx')
      await vi.advanceTimersByTimeAsync(10_000)
    }
    expect(stalewatch.sent).toHaveLength(12)
    expect(counter.stats()).toMatchObject({ sends: 12, failedSends: 12, lostRequests: 24, series: 0 })
    expect(warnings).toHaveLength(2)
    expect(warnings[0]).toMatch(/not sent \(HTTP 503\); 2 requests dropped so far in 1 failed sends/)
    expect(warnings[1]).toMatch(/not sent \(TypeError\); 14 requests dropped so far in 7 failed sends/)
    // Nothing in the warnings but counts and reasons: never the key.
    expect(warnings.join(' ')).not.toContain('sws_secret')
    await expect(counter.flush()).resolves.toBeUndefined()
  })

  it('gives up a send that hangs, so a dead Stalewatch holds nothing', async () => {
    vi.useRealTimers()
    const aborted: string[] = []
    const { counter } = counterWith({
      timeoutMs: 50,
      fetch: (_url, init) =>
        new Promise((_resolve, reject) => {
          init.signal?.addEventListener('abort', () => {
            aborted.push(String((init.signal?.reason as Error | undefined)?.name))
            reject(init.signal?.reason)
          })
        }),
    })
    counter.count('v1', '/a', '2xx')
    await counter.flush()
    expect(aborted).toEqual(['TimeoutError'])
    expect(counter.stats()).toMatchObject({ failedSends: 1, lostRequests: 1 })
    await counter.close()
  })

  it('splits a window of more than 1000 items into several sends', async () => {
    const { counter, stalewatch } = counterWith({ maxRoutes: 499 })
    for (let r = 0; r < 499; r++) for (const status of ['2xx', '4xx', '5xx'] as const) counter.count('v1', `/r${r}`, status)
    await counter.flush()
    expect(stalewatch.sent.map((s) => s.body.items.length)).toEqual([1000, 497])
  })

  it('with no server key, warns once and sends nothing', async () => {
    const warnings: string[] = []
    const { counter, stalewatch } = counterWith({ serverKey: undefined, warn: (m) => warnings.push(m) })
    counter.count('v1', '/a', '2xx')
    await counter.flush()
    counter.count('v1', '/a', '2xx')
    await counter.close()
    expect(stalewatch.sent).toEqual([])
    expect(warnings).toEqual(['stalewatch: no server key given; backend-load counts are not sent.'])
  })

  it('says when a send is due, for runtimes without timers between requests', async () => {
    const { counter } = counterWith({ intervalMs: 10_000 })
    expect(counter.flushDue()).toBe(false)
    vi.setSystemTime(T0 + 10_000)
    expect(counter.flushDue()).toBe(true)
    await counter.flush()
    expect(counter.flushDue()).toBe(false)
  })
})

it('never keeps the process alive: its timer is unref’d', () => {
  const script = `
    import { createLoadCounter } from './sdk/src/server/counter.ts'
    const counter = createLoadCounter({ endpoint: 'http://127.0.0.1:9/never', serverKey: 'sws_x', intervalMs: 3_600_000 })
    counter.count('v1', '/a', '2xx')
    console.log('counted')
  `
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', timeout: 30_000 })
  expect(run.stdout.trim()).toBe('counted')
  // Exited by itself (a live interval would have held it until the timeout killed it).
  expect(run.signal).toBeNull()
  expect(run.status).toBe(0)
})
