import { describe, expect, it } from 'vitest'
import { correctedEventTime, normalizeEvent } from '@/ingest/normalize'
import { envelopeSchema, eventSchema } from '@/ingest/schema'

const envelope = (sentAt: number) =>
  envelopeSchema.parse({ session: 'session_1', load: 'load_0001', version: 'v1', sentAt, events: [{}] })

describe('event time (docs/semantics.md, Words)', () => {
  it('corrects the client clock by the request offset', () => {
    // Client clock 10 minutes behind: sent at 11:50 client time, received at 12:00.
    expect(correctedEventTime(1_000_000 - 600_000 - 5_000, 1_000_000 - 600_000, 1_000_000)).toBe(1_000_000 - 5_000)
  })

  it('never puts an event after its receipt', () => {
    expect(correctedEventTime(2_000, 1_000, 1_000)).toBe(1_000)
  })

  it('rejects events far in the future or past retention, stores the rest', () => {
    const now = 10 * 86_400_000
    const ok = normalizeEvent('p', envelope(now), eventSchema.parse({ id: 'event_001', type: 'resume', ts: now - 1000 }), now, 30)
    expect(ok.ok).toBe(true)
    const future = normalizeEvent('p', envelope(now), eventSchema.parse({ id: 'event_002', type: 'resume', ts: now + 3_600_000 }), now, 30)
    expect(future).toEqual({ ok: false, error: expect.stringContaining('ts') })
    const old = normalizeEvent('p', envelope(now), eventSchema.parse({ id: 'event_003', type: 'resume', ts: now - 9 * 86_400_000 }), now, 7)
    expect(old).toEqual({ ok: false, error: expect.stringContaining('retention') })
  })

  it('stores freeze as hidden and carries each type-specific field', () => {
    const now = Date.now()
    const freeze = normalizeEvent('p', envelope(now), eventSchema.parse({ id: 'event_004', type: 'freeze', ts: now }), now, 30)
    expect(freeze.ok && freeze.row.visibility).toBe('hidden')
    const load = normalizeEvent(
      'p',
      envelope(now),
      eventSchema.parse({ id: 'event_005', type: 'load', ts: now, visibility: 'visible', navigation: 'reload', previousVersion: 'v0' }),
      now,
      30,
    )
    expect(load.ok && [load.row.navigation, load.row.previous_version, load.row.visibility]).toEqual(['reload', 'v0', 'visible'])
  })
})
