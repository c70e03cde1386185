import { afterAll, beforeAll, expect, it } from 'vitest'
import { startChild, type BenchChild } from '../../../scripts/bench/child'
import type { TabStats } from '../../../scripts/bench/tab-generator'
import { storedEvents } from '../../support/ingest-requests'
import { startIngestServer } from '../../support/ingest-server'
import { testProject, useEngine } from '../../support/engine'

// The live-tabs section's load generator sends prepared request bytes: one
// template per kind of request, the tab, its load, the event's id and the
// times patched in as digits, written on raw kept-alive sockets. What it
// sends must stay valid for the real ingest: every request it counts as
// acknowledged (the 204 header answer) carried an event that was stored,
// heartbeats, and the reload and load of tabs moving to a new release.

useEngine()

let server: Awaited<ReturnType<typeof startIngestServer>>
let generator: BenchChild<object>
beforeAll(async () => {
  server = await startIngestServer()
  generator = await startChild<object>('scripts/bench/tab-generator.ts', {})
})
afterAll(async () => {
  await generator?.stop()
  await server?.close()
})

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

it('every event of a request it counts as acknowledged was stored, beats, reloads and loads alike', async () => {
  const project = await testProject('tab-generator')
  // 1,200 tabs beat 20 times a second, under the ingest's per-address limit.
  await generator.ask({ type: 'start', url: server.url, key: project.ingestKey, tabs: 1_200, versions: ['1.0.0', '1.1.0'], shares: [0.5, 0.5], collectIds: true }, 'started')
  await sleep(1_000)
  // Tabs on 1.0.0 move to 1.1.0 at their next beats: a reload from the old load, a load from the new one.
  await generator.ask({ type: 'release', version: '1.1.0', meanDelayMs: 1 }, 'released')
  await sleep(2_000)
  await generator.ask({ type: 'pause' }, 'paused')
  const stats = (await generator.ask<{ stats: TabStats }>({ type: 'stats' }, 'stats')).stats
  expect(stats.errors).toBe(0)
  expect(Object.keys(stats.byStatus)).toEqual(['204'])
  expect(stats.ackedEvents).toBeGreaterThan(30)
  expect(stats.ackedEvents).toBe(stats.sentEvents)
  expect(stats.ackedIds).toHaveLength(stats.ackedEvents)
  expect(stats.inFlight).toBe(0)
  const acked = [...stats.ackedIds!].sort()
  await expect.poll(async () => (await storedEvents(project.id)).map((e) => e.event_id), { timeout: 20_000, interval: 250 }).toEqual(acked)
  const stored = await storedEvents(project.id)
  const types = new Set(stored.map((e) => e.type))
  expect([...types].sort()).toEqual(['heartbeat', 'load', 'reload'])
  // Every tab its own session, on the version its request said.
  expect(stored.filter((e) => e.type === 'load').every((e) => e.version === '1.1.0')).toBe(true)
  expect(stored.filter((e) => e.type === 'reload').every((e) => e.version === '1.0.0')).toBe(true)
  expect(new Set(stored.map((e) => e.session_id)).size).toBeGreaterThan(20)
})
