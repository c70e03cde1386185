import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { adminFetch, startApp, type RunningApp } from '../../support/app-server'
import { envelope, heartbeat } from '../../support/envelopes'

// Anyone can send requests to the login page or any other page: each one
// goes through Next.js, milliseconds of the cores ingest shares. One address
// past its rate is refused 429 by the front door before Next.js does any
// work, the refusals are counted in /api/metrics, and ingest keeps answering.
// Loopback peers are exempt by default (a local reverse proxy); this app
// limits them, so the test's own address is limited.

const RATE = 5
const BURST = 10
let app: RunningApp
let key: string

beforeAll(async () => {
  app = await startApp({
    STALEWATCH_RATE_LIMIT_LOOPBACK: '1',
    STALEWATCH_HTTP_RATE_PER_IP: String(RATE),
    STALEWATCH_HTTP_BURST_PER_IP: String(BURST),
    // Ingest has its own per-address limit; high here, so what is seen is the pages' limit.
    STALEWATCH_RATE_PER_IP: '100000',
    STALEWATCH_METRICS_TOKEN: 'metrics-token-for-the-pages-flood-test',
  })
  const created = await adminFetch(app, '/api/projects', { method: 'POST', body: JSON.stringify({ name: 'pages-flood' }) })
  key = ((await created.json()) as { ingestKey: string }).ingestKey
})

afterAll(async () => {
  await app?.stop()
})

describe('a flood of page requests from one address', () => {
  it('is refused 429 with Retry-After before Next.js, counted, and leaves ingest answering', async () => {
    // Whatever the admin calls above took of the bucket, it refills within BURST / RATE seconds.
    await new Promise((r) => setTimeout(r, (BURST / RATE) * 1000 + 200))
    const started = Date.now()
    const answers = await Promise.all(Array.from({ length: 40 }, () => fetch(`${app.url}/login`, { redirect: 'manual' })))
    const seconds = (Date.now() - started) / 1000
    const statuses = answers.map((a) => a.status)
    const refused = answers.filter((a) => a.status === 429)
    // At most the burst, plus what refilled while the 40 were in flight.
    const allowed = BURST + Math.ceil(RATE * seconds) + 1
    const served = statuses.filter((s) => s === 200).length
    expect(served).toBeGreaterThanOrEqual(1)
    expect(served, `${served} served in ${seconds.toFixed(1)} s`).toBeLessThanOrEqual(allowed)
    expect(refused.length).toBe(40 - served)
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true)
    for (const a of refused) {
      expect(Number(a.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
      expect(await a.json()).toMatchObject({ error: { code: 'rate_limited' } })
    }

    // Ingest is not behind the pages' limit.
    const ingest = await fetch(`${app.url}/api/ingest`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(envelope(key, 'v1', [heartbeat(Date.now())])) })
    expect(ingest.status).toBe(200)

    const metrics = await fetch(`${app.url}/api/metrics`, { headers: { authorization: 'Bearer metrics-token-for-the-pages-flood-test' } })
    // The metrics request itself may be refused too; wait out the bucket if so.
    const text = metrics.status === 429 ? await (async () => {
      await new Promise((r) => setTimeout(r, (BURST / RATE) * 1000 + 200))
      return (await fetch(`${app.url}/api/metrics`, { headers: { authorization: 'Bearer metrics-token-for-the-pages-flood-test' } })).text()
    })() : await metrics.text()
    const counted = Number(/^stalewatch_http_rate_limited_total (\d+)/m.exec(text)?.[1])
    expect(counted).toBeGreaterThanOrEqual(refused.length)
  }, 120_000)
})
