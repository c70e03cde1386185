import { appendFileSync, copyFileSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { EventLog, type EventLogOptions } from '@/ingest/event-log'
import { EVENT_COLUMNS, eventValues, type EventRow } from '@/ingest/event-row'
import { writeEventLines } from '@/ingest/event-writer'
import { BufferFullError } from '@/ingest/group-commit'
import { runCommand, runQuery } from '@/lib/store/run-query'
import { table } from '@/lib/store/tables'
import { randomUUID } from 'node:crypto'
import { testProject, useEngine } from '../support/engine'

// The ingest log against the real engine: acknowledged rows reach ClickHouse
// once, through a crash, a replay of an already stored segment, a torn last
// line, an outage and a segment ClickHouse refuses as data.

useEngine()

function rowsFor(projectId: string, count: number): EventRow[] {
  const now = Date.now()
  return Array.from({ length: count }, (_, i) => ({
    project_id: projectId,
    event_id: randomUUID(),
    session_id: `s${i % 7}`,
    load_id: `l${i % 7}`,
    version: '1.0.0',
    type: 'heartbeat',
    event_time: now - i,
    client_ts: now - i,
    received_at: now,
    visibility: 'visible',
    navigation: '',
    previous_version: '',
    reason: '',
    action: '',
    latest: '',
    message: '',
  }))
}

function openLog(dir: string, overrides: Partial<EventLogOptions<EventRow>> = {}): EventLog<EventRow> {
  return new EventLog<EventRow>({
    dir,
    columns: EVENT_COLUMNS,
    values: eventValues,
    insert: writeEventLines,
    maxSegmentRows: 1000,
    maxSegmentAgeMs: 60_000,
    maxBacklogRows: 10_000,
    maxBacklogBytes: 1_000_000_000,
    fsync: true,
    retryDelayMs: () => 20,
    ...overrides,
  })
}

const newDir = () => mkdtempSync(path.join(tmpdir(), 'stalewatch-log-'))
const segments = (dir: string) => readdirSync(dir).filter((n) => n.endsWith('.jsonl'))

async function stored(projectId: string): Promise<{ rows: number; ids: Set<string> }> {
  const found = await runQuery<{ event_id: string }>('test.logStored', `SELECT event_id FROM ${table('events')} WHERE project_id = {p:String}`, { p: projectId })
  return { rows: found.length, ids: new Set(found.map((r) => r.event_id)) }
}

/** Adds `batches` batches; each is acknowledged or refused as over the backlog bound. */
async function addUntilRefused(log: EventLog<EventRow>, batches: number, batch: () => EventRow[]): Promise<{ acknowledged: EventRow[]; refused: number }> {
  const acknowledged: EventRow[] = []
  let refused = 0
  for (let i = 0; i < batches; i++) {
    const rows = batch()
    try {
      await log.add(rows)
      acknowledged.push(...rows)
    } catch (error) {
      expect(error).toBeInstanceOf(BufferFullError)
      refused++
    }
  }
  return { acknowledged, refused }
}

describe('ingest log', () => {
  it('acknowledges once the rows are on disk, and stores them when the segment closes', async () => {
    const p = await testProject('log')
    const dir = newDir()
    const log = openLog(dir)
    const rows = rowsFor(p.id, 30)
    await Promise.all([log.add(rows.slice(0, 10)), log.add(rows.slice(10, 30))])
    expect(segments(dir)).toHaveLength(1)
    expect((await stored(p.id)).rows).toBe(0)
    expect(log.backlogRows()).toBe(30)

    await log.flush()
    const after = await stored(p.id)
    expect(after.rows).toBe(30)
    expect(after.ids).toEqual(new Set(rows.map((r) => r.event_id)))
    expect(segments(dir)).toEqual([])
    expect(log.backlogRows()).toBe(0)
    await log.close()
  })

  it('replays what a crashed process acknowledged, and a segment stored just before the crash only once', async () => {
    const p = await testProject('log-crash')
    const dir = newDir()
    const first = openLog(dir)
    const storedBeforeCrash = rowsFor(p.id, 40)
    await first.add(storedBeforeCrash)
    const [segment] = segments(dir)
    // The crash comes after this segment's insert but before its file was deleted.
    copyFileSync(path.join(dir, segment!), path.join(dir, `${segment}.copy`))
    await first.flush()
    writeFileSync(path.join(dir, segment!), '')
    copyFileSync(path.join(dir, `${segment}.copy`), path.join(dir, segment!))
    // …and these rows were acknowledged but never inserted.
    const unshipped = rowsFor(p.id, 25)
    await first.add(unshipped)
    expect((await stored(p.id)).rows).toBe(40)
    // No close(): the process died here.

    const second = openLog(dir)
    await second.recovered
    await second.flush()
    const after = await stored(p.id)
    expect(after.ids).toEqual(new Set([...storedBeforeCrash, ...unshipped].map((r) => r.event_id)))
    expect(after.rows).toBe(65)
    expect(segments(dir)).toEqual([])
    await second.close()
  })

  it('cuts a torn last line off a segment and stores the whole lines', async () => {
    const p = await testProject('log-torn')
    const dir = newDir()
    const first = openLog(dir)
    const rows = rowsFor(p.id, 5)
    await first.add(rows)
    appendFileSync(path.join(dir, segments(dir)[0]!), '["' + p.id + '","half a ro')

    const second = openLog(dir)
    await second.recovered
    await second.flush()
    expect((await stored(p.id)).ids).toEqual(new Set(rows.map((r) => r.event_id)))
    await second.close()
  })

  it('keeps acknowledging while ClickHouse is down, refuses past the backlog bound, and stores everything once it is back', async () => {
    const p = await testProject('log-outage')
    const dir = newDir()
    const log = openLog(dir, { maxSegmentRows: 20, maxBacklogRows: 100 })
    await runCommand('test.detachEvents', `DETACH TABLE ${table('events')}`)
    let acknowledged: EventRow[] = []
    try {
      const { refused, ...sent } = await addUntilRefused(log, 8, () => rowsFor(p.id, 20))
      acknowledged = sent.acknowledged
      expect(acknowledged.length).toBe(100)
      expect(refused).toBe(3)
      await vi.waitFor(() => expect(log.stats().failedFlushes).toBeGreaterThan(0), { timeout: 10_000 })
    } finally {
      await runCommand('test.attachEvents', `ATTACH TABLE ${table('events')}`)
    }
    await log.flush()
    const after = await stored(p.id)
    expect(after.ids).toEqual(new Set(acknowledged.map((r) => r.event_id)))
    expect(after.rows).toBe(100)
    await log.add(rowsFor(p.id, 1))
    await log.close()
  })

  it('refuses past the backlog bound in bytes while ClickHouse is down, and takes rows again once they are stored', async () => {
    const p = await testProject('log-bytes')
    const dir = newDir()
    // Rows with long error messages: the row bound alone would let them fill the disk.
    const batch = () => rowsFor(p.id, 5).map((r) => ({ ...r, type: 'error', message: 'ChunkLoadError: '.padEnd(2_000, 'x') }))
    const batchBytes = batch().reduce((n, r) => n + Buffer.byteLength(JSON.stringify(eventValues(r))) + 1, 0)
    const log = openLog(dir, { maxSegmentRows: 5, maxBacklogBytes: Math.floor(4.5 * batchBytes) })
    await runCommand('test.detachEvents', `DETACH TABLE ${table('events')}`)
    let acknowledged: EventRow[] = []
    try {
      const { refused, ...sent } = await addUntilRefused(log, 7, batch)
      acknowledged = sent.acknowledged
      expect(acknowledged.length).toBe(20)
      expect(refused).toBe(3)
      // What /api/metrics reports as stalewatch_ingest_buffer_bytes and its capacity.
      expect(log.stats()).toMatchObject({ bytes: 4 * batchBytes, capacityBytes: Math.floor(4.5 * batchBytes) })
    } finally {
      await runCommand('test.attachEvents', `ATTACH TABLE ${table('events')}`)
    }
    await log.flush()
    expect((await stored(p.id)).ids).toEqual(new Set(acknowledged.map((r) => r.event_id)))
    expect(log.stats().bytes).toBe(0)
    // Stored rows no longer count against the bound.
    for (let i = 0; i < 4; i++) await log.add(batch())
    await log.close()
  })

  it('moves a segment ClickHouse refuses as data aside and goes on with the next', async () => {
    const p = await testProject('log-poison')
    const dir = newDir()
    const bad = path.join(dir, '000000000000001-1-000001.jsonl')
    writeFileSync(bad, JSON.stringify(EVENT_COLUMNS) + '\n' + JSON.stringify(['p', 'e', 's', 'l', 'v', 't', 'not a time']) + '\n')
    const quarantined: string[] = []
    const log = openLog(dir, { onQuarantine: (file) => quarantined.push(file) })
    const rows = rowsFor(p.id, 3)
    await log.add(rows)
    await log.flush()
    expect(quarantined).toEqual([path.join(dir, 'quarantine', path.basename(bad))])
    expect((await stored(p.id)).ids).toEqual(new Set(rows.map((r) => r.event_id)))
    await log.close()
  })

  it('refuses new rows once closed and leaves what it could not store for the next start', async () => {
    const p = await testProject('log-close')
    const dir = newDir()
    const log = openLog(dir)
    await runCommand('test.detachEvents', `DETACH TABLE ${table('events')}`)
    try {
      await log.add(rowsFor(p.id, 4))
      await log.close(300)
      await expect(log.add(rowsFor(p.id, 1))).rejects.toThrow(/shutting down/)
    } finally {
      await runCommand('test.attachEvents', `ATTACH TABLE ${table('events')}`)
    }
    expect(segments(dir)).toHaveLength(1)
    const next = openLog(dir)
    await next.recovered
    await next.flush()
    expect((await stored(p.id)).rows).toBe(4)
    await next.close()
  })
})
