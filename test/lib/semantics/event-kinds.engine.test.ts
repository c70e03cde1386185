import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { handleIngest } from '@/ingest/events/pipeline'
import { ingestRuntime } from '@/ingest/events/runtime'
import { eventMinutes } from '@/lib/figures/event-rates/read-minutes'
import { eventRate, RATE_EVENTS } from '@/lib/figures/event-rates/read-rate'
import { CHARTED_EVENT_KINDS, EVENT_KINDS, kindPredicateSql, STORED_EVENT_KINDS, type EventKind } from '@/lib/semantics/event-kinds'
import { runQuery } from '@/lib/store/run-query'
import { table } from '@/lib/store/tables'
import type { WireEvent } from '@/sdk/src/wire'
import { testProject, useEngine } from '../../support/engine'
import { uid } from '../../support/envelopes'

// The kinds of events the figures count are one table
// (lib/semantics/event-kinds.ts, docs/semantics.md, Event kinds): every kind
// list in SQL comes from it, and each kind's SQL picks out exactly the events
// the table's definition names, in the real engine.
useEngine()

const root = path.resolve(import.meta.dirname, '../../..')
const M = 60_000

describe('the event kinds table', () => {
  it('is the only place SQL names event types', () => {
    const files = ['lib', 'ingest'].flatMap((dir) =>
      readdirSync(path.join(root, dir), { recursive: true, withFileTypes: true })
        .filter((d) => d.isFile() && d.name.endsWith('.ts'))
        .map((d) => path.relative(root, path.join(d.parentPath, d.name))),
    )
    const offenders: string[] = []
    for (const file of files) {
      if (file === path.join('lib', 'semantics', 'event-kinds.ts')) continue
      const text = readFileSync(path.join(root, file), 'utf8')
      for (const m of text.matchAll(/\btype\s*!?=\s*'|\btype\s+(?:NOT\s+)?IN\s*\(|navigation\s*=\s*'|visibility\s*=\s*'visible'/g)) offenders.push(`${file}: ${m[0]}`)
    }
    expect(offenders).toEqual([])
    expect(files.length).toBeGreaterThan(50)
  })

  it('stores every charted kind per minute, and names the alerts\' events by kinds of its own', () => {
    for (const kind of CHARTED_EVENT_KINDS) expect(STORED_EVENT_KINDS).toContain(kind)
    for (const kind of Object.values(RATE_EVENTS)) expect(Object.keys(EVENT_KINDS)).toContain(kind)
    // Distinct names for the two things "reload" could mean (docs/semantics.md, Reloads).
    expect(EVENT_KINDS.reload.types).toEqual(['reload'])
    expect(RATE_EVENTS.reload).toBe('reloaded_load')
  })

  it('picks out in SQL exactly the events each kind is defined as', async () => {
    const project = await testProject('event-kinds')
    const at = Math.floor(Date.now() / M) * M - 5 * M
    // Every wire event type, with each kind it belongs to by the table's definition.
    const events: [WireEvent, EventKind[]][] = [
      [{ id: uid('e'), ts: at, type: 'load', visibility: 'visible', navigation: 'navigate' }, ['load']],
      [{ id: uid('e'), ts: at, type: 'load', visibility: 'visible', navigation: 'reload', previousVersion: 'v0' }, ['load', 'reloaded_load']],
      [{ id: uid('e'), ts: at, type: 'load', visibility: 'hidden', navigation: 'back_forward' }, ['load']],
      [{ id: uid('e'), ts: at, type: 'heartbeat', visibility: 'visible' }, ['heartbeat']],
      [{ id: uid('e'), ts: at, type: 'visibility', visibility: 'visible' }, ['return']],
      [{ id: uid('e'), ts: at, type: 'visibility', visibility: 'hidden' }, []],
      [{ id: uid('e'), ts: at, type: 'freeze' }, []],
      [{ id: uid('e'), ts: at, type: 'resume' }, ['resume']],
      [{ id: uid('e'), ts: at, type: 'update_available', latest: 'v2' }, []],
      [{ id: uid('e'), ts: at, type: 'update_prompt', action: 'accepted' }, []],
      [{ id: uid('e'), ts: at, type: 'reload', reason: 'forced' }, ['reload']],
      [{ id: uid('e'), ts: at, type: 'error', message: 'ChunkLoadError' }, ['error']],
    ]
    const result = await handleIngest(
      {
        method: 'POST',
        contentType: 'application/json',
        queryKey: null,
        body: new TextEncoder().encode(JSON.stringify({ key: project.ingestKey, session: uid('sess'), load: uid('load'), version: 'v1', sentAt: at, events: events.map(([e]) => e) })),
        bodyTooLarge: false,
        receivedAt: at,
      },
      { ...ingestRuntime().deps, rateLimiter: undefined },
    )
    expect(result.status).toBe(200)

    for (const kind of Object.keys(EVENT_KINDS) as EventKind[]) {
      const rows = await runQuery<{ event_id: string }>(
        'test.kind',
        `SELECT event_id FROM ${table('events')} WHERE project_id = {project:String} AND ${kindPredicateSql(kind)} ORDER BY event_id`,
        { project: project.id },
      )
      const expected = events.filter(([, kinds]) => kinds.includes(kind)).map(([e]) => e.id).sort()
      expect(rows.map((r) => r.event_id), kind).toEqual(expected)
    }

    // The per-minute figure counts every stored kind once, with its detail.
    const perMinute = await eventMinutes({ projectId: project.id, from: at - M, to: at + M, kinds: STORED_EVENT_KINDS, seriesBy: 'reason', source: 'raw' })
    expect(perMinute.map((r) => [r.kind, r.series, r.events]).sort()).toEqual(
      [['error', '', 1], ['load', 'back_forward', 1], ['load', 'navigate', 1], ['load', 'reload', 1], ['reload', 'forced', 1], ['resume', '', 1], ['return', '', 1]].sort(),
    )
    // The alert's counts: a reload is a reloaded load.
    const rate = await eventRate({ projectId: project.id, at: at + 1, baselineMinutes: 5 })
    expect(rate.lastMinute).toEqual({ reload: 1, resume: 1, visible: 1 })
  })
})
