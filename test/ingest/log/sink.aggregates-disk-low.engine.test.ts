import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resetConfigCache } from '@/lib/config'
import { useEngine, testProject } from '../../support/engine'
import { item, postAggregates, startStalewatchIngest } from '../../support/backend-load'

// The backend-load aggregates are acknowledged like events (ingest/log/sink.ts,
// one factory for both): with the disk under STALEWATCH_MIN_FREE_DISK_BYTES
// they are shed with 503 disk_low, not appended to a log on a disk that is
// about to fill. The floor here is set above the temporary directory's real
// free space, so the disk reads as low at once.

process.env.STALEWATCH_INGEST_ACK = 'logged'
process.env.STALEWATCH_INGEST_LOG_DIR = mkdtempSync(path.join(tmpdir(), 'stalewatch-agg-disk-low-'))
process.env.STALEWATCH_MIN_FREE_DISK_BYTES = String(1024 ** 5)
resetConfigCache()
useEngine()

let stalewatch: Awaited<ReturnType<typeof startStalewatchIngest>>
beforeAll(async () => {
  stalewatch = await startStalewatchIngest()
})
afterAll(() => stalewatch.close())

describe('aggregates on a nearly full disk', () => {
  it('are shed with 503 disk_low and Retry-After, as events are', async () => {
    const project = await testProject('agg-disk-low')
    const answer = await postAggregates(stalewatch.aggregatesUrl, project.serverKey, { sentAt: Date.now(), items: [item({ count: 3 })] })
    expect(answer.status).toBe(503)
    expect(answer.json).toMatchObject({ error: { code: 'disk_low' } })
  })
})
