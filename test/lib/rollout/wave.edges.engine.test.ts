import { describe, expect, it } from 'vitest'
import * as minSupportedRoute from '@/app/api/projects/[id]/min-supported/route'
import * as settingsRoute from '@/app/api/projects/[id]/rollout/settings/route'
import { runningWave } from '@/lib/rollout/registry'
import { rolloutLoop, tick } from '@/lib/rollout/start'
import { dropSingleton } from '@/lib/process-singleton'
import { listMinSupportedChanges } from '@/lib/releases/release-store'
import { runCli } from '@/sdk/src/cli'
import * as rolloutRoute from '@/app/api/projects/[id]/rollout/route'
import * as previewRoute from '@/app/api/projects/[id]/min-supported/preview/route'
import { previewEndText, waveSummary } from '@/lib/rollout/view'
import type { MinimumPreview } from '@/lib/rollout/preview'
import type { WaveStatusView } from '@/lib/rollout/status'
import type { WireEvent } from '@/sdk/src/wire'
import { useEngine } from '../../support/engine'
import { uid } from '../../support/envelopes'
import { call, hb, released, send, type Project } from '../../support/rollout-calls'

// The wave's last edges (issue 27), against the real engine through the real
// pipeline: unsaved work remembered between requests, landings after a
// restart, the same minimum set again.

useEngine()

const visibilityEvent = (visibility: 'visible' | 'hidden') => ({ id: uid('e'), ts: Date.now(), type: 'visibility', visibility }) as WireEvent

async function waveAt(project: Project, rate: number) {
  await call(settingsRoute.PUT, project.id, '/', { method: 'PUT', body: JSON.stringify({ reloadsPerMinute: rate, leadSeconds: 0 }) })
  expect((await call(minSupportedRoute.PUT, project.id, '/', { method: 'PUT', body: JSON.stringify({ version: 'v2' }) })).status).toBe(200)
}

describe('unsaved work', () => {
  it('a tab whose last heartbeat said unsaved is not granted "now" on a request carrying only a visibility event', async () => {
    const project = await released('unsaved')
    await waveAt(project, 60)
    const s = uid('s')
    // The slot is due at once (lead 0); the heartbeat says unsaved: no start.
    expect(await send(project, s, 'v1', [hb('visible', { unsaved: true })])).toMatchObject({ belowMinimum: true, reloadIn: 1 })
    // The tab goes hidden with its form still dirty: the request carries only that.
    expect(await send(project, s, 'v1', [visibilityEvent('hidden')])).toMatchObject({ belowMinimum: true, reloadIn: 1 })
    expect(runningWave(project.id)).toMatchObject({ granted: 0 })
    // Saved: its next heartbeat says nothing unsaved, and it starts.
    expect(await send(project, s, 'v1', [hb('hidden')])).toMatchObject({ reloadIn: 0 })
  })

  it('a tab the wave has not heard a heartbeat from is not granted "now" on a visibility event alone', async () => {
    const project = await released('unsaved-unknown')
    await waveAt(project, 60)
    const s = uid('s')
    expect(await send(project, s, 'v1', [visibilityEvent('hidden')])).toMatchObject({ belowMinimum: true, reloadIn: 1 })
    expect(await send(project, s, 'v1', [visibilityEvent('hidden'), hb('hidden')])).toMatchObject({ reloadIn: 0 })
  })
})

describe('the same minimum set again', () => {
  it('changes nothing and says so: the API answers unchanged with the first change\'s time, the CLI says "already", no new chart marker', async () => {
    const project = await released('same-minimum')
    const put = () => call(minSupportedRoute.PUT, project.id, '/', { method: 'PUT', body: JSON.stringify({ version: 'v2' }), bearer: project.deployToken })
    const first = await put()
    expect(first.body).toMatchObject({ minSupported: 'v2', previous: null })
    await new Promise((r) => setTimeout(r, 20))
    const again = await put()
    expect(again).toMatchObject({ status: 200, body: { minSupported: 'v2', previous: 'v2', unchanged: true, changedAt: first.body.changedAt } })

    // The CLI, speaking to the same route handler.
    const out: string[] = []
    const code = await runCli(['min-supported', 'v2'], {
      env: { STALEWATCH_URL: 'http://dash.test', STALEWATCH_PROJECT: project.id, STALEWATCH_DEPLOY_TOKEN: project.deployToken },
      out: (l) => out.push(l),
      err: (l) => out.push(l),
      fetch: (async (input: string | URL | Request, init?: RequestInit) =>
        minSupportedRoute.PUT(new Request(input, init), { params: Promise.resolve({ id: project.id }) })) as typeof fetch,
    })
    expect(code).toBe(0)
    expect(out).toEqual([`stalewatch: minimum supported version of project ${project.id} (${project.id}) is already v2, since ${new Date(first.body.changedAt as number).toISOString()}: nothing changed`])

    // One change of the minimum, so one marker on the charts; the audit says unchanged twice.
    expect((await listMinSupportedChanges(project.id)).map((c) => c.version)).toEqual(['v2'])
    const { body } = await call(rolloutRoute.GET, project.id, '/')
    const outcomes = (body.audit as { action: string; outcome: { status: string } }[]).filter((e) => e.action === 'min_supported').map((e) => e.outcome.status)
    expect(outcomes).toEqual(['unchanged', 'unchanged', 'running'])
  })
})

