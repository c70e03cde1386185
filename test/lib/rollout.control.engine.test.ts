import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ingestRuntime } from '@/ingest/events/runtime'
import { createRule } from '@/lib/alerts/rule-store'
import { metricsText } from '@/lib/metrics/render'
import { ingestMetrics } from '@/ingest/edge/metrics'
import { ingestCause, landingCause, stormCauses } from '@/lib/rollout/guard'
import { recordIngestAnswer } from '@/lib/rollout/ingest-signal'
import { runningWave } from '@/lib/rollout/registry'
import { rolloutLoop, tick } from '@/lib/rollout/start'
import type { WireEvent } from '@/sdk/src/wire'
import * as minSupportedRoute from '@/app/api/projects/[id]/min-supported/route'
import * as previewRoute from '@/app/api/projects/[id]/min-supported/preview/route'
import * as rolloutRoute from '@/app/api/projects/[id]/rollout/route'
import * as settingsRoute from '@/app/api/projects/[id]/rollout/settings/route'
import { startReceiver, type Receiver } from '../support/webhook-receiver'
import { testProject, useEngine } from '../support/engine'
import { uid } from '../support/envelopes'
import { call, hb, released, send } from '../support/rollout-calls'

// Rollout control against the real engine, in this process: the ingest
// answers' slots, the preview, the audited changes of the minimum, the
// settings, and the guard's loop with its notifications and metrics.

// The receiver of guard notifications is on loopback, which webhooks may reach only when allowed.
process.env.STALEWATCH_WEBHOOK_ALLOWED_NETWORKS = '127.0.0.1/32'
useEngine()

let receiver: Receiver
beforeAll(async () => {
  receiver = await startReceiver()
})
afterAll(async () => {
  await receiver.close()
})

describe('the preview of a new minimum', () => {
  it('counts the live tabs below it, split by visible, hidden and idle, by tab age, with unsaved work apart, and paces them', async () => {
    const project = await released('preview')
    await call(settingsRoute.PUT, project.id, '/', { method: 'PUT', body: JSON.stringify({ reloadsPerMinute: 2, leadSeconds: 30 }) })
    await send(project, uid('s'), 'v1', [hb('hidden')])
    await send(project, uid('s'), 'v1', [hb('hidden'), hb('visible'), hb('hidden')])
    await send(project, uid('s'), 'v1', [hb('visible', { idle: true })])
    await send(project, uid('s'), 'v1', [hb('visible', { unsaved: true })])
    await send(project, uid('s'), 'v1', [hb('hidden', { unsaved: true })])
    await send(project, uid('s'), 'v2', [hb('hidden')])
    const { status, body } = await call(previewRoute.GET, project.id, '/?version=v2')
    expect(status).toBe(200)
    expect(body).toMatchObject({
      version: 'v2',
      current: null,
      known: true,
      tabs: { total: 5, visible: 1, hidden: 3, idle: 1, unsaved: 2, byAge: [{ label: 'under 1 h', tabs: 5 }, { tabs: 0 }, { tabs: 0 }] },
      reloadsPerMinute: 2,
      leadSeconds: 30,
    })
    // Of the 5, 3 go at their slot (2 hidden, 1 idle; the hidden one with unsaved work waits): at 2 a minute, 1.5 minutes after the lead.
    expect(body.estimate).toEqual({ atSlot: 3, waiting: 2 })
    expect((body.projectedEndAt as number) - (body.startsAt as number)).toBe(90_000)
    expect((body.startsAt as number) - (body.at as number)).toBe(30_000)
    // A minimum of v1 forces nobody.
    expect((await call(previewRoute.GET, project.id, '/?version=v1')).body).toMatchObject({ tabs: { total: 0 }, projectedEndAt: null })
  })

  it('answers bad parameters with a clear 4xx', async () => {
    const project = await released('preview-4xx')
    const cases: [string, number, RegExp][] = [
      ['/', 400, /^version: /],
      ['/?version=', 400, /^version: /],
      [`/?version=${'v'.repeat(65)}`, 400, /^version: .*64/],
      ['/?version=v2&at=yesterday', 400, /^at: /],
      ['/?version=v2&foo=1', 400, /foo/],
      ['/?version=v9', 404, /not a registered release/],
    ]
    for (const [query, status, message] of cases) {
      const res = await call(previewRoute.GET, project.id, query)
      expect(res.status, query).toBe(status)
      expect(res.body.error!.message, query).toMatch(message)
    }
    expect((await call(previewRoute.GET, 'p_nope', '/?version=v2')).status).toBe(404)
    expect((await call(previewRoute.GET, project.id, '/?version=v2', { bearer: null })).status).toBe(401)
    expect((await call(previewRoute.GET, project.id, '/?version=v2', { bearer: project.ingestKey })).status).toBe(401)
    expect((await call(previewRoute.GET, project.id, '/?version=v2', { bearer: project.deployToken })).status).toBe(200)
  })
})

