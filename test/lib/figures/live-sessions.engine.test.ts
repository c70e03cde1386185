import { beforeAll, describe, expect, it } from 'vitest'
import { handleIngest } from '@/ingest/events/pipeline'
import { ingestRuntime } from '@/ingest/events/runtime'
import { liveSessions } from '@/lib/figures/live-sessions/read-now'
import { liveMinutes } from '@/lib/figures/live-sessions/read-minutes'
import type { IngestEnvelope } from '@/sdk/src/wire'
import { useEngine, testProject } from '../../support/engine'
import { uid } from '../../support/envelopes'

// A hand-computed scenario for "live sessions per version at t" (docs/semantics.md,
// Liveness), sent through the real pipeline into the real engine.
useEngine()

const W = 180
const T = Date.UTC(2026, 10, 27, 12, 0, 0) // the instant asked about
const s = 1000
const M = 60_000
let projectId: string

/** Sends one request as the server would receive it at `receivedAt`. */
async function send(key: string, receivedAt: number, body: Omit<IngestEnvelope, 'key'>): Promise<void> {
  const result = await handleIngest(
    {
      method: 'POST',
      contentType: 'application/json',
      queryKey: null,
      body: new TextEncoder().encode(JSON.stringify({ key, ...body })),
      bodyTooLarge: false,
      receivedAt,
    },
    { ...ingestRuntime().deps, retentionDays: 3650 },
  )
  expect(result.status).toBe(200)
  expect((result.body as { rejected: unknown[] }).rejected).toEqual([])
}

beforeAll(async () => {
  const project = await testProject('live')
  projectId = project.id
  const key = project.ingestKey
  const hb = (ts: number, visibility: 'visible' | 'hidden' = 'visible') => ({ id: uid('e'), type: 'heartbeat' as const, ts, visibility })

  // A: visible on v1, heartbeats every minute → v1 visible.
  await send(key, T - 100 * s, { session: 'sess_A_0001', load: 'load_A_0001', version: 'v1', sentAt: T - 100 * s, events: [hb(T - 160 * s), hb(T - 100 * s)] })
  // B: reloads from v1 into v2 inside the window → counted once, under v2.
  await send(key, T - 150 * s, { session: 'sess_B_0001', load: 'load_B_0001', version: 'v1', sentAt: T - 150 * s, events: [hb(T - 150 * s)] })
  await send(key, T - 30 * s, {
    session: 'sess_B_0001',
    load: 'load_B_0002',
    version: 'v2',
    sentAt: T - 30 * s,
    events: [{ id: uid('e'), type: 'load', ts: T - 30 * s, visibility: 'visible', navigation: 'reload', previousVersion: 'v1' }],
  })
  // C: a hidden background tab on v1 → v1 hidden.
  await send(key, T - 50 * s, { session: 'sess_C_0001', load: 'load_C_0001', version: 'v1', sentAt: T - 50 * s, events: [hb(T - 50 * s, 'hidden')] })
  // D: last event 181 s before T → past the window, not live.
  await send(key, T - 181 * s, { session: 'sess_D_0001', load: 'load_D_0001', version: 'v1', sentAt: T - 181 * s, events: [hb(T - 181 * s)] })
  // E: client clock 2 hours behind; its event really happened 20 s before T → live on v2, visible.
  await send(key, T - 20 * s, { session: 'sess_E_0001', load: 'load_E_0001', version: 'v2', sentAt: T - 20 * s - 2 * 3600 * s, events: [hb(T - 20 * s - 2 * 3600 * s)] })
  // F: client clock 1 hour ahead; its event really happened 200 s before T → past the window.
  await send(key, T - 200 * s, { session: 'sess_F_0001', load: 'load_F_0001', version: 'v2', sentAt: T - 200 * s + 3600 * s, events: [hb(T - 200 * s + 3600 * s)] })
  // G: event after T → not live at T (events are counted in (T - W, T]).
  await send(key, T + 5 * s, { session: 'sess_G_0001', load: 'load_G_0001', version: 'v1', sentAt: T + 5 * s, events: [hb(T + 5 * s)] })
  // H: visible, then froze 10 s later: freeze counts as hidden.
  await send(key, T - 40 * s, {
    session: 'sess_H_0001',
    load: 'load_H_0001',
    version: 'v2',
    sentAt: T - 40 * s,
    events: [hb(T - 50 * s), { id: uid('e'), type: 'freeze', ts: T - 40 * s }],
  })
  // I: hidden 10 minutes ago, now only a resume in the window → keeps hidden.
  await send(key, T - 600 * s, { session: 'sess_I_0001', load: 'load_I_0001', version: 'v1', sentAt: T - 600 * s, events: [hb(T - 600 * s, 'hidden')] })
  await send(key, T - 10 * s, { session: 'sess_I_0001', load: 'load_I_0001', version: 'v1', sentAt: T - 10 * s, events: [{ id: uid('e'), type: 'resume', ts: T - 10 * s }] })
})

describe('live sessions at t', () => {
  it('counts each live session once, under its latest version, with its visibility', async () => {
    const live = await liveSessions({ projectId, at: T, windowSeconds: W })
    expect(live).toEqual({
      at: T,
      windowSeconds: W,
      total: 6,
      versions: [
        { version: 'v1', sessions: 3, visible: 1, hidden: 2 }, // A visible; C, I hidden
        { version: 'v2', sessions: 3, visible: 2, hidden: 1 }, // B, E visible; H frozen
      ],
    })
  })

  it('a session is live until exactly W after its last event', async () => {
    // D's event at T-181 s is live at T-1 s (inside (t-W, t]) and not at T.
    const before = await liveSessions({ projectId, at: T - 1 * s - 1, windowSeconds: W })
    expect(before.total).toBe(7) // A, B, C, D, E, H, I
    const after = await liveSessions({ projectId, at: T, windowSeconds: W })
    expect(after.total).toBe(6)
  })

  it('the per-minute series the charts use agrees with the instant query at every minute boundary', async () => {
    const rows = await liveMinutes({ projectId, from: T - 5 * M, to: T, windowSeconds: W })
    for (let minute = T - 5 * M; minute <= T; minute += M) {
      const live = await liveSessions({ projectId, at: minute, windowSeconds: W })
      const series = rows.filter((r) => r.minute === minute)
      expect(Object.fromEntries(series.map((r) => [r.version, r.sessions]))).toEqual(
        Object.fromEntries(live.versions.map((v) => [v.version, v.sessions])),
      )
    }
  })
})
