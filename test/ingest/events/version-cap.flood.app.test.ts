import { afterAll, describe, expect, it } from 'vitest'
import { handleIngest } from '@/ingest/events/pipeline'
import { ingestMetrics } from '@/ingest/edge/metrics'
import { ingestRuntime } from '@/ingest/events/runtime'
import { metricsText } from '@/lib/metrics/render'
import { registerRelease } from '@/lib/releases/release-store'
import { issueSessionValue, SESSION_COOKIE } from '@/lib/auth/session-cookie'
import { parseExposition } from '../../support/prom-parser'
import { adminFetch, startApp, type RunningApp } from '../../support/app-server'
import { useEngine, testProject } from '../../support/engine'
import { envelope, heartbeat } from '../../support/envelopes'
import { errorCode, ingestRequest, storedEvents } from '../../support/ingest-requests'

// The public ingest key chooses version strings. A flood of junk versions
// must not lock out a real release, nor fill the cap in a second.

// The app and this process share the admin token, so a session issued here is valid there.
const ADMIN_TOKEN = `swa_test_flood_${Date.now()}_0123456789`
process.env.STALEWATCH_ADMIN_TOKEN = ADMIN_TOKEN

useEngine()

const JUNK = 10_000

describe('a flood of junk versions', () => {
  it('is slowed per key, and never keeps a registered release out', async () => {
    const p = await testProject('flood')
    const deps = ingestRuntime().deps
    const statuses = new Map<number, number>()
    const codes = new Map<string, number>()
    for (let i = 0; i < JUNK; i += 250) {
      const answers = await Promise.all(
        Array.from({ length: 250 }, (_, j) => handleIngest(ingestRequest(envelope(p.ingestKey, `junk-${i + j}`, [heartbeat(Date.now())])), deps)),
      )
      for (const a of answers) {
        statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1)
        const code = errorCode(a.body)
        if (code) codes.set(code, (codes.get(code) ?? 0) + 1)
      }
    }
    const accepted = statuses.get(200) ?? 0
    const refused = JUNK - accepted

    // A real release, registered after the flood, is taken at once.
    await registerRelease({ project: p.id, version: 'release-2026.12.1' })
    const real = await handleIngest(ingestRequest(envelope(p.ingestKey, 'release-2026.12.1', [heartbeat(Date.now())])), deps)
    console.log(
      `junk versions sent: ${JUNK}; accepted: ${accepted}; refused: ${refused} (${[...codes].map(([c, n]) => `${c} ${n}`).join(', ')}); real release after the flood: ${real.status}`,
    )
    expect(real.status).toBe(200)
    expect((await storedEvents(p.id)).filter((e) => e.version === 'release-2026.12.1')).toHaveLength(1)
    // New versions are limited per key: far fewer than the cap got in, and the rest may come back later (429).
    expect(accepted).toBeLessThanOrEqual(100)
    expect(codes.get('new_versions_rate_limited') ?? 0).toBeGreaterThan(0)

    // Every refused event is counted, per project, in /api/metrics.
    const families = parseExposition(await metricsText(ingestMetrics(), ingestRuntime().buffer.stats()))
    const counted = families
      .get('stalewatch_ingest_version_refused_events_total')
      ?.samples.filter((s) => s.labels.project === p.id)
      .reduce((sum, s) => sum + s.value, 0)
    expect(counted).toBe(refused)
  })
})

describe('the overview page', () => {
  let app: RunningApp | undefined
  afterAll(async () => {
    await app?.stop()
  })

  it('shows how many events were refused for the version cap', async () => {
    app = await startApp({ STALEWATCH_MAX_VERSIONS_PER_PROJECT: '3', STALEWATCH_INGEST_ACK: 'logged', STALEWATCH_ADMIN_TOKEN: ADMIN_TOKEN })
    const created = (await (await adminFetch(app, '/api/projects', { method: 'POST', body: JSON.stringify({ name: 'capped' }) })).json()) as {
      id: string
      ingestKey: string
    }
    let refused = 0
    for (let i = 0; i < 10; i++) {
      const events = Array.from({ length: 2 }, () => heartbeat(Date.now()))
      const response = await fetch(`${app.url}/api/ingest`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify(envelope(created.ingestKey, `v${i}`, events)),
      })
      await response.arrayBuffer()
      if (response.status === 422) refused += events.length
    }
    expect(refused).toBe(14)
    // The count reaches the page through the store, a few seconds later.
    const cookie = `${SESSION_COOKIE}=${issueSessionValue()}`
    const deadline = Date.now() + 20_000
    let shown: string | undefined
    while (Date.now() < deadline) {
      const html = await (await fetch(`${app.url}/?project=${created.id}`, { headers: { cookie } })).text()
      shown = /data-testid="version-refused"[^>]*>([^<]*)</.exec(html)?.[1]
      if (shown === String(refused)) break
      await new Promise((r) => setTimeout(r, 500))
    }
    expect(shown).toBe(String(refused))
  }, 120_000)
})
