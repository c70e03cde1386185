import type { CDPSession, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApp, type RunningApp } from '../../support/app-server'
import { launchUnemulatedChromium, type UnemulatedChromium } from '../../support/browser'
import { esmPage, sdkAssets, startCustomerApp, type Asset, type CustomerApp } from '../../support/customer-app'
import { startIngestRelay, type IngestRelay } from '../../support/ingest-relay'
import { stalewatchAdmin, type TestProject } from '../../support/stalewatch-admin'
import { storedChecks } from '../../support/stored-checks'

// The Page Lifecycle in real Chromium: the DevTools protocol freezes and
// resumes a tab as the browser does to background tabs (it hides the page,
// then freezes it: no script, no timers). The SDK's endpoint is a relay in
// front of the app that records what the app acknowledged, because a frozen
// page cannot tell. What the product answers is read through the live API
// while it runs and, once the app has stopped, from the events table (each
// test adds the checks of its own project).

let app: RunningApp
let chromium: UnemulatedChromium
let sdk: Record<string, Asset>
let relay: IngestRelay
let admin: ReturnType<typeof stalewatchAdmin>
const customers: CustomerApp[] = []
const stored = storedChecks()
const POLL = { timeout: 30_000, interval: 200 }

beforeAll(async () => {
  // The app writes into this file's data directory, which the test process
  // opens only after the app has stopped (chDB: one process per directory).
  ;[app, chromium, sdk] = await Promise.all([startApp({ STALEWATCH_DATA_DIR: process.env.STALEWATCH_DATA_DIR! }), launchUnemulatedChromium(), sdkAssets()])
  relay = await startIngestRelay(app.url)
  admin = stalewatchAdmin(app)
}, 600_000)

afterAll(async () => {
  try {
    // The app stops first, while the tabs are still open: closing them sends their last events.
    // Only the app's exit matters here, not how (see esm-build.browser.test.ts).
    if (app) await stored.runAfter(() => app.stop())
  } finally {
    await chromium?.close()
    await Promise.all(customers.map((c) => c.close()))
    await relay?.close()
  }
})

/** A tab on a customer page whose SDK reports to the project through the relay. */
async function openTab(project: TestProject): Promise<{ page: Page; cdp: CDPSession; session: string }> {
  const customer = await startCustomerApp({
    version: 'v1',
    page: (v) => esmPage(v, { init: { key: project.ingestKey, endpoint: `${relay.url}/api/ingest`, heartbeatSeconds: 1 } }),
    assets: sdk,
  })
  customers.push(customer)
  const page = await chromium.context.newPage()
  await page.goto(customer.url)
  await page.waitForFunction(() => (window as { stalewatch?: unknown }).stalewatch !== undefined)
  const session = await page.evaluate(() => sessionStorage.getItem('sw_s'))
  expect(session).toBeTruthy()
  return { page, cdp: await chromium.context.newCDPSession(page), session: session! }
}

/** n of an event id <load>_<n>: the order in which the tab made its events. */
const eventNumber = (id: string) => Number(id.split('_').at(-1))

/** Types of the events the app acknowledged for a session, in the order acknowledged. */
const acknowledged = (session: string) => relay.forwarded.filter((b) => b.session === session).flatMap((b) => b.events.map((e) => e.type))

/** A project's stored events, each once, in the order the tab made them (one load per tab here). */
async function storedEvents(project: TestProject) {
  const { rawEvents } = await import('../../support/raw-events')
  const seen = new Set<string>()
  const events = (await rawEvents(project.id)).filter((e) => !seen.has(e.event_id) && seen.add(e.event_id))
  expect(new Set(events.map((e) => e.load_id)).size).toBe(1)
  return events.sort((a, b) => eventNumber(a.event_id) - eventNumber(b.event_id))
}

/** Ids of the events the app acknowledged for a session (so far). */
const acknowledgedIds = (session: string) => relay.forwarded.filter((b) => b.session === session).flatMap((b) => b.events.map((e) => e.id))

/** The last visibility reported among events. */
const lastVisibility = (events: { type: string; visibility: string }[]) => events.filter((e) => e.type === 'visibility').at(-1)?.visibility

/** Resolves once the app acknowledged a freeze for the session and nothing is on its way to it. */
async function freezeAcknowledged(session: string): Promise<void> {
  await expect.poll(() => acknowledged(session).includes('freeze') && relay.pending === 0, POLL).toBe(true)
}

