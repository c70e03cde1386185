import { describe, expect, it } from 'vitest'
import { handleIngest } from '@/ingest/events/pipeline'
import { ingestRuntime } from '@/ingest/events/runtime'
import { useEngine, testProject } from '../../support/engine'
import { envelope, heartbeat } from '../../support/envelopes'
import { errorCode, ingestRequest, storedEvents } from '../../support/ingest-requests'

// New unregistered versions are rate-limited per project (10 a minute, burst
// 50 by default), and the public key lets anybody spend that budget. A stream
// of junk versions from one address must not keep a real new build, first
// reported from another address, out: each address keeps its share of the
// project's budget of new versions.

useEngine()

describe('a stream of junk versions from one address', () => {
  it("does not keep a real new build from another address out", async () => {
    const p = await testProject('version-share')
    const deps = ingestRuntime().deps
    const junk = { sent: 0, refused: 0 }
    let streaming = true
    // 25 junk versions a second, from one address.
    const stream = (async () => {
      while (streaming) {
        const answers = await Promise.all(
          Array.from({ length: 5 }, () =>
            handleIngest(ingestRequest(envelope(p.ingestKey, `junk-${junk.sent++}`, [heartbeat(Date.now())]), { remoteAddress: '198.51.100.7' }), deps),
          ),
        )
        junk.refused += answers.filter((a) => a.status === 429).length
        await new Promise((r) => setTimeout(r, 200))
      }
    })()
    // Long enough for the stream to spend the project's burst of new versions.
    while (junk.refused === 0) await new Promise((r) => setTimeout(r, 100))

    const real = await handleIngest(ingestRequest(envelope(p.ingestKey, 'build-2026.12.7', [heartbeat(Date.now())]), { remoteAddress: '203.0.113.9' }), deps)
    streaming = false
    await stream
    console.log(`junk sent: ${junk.sent}, refused 429: ${junk.refused}; the real build's first report: ${real.status} ${errorCode(real.body) ?? ''}`)
    expect({ status: real.status, code: errorCode(real.body) }).toEqual({ status: 200, code: undefined })
    expect(junk.refused).toBeGreaterThan(0)
    await expect.poll(async () => (await storedEvents(p.id)).some((e) => e.version === 'build-2026.12.7'), { timeout: 15_000 }).toBe(true)
  }, 60_000)
})
