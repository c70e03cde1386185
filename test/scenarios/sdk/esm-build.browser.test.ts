import { mkdirSync } from 'node:fs'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApp, type RunningApp } from '../../support/app-server'
import { launchChromium, setVisibility } from '../../support/browser'
import { esmPage, sdkAssets, startCustomerApp, type Asset, type CustomerApp } from '../../support/customer-app'
import { stalewatchAdmin, type TestProject } from '../../support/stalewatch-admin'
import { storedChecks } from '../../support/stored-checks'

// The SDK's ESM build in real Chromium, on a customer page of its own origin,
// reporting to the whole Stalewatch app. What arrived is read back through the
// product's APIs while it runs and, once the app has stopped, from the events
// table itself (each test adds the checks of its own project).

let app: RunningApp
let browser: Browser
let sdk: Record<string, Asset>
let admin: ReturnType<typeof stalewatchAdmin>
const customers: CustomerApp[] = []
const stored = storedChecks()
const artifacts = path.resolve(import.meta.dirname, '../../artifacts')
const POLL = { timeout: 30_000, interval: 200 }

beforeAll(async () => {
  // The app writes into this file's data directory, which the test process
  // opens only after the app has stopped (chDB: one process per directory).
  ;[app, browser, sdk] = await Promise.all([
    // Reload waves start 2 s after the minimum changes (default 60 s), so the forced reload comes quickly.
    startApp({ STALEWATCH_DATA_DIR: process.env.STALEWATCH_DATA_DIR!, STALEWATCH_WAVE_LEAD_SECONDS: '2' }),
    launchChromium(),
    sdkAssets(),
  ])
  admin = stalewatchAdmin(app)
}, 600_000)

afterAll(async () => {
  try {
    // The app stops first, while the browser is still open. Only its exit
    // matters here, not how: on a busy machine tsx's signal relay may SIGKILL
    // the server (exit 143), but every event the tabs saw answered 2xx was
    // stored before that answer.
    if (app) await stored.runAfter(() => app.stop())
  } finally {
    await browser?.close()
    await Promise.all(customers.map((c) => c.close()))
  }
})

/**
 * A project's events, each once: a batch the SDK resent after a lost or late
 * answer may be stored twice; every figure counts distinct event ids, and so
 * does this.
 */
async function storedEvents(project: TestProject) {
  const { rawEvents } = await import('../../support/raw-events')
  const seen = new Set<string>()
  return (await rawEvents(project.id)).filter((e) => !seen.has(e.event_id) && seen.add(e.event_id))
}

/** A customer app on its own origin whose page starts the SDK with these options. */
async function customerFor(project: TestProject, version: string, init: Record<string, unknown> = {}, prompt = false) {
  const customer = await startCustomerApp({
    version,
    page: (v) => esmPage(v, { init: { key: project.ingestKey, endpoint: `${app.url}/api/ingest`, heartbeatSeconds: 1, ...init }, prompt, reloads: true }),
    assets: sdk,
  })
  customers.push(customer)
  return customer
}

/** A fresh tab (its own sessionStorage, so its own session) on the customer page. */
async function openTab(customer: CustomerApp): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 800, height: 360 } })
  const page = await context.newPage()
  await page.goto(customer.url)
  await page.waitForFunction(() => (window as { stalewatch?: unknown }).stalewatch !== undefined)
  return page
}

const pageVersion = (page: Page) =>
  page.evaluate(() => (window as unknown as { stalewatch: { getState(): { version: string } } }).stalewatch.getState().version)

