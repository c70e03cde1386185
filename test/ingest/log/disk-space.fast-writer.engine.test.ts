import { mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { handleIngest } from '@/ingest/events/pipeline'
import { closeIngest, ingestRuntime } from '@/ingest/events/runtime'
import { resetConfigCache } from '@/lib/config'
import { useEngine, testProject } from '../../support/engine'
import { envelope, uid } from '../../support/envelopes'
import { mountSmallDisk } from '../../support/small-disk'
import { errorCode, ingestRequest, storedEvents } from '../../support/ingest-requests'

// The free-space watch reads the disk once a second; a writer faster than
// that once went from above the floor to a full disk between two reads, and
// its requests got 503 storage_unavailable from failed writes. Each append is
// now checked against the bytes it is about to write: ingest sheds with 503
// disk_low at the floor, and no write fails for want of space. On a real
// 4 MiB filesystem (tmpfs) where this machine allows a mount; elsewhere on
// the temporary directory's disk, with the floor set just under its free space.

const KIB = 1024
const disk = mountSmallDisk(4 * 1024 * KIB)
const logDir = disk ? path.join(disk.dir, 'ingest-log') : mkdtempSync(path.join(tmpdir(), 'stalewatch-fast-writer-'))
const freeBytes = (dir: string) => {
  const s = statfsSync(dir)
  return s.bavail * s.bsize
}
const FLOOR = disk ? 512 * KIB : freeBytes(tmpdir()) - 768 * KIB
process.env.STALEWATCH_INGEST_ACK = 'logged'
process.env.STALEWATCH_INGEST_LOG_DIR = logDir
process.env.STALEWATCH_MIN_FREE_DISK_BYTES = String(FLOOR)
resetConfigCache()

useEngine()
afterAll(async () => {
  await closeIngest()
  disk?.unmount()
})

describe('a writer faster than the free-space watch', () => {
  it('is shed with 503 disk_low at the floor, and no write fails for a full disk', async () => {
    const p = await testProject('fast-writer')
    const deps = ingestRuntime().deps
    // About 60 KB a request: 100 errors of 500 characters.
    const big = () => envelope(p.ingestKey, 'v1', Array.from({ length: 100 }, () => ({ id: uid('evt'), type: 'error' as const, ts: Date.now(), message: 'm'.repeat(500) })))
    expect((await handleIngest(ingestRequest(big()), deps)).status).toBe(200)
    if (disk) {
      // 256 KiB above the floor; then let the watch read it (it reads every second).
      writeFileSync(path.join(disk.dir, 'ballast'), Buffer.alloc(freeBytes(disk.dir) - FLOOR - 256 * KIB))
    }
    await new Promise((r) => setTimeout(r, 1500))

    const codes = new Map<string, number>()
    const acknowledged = new Set<string>()
    const started = Date.now()
    // Twelve writers at once, until the floor has been met for a while (or 5 s).
    await Promise.all(
      Array.from({ length: 12 }, async () => {
        let shed = 0
        while (shed < 20 && Date.now() - started < 5000) {
          const e = big()
          const answer = await handleIngest(ingestRequest(e), deps)
          const code = answer.status === 200 ? 'ok' : (errorCode(answer.body) ?? String(answer.status))
          codes.set(code, (codes.get(code) ?? 0) + 1)
          if (answer.status === 200) for (const event of e.events) acknowledged.add(event.id)
          if (code === 'disk_low') shed++
        }
      }),
    )
    const seen = Object.fromEntries(codes)
    console.log(`answers: ${JSON.stringify(seen)}; free now ${freeBytes(disk?.dir ?? logDir)} B, floor ${FLOOR} B`)
    expect(seen.disk_low ?? 0).toBeGreaterThan(0)
    expect(seen, JSON.stringify(seen)).not.toHaveProperty('storage_unavailable')
    if (disk) rmSync(path.join(disk.dir, 'ballast'))
    // Everything acknowledged is stored.
    await expect.poll(async () => (await storedEvents(p.id)).filter((e) => acknowledged.has(e.event_id)).length, { timeout: 30_000, interval: 500 }).toBe(acknowledged.size)
  }, 90_000)
})