describe('changes of the minimum', () => {
  it('are audited with who, when, the preview, and what then happened; lowering ends the wave and its tabs get no slot', async () => {
    const project = await released('audit')
    await call(settingsRoute.PUT, project.id, '/', { method: 'PUT', body: JSON.stringify({ reloadsPerMinute: 60, leadSeconds: 0 }) })
    const [a, b] = [uid('s'), uid('s')]
    await send(project, a, 'v1', [hb('hidden')])
    await send(project, b, 'v1', [hb('visible')])
    const raised = await call(minSupportedRoute.PUT, project.id, '/', { method: 'PUT', body: JSON.stringify({ version: 'v2' }), bearer: project.deployToken })
    expect(raised).toMatchObject({ status: 200, body: { minSupported: 'v2', previous: null, preview: { tabs: { total: 2, hidden: 1, visible: 1 } } } })

    // The hidden tab starts now (its slot on the wave's one-second grid is due); the visible one's
    // slot is the next, and once due it waits until it can reload.
    expect(await send(project, a, 'v1', [hb('hidden')])).toMatchObject({ belowMinimum: true, reloadIn: 0 })
    const { reloadIn } = await send(project, b, 'v1', [hb('visible')])
    expect(reloadIn).toBeGreaterThan(1)
    expect(reloadIn).toBeLessThanOrEqual(2000)
    await new Promise((r) => setTimeout(r, reloadIn!))
    expect(await send(project, b, 'v1', [hb('visible')])).toMatchObject({ belowMinimum: true, reloadIn: 1 })
    // Events an earlier load sends again get no slot.
    expect(await send(project, b, 'v1', [hb('hidden')], { replay: true })).toMatchObject({ belowMinimum: true, reloadIn: null })
    // a's next load is on v2: landed.
    expect(await send(project, a, 'v2', [{ id: uid('e'), ts: Date.now(), type: 'load', visibility: 'hidden', navigation: 'reload', previousVersion: 'v1' }])).toMatchObject({ reloadIn: null })
    expect(runningWave(project.id)).toMatchObject({ granted: 1, landed: 1 })

    const cleared = await call(minSupportedRoute.PUT, project.id, '/', { method: 'PUT', body: JSON.stringify({ version: null }) })
    expect(cleared.body).toMatchObject({ minSupported: null, previous: 'v2', preview: null })
    expect(await send(project, b, 'v1', [hb('hidden')])).toMatchObject({ belowMinimum: false, reloadIn: null })
    expect(runningWave(project.id)).toBeUndefined()

    const { body } = await call(rolloutRoute.GET, project.id, '/')
    const audit = body.audit as { action: string; actor: string; from: string | null; to: string | null; detail: unknown; outcome: Record<string, unknown> }[]
    expect(audit.map((e) => [e.action, e.actor, e.from, e.to])).toEqual([
      ['min_supported', 'admin token', 'v2', null],
      ['min_supported', 'deploy token', null, 'v2'],
      ['settings', 'admin token', null, null],
    ])
    expect(audit[1]!.detail).toMatchObject({ tabs: { total: 2 } })
    expect(audit[1]!.outcome).toMatchObject({ status: 'ended', granted: 1, landed: 1, maxPerMinute: 1 })
    expect(audit[0]!.outcome).toMatchObject({ status: 'none' })
    expect(body).toMatchObject({ minSupported: null, wave: null })
  })

  it('a rate of 0 holds every forced reload, and a new rate applies to the running wave', async () => {
    const project = await released('rate0')
    await call(settingsRoute.PUT, project.id, '/', { method: 'PUT', body: JSON.stringify({ reloadsPerMinute: 0, leadSeconds: 0 }) })
    const s = uid('s')
    await send(project, s, 'v1', [hb('hidden')])
    await call(minSupportedRoute.PUT, project.id, '/', { method: 'PUT', body: JSON.stringify({ version: 'v2' }) })
    expect(await send(project, s, 'v1', [hb('hidden')])).toMatchObject({ belowMinimum: true, reloadIn: null })
    const preview = await call(previewRoute.GET, project.id, '/?version=v2')
    expect(preview.body).toMatchObject({ tabs: { total: 1 }, projectedEndAt: null })
    await call(settingsRoute.PUT, project.id, '/', { method: 'PUT', body: JSON.stringify({ reloadsPerMinute: 10 }) })
    await new Promise((r) => setTimeout(r, 3_100)) // the settings' cache
    // The next slot at 10 a minute: within 6 s.
    const { reloadIn } = await send(project, s, 'v1', [hb('hidden')])
    // A slot, not "no slot" (null): a number from now to 6 s.
    expect(typeof reloadIn).toBe('number')
    expect(reloadIn).toBeGreaterThanOrEqual(0)
    expect(reloadIn).toBeLessThanOrEqual(6_000)
  })

  it('settings answer bad input with a clear 400 and need the admin', async () => {
    const project = await testProject('settings-4xx')
    const put = (body: unknown, bearer?: string) => call(settingsRoute.PUT, project.id, '/', { method: 'PUT', body: JSON.stringify(body), bearer })
    for (const [body, message] of [
      [{ reloadsPerMinute: -1 }, /^reloadsPerMinute: /],
      [{ reloadsPerMinute: 1.5 }, /whole number/],
      [{ reloadsPerMinute: '60' }, /^reloadsPerMinute: /],
      [{ leadSeconds: 4000 }, /^leadSeconds: .*3600/],
      [{}, /reloadsPerMinute, leadSeconds or both/],
      [{ rate: 5 }, /rate/],
    ] as const) {
      const res = await put(body)
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(res.body.error!.message).toMatch(message)
    }
    expect((await put({ reloadsPerMinute: 5 }, project.deployToken)).status).toBe(401)
    expect((await call(settingsRoute.PUT, 'p_nope', '/', { method: 'PUT', body: '{"reloadsPerMinute":5}' })).status).toBe(404)
  })
})

