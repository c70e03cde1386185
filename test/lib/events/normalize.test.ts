import { describe, expect, it } from 'vitest'
import { eventTimeBounds, normalizeEvent } from '@/lib/events/normalize'
import { EVENT_COLUMNS, eventValues } from '@/lib/events/row'
import { envelopeSchema, eventSchema } from '@/lib/events/schema'
import { parseUserAgent } from '@/lib/events/user-agent'

const HOUR = 3_600_000
const bounds = eventTimeBounds({ maxAgeHours: 24, maxFutureSeconds: 300 }, 30)

const envelope = (sentAt: number) =>
  envelopeSchema.parse({ session: 'session_1', load: 'load_0001', version: 'v1', sentAt, events: [{}] })

describe('event time (docs/semantics.md, Words)', () => {
  const eventTime = (ts: number, sentAt: number, receivedAt: number) => {
    const verdict = normalizeEvent('p', envelope(sentAt), eventSchema.parse({ id: 'event_000', type: 'resume', ts }), receivedAt, bounds)
    return verdict.ok ? verdict.row.event_time : verdict.error
  }

  it('corrects the client clock by the request offset', () => {
    // Client clock 10 minutes behind: sent at 11:50 client time, received at 12:00.
    const noon = 10 * 86_400_000
    expect(eventTime(noon - 600_000 - 5_000, noon - 600_000, noon)).toBe(noon - 5_000)
  })

  it('never puts an event after its receipt', () => {
    const noon = 10 * 86_400_000
    expect(eventTime(noon + 1_000, noon, noon)).toBe(noon)
  })

  it('refuses, with a code, events further from their receipt than the bounds, and stores the rest', () => {
    const now = 10 * 86_400_000
    const resume = (id: string, ts: number) => eventSchema.parse({ id, type: 'resume', ts })
    expect(normalizeEvent('p', envelope(now), resume('event_001', now - 1000), now, bounds).ok).toBe(true)
    expect(normalizeEvent('p', envelope(now), resume('event_002', now - 23 * HOUR), now, bounds).ok).toBe(true)
    const future = normalizeEvent('p', envelope(now), resume('event_003', now + HOUR), now, bounds)
    expect(future).toEqual({ ok: false, code: 'event_in_future', error: expect.stringContaining('STALEWATCH_EVENT_MAX_FUTURE_SECONDS') })
    const old = normalizeEvent('p', envelope(now), resume('event_004', now - 25 * HOUR), now, bounds)
    expect(old).toEqual({ ok: false, code: 'event_too_old', error: expect.stringContaining('STALEWATCH_EVENT_MAX_AGE_HOURS') })
  })

  it('never takes an event older than the retention, whatever the age setting', () => {
    expect(eventTimeBounds({ maxAgeHours: 24 * 365, maxFutureSeconds: 300 }, 7)).toEqual({ maxAgeMs: 7 * 24 * HOUR, maxFutureMs: 300_000 })
  })

  it('stores freeze as hidden and carries each type-specific field', () => {
    const now = Date.now()
    const freeze = normalizeEvent('p', envelope(now), eventSchema.parse({ id: 'event_004', type: 'freeze', ts: now }), now, bounds)
    expect(freeze.ok && freeze.row.visibility).toBe('hidden')
    const load = normalizeEvent(
      'p',
      envelope(now),
      eventSchema.parse({ id: 'event_005', type: 'load', ts: now, visibility: 'visible', navigation: 'reload', previousVersion: 'v0' }),
      now,
      bounds,
    )
    expect(load.ok && [load.row.navigation, load.row.previous_version, load.row.visibility]).toEqual(['reload', 'v0', 'visible'])
  })

  const byColumn = (values: unknown[]) => Object.fromEntries(EVENT_COLUMNS.map((c, i) => [c, values[i]]))

  it('fills the browser columns from the request; without a User-Agent the browser columns keep their defaults', () => {
    const now = Date.now()
    const heartbeat = eventSchema.parse({ id: 'event_006', type: 'heartbeat', ts: now, visibility: 'hidden', idle: true })
    const withHeader = normalizeEvent('p', envelope(now), heartbeat, now, bounds, parseUserAgent('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'))
    expect(withHeader.ok && withHeader.row).toMatchObject({ browser: 'Chrome', browser_major: 131, idle: 1, unsaved: 0 })
    expect(withHeader.ok && byColumn(eventValues(withHeader.row))).toMatchObject({ browser: 'Chrome', browser_major: 131, idle: 1, unsaved: 0 })
    const without = normalizeEvent('p', envelope(now), heartbeat, now, bounds)
    expect(without.ok && [without.row.browser, without.row.browser_major]).toEqual([undefined, undefined])
    expect(without.ok && byColumn(eventValues(without.row))).toMatchObject({ browser: '', browser_major: 0, idle: 1, unsaved: 0 })
  })
})
