import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApp, type RunningApp } from '../../support/app-server'
import { launchChromium } from '../../support/browser'
import { esmPage, sdkAssets, startCustomerApp, type CustomerApp } from '../../support/customer-app'
import { startIngestRelay, type IngestRelay } from '../../support/ingest-relay'
import { stalewatchAdmin } from '../../support/stalewatch-admin'

// Ingest is really unavailable for a while: the SDK's endpoint is a loopback
// proxy that answers 503 with Retry-After (as the app does when storage is
// down), then forwards to the app. The tab must retry until the events are in,
// and each must be stored once.

let app: RunningApp
let browser: Browser
let customer: CustomerApp | undefined
let proxy: IngestRelay | undefined

beforeAll(async () => {
  // The app writes into this file's data directory; the test opens it after the app stops.
  ;[app, browser] = await Promise.all([startApp({ STALEWATCH_DATA_DIR: process.env.STALEWATCH_DATA_DIR! }), launchChromium()])
}, 600_000)

afterAll(async () => {
  await browser?.close()
  await customer?.close()
  await proxy?.close()
  await app?.stop()
})

describe('SDK in Chromium while ingest is unavailable', () => {
  it('retries after 503 + Retry-After, and every event arrives once after recovery', async () => {
    const admin = stalewatchAdmin(app)
    const project = await admin.createProject('browser-outage')
    proxy = await startIngestRelay(app.url, { down: true })
    customer = await startCustomerApp({
      version: 'v1',
      page: (v) => esmPage(v, { init: { key: project.ingestKey, endpoint: `${proxy!.url}/api/ingest`, heartbeatSeconds: 1 } }),
      assets: await sdkAssets(),
    })
    const page = await (await browser.newContext()).newPage()
    await page.goto(customer.url)

    // Three refusals: the load and the heartbeats queued behind it were retried.
    await expect.poll(() => proxy!.refused.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(3)
    expect(await admin.live(project)).toMatchObject({ total: 0 })
    const refusedIds = proxy.refused.map((b) => b.events.map((e) => e.id))
    const firstRefused = refusedIds[0]!
    expect(refusedIds.every((ids) => firstRefused.every((id) => ids.includes(id))), 'a retry resends the same event ids').toBe(true)

    proxy.down = false
    await expect.poll(() => admin.live(project), { timeout: 60_000, interval: 250 }).toMatchObject({ total: 1, versions: [{ version: 'v1', sessions: 1 }] })
    const forwardedIds = () => proxy!.forwarded.flatMap((b) => b.events.map((e) => e.id))
    await expect.poll(forwardedIds, { timeout: 10_000 }).toEqual(expect.arrayContaining(firstRefused))
    const sent = new Set(forwardedIds())
    await page.context().close()

    // Counted once: read what the events table holds once the app has stopped.
    // Only its exit matters here, not how: on a busy machine tsx's signal relay
    // may SIGKILL the server (exit 143), but every event the tabs saw answered
    // 2xx was stored before that answer.
    await app.stop()
    const { rawEvents } = await import('../../support/raw-events')
    const stored = await rawEvents(project.id)
    const ids = stored.map((e) => e.event_id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(new Set(stored.map((e) => e.session_id)).size).toBe(1)
    expect(stored.filter((e) => e.type === 'load')).toHaveLength(1)
    // Everything the app acknowledged was stored; a beacon on page close may add more, never twice.
    expect(ids).toEqual(expect.arrayContaining([...sent]))
  })
})
