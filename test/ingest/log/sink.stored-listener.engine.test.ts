import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { resetConfigCache } from '@/lib/config'
import { EVENT_COLUMNS, eventValues, type EventRow } from '@/lib/events/row'
import { openSink, type StoredListener } from '@/ingest/log/sink'
import { runQuery } from '@/lib/store/run-query'
import { table } from '@/lib/store/tables'
import { useEngine, testProject } from '../../support/engine'
import { eventRowsFor } from '../../support/event-rows'

// The events' sink tells the live index of each stored batch. With no index
// built (nobody looked at a live figure), telling it must cost nothing: the
// log's segments are not read back and parsed, row by row, for nobody.

process.env.STALEWATCH_INGEST_ACK = 'logged'
process.env.STALEWATCH_INGEST_LOG_DIR = mkdtempSync(path.join(tmpdir(), 'stalewatch-stored-listener-'))
resetConfigCache()
useEngine()

async function storedCount(projectId: string): Promise<number> {
  const rows = await runQuery<{ n: string | number }>('test.count', `SELECT count() AS n FROM ${table('events')} WHERE project_id = {project:String}`, { project: projectId })
  return Number(rows[0]?.n ?? 0)
}

describe('the sink told of stored rows', () => {
  it('reads no stored segment back while its listener wants none, and tells every row once it does', async () => {
    let wanted = false
    const told: number[] = []
    const listener: StoredListener = {
      wanted: () => wanted,
      stored: (_columns, rows) => void told.push(rows().length),
      missed: () => told.push(-1),
    }
    const sink = openSink<EventRow>({ name: 'test log', table: 'events', logSubdir: 'listener', columns: EVENT_COLUMNS, values: eventValues, maxBacklogRows: 100_000, maxBacklogBytes: 1 << 30, onStored: listener })
    try {
      const project = await testProject('listener')
      await sink.add(eventRowsFor(project.id, 30))
      for (let i = 0; i < 200 && (await storedCount(project.id)) < 30; i++) await new Promise((r) => setTimeout(r, 50))
      expect(await storedCount(project.id)).toBe(30)
      expect(told).toEqual([])

      wanted = true
      await sink.add(eventRowsFor(project.id, 20))
      for (let i = 0; i < 200 && told.length === 0; i++) await new Promise((r) => setTimeout(r, 50))
      expect(told).toEqual([20])
    } finally {
      await sink.close()
    }
  })
})
