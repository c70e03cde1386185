import { afterAll, expect, it, onTestFinished } from 'vitest'
import { closeIngest, ingestRuntime } from '@/ingest/events/runtime'
import { liveIndexFor, liveIndexReady, readMissingFirstSeen, startLiveIndexWarming, stopLiveIndexWarming, warmLiveIndexes } from '@/lib/figures/live-sessions/live-index-feed'
import { liveTabsFromEvents } from '@/lib/figures/live-sessions/read-live-tabs'
import { liveSessions, liveSessionsFromEvents } from '@/lib/figures/live-sessions/read-now'
import { insertRows, onQueryTimed, runCommand } from '@/lib/store/run-query'
import { qualified, table } from '@/lib/store/tables'
import { sessionFirstSeenTable } from '@/lib/figures/live-sessions/table'
import { useEngine, testProject } from '../../../support/engine'
import { eventRowsFor } from '../../../support/event-rows'
import { send, hb } from '../../../support/rollout-calls'

// Rows that reach the events table without the ingest sink (a test's or a
// script's own insert) do not feed the live index: it is dropped and built
// again, so the figures still count them.

useEngine()
afterAll(() => closeIngest())

const W = 180

async function builtIndex(projectId: string, at: number): Promise<void> {
  await liveSessions({ projectId, at, windowSeconds: W })
  for (let i = 0; i < 300 && !liveIndexFor(projectId, at, W * 1000); i++) await new Promise((resolve) => setTimeout(resolve, 50))
  expect(liveIndexFor(projectId, at, W * 1000), 'the index is built').not.toBeNull()
}

it('counts rows inserted behind the sink, through insertRows and through an INSERT statement', async () => {
  ingestRuntime()
  const project = await testProject('behind')
  await send(project, 'sess_behind_0001', 'v1', [hb('visible')])
  const at = Date.now() + 1_000
  await builtIndex(project.id, at)
  expect((await liveSessions({ projectId: project.id, at, windowSeconds: W })).total).toBe(1)

  // Seven sessions (s0…s6) on 1.0.0, inserted straight into the table.
  await insertRows('test', table('events'), eventRowsFor(project.id, 14, at - 5_000))
  expect(liveIndexFor(project.id, at, W * 1000), 'dropped by the insert').toBeNull()
  expect((await liveSessions({ projectId: project.id, at, windowSeconds: W })).total).toBe(8)
  await builtIndex(project.id, at)
  expect((await liveSessions({ projectId: project.id, at, windowSeconds: W })).versions).toEqual([
    { version: '1.0.0', sessions: 7, visible: 7, hidden: 0 },
    { version: 'v1', sessions: 1, visible: 1, hidden: 0 },
  ])

  // An INSERT … SELECT run as a command: another session, on v2 (the tab's row copied; its load id is the envelope's).
  await runCommand(
    'test.copy',
    `INSERT INTO ${table('events')} SELECT * REPLACE ('sess_copied_0001' AS session_id, 'v2' AS version, concat(event_id, '-copy') AS event_id) FROM ${table('events')} WHERE project_id = {project:String} AND startsWith(load_id, 'load')`,
    { project: project.id },
  )
  expect(liveIndexFor(project.id, at, W * 1000), 'dropped by the statement').toBeNull()
  expect((await liveSessionsFromEvents({ projectId: project.id, at, windowSeconds: W })).total).toBe(9)
  await builtIndex(project.id, at)
  expect((await liveSessions({ projectId: project.id, at, windowSeconds: W })).total).toBe(9)
})

it('stays built through statements that only read the events table to write another (the rollup runs)', async () => {
  ingestRuntime()
  const project = await testProject('reads-events')
  await send(project, 'sess_reads_0001', 'v1', [hb('visible')])
  const at = Date.now() + 1_000
  await builtIndex(project.id, at)
  // As the rollup does every run: INSERT INTO a figure's table … SELECT … FROM events.
  await runCommand(
    'test.rollupLike',
    `INSERT INTO ${qualified(sessionFirstSeenTable)} SELECT project_id, session_id, min(event_time) FROM ${table('events')} WHERE project_id = {project:String} GROUP BY project_id, session_id`,
    { project: project.id },
  )
  expect(liveIndexFor(project.id, at, W * 1000), 'kept through a write into another table').not.toBeNull()
})