describe('the guard', () => {
  it('trips on 5xx above 5 % of the ingest answers in its window, and clears below half of that', () => {
    expect(ingestCause({ answers: 9, errors: 9 }, 60, false)).toBeNull()
    expect(ingestCause({ answers: 100, errors: 4 }, 60, false)).toBeNull()
    expect(ingestCause({ answers: 100, errors: 5 }, 60, false)).toMatchObject({ cause: 'ingest_errors', summary: expect.stringContaining('5 of 100') })
    expect(ingestCause({ answers: 100, errors: 3 }, 60, true)).not.toBeNull()
    expect(ingestCause({ answers: 100, errors: 2 }, 60, true)).toBeNull()
  })

  it('trips when the forced reloads granted 3 to 15 minutes ago to most addresses (at least 3) have not landed', () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 30)
    let session = 0
    // `n` grants `ago` minutes back to one address (source 0: each tab its own), `landed` of them landed.
    const to = (source: number, ago: number, n: number, landed: number) =>
      Array.from({ length: n }, (_, i) => ({ session: ++session, source, at: now - ago * 60_000, landed: i < landed }))
    expect(landingCause([...to(1, 5, 1, 0), ...to(2, 5, 1, 0), ...to(3, 5, 1, 0), ...to(4, 5, 2, 2)], now)).toMatchObject({
      cause: 'not_landing',
      summary: expect.stringContaining('3 of 5 forced reloads granted 3 to 15 minutes ago, to 3 of 4 addresses'),
    })
    expect(landingCause(to(0, 5, 10, 2), now)).toMatchObject({ cause: 'not_landing', summary: expect.stringContaining('8 of 10') })
    expect(landingCause(to(0, 5, 10, 6), now)).toBeNull()
    // One address's 40 tabs that never came back are one vote of four.
    expect(landingCause([...to(9, 5, 40, 0), ...to(1, 5, 1, 1), ...to(2, 5, 1, 1), ...to(3, 5, 1, 1)], now)).toBeNull()
    // Too recent to judge, or too old to matter.
    expect(landingCause([...to(0, 1, 10, 0), ...to(0, 20, 10, 0)], now)).toBeNull()
    expect(landingCause(to(0, 5, 2, 0), now)).toBeNull()
  })

  it('trips on a resume storm as the alert rules measure it', async () => {
    const project = await testProject('storm')
    const resumes = Array.from({ length: 12 }, () => ({ id: uid('e'), ts: Date.now() - 1_000, type: 'resume' }) as WireEvent)
    await send(project, uid('s'), 'v1', resumes)
    const causes = await stormCauses(project.id, Date.now())
    expect(causes.map((c) => c.cause)).toEqual(['resume_storm'])
    expect(causes[0]!.summary).toMatch(/^Resumes in the last minute: 12/)
  })

  it('pauses a running wave on ingest errors, says so in the audit, /api/metrics and to the alert destinations, and resumes once clear', async () => {
    const project = await released('guard')
    await createRule({ project: project.id, name: 'any', condition: { kind: 'below_minimum', maxSessions: 1000, forMinutes: 5, resolveMargin: 0.1, resolveAfter: 2 }, destinations: [{ kind: 'webhook', url: `${receiver.url}/guard` }] })
    await call(settingsRoute.PUT, project.id, '/', { method: 'PUT', body: JSON.stringify({ reloadsPerMinute: 60, leadSeconds: 0 }) })
    await call(minSupportedRoute.PUT, project.id, '/', { method: 'PUT', body: JSON.stringify({ version: 'v2' }) })
    const s = uid('s')
    expect(await send(project, s, 'v1', [hb('visible')])).toMatchObject({ reloadIn: 1 })
    const loop = rolloutLoop(true)
    const now = Date.now()
    for (let i = 0; i < 20; i++) recordIngestAnswer(503, now)
    await tick(loop, now)
    const wave = runningWave(project.id)!
    expect(wave).toMatchObject({ paused: true, causes: [{ cause: 'ingest_errors' }] })
    expect(await send(project, s, 'v1', [hb('hidden')])).toMatchObject({ belowMinimum: true, reloadIn: null })
    const metrics = await metricsText(ingestMetrics(), ingestRuntime().buffer.stats())
    expect(metrics).toContain(`stalewatch_rollout_paused{project="${project.id}"} 1`)
    expect(metrics).toContain(`stalewatch_rollout_pause_cause{project="${project.id}",cause="ingest_errors"} 1`)
    await expect.poll(() => receiver.to('/guard').map((r) => JSON.parse(r.body).type), { timeout: 10_000 }).toEqual(['rollout.paused'])
    const paused = JSON.parse(receiver.to('/guard')[0]!.body)
    expect(paused).toMatchObject({ project: project.id, state: 'firing', summary: expect.stringContaining('ingest answered 20 of') })
    expect(receiver.to('/guard')[0]!.headers['x-stalewatch-signature']).toBeTruthy()

    // The window moves past the errors: clear twice in a row, then it resumes.
    const later = now + 61_000
    for (let i = 0; i < 20; i++) recordIngestAnswer(204, later)
    await tick(loop, later)
    expect(wave.paused).toBe(true)
    await tick(loop, later + 5_000)
    expect(wave.paused).toBe(false)
    expect(wave.pausedMs).toBe(later + 5_000 - now)
    await expect.poll(() => receiver.to('/guard').map((r) => JSON.parse(r.body).type), { timeout: 10_000 }).toEqual(['rollout.paused', 'rollout.resumed'])
    const { body } = await call(rolloutRoute.GET, project.id, '/')
    expect((body.audit as { action: string }[]).map((e) => e.action).slice(0, 2)).toEqual(['guard_resumed', 'guard_paused'])
    expect(body.wave).toMatchObject({ paused: false, causes: [] })
  })
})
