import { readdirSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { resetConfigCache } from '@/lib/config'
import { runQuery } from '@/lib/store/run-query'
import { table } from '@/lib/store/tables'
import { driveLoad, killHard, settle } from '../../support/app-load'
import { adminFetch, startApp, type RunningApp } from '../../support/app-server'

// The embedded default acknowledges once events are in the ingest log. Here
// the app is SIGKILLed while every acknowledged event is still only in the
// log (segments are held for a minute), then started again: the restart
// replays the log, and every acknowledged event is stored exactly once.

const LOGGED = { STALEWATCH_INGEST_ACK: 'logged' }
const segments = (dataDir: string) => readdirSync(path.join(dataDir, 'ingest-log')).filter((n) => n.endsWith('.jsonl'))

describe('the ingest log across a crash', () => {
  it('stores every event acknowledged before SIGKILL once the app is started again, and each only once', async () => {
    const first = await startApp({ ...LOGGED, STALEWATCH_FLUSH_MAX_WAIT_MS: '60000' })
    const dataDir = first.dataDir
    let second: RunningApp | undefined
    try {
      const created = (await (await adminFetch(first, '/api/projects', { method: 'POST', body: JSON.stringify({ name: 'log-crash' }) })).json()) as {
        id: string
        ingestKey: string
      }
      const load = driveLoad(first, created.ingestKey)
      await settle(1500)
      await killHard(first)
      await load.stop()
      expect(load.acknowledged.size).toBeGreaterThan(0)
      expect(segments(dataDir).length).toBeGreaterThan(0)

      second = await startApp({ ...LOGGED, STALEWATCH_DATA_DIR: dataDir })
      await vi.waitFor(() => expect(segments(dataDir)).toEqual([]), { timeout: 60_000, interval: 200 })
      expect(await second.stop('SIGTERM')).toBe(0)

      process.env.STALEWATCH_DATA_DIR = dataDir
      resetConfigCache()
      const rows = await runQuery<{ event_id: string }>('test.loggedIds', `SELECT event_id FROM ${table('events')} WHERE project_id = {p:String}`, { p: created.id })
      const stored = new Set(rows.map((r) => r.event_id))
      expect([...load.acknowledged].filter((id) => !stored.has(id))).toEqual([])
      expect(rows.length).toBe(stored.size)
    } finally {
      await killHard(first)
      if (second) await killHard(second)
    }
  }, 240_000)
})