it('is built when the node starts for the projects with live tabs, so their first figure reads it ready', async () => {
  ingestRuntime()
  const live = await testProject('warm-live')
  const quiet = await testProject('warm-quiet')
  await send(live, 'sess_warm_0001', 'v1', [hb('visible')])
  await send(live, 'sess_warm_0002', 'v2', [hb('hidden')])
  // Stored (about a second after the ack) before the node's start builds the indexes.
  for (let i = 0; i < 300 && (await liveSessionsFromEvents({ projectId: live.id, at: Date.now(), windowSeconds: W })).total < 2; i++) await new Promise((resolve) => setTimeout(resolve, 50))
  await warmLiveIndexes()
  const at = Date.now()
  const index = liveIndexFor(live.id, at, W * 1000)
  expect(index, 'the first ask finds the index built').not.toBeNull()
  expect(index!.liveSessions(at, W * 1000).map((r) => r.version).sort()).toEqual(['v1', 'v2'])
  // A project with no tab in its window gets none (its first ask starts one).
  expect(liveIndexFor(quiet.id, at, W * 1000)).toBeNull()
})

it('is built, once the server warms it, for a project whose tabs begin to report later, before anyone asks', async () => {
  ingestRuntime()
  startLiveIndexWarming(200)
  onTestFinished(() => stopLiveIndexWarming())
  const project = await testProject('warm-later')
  expect(liveIndexReady(project.id)).toBe(false)
  await send(project, 'sess_later_0001', 'v1', [hb('visible')])
  for (let i = 0; i < 300 && !liveIndexReady(project.id); i++) await new Promise((resolve) => setTimeout(resolve, 50))
  expect(liveIndexReady(project.id), 'built with no figure asked').toBe(true)
  expect(liveIndexFor(project.id, Date.now(), W * 1000)!.liveSessions(Date.now(), W * 1000)).toEqual([{ version: 'v1', sessions: 1, visible: 1, hidden: 0 }])
  // A session that begins now has its tab age read by the warming too, before a figure needs it.
  await send(project, 'sess_later_0002', 'v1', [hb('hidden')])
  const index = liveIndexFor(project.id, Date.now(), W * 1000)!
  const settled = () => index.liveSessions(Date.now(), W * 1000)[0]?.sessions === 2 && index.unknownFirstSeen(Date.now(), W * 1000).length === 0
  for (let i = 0; i < 300 && !settled(); i++) await new Promise((resolve) => setTimeout(resolve, 50))
  expect(index.unknownFirstSeen(Date.now(), W * 1000), 'tab ages read with no figure asked').toEqual([])
  expect(index.liveSessions(Date.now(), W * 1000)[0]?.sessions).toBe(2)
})

it('reads the tab ages of many sessions it has not read them for by the window, not by a list of their ids', async () => {
  ingestRuntime()
  const project = await testProject('first-seen-many')
  await send(project, 'sess_many_0000', 'v1', [hb('visible')])
  const at0 = Date.now()
  await builtIndex(project.id, at0)
  // Sessions that begin after the index was built: their first-seen times are not read yet.
  for (let i = 1; i <= 8; i++) await send(project, `sess_many_000${i}`, i % 2 ? 'v1' : 'v2', [hb(i % 3 ? 'visible' : 'hidden')])
  const at = Date.now() + 1_000
  for (let i = 0; i < 300 && liveIndexFor(project.id, at, W * 1000)!.liveSessions(at, W * 1000).reduce((n, r) => n + r.sessions, 0) < 9; i++) await new Promise((resolve) => setTimeout(resolve, 50))
  const index = liveIndexFor(project.id, at, W * 1000)!
  expect(index.unknownFirstSeen(at, W * 1000).length).toBe(8)
  const reads: string[] = []
  const off = onQueryTimed((q) => reads.push(q.name))
  await readMissingFirstSeen(project.id, index, at, W * 1000, 5)
  off()
  expect(reads.filter((name) => name.startsWith('liveIndex.firstSeen'))).toEqual(['liveIndex.firstSeenOfWindow'])
  expect(index.unknownFirstSeen(at, W * 1000)).toEqual([])
  const key = (r: { version: string; visibility: string; ageBucket: number }) => `${r.version}|${r.visibility}|${r.ageBucket}`
  const sorted = <T extends { version: string; visibility: string; ageBucket: number }>(rows: T[]) => [...rows].sort((a, b) => key(a).localeCompare(key(b)))
  expect(sorted(index.liveTabs(at, W * 1000))).toEqual(sorted(await liveTabsFromEvents({ projectId: project.id, at, windowSeconds: W })))
})