describe('SDK in Chromium against the whole app', () => {
  it('a tab sends its load, then heartbeats while visible and while hidden', async () => {
    const project = await admin.createProject('browser-lifecycle')
    const customer = await customerFor(project, 'v1')
    const page = await openTab(customer)

    await expect.poll(() => admin.live(project), POLL).toMatchObject({ total: 1, versions: [{ version: 'v1', sessions: 1, visible: 1, hidden: 0 }] })
    // A heartbeat sent while hidden, answered by the app (so stored).
    const hiddenHeartbeat = page.waitForResponse((r) =>
      (JSON.parse(r.request().postData() ?? '{"events":[]}') as { events: { type: string; visibility?: string }[] }).events.some(
        (e) => e.type === 'heartbeat' && e.visibility === 'hidden',
      ),
    )
    await setVisibility(page, 'hidden')
    await expect.poll(() => admin.live(project), POLL).toMatchObject({ total: 1, versions: [{ version: 'v1', sessions: 1, visible: 0, hidden: 1 }] })
    // 204: the SDK asks for the header answer, given when every event is accepted.
    expect((await hiddenHeartbeat).status()).toBe(204)
    await setVisibility(page, 'visible')
    await expect.poll(() => admin.live(project), POLL).toMatchObject({ total: 1, versions: [{ version: 'v1', sessions: 1, visible: 1, hidden: 0 }] })
    await page.context().close()
    stored.add('lifecycle', async () => {
      const lifecycle = await storedEvents(project)
      expect(new Set(lifecycle.map((e) => e.session_id)).size).toBe(1)
      expect(lifecycle.filter((e) => e.type === 'load')).toMatchObject([{ navigation: 'navigate', previous_version: '', visibility: 'visible', version: 'v1' }])
      const heartbeats = lifecycle.filter((e) => e.type === 'heartbeat').map((e) => e.visibility)
      expect(heartbeats).toContain('visible')
      expect(heartbeats).toContain('hidden')
      expect(lifecycle.filter((e) => e.type === 'visibility').map((e) => e.visibility)).toEqual(['hidden', 'visible'])
    })
  })

  it("a reload by the browser's button after a deploy counts as an upgrade by reload with reason user", async () => {
    const project = await admin.createProject('browser-user-reload')
    const customer = await customerFor(project, 'v1')
    const page = await openTab(customer)
    await expect.poll(() => admin.live(project), POLL).toMatchObject({ total: 1, versions: [{ version: 'v1' }] })

    customer.deploy('v2')
    await page.reload()
    await page.waitForFunction(() => (window as { stalewatch?: unknown }).stalewatch !== undefined)
    expect(await pageVersion(page)).toBe('v2')

    // The same tab is one session, now counted under v2 only.
    await expect.poll(() => admin.live(project), POLL).toMatchObject({ total: 1, versions: [{ version: 'v2', sessions: 1 }] })
    await expect
      .poll(() => admin.releaseFigures(project, 'v2'), POLL)
      .toMatchObject({ upgradedByReload: { total: 1, byReason: [{ reason: 'user', sessions: 1 }] } })
    await page.context().close()
    stored.add('user reload', async () => {
      const userReload = await storedEvents(project)
      expect(new Set(userReload.map((e) => e.session_id)).size).toBe(1)
      expect(userReload.filter((e) => e.type === 'load')).toMatchObject([
        { version: 'v1', navigation: 'navigate', previous_version: '' },
        { version: 'v2', navigation: 'reload', previous_version: 'v1' },
      ])
      // A reload by the browser's button is seen only from the next load.
      expect(userReload.filter((e) => e.type === 'reload')).toEqual([])
    })
  })

  it('a newly registered release reaches the open tab as update_available and shows the update prompt', async () => {
    const project = await admin.createProject('browser-prompt')
    const customer = await customerFor(project, 'v1', {}, true)
    const page = await openTab(customer)
    await expect.poll(() => admin.live(project), POLL).toMatchObject({ total: 1, versions: [{ version: 'v1' }] })
    expect(await page.getByRole('dialog').count()).toBe(0)

    await admin.release(project, 'v2')
    customer.deploy('v2')
    const prompt = page.getByRole('dialog')
    await prompt.waitFor({ timeout: POLL.timeout })
    expect(await prompt.textContent()).toContain('A new version is available')
    mkdirSync(artifacts, { recursive: true })
    await page.screenshot({ path: path.join(artifacts, 'sdk-update-prompt.png') })

    await prompt.getByRole('button', { name: 'Reload' }).click()
    await page.waitForFunction(() => document.getElementById('version')?.textContent === 'v2')
    await expect
      .poll(() => admin.releaseFigures(project, 'v2'), POLL)
      .toMatchObject({ upgradedByReload: { total: 1, byReason: [{ reason: 'update_prompt', sessions: 1 }] } })
    await page.context().close()
    stored.add('update prompt', async () => {
      const prompt = await storedEvents(project)
      expect(prompt.filter((e) => e.type === 'update_available')).toMatchObject([{ version: 'v1', latest: 'v2' }])
      expect(prompt.filter((e) => e.type === 'update_prompt').map((e) => e.action)).toEqual(['shown', 'accepted'])
      expect(prompt.filter((e) => e.type === 'reload')).toMatchObject([{ version: 'v1', reason: 'update_prompt' }])
    })
  })

  it('a raised minimum supported version reloads the tab once, in its slot of the wave, onto the new version', async () => {
    const project = await admin.createProject('browser-forced')
    const customer = await customerFor(project, 'v1')
    const page = await openTab(customer)
    // The person is elsewhere: the tab is hidden, so it may reload.
    await setVisibility(page, 'hidden')
    await expect.poll(() => admin.live(project), POLL).toMatchObject({ total: 1, versions: [{ version: 'v1' }] })

    await admin.release(project, 'v1')
    await admin.release(project, 'v2')
    customer.deploy('v2')
    await admin.setMinSupported(project, 'v2')

    await expect.poll(() => customer.pagesServed, POLL).toEqual(['v1', 'v2'])
    await page.waitForFunction(() => (window as { stalewatch?: unknown }).stalewatch !== undefined)
    expect(await pageVersion(page)).toBe('v2')
    await expect.poll(() => admin.live(project), POLL).toMatchObject({ total: 1, versions: [{ version: 'v2', sessions: 1 }] })
    await expect
      .poll(() => admin.releaseFigures(project, 'v2'), POLL)
      .toMatchObject({ upgradedByReload: { total: 1, byReason: [{ reason: 'forced', sessions: 1 }] } })
    // No storm: on v2 the answers say belowMinimum false; a while passes without another reload.
    await page.waitForTimeout(4_000)
    expect(customer.pagesServed).toEqual(['v1', 'v2'])
    await page.context().close()
    stored.add('forced reload', async () => {
      const forced = await storedEvents(project)
      expect(forced.filter((e) => e.type === 'reload')).toMatchObject([{ version: 'v1', reason: 'forced' }])
      expect(forced.filter((e) => e.type === 'load')).toMatchObject([
        { version: 'v1', navigation: 'navigate' },
        { version: 'v2', navigation: 'reload', previous_version: 'v1' },
      ])
    })
  })
})
