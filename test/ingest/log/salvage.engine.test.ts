import { describe, expect, it } from 'vitest'
import { EVENT_COLUMNS, eventValues, type EventRow } from '@/lib/events/row'
import { writeEventLines } from '@/ingest/log/segment-writer'
import { rejectedBytes, splitSegment, storeLines } from '@/ingest/log/salvage'
import { runQuery } from '@/lib/store/run-query'
import { table } from '@/lib/store/tables'
import { testProject, useEngine } from '../../support/engine'
import { eventRowsFor } from '../../support/event-rows'

// Splitting a segment: which lines are rows, and storing them against the
// real engine so that every line ends up either stored or set aside, never
// both and never neither.

useEngine()

const row = (projectId: string, i: number): EventRow => eventRowsFor(projectId, 1, Date.now() - i)[0]!
const line = (r: EventRow) => JSON.stringify(eventValues(r))

describe('splitting a segment', () => {
  it('sets aside a torn last line, an empty line and bytes that are not UTF-8 (kept in base64), and keeps the rows', () => {
    const rows = [row('p', 1), row('p', 2)]
    const garbage = Buffer.from([0xff, 0xfe, 0x00, 0x41])
    const bytes = Buffer.concat([
      Buffer.from(JSON.stringify(EVENT_COLUMNS) + '\n' + line(rows[0]!) + '\n\n'),
      garbage,
      Buffer.from('\n' + line(rows[1]!) + '\n["half a row'),
    ])
    const split = splitSegment('s.jsonl', bytes, EVENT_COLUMNS)
    expect(split.columns).toEqual(EVENT_COLUMNS)
    expect(split.rows.map((r) => [r.line, r.values[1]])).toEqual([
      [2, rows[0]!.event_id],
      [5, rows[1]!.event_id],
    ])
    expect(split.rejected.map((r) => [r.line, r.kind])).toEqual([
      [3, 'not_json'],
      [4, 'not_json'],
      [6, 'torn'],
    ])
    expect(rejectedBytes(split.rejected[1]!)).toEqual(garbage)
    expect(split.rejected[1]!.text).toBeUndefined()
    expect(split.rejected[2]!.text).toBe('["half a row')
  })

  it('stops halving at its insert budget and sets the rest aside as unresolved, so every line is stored or set aside', async () => {
    const p = await testProject('salvage-budget')
    const rows = eventRowsFor(p.id, 64)
    const values = rows.map((r) => eventValues(r))
    // Eight lines ClickHouse refuses, spread out.
    for (let i = 3; i < 64; i += 8) values[i]![6] = 'not a time'
    const bytes = Buffer.from(JSON.stringify(EVENT_COLUMNS) + '\n' + values.map((v) => JSON.stringify(v) + '\n').join(''))
    const split = splitSegment('budget.jsonl', bytes, EVENT_COLUMNS)
    expect(split.rejected).toEqual([])
    const result = await storeLines(split.rows, { segment: 'budget.jsonl', columns: split.columns, insert: writeEventLines, maxInserts: 12 })
    expect(result.inserts).toBe(12)
    const found = await runQuery<{ event_id: string }>('test.salvageBudget', `SELECT event_id FROM ${table('events')} WHERE project_id = {p:String}`, { p: p.id })
    const storedIds = found.map((r) => r.event_id)
    const setAside = result.rejected.map((r) => (JSON.parse(rejectedBytes(r).toString()) as string[])[1]!)
    expect(storedIds.length).toBe(result.stored)
    expect([...storedIds, ...setAside].sort()).toEqual(rows.map((r) => r.event_id).sort())
    expect(new Set(result.rejected.map((r) => r.kind))).toEqual(new Set(['refused', 'unresolved']))
    // The refused lines are all among those set aside.
    for (let i = 3; i < 64; i += 8) expect(setAside).toContain(rows[i]!.event_id)
  })
})