describe('landings after a restart', () => {
  it('a forced reload whose landing reaches Stalewatch only after a restart counts as landed', async () => {
    const project = await released('restart-landing')
    await waveAt(project, 60)
    const [a, b] = [uid('s'), uid('s')]
    expect(await send(project, a, 'v1', [hb('hidden')])).toMatchObject({ reloadIn: 0 })
    // a lands before the restart; b is granted, reloads, and its landing comes after.
    expect(await send(project, a, 'v2', [hb('hidden')])).toMatchObject({ belowMinimum: false })
    const bIn = (await send(project, b, 'v1', [hb('hidden')])).reloadIn!
    await new Promise((r) => setTimeout(r, bIn))
    expect(await send(project, b, 'v1', [hb('hidden')])).toMatchObject({ reloadIn: 0 })
    await tick(rolloutLoop(true))
    expect(runningWave(project.id)).toMatchObject({ granted: 2, landed: 1 })

    // The server restarts: this process forgets its waves and reads them back from the store.
    dropSingleton('rolloutWaves')
    expect(await send(project, b, 'v2', [{ id: uid('e'), ts: Date.now(), type: 'load', visibility: 'hidden', navigation: 'reload', previousVersion: 'v1' }])).toMatchObject({ belowMinimum: false })
    const wave = runningWave(project.id)!
    expect({ granted: wave.granted, landed: wave.landed }).toEqual({ granted: 2, landed: 2 })
    expect(wave.perMinute().reduce((n, m) => n + m.landed, 0)).toBe(2)
  })
})

describe('the preview\'s projection', () => {
  it('projects the end from the tabs\' states: hidden or idle tabs go at their slot, visible or unsaved ones wait; it says it is an estimate', async () => {
    const project = await released('preview-states')
    await call(settingsRoute.PUT, project.id, '/', { method: 'PUT', body: JSON.stringify({ reloadsPerMinute: 2, leadSeconds: 30 }) })
    await send(project, uid('s'), 'v1', [hb('hidden')])
    await send(project, uid('s'), 'v1', [hb('hidden')])
    await send(project, uid('s'), 'v1', [hb('visible', { idle: true })])
    await send(project, uid('s'), 'v1', [hb('visible')])
    await send(project, uid('s'), 'v1', [hb('visible')])
    await send(project, uid('s'), 'v1', [hb('hidden', { unsaved: true })])
    const { body } = await call(previewRoute.GET, project.id, '/?version=v2')
    const p = body as unknown as MinimumPreview
    expect(p.tabs).toMatchObject({ total: 6, hidden: 3, idle: 1, visible: 2, unsaved: 1 })
    // 3 tabs go in their slots (2 hidden, 1 idle) at 2 a minute; 3 wait (2 in use, 1 with unsaved work).
    expect(p.estimate).toEqual({ atSlot: 3, waiting: 3 })
    expect(p.projectedEndAt! - p.startsAt).toBe(90_000)
    const text = previewEndText(p, (t) => new Date(t).toISOString())
    expect(text).toBe(
      `About ${new Date(p.projectedEndAt!).toISOString()} for the 3 hidden or idle tabs, an estimate: the 3 tabs in use or with unsaved work reload only once hidden or idle and saved, which may be later.`,
    )

    // A minimum that forces nobody: no start, no end.
    const none = (await call(previewRoute.GET, project.id, '/?version=v1')).body as unknown as MinimumPreview
    expect(none).toMatchObject({ tabs: { total: 0 }, projectedEndAt: null })
    expect(previewEndText(none, String)).toBe('No live tab is below v1: no tab would reload.')
  })

  it('a wave over no tab does not say when it starts or ends, and one tab reads as one', () => {
    const now = Date.UTC(2026, 0, 1, 12)
    const wave: WaveStatusView = {
      minimum: 'v2', changedAt: now, startsAt: now + 120_000, reloadsPerMinute: 20, paused: false, pausedSince: null, causes: [],
      granted: 0, landed: 0, lastGrantAt: null, perMinute: [], belowMinimum: 0, projectedEndAt: null,
    }
    expect(waveSummary(wave, now)).toEqual({ state: 'done', text: 'Done: no live tab is below v2; 0 forced reloads started, 0 landed.' })
    expect(waveSummary({ ...wave, belowMinimum: 1, granted: 1, landed: 1 }, now).text).toBe(
      'Starts in 120 s (the lead: tabs hear of it first). 1 forced reload started, 1 landed; 1 live tab below v2.',
    )
  })
})