describe('SDK in Chromium through freeze and resume', () => {
  it('a tab frozen and never resumed has its freeze stored, counts as hidden, and is not live once W has passed', async () => {
    const project = await admin.createProject('browser-still-frozen')
    const { page, cdp, session } = await openTab(project)
    await expect.poll(() => admin.live(project), POLL).toMatchObject({ total: 1, versions: [{ version: 'v1', visible: 1, hidden: 0 }] })
    expect(await page.evaluate(() => document.visibilityState)).toBe('visible')

    const freezing = Date.now()
    await cdp.send('Page.setWebLifecycleState', { state: 'frozen' })
    // Frozen, the page runs nothing more: the freeze must have left before.
    await freezeAcknowledged(session)
    const acknowledgedAt = Date.now()
    // The freeze is the last event the tab sent (ids are <load>_<n>; a request
    // sent just before may have been answered after it).
    const sent = relay.forwarded.filter((b) => b.session === session).flatMap((b) => b.events)
    expect(sent.reduce((last, e) => (eventNumber(e.id) > eventNumber(last.id) ? e : last)).type).toBe('freeze')

    const live = await admin.live(project)
    expect(live).toMatchObject({ total: 1, versions: [{ version: 'v1', sessions: 1, visible: 0, hidden: 1 }] })
    // Its freeze has an event time in [freezing, acknowledgedAt] and nothing
    // comes after it, so the session is live (hidden) until W after its last
    // event, and not from W after the acknowledgement on. Asked about those
    // instants now: a frozen tab sends nothing that could change the answer.
    const w = live.windowSeconds * 1000
    expect(await admin.live(project, freezing + w - 1)).toMatchObject({ total: 1, versions: [{ visible: 0, hidden: 1 }] })
    expect(await admin.live(project, acknowledgedAt + w)).toMatchObject({ total: 0, versions: [] })
    // The tab stays frozen until the browser closes, after the app has stopped.
    stored.add('still frozen', async () => {
      const stillFrozen = await storedEvents(project)
      expect(stillFrozen.map((e) => e.event_id)).toEqual(expect.arrayContaining(acknowledgedIds(session)))
      // Hidden first (the last visibility reported), then frozen, stored as hidden; nothing after the freeze.
      expect(stillFrozen.at(-1)).toMatchObject({ type: 'freeze', visibility: 'hidden' })
      expect(lastVisibility(stillFrozen)).toBe('hidden')
    })
  })

  it('a tab frozen then resumed sends its freeze while frozen and its resume after, and stays hidden until shown', async () => {
    const project = await admin.createProject('browser-resumed')
    const { page, cdp, session } = await openTab(project)
    await expect.poll(() => admin.live(project), POLL).toMatchObject({ total: 1, versions: [{ version: 'v1', visible: 1, hidden: 0 }] })

    await cdp.send('Page.setWebLifecycleState', { state: 'frozen' })
    await freezeAcknowledged(session)
    expect(acknowledged(session)).not.toContain('resume')
    await expect.poll(() => admin.live(project), POLL).toMatchObject({ total: 1, versions: [{ version: 'v1', sessions: 1, visible: 0, hidden: 1 }] })

    await cdp.send('Page.setWebLifecycleState', { state: 'active' })
    await expect.poll(() => acknowledged(session), POLL).toContain('resume')
    // Resumed but still in the background (Chromium keeps the page hidden): a
    // resume carries no visibility, so the session keeps the hidden it reported.
    expect(await page.evaluate(() => document.visibilityState)).toBe('hidden')
    await expect.poll(() => acknowledged(session).slice(acknowledged(session).indexOf('resume')), POLL).toContain('heartbeat')
    expect(await admin.live(project)).toMatchObject({ total: 1, versions: [{ version: 'v1', sessions: 1, visible: 0, hidden: 1 }] })

    // The person comes back to the tab. (Focus emulation counts as a capture,
    // which makes Chromium show the page.)
    await cdp.send('Emulation.setFocusEmulationEnabled', { enabled: true })
    await expect.poll(() => admin.live(project), POLL).toMatchObject({ total: 1, versions: [{ version: 'v1', sessions: 1, visible: 1, hidden: 0 }] })
    stored.add('resumed', async () => {
      const resumed = await storedEvents(project)
      expect(resumed.map((e) => e.event_id)).toEqual(expect.arrayContaining(acknowledgedIds(session)))
      // The resume is the first event after the freeze, and carries no visibility.
      const types = resumed.map((e) => e.type)
      expect(types.filter((t) => t === 'freeze' || t === 'resume')).toEqual(['freeze', 'resume'])
      const freeze = types.indexOf('freeze')
      expect(lastVisibility(resumed.slice(0, freeze))).toBe('hidden')
      expect(resumed.slice(freeze, freeze + 2)).toMatchObject([
        { type: 'freeze', visibility: 'hidden' },
        { type: 'resume', visibility: '' },
      ])
      expect(resumed.filter((e) => e.type === 'visibility').map((e) => e.visibility)).toEqual(['hidden', 'visible'])
    })
  })
})
