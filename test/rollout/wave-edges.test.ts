import { describe, expect, it } from 'vitest'
import * as minSupportedRoute from '@/app/api/projects/[id]/min-supported/route'
import * as settingsRoute from '@/app/api/projects/[id]/rollout/settings/route'
import { runningWave } from '@/lib/rollout/registry'
import type { WireEvent } from '@/lib/wire-format'
import { useEngine } from '../support/engine'
import { uid } from '../support/envelopes'
import { call, hb, released, send, type Project } from '../support/rollout-calls'

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
