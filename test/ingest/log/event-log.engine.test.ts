import { appendFileSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { EventLog } from '@/ingest/log/event-log'
import { EVENT_COLUMNS, eventValues, type EventRow } from '@/lib/events/row'
import { nextSegmentName, rejectedName } from '@/ingest/log/segments'
import { BufferFullError, WriteFailedError } from '@/ingest/log/group-commit'
import { runCommand, runQuery } from '@/lib/store/run-query'
import { table } from '@/lib/store/tables'
import { testProject, useEngine } from '../../support/engine'
import { eventRowsFor } from '../../support/event-rows'
import { mountSmallDisk } from '../../support/small-disk'
import { newLogDir, openTestLog } from '../../support/event-log'

// The ingest log against the real engine: acknowledged rows reach ClickHouse
// once, through a crash, a replay of an already stored segment, a torn last
// line, an outage and a segment ClickHouse refuses as data.

useEngine()

const rowsFor = eventRowsFor

const openLog = openTestLog
const newDir = newLogDir
const segments = (dir: string) => readdirSync(dir).filter((n) => n.endsWith('.jsonl'))

async function stored(projectId: string): Promise<{ rows: number; ids: Set<string> }> {
  const found = await runQuery<{ event_id: string }>('test.logStored', `SELECT event_id FROM ${table('events')} WHERE project_id = {p:String}`, { p: projectId })
  return { rows: found.length, ids: new Set(found.map((r) => r.event_id)) }
}

/** Adds up to `batches` batches (stopping after `maxRefused` refusals); each is acknowledged or refused with `refusal` (by default as over the backlog bound). */
async function addUntilRefused(
  log: EventLog<EventRow>,
  batches: number,
  batch: () => EventRow[],
  { refusal = BufferFullError as new (...args: never[]) => Error, maxRefused = Infinity } = {},
): Promise<{ acknowledged: EventRow[]; refused: number }> {
  const acknowledged: EventRow[] = []
  let refused = 0
  for (let i = 0; i < batches && refused < maxRefused; i++) {
    const rows = batch()
    try {
      await log.add(rows)
      acknowledged.push(...rows)
    } catch (error) {
      expect(error).toBeInstanceOf(refusal)
      refused++
    }
  }
  return { acknowledged, refused }
}

/** Every stored column of a project's rows but the project, by event id. */
async function storedRows(projectId: string): Promise<Map<string, Record<string, unknown>>> {
  const found = await runQuery<Record<string, unknown> & { event_id: string }>(
    'test.logStoredRows',
    `SELECT * EXCEPT project_id FROM ${table('events')} WHERE project_id = {p:String} ORDER BY event_id`,
    { p: projectId },
  )
  return new Map(found.map((r) => [r.event_id, r]))
}

describe('ingest log', () => {
  it('stores whole segments from their files: the same rows, value for value, as an insert of their bytes', async () => {
    const [fromFile, fromBytes] = [await testProject('log-file'), await testProject('log-bytes')]
    const awkward = ['', 'plain', 'quote " and \\ backslash', "apostrophe ' here", 'tab\tnew\nline', 'é ü 漢字 🎉', '\u0000 nul', ' '.repeat(3), 'x'.repeat(2000)]
    const now = Date.now()
    const rows = (projectId: string) =>
      rowsFor(projectId, awkward.length * 3, now).map((r, i) => ({
        ...r,
        event_id: `e${String(i).padStart(4, '0')}`,
        type: i % 2 ? 'error' : 'load',
        message: awkward[i % awkward.length]!,
        navigation: i % 2 ? '' : 'reload',
        previous_version: i % 3 ? '' : awkward[(i + 1) % awkward.length]!.slice(0, 64),
        browser: i % 4 ? 'Chrome' : '',
        browser_major: i % 4 ? 120 + i : 0,
        client_ts: now - 5_000 - i * 1_001,
      }))
    const insertNever = () => Promise.reject(new Error('the bytes path must not be needed for a sound segment'))
    const byFile = openLog(newDir(), { insert: insertNever })
    const byBytes = openLog(newDir(), { insertFile: undefined })
    await byFile.add(rows(fromFile.id))
    await byBytes.add(rows(fromBytes.id))
    await Promise.all([byFile.flush(), byBytes.flush()])
    const [a, b] = [await storedRows(fromFile.id), await storedRows(fromBytes.id)]
    expect(a.size).toBe(awkward.length * 3)
    expect([...a.values()]).toEqual([...b.values()])
    expect(a.get('e0005')!.message).toBe('é ü 漢字 🎉')
    await Promise.all([byFile.close(), byBytes.close()])
  })

  it('stores a left-over segment of an older release, with fewer columns, from its file: missing columns take their defaults', async () => {
    const p = await testProject('log-file-old')
    const dir = newDir()
    const old = EVENT_COLUMNS.filter((c) => c !== 'browser' && c !== 'browser_major')
    const rows = rowsFor(p.id, 4)
    writeFileSync(path.join(dir, nextSegmentName(1)), JSON.stringify(old) + '\n' + rows.map((r) => JSON.stringify(eventValues(r).slice(0, old.length)) + '\n').join(''))
    const log = openLog(dir, { insert: () => Promise.reject(new Error('the bytes path must not be needed')) })
    await log.recovered
    await log.flush()
    const found = await storedRows(p.id)
    expect([...found.values()].map((r) => [r.browser, r.browser_major])).toEqual(rows.map(() => ['', 0]))
    await log.close()
  })

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

  it('sets the lines of a segment that are not rows aside and goes on with the next', async () => {
    const p = await testProject('log-poison')
    const dir = newDir()
    const bad = path.join(dir, '000000000000001-1-000001.jsonl')
    writeFileSync(bad, JSON.stringify(EVENT_COLUMNS) + '\n' + JSON.stringify(['p', 'e', 's', 'l', 'v', 't', 'not a time']) + '\n')
    const quarantined: string[] = []
    const log = openLog(dir, { onQuarantine: (report) => quarantined.push(report.file ?? '') })
    const rows = rowsFor(p.id, 3)
    await log.add(rows)
    await log.flush()
    expect(quarantined).toEqual([path.join(dir, 'quarantine', '000000000000001-1-000001.rejected.jsonl')])
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

  it('cuts a failed append on a full disk back to its last whole row, so every acknowledged row is stored and none is quarantined', async () => {
    const p = await testProject('log-disk-full')
    // A real 3 MiB filesystem where this machine allows a mount; else the same
    // failure (part of the bytes written, then ENOSPC) injected at the append.
    const disk = mountSmallDisk(3 * 1024 * 1024)
    const dir = disk?.dir ?? newDir()
    let appends = 0
    const injected = disk ? {} : { appendFault: () => ++appends % 7 === 0 }
    try {
      const ballast = path.join(dir, 'ballast')
      if (disk) writeFileSync(ballast, Buffer.alloc(512 * 1024))
      const log = openLog(dir, { maxSegmentRows: 1_000_000, maxBacklogRows: 1_000_000, ...injected })
      const batch = () => rowsFor(p.id, 100).map((r) => ({ ...r, type: 'error', message: 'E'.padEnd(500, 'x') }))
      const { acknowledged, refused } = await addUntilRefused(log, 120, batch, { refusal: WriteFailedError, maxRefused: 4 })
      expect(refused).toBe(4)
      // The open segment holds whole rows only: no torn line, no NUL padding.
      const [segment] = segments(dir)
      const lines = readFileSync(path.join(dir, segment!), 'utf8').split('\n')
      expect(lines.pop()).toBe('')
      expect(lines.slice(1).map((l) => (JSON.parse(l) as unknown[])[1])).toEqual(acknowledged.map((r) => r.event_id))

      // Space comes back: the same segment takes rows again.
      if (disk) rmSync(ballast)
      const after = batch()
      await log.add(after)
      acknowledged.push(...after)
      await log.flush()
      const found = await stored(p.id)
      expect(found.ids).toEqual(new Set(acknowledged.map((r) => r.event_id)))
      expect(found.rows).toBe(acknowledged.length)
      expect(existsSync(path.join(dir, 'quarantine'))).toBe(false)
      await log.close()
    } finally {
      disk?.unmount()
    }
  })

  it('quarantines a left-over segment whose header cannot be read at once, stores its rows and goes on with the next', async () => {
    const p = await testProject('log-bad-header')
    const dir = newDir()
    const damagedRows = rowsFor(p.id, 10)
    const laterRows = rowsFor(p.id, 10)
    const lines = (rows: EventRow[]) => rows.map((r) => JSON.stringify(eventValues(r)) + '\n').join('')
    // The first byte of the column line is corrupt.
    const header = JSON.stringify(EVENT_COLUMNS)
    // Names as the log gives them: unique, so no other test's insert shares their deduplication token.
    const [damaged, later] = [nextSegmentName(1), nextSegmentName(2)]
    writeFileSync(path.join(dir, damaged), '\u0007' + header.slice(1) + '\n' + lines(damagedRows))
    writeFileSync(path.join(dir, later), header + '\n' + lines(laterRows))
    const quarantined: string[] = []
    const log = openLog(dir, { onQuarantine: (report) => quarantined.push(report.segment) })
    await Promise.race([log.flush(), new Promise((r) => setTimeout(r, 8000))])
    const found = await stored(p.id)
    expect(found.ids).toEqual(new Set([...damagedRows, ...laterRows].map((r) => r.event_id)))
    expect(found.rows).toBe(20)
    expect(quarantined).toEqual([damaged])
    expect(segments(dir)).toEqual([])
    // Only the column line is set aside, with its reason.
    const rejected = readFileSync(path.join(dir, 'quarantine', rejectedName(damaged)), 'utf8').trim().split('\n')
    expect(rejected.map((l) => JSON.parse(l) as { line: number; kind: string })).toEqual([expect.objectContaining({ line: 1, kind: 'bad_header' })])
    await log.close(300)
  })

  it('splits a segment with bad lines: stores every good row once, sets aside only the bad lines with their reasons, also across a crash mid-way', async () => {
    const p = await testProject('log-split')
    const dir = newDir()
    const good = rowsFor(p.id, 40)
    const name = nextSegmentName(1)
    const body = good.map((r) => JSON.stringify(eventValues(r)))
    body.splice(10, 0, '{"not": "a row"')
    const refused = eventValues(rowsFor(p.id, 1)[0]!)
    refused[6] = 'not a time'
    body.splice(25, 0, JSON.stringify(refused))
    const text = JSON.stringify(EVENT_COLUMNS) + '\n' + body.join('\n') + '\n'
    writeFileSync(path.join(dir, name), text)
    const log = openLog(dir)
    await Promise.race([log.flush(), new Promise((r) => setTimeout(r, 15_000))])
    await log.close(300)
    const found = await stored(p.id)
    expect(found.ids).toEqual(new Set(good.map((r) => r.event_id)))
    expect(found.rows).toBe(40)
    const rejected = readFileSync(path.join(dir, 'quarantine', rejectedName(name)), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { line: number; kind: string; reason: string; text: string })
    // Line numbers count the column line as line 1.
    expect(rejected.map((r) => [r.line, r.kind, r.text])).toEqual([
      [12, 'not_json', '{"not": "a row"'],
      [27, 'refused', JSON.stringify(refused)],
    ])
    expect(rejected[1]!.reason).toMatch(/^code \d+ [A-Z_]+: /)

    // The process died after storing the good rows but before removing the segment: the next start splits it again.
    writeFileSync(path.join(dir, name), text)
    const again = openLog(dir)
    await again.recovered
    await again.flush()
    await again.close()
    expect((await stored(p.id)).rows).toBe(40)
  })

  it('moves a segment file that cannot be read aside whole, and replays the others', async () => {
    const p = await testProject('log-unreadable')
    const dir = newDir()
    // A directory where a segment file should be: every read of it fails (EISDIR).
    const [unreadable, readable] = [nextSegmentName(1), nextSegmentName(2)]
    mkdirSync(path.join(dir, unreadable))
    const rows = rowsFor(p.id, 5)
    writeFileSync(path.join(dir, readable), JSON.stringify(EVENT_COLUMNS) + '\n' + rows.map((r) => JSON.stringify(eventValues(r)) + '\n').join(''))
    const reports: { segment: string; reason: string }[] = []
    const log = openLog(dir, { onQuarantine: (r) => reports.push(r) })
    await log.recovered
    await log.flush()
    expect((await stored(p.id)).ids).toEqual(new Set(rows.map((r) => r.event_id)))
    expect(reports).toEqual([{ segment: unreadable, file: path.join(dir, 'quarantine', unreadable), storedRows: 0, rejected: [], reason: expect.stringMatching(/EISDIR/) }])
    expect(log.stats().quarantineFiles).toBe(1)
    expect(segments(dir)).toEqual([])
    await log.close()
  })
})
