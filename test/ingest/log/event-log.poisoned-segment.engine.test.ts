import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { ClickHouseError } from '@clickhouse/client'
import { describe, expect, it } from 'vitest'
import { AGGREGATE_COLUMNS, aggregateValues, type AggregateRow } from '@/lib/aggregates/row'
import { EventLog, type EventLogOptions, type QuarantineReport } from '@/ingest/log/event-log'
import type { SegmentInsert } from '@/ingest/log/segments'
import { EVENT_COLUMNS, eventValues, type EventRow } from '@/lib/events/row'
import { segmentWriter, writeEventLines } from '@/ingest/log/segment-writer'
import { nextSegmentName, rejectedName } from '@/ingest/log/segments'
import { runQuery } from '@/lib/store/run-query'
import { table } from '@/lib/store/tables'
import { testProject, useEngine } from '../../support/engine'
import { newLogDir as newDir, openTestLog } from '../../support/event-log'
import { eventRowsFor } from '../../support/event-rows'
import { storedByLabels } from '../../support/backend-load'

// A segment the engine keeps refusing, whatever its error code, never holds
// the log up: it is split after a bounded number of tries, its refused lines
// go to quarantine, and its good rows and every other project's rows are
// stored meanwhile. The "is this bad data" decision reads the engine's code,
// parsed once in lib/store, for an embedded refusal and a server's alike.

useEngine()

const openLog = (dir: string, overrides: Partial<EventLogOptions<EventRow>> = {}) => openTestLog(dir, { maxSegmentAgeMs: 100, ...overrides })

async function storedIds(projectId: string): Promise<Set<string>> {
  const found = await runQuery<{ event_id: string }>('test.poisonStored', `SELECT event_id FROM ${table('events')} WHERE project_id = {p:String}`, { p: projectId })
  return new Set(found.map((r) => r.event_id))
}

/** Polls until `check` holds or `ms` pass; the last value either way. */
async function pollUntil<T>(read: () => Promise<T>, check: (value: T) => boolean, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms
  let value = await read()
  while (!check(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100))
    value = await read()
  }
  return value
}

/** A segment file as an older release's edge let it through: good rows with one lone high surrogate among them. */
function writePoisonedSegment(dir: string, good: EventRow[]): { name: string; poisonLine: string } {
  const poisoned = { ...eventRowsFor(good[0]!.project_id, 1)[0]!, type: 'error', message: 'boom \ud800' }
  // JSON.stringify writes a lone surrogate as the escape \ud800, which the engine cannot parse (code 25).
  const poisonLine = JSON.stringify(eventValues(poisoned))
  const body = good.map((r) => JSON.stringify(eventValues(r)))
  body.splice(3, 0, poisonLine)
  const name = nextSegmentName(1)
  writeFileSync(path.join(dir, name), JSON.stringify(EVENT_COLUMNS) + '\n' + body.join('\n') + '\n')
  return { name, poisonLine }
}

describe('a segment the engine keeps refusing', () => {
  it("is split after a bounded number of tries whatever its code: its good rows and another project's later rows are stored, the refused line is quarantined with its code", async () => {
    const [poisonedProject, other] = [await testProject('poisoned'), await testProject('bystander')]
    const dir = newDir()
    const good = eventRowsFor(poisonedProject.id, 8)
    const { name, poisonLine } = writePoisonedSegment(dir, good)
    const reports: QuarantineReport[] = []
    const log = openLog(dir, { onQuarantine: (r) => reports.push(r) })
    await log.recovered
    const later = eventRowsFor(other.id, 5)
    await log.add(later)

    const bystander = await pollUntil(() => storedIds(other.id), (ids) => ids.size === later.length)
    expect(bystander).toEqual(new Set(later.map((r) => r.event_id)))
    expect(await storedIds(poisonedProject.id)).toEqual(new Set(good.map((r) => r.event_id)))
    const rejected = readFileSync(path.join(dir, 'quarantine', rejectedName(name)), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { line: number; kind: string; reason: string; text: string })
    expect(rejected.map((r) => [r.line, r.kind, r.text])).toEqual([[5, 'refused', poisonLine]])
    expect(rejected[0]!.reason).toMatch(/code 25 CANNOT_PARSE_ESCAPE_SEQUENCE/)
    expect(reports.map((r) => [r.segment, r.storedRows, r.reason])).toEqual([[name, good.length, expect.stringMatching(/refused it 3 times \(code 25 CANNOT_PARSE_ESCAPE_SEQUENCE\)/)]])
    expect(readdirSync(dir).filter((n) => n.endsWith('.jsonl'))).toEqual([])
    await log.close(300)
  })

  it('is not split while the engine stores nothing at all (an outage): it waits and is stored whole once the engine is back', async () => {
    const p = await testProject('outage')
    const dir = newDir()
    let down = true
    const reports: QuarantineReport[] = []
    const log = openLog(dir, {
      insertFile: undefined,
      insert: async (segment) => {
        if (down) throw new Error('connect ECONNREFUSED 127.0.0.1:8123')
        await writeEventLines(segment)
      },
      onQuarantine: (r) => reports.push(r),
    })
    const rows = eventRowsFor(p.id, 6)
    await log.add(rows)
    await pollUntil(async () => log.stats().failedFlushes, (n) => n >= 10)
    expect(log.stats().failedFlushes).toBeGreaterThanOrEqual(10)
    down = false
    await log.flush()
    expect(await storedIds(p.id)).toEqual(new Set(rows.map((r) => r.event_id)))
    expect(reports).toEqual([])
    await log.close(300)
  })
})

