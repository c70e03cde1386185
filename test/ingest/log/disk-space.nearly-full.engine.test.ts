import { existsSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { ingestMetrics } from '@/ingest/edge/metrics'
import { handleIngest } from '@/ingest/events/pipeline'
import { closeIngest, ingestRuntime } from '@/ingest/events/runtime'
import { resetConfigCache } from '@/lib/config'
import { metricsText } from '@/lib/metrics/render'
import { useEngine, testProject } from '../../support/engine'
import { envelope, heartbeat } from '../../support/envelopes'
import { mountSmallDisk } from '../../support/small-disk'
import { errorCode, ingestRequest, storedEvents } from '../../support/ingest-requests'

// The ingest log's disk is watched: ingest sheds with 503 disk_low and
// Retry-After while the free space is under STALEWATCH_MIN_FREE_DISK_BYTES,
// before the disk is full, and takes events again once space is back. On a
// real 4 MiB filesystem where this machine allows a mount; elsewhere with a
// threshold above the temporary directory's real free space.

const MIB = 1024 * 1024
const disk = mountSmallDisk(4 * MIB)
const logDir = disk ? path.join(disk.dir, 'ingest-log') : mkdtempSync(path.join(tmpdir(), 'stalewatch-disk-low-'))
const freeBytes = (dir: string) => {
  const s = statfsSync(dir)
  return s.bavail * s.bsize
}
process.env.STALEWATCH_INGEST_ACK = 'logged'
process.env.STALEWATCH_INGEST_LOG_DIR = logDir
process.env.STALEWATCH_MIN_FREE_DISK_BYTES = String(disk ? MIB : freeBytes(tmpdir()) + 1024 ** 4)
resetConfigCache()

useEngine()
afterAll(async () => {
  await closeIngest()
  disk?.unmount()
})

describe('a nearly full disk under the ingest log', () => {
  it('sheds ingest with 503 disk_low and Retry-After before the disk is full, then takes events again, losing nothing acknowledged', async () => {
    const p = await testProject('disk-low')
    const acknowledged = new Set<string>()
    const send = async () => {
      const e = envelope(p.ingestKey, 'v1', [heartbeat(Date.now()), heartbeat(Date.now())])
      const answer = await handleIngest(ingestRequest(e), ingestRuntime().deps)
      if (answer.status === 200) for (const event of e.events) acknowledged.add(event.id)
      return answer
    }
    if (disk) expect((await send()).status).toBe(200)

    const ballast = path.join(disk?.dir ?? logDir, 'ballast')
    if (disk) writeFileSync(ballast, Buffer.alloc(freeBytes(disk.dir) - MIB / 2))
    let shed: Awaited<ReturnType<typeof send>> | undefined
    await vi.waitFor(
      async () => {
        shed = await send()
        expect(shed.status).toBe(503)
      },
      { timeout: 5000, interval: 100 },
    )
    expect(errorCode(shed!.body)).toBe('disk_low')
    expect(Number(shed!.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    // Shedding started before the disk was full.
    if (disk) expect(freeBytes(disk.dir)).toBeGreaterThan(0)
    const text = await metricsText(ingestMetrics(), ingestRuntime().buffer.stats())
    expect(text).toMatch(/\nstalewatch_ingest_disk_free_bytes \d+\n/)
    expect(text).toContain(`\nstalewatch_ingest_disk_min_free_bytes ${process.env.STALEWATCH_MIN_FREE_DISK_BYTES}\n`)
    expect(text).toMatch(/\nstalewatch_ingest_events_rejected_total\{reason="disk_low"\} [1-9]\d*\n/)

    if (disk) rmSync(ballast)
    else {
      await closeIngest()
      process.env.STALEWATCH_MIN_FREE_DISK_BYTES = '0'
      resetConfigCache()
    }
    await vi.waitFor(async () => expect((await send()).status).toBe(200), { timeout: 5000, interval: 100 })
    await vi.waitFor(async () => expect(new Set((await storedEvents(p.id)).map((e) => e.event_id))).toEqual(acknowledged), { timeout: 15_000, interval: 200 })
    expect(existsSync(path.join(logDir, 'quarantine'))).toBe(false)
  })
})
