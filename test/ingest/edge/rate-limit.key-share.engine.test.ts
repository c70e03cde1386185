import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { IngestDeps } from '@/ingest/events/pipeline'
import { IngestRateLimiter } from '@/ingest/edge/rate-limit'
import { closeIngest, ingestRuntime } from '@/ingest/events/runtime'
import { resetConfigCache } from '@/lib/config'
import { useEngine, testProject } from '../../support/engine'
import { envelope, heartbeat } from '../../support/envelopes'
import { startIngestServer } from '../../support/ingest-server'
import { rawErrorCode, rawRequest, type RawAnswer } from '../../support/raw-http'
import { storedEvents } from '../../support/ingest-requests'

// The ingest key is public: anybody can spend its budget of requests. One
// address flooding a project's key must not take a real tab's heartbeats
// away: each address active on a key keeps a fair share of the key's budget.
// Real sockets on loopback, each 127.x address its own client; the key's
// budget is set low (20 a second, burst 40) so that a flood from one process
// can spend it, and no per-address limit is set, so what is seen is the key's.
// Acknowledged once in the ingest log, as in production, so that the flood's
// pace is the limiter's to meet, not the engine's.

process.env.STALEWATCH_INGEST_ACK = 'logged'
process.env.STALEWATCH_INGEST_LOG_DIR = mkdtempSync(path.join(tmpdir(), 'stalewatch-key-share-'))
resetConfigCache()

useEngine()
afterAll(async () => {
  await closeIngest()
})

const limiter = () =>
  new IngestRateLimiter({
    perKey: { perSecond: 20, burst: 40 },
    perAddress: { perSecond: 0, burst: 1 },
    exemptLoopback: false,
  })

describe("a project's key under a flood from one address", () => {
  it("leaves a real tab's heartbeats from another address all answered 200 and stored", async () => {
    const p = await testProject('key-share')
    const deps: IngestDeps = { ...ingestRuntime().deps, rateLimiter: limiter() }
    const server = await startIngestServer(deps)
    const send = (localAddress: string, body: unknown) =>
      rawRequest({ url: server.url, path: '/api/ingest', method: 'POST', localAddress, headers: { 'content-type': 'text/plain' }, body: JSON.stringify(body) })
    try {
      let flooding = true
      const flood: RawAnswer[] = []
      const flooder = (async () => {
        while (flooding) flood.push(...(await Promise.all(Array.from({ length: 10 }, () => send('127.0.4.1', envelope(p.ingestKey, 'v1', [heartbeat(Date.now())]))))))
      })()

      // A tab's heartbeats, one every 250 ms, all of one session, from its own address.
      const tab = envelope(p.ingestKey, 'v1', [])
      const beats: { status: number; code?: string }[] = []
      const sent: string[] = []
      for (let i = 0; i < 24; i++) {
        const beat = heartbeat(Date.now())
        sent.push(beat.id)
        const answer = await send('127.0.4.2', { ...tab, sentAt: Date.now(), events: [beat] })
        beats.push({ status: answer.status, code: rawErrorCode(answer) })
        await new Promise((r) => setTimeout(r, 250))
      }
      flooding = false
      await flooder

      const floodRefused = flood.filter((a) => a.status === 429).length
      console.log(`flood: ${flood.length} requests, ${floodRefused} refused 429; tab: ${beats.filter((b) => b.status === 200).length} of ${beats.length} answered 200`)
      // The flood did spend the key's budget: without a share, the tab would have met it.
      expect(floodRefused).toBeGreaterThan(0)
      expect(beats.filter((b) => b.status !== 200)).toEqual([])

      const deadline = Date.now() + 15_000
      let stored = 0
      while (Date.now() < deadline) {
        stored = (await storedEvents(p.id)).filter((e) => sent.includes(e.event_id)).length
        if (stored === sent.length) break
        await new Promise((r) => setTimeout(r, 300))
      }
      expect(stored).toBe(sent.length)
    } finally {
      await server.close()
    }
  }, 90_000)
})