describe('a segment the engine keeps refusing, in the aggregates log', () => {
  it("is split the same way: another project's later counts are stored, the refused line is quarantined", async () => {
    const [poisonedProject, other] = [await testProject('agg-poisoned'), await testProject('agg-bystander')]
    const dir = newDir()
    const minute = Math.floor(Date.now() / 60_000) * 60
    const row = (projectId: string, route: string, requests: number): AggregateRow => ({ project_id: projectId, kind: 'http', minute, version: 'v1', route_group: route, status_class: '2xx', requests })
    const name = nextSegmentName(1)
    const lines = [row(poisonedProject.id, '/good', 2), row(poisonedProject.id, '/bad\ud800', 3), row(poisonedProject.id, '/good', 4)].map((r) => JSON.stringify(aggregateValues(r)))
    writeFileSync(path.join(dir, name), JSON.stringify(AGGREGATE_COLUMNS) + '\n' + lines.join('\n') + '\n')
    const log = new EventLog<AggregateRow>({
      dir,
      columns: AGGREGATE_COLUMNS,
      values: aggregateValues,
      insert: segmentWriter('backend_load_raw'),
      maxSegmentRows: 1000,
      maxSegmentAgeMs: 100,
      maxBacklogRows: 10_000,
      maxBacklogBytes: 1_000_000_000,
      fsync: true,
      retryDelayMs: () => 20,
    })
    await log.recovered
    await log.add([row(other.id, '/later', 5)])
    const later = await pollUntil(() => storedByLabels(other.id), (rows) => rows.length === 1)
    expect(later.map((r) => [r.route_group, r.requests])).toEqual([['/later', 5]])
    expect((await storedByLabels(poisonedProject.id)).map((r) => [r.route_group, r.requests])).toEqual([['/good', 6]])
    const rejected = readFileSync(path.join(dir, 'quarantine', rejectedName(name)), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { line: number; kind: string; reason: string })
    expect(rejected.map((r) => [r.line, r.kind])).toEqual([[3, 'refused']])
    expect(rejected[0]!.reason).toMatch(/^code 25 CANNOT_PARSE_ESCAPE_SEQUENCE: /)
    await log.close(300)
  })
})

describe('the log decides on the engine code, parsed once', () => {
  /** A segment of good rows with one row the engine refuses as data (a time that is not one: code 27 on the embedded engine). */
  function writeBadTimeSegment(dir: string, good: EventRow[]): string {
    const refused = eventValues(eventRowsFor(good[0]!.project_id, 1)[0]!)
    refused[6] = 'not a time'
    const body = good.map((r) => JSON.stringify(eventValues(r)))
    body.splice(2, 0, JSON.stringify(refused))
    const name = nextSegmentName(1)
    writeFileSync(path.join(dir, name), JSON.stringify(EVENT_COLUMNS) + '\n' + body.join('\n') + '\n')
    return name
  }

  it('splits at once on an embedded refusal with a data code', async () => {
    const p = await testProject('code-embedded')
    const dir = newDir()
    const good = eventRowsFor(p.id, 6)
    writeBadTimeSegment(dir, good)
    const reports: QuarantineReport[] = []
    const log = openLog(dir, { insertFile: undefined, onQuarantine: (r) => reports.push(r) })
    await log.recovered
    await log.flush()
    expect(log.stats().failedFlushes).toBe(0)
    expect(reports.map((r) => [r.storedRows, r.rejected.map((l) => l.kind), r.reason])).toEqual([[6, ['refused'], expect.stringMatching(/^ClickHouse refused it as data \(code \d+ [A-Z_]+\)/)]])
    expect(await storedIds(p.id)).toEqual(new Set(good.map((r) => r.event_id)))
    await log.close(300)
  })

  it("splits at once on a server's refusal, shaped as clickhouse-js throws it (the code in .code, not in the message)", async () => {
    const p = await testProject('code-server')
    const dir = newDir()
    const good = eventRowsFor(p.id, 6)
    writeBadTimeSegment(dir, good)
    const reports: QuarantineReport[] = []
    // A server answers a bad row as clickhouse-js's parseError leaves it: the code and type apart, the message without "Code: N.".
    const serverInsert = async (segment: SegmentInsert) => {
      if (segment.bytes.includes('not a time')) {
        throw new ClickHouseError({ message: "Cannot parse input: expected '\"' before: 'not a time'", code: '27', type: 'CANNOT_PARSE_INPUT_ASSERTION_FAILED' })
      }
      await writeEventLines(segment)
    }
    const log = openLog(dir, { insertFile: undefined, insert: serverInsert, onQuarantine: (r) => reports.push(r) })
    await log.recovered
    await Promise.race([log.flush(), new Promise((r) => setTimeout(r, 5000))])
    expect(log.stats().failedFlushes).toBe(0)
    expect(reports.map((r) => [r.storedRows, r.rejected.map((l) => [l.kind, l.reason]), r.reason])).toEqual([
      [6, [['refused', 'code 27 CANNOT_PARSE_INPUT_ASSERTION_FAILED: Cannot parse input: expected \'"\' before: \'not a time\'']], 'ClickHouse refused it as data (code 27 CANNOT_PARSE_INPUT_ASSERTION_FAILED)'],
    ])
    expect(await storedIds(p.id)).toEqual(new Set(good.map((r) => r.event_id)))
    await log.close(300)
  })
})
