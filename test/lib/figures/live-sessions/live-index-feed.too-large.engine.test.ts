import { afterAll, expect, it } from 'vitest'
import { closeIngest, ingestRuntime } from '@/ingest/events/runtime'
import type { EventRow } from '@/lib/events/row'
import { liveIndexFor } from '@/lib/figures/live-sessions/live-index-feed'
import { liveTabs, liveTabsFromEvents } from '@/lib/figures/live-sessions/read-live-tabs'
import { insertRows, onQueryTimed } from '@/lib/store/run-query'
import { table } from '@/lib/store/tables'
import { useEngine, testProject } from '../../../support/engine'
import { eventRowsFor } from '../../../support/event-rows'

// A project with more live sessions than the index keeps in memory (1.5 ×
// STALEWATCH_EXACT_LIVE_SESSIONS; someone with the public ingest key can
// invent sessions by the thousand) is never built: its hydration counts the
// sessions first and stops there, without bringing the window into memory,
// and the figures read the table.

process.env.STALEWATCH_EXACT_LIVE_SESSIONS = '40000'
useEngine()
afterAll(() => closeIngest())

const W = 180
const SESSIONS = 61_000

const row = (projectId: string, i: number, at: number): EventRow => ({
  ...eventRowsFor(projectId, 1, at - 10_000)[0]!,
  session_id: `sess_${i}`,
  load_id: `load_${i}`,
  version: i % 3 === 0 ? 'v1' : 'v2',
  event_time: at - 10_000 - (i % 1000),
  visibility: i % 2 === 0 ? 'visible' : 'hidden',
})

it('reads the table for a project past the bound, exactly, and never loads its window into memory', { timeout: 180_000 }, async () => {
  ingestRuntime()
  const project = await testProject('too-large')
  const at = Date.now()
  await insertRows('test', table('events'), Array.from({ length: SESSIONS }, (_, i) => row(project.id, i, at)))
  const reads: string[] = []
  const off = onQueryTimed((q) => reads.push(q.name))
  const first = await liveTabs({ projectId: project.id, at, windowSeconds: W })
  expect(first.reduce((n, r) => n + r.sessions, 0)).toBe(SESSIONS)
  for (let i = 0; i < 600 && !reads.includes('liveIndex.hydrateCount'); i++) await new Promise((resolve) => setTimeout(resolve, 50))
  await new Promise((resolve) => setTimeout(resolve, 500))
  off()
  expect(reads.filter((name) => name.startsWith('liveIndex.'))).toEqual(['liveIndex.hydrateCount'])
  expect(liveIndexFor(project.id, at, W * 1000), 'not built past the bound').toBeNull()
  expect(await liveTabs({ projectId: project.id, at, windowSeconds: W })).toEqual(await liveTabsFromEvents({ projectId: project.id, at, windowSeconds: W }))
})
