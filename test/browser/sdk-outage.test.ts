import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApp, type RunningApp } from '../support/app-server'
import { launchChromium } from '../support/browser'
import { esmPage, sdkAssets, startCustomerApp, type CustomerApp } from '../support/customer-app'
import { stalewatchAdmin } from '../support/stalewatch-admin'

// Ingest is really unavailable for a while: the SDK's endpoint is a loopback
// proxy that answers 503 with Retry-After (as the app does when storage is
// down), then forwards to the app. The tab must retry until the events are in,
// and each must be stored once.

let app: RunningApp
let browser: Browser
let customer: CustomerApp | undefined
let proxy: OutageProxy | undefined

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

interface OutageProxy {
  url: string
  /** While true, every request gets 503 + Retry-After: 1. */
  down: boolean
  /** Event ids of each refused request, in order. */
  refused: string[][]
  /** Event ids of each request the app answered 200 (so stored), in order. */
  forwarded: string[][]
  close: () => Promise<void>
}

// The ingest answer's CORS headers, so the SDK on another origin can read the 503 and Retry-After.
const CORS = { 'access-control-allow-origin': '*', 'access-control-expose-headers': 'retry-after' }

async function startOutageProxy(target: string): Promise<OutageProxy> {
  const state = { down: true, refused: [] as string[][], forwarded: [] as string[][] }
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks)
    const ids = req.method === 'POST' ? ((JSON.parse(body.toString()) as { events: { id: string }[] }).events.map((e) => e.id)) : []
    if (state.down) {
      state.refused.push(ids)
      res.writeHead(503, { ...CORS, 'content-type': 'application/json', 'retry-after': '1' })
      res.end(JSON.stringify({ error: { code: 'storage_unavailable', message: 'down for the test' } }))
      return
    }
    const headers: Record<string, string> = {}
    for (const name of ['content-type', 'origin', 'user-agent']) if (req.headers[name]) headers[name] = String(req.headers[name])
    // The page can still send (a beacon on unload) while the test stops the
    // app: a request it can no longer forward gets a 502, like a real proxy.
    const answer = await fetch(new URL(req.url ?? '/', target), { method: req.method, headers, body: req.method === 'POST' ? body : undefined }).catch(
      () => null,
    )
    if (!answer) {
      res.writeHead(502, CORS)
      res.end()
      return
    }
    if (ids.length && answer.ok) state.forwarded.push(ids)
    const passed = [...answer.headers].filter(([name]) => !['content-length', 'content-encoding', 'transfer-encoding', 'connection', 'keep-alive'].includes(name))
    res.writeHead(answer.status, Object.fromEntries(passed))
    res.end(Buffer.from(await answer.arrayBuffer()))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return Object.assign(state, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  })
}

describe('SDK in Chromium while ingest is unavailable', () => {
  it('retries after 503 + Retry-After, and every event arrives once after recovery', async () => {
    const admin = stalewatchAdmin(app)
    const project = await admin.createProject('browser-outage')
    proxy = await startOutageProxy(app.url)
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
    const firstRefused = proxy.refused[0]!
    expect(proxy.refused.every((ids) => firstRefused.every((id) => ids.includes(id))), 'a retry resends the same event ids').toBe(true)

    proxy.down = false
    await expect.poll(() => admin.live(project), { timeout: 60_000, interval: 250 }).toMatchObject({ total: 1, versions: [{ version: 'v1', sessions: 1 }] })
    await expect.poll(() => proxy!.forwarded.flat(), { timeout: 10_000 }).toEqual(expect.arrayContaining(firstRefused))
    const sent = new Set(proxy.forwarded.flat())
    await page.context().close()

    // Counted once: read what the events table holds once the app has stopped.
    // Only its exit matters here, not how: on a busy machine tsx's signal relay
    // may SIGKILL the server (exit 143), but every event the tabs saw answered
    // 200 was stored before that answer.
    await app.stop()
    const { rawEvents } = await import('../support/raw-events')
    const stored = await rawEvents(project.id)
    const ids = stored.map((e) => e.event_id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(new Set(stored.map((e) => e.session_id)).size).toBe(1)
    expect(stored.filter((e) => e.type === 'load')).toHaveLength(1)
    // Everything the app acknowledged was stored; a beacon on page close may add more, never twice.
    expect(ids).toEqual(expect.arrayContaining([...sent]))
  })
})
