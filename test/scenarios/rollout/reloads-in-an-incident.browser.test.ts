import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApp, type RunningApp } from '../../support/app-server'
import { launchChromium, setVisibility } from '../../support/browser'
import { esmPage, sdkAssets, startCustomerApp, type Asset, type CustomerApp, type EsmPageOptions } from '../../support/customer-app'
import { startIngestRelay, type IngestRelay, type RelayedBatch } from '../../support/ingest-relay'
import { stalewatchAdmin, type TestProject } from '../../support/stalewatch-admin'

// Reloads that must hold in an incident, in Chromium against the whole app:
// undoing a raised minimum, an ingest outage while tabs reload, a tab with a
// dirty form, and tabs following the one that accepted the update prompt.
// Every tab's SDK reports through a loopback relay in front of the app, which
// records what the app acknowledged (2xx, stored: the tests run with the
// acknowledgement after the insert) and can go down like the app's storage.
// Each test has its own project, customer app and relay, and reads only
// through them and the product's API, so the tests run in any order.
//
// The app's reload waves start 20 s after the minimum changes (the lead) and
// pace 60 forced reloads a minute. The pages also pass the option the SDK
// before automatic reloads read (forceReloadWindowSeconds), so the same tests
// run against it and show each defect.

let app: RunningApp
let browser: Browser
let sdk: Record<string, Asset>
let admin: ReturnType<typeof stalewatchAdmin>
const closers: (() => Promise<unknown>)[] = []
const POLL = { timeout: 60_000, interval: 250 }
const LEAD_SECONDS = 20

beforeAll(async () => {
  ;[app, browser, sdk] = await Promise.all([
    startApp({ STALEWATCH_WAVE_LEAD_SECONDS: String(LEAD_SECONDS), STALEWATCH_RELOADS_PER_MINUTE: '60' }),
    launchChromium(),
    sdkAssets(),
  ])
  admin = stalewatchAdmin(app)
}, 600_000)

afterAll(async () => {
  await browser?.close()
  for (const close of closers) await close()
  await app?.stop()
})

interface Setup {
  project: TestProject
  customer: CustomerApp
  relay: IngestRelay
  context: BrowserContext
}

/** A project, a customer app serving v1 whose SDK (with automatic reloads) reports through a relay, and a browser context for its tabs. */
async function setup(name: string, page: Partial<EsmPageOptions> = {}, init: Record<string, unknown> = {}): Promise<Setup> {
  const project = await admin.createProject(name)
  const relay = await startIngestRelay(app.url)
  const customer = await startCustomerApp({
    version: 'v1',
    page: (v) =>
      esmPage(v, {
        ...page,
        reloads: true,
        init: { key: project.ingestKey, endpoint: `${relay.url}/api/ingest`, heartbeatSeconds: 1, forceReloadWindowSeconds: 8, ...init },
      }),
    assets: sdk,
  })
  const context = await browser.newContext({ viewport: { width: 800, height: 400 } })
  closers.push(() => context.close(), () => customer.close(), () => relay.close())
  return { project, customer, relay, context }
}

async function openTab(s: Setup): Promise<Page> {
  const page = await s.context.newPage()
  await page.goto(s.customer.url)
  await page.waitForFunction(() => (window as { stalewatch?: unknown }).stalewatch !== undefined)
  return page
}

type SdkState = { belowMinimum: boolean; updateAvailable: boolean; version: string }
const sdkState = (page: Page) => page.evaluate(() => (window as unknown as { stalewatch: { getState(): SdkState } }).stalewatch.getState())
const sessionOf = (page: Page) => page.evaluate(() => sessionStorage.getItem('sw_s')!)

/** Sessions whose tab sent a `reload` event the app acknowledged, with its reason and client time. */
function reloadsAcknowledged(relay: IngestRelay): { session: string; reason?: string; ts?: number }[] {
  const seen = new Map<string, { session: string; reason?: string; ts?: number }>()
  for (const b of relay.forwarded) for (const e of b.events) if (e.type === 'reload') seen.set(e.id, { session: b.session, reason: e.reason, ts: e.ts })
  return [...seen.values()]
}

/** The raised minimum on v2, released after v1, with v2 deployed. */
async function releaseAndDeploy(s: Setup): Promise<void> {
  await admin.release(s.project, 'v1')
  await admin.release(s.project, 'v2')
  s.customer.deploy('v2')
}

describe('reloads that hold in an incident (Chromium, whole app)', () => {
  it('lowering the minimum within the window: no tab reloads', async () => {
    const s = await setup('rollout-undo')
    const pages = [await openTab(s), await openTab(s), await openTab(s)]
    // The person is elsewhere: every tab is hidden, so each may reload.
    for (const page of pages) await setVisibility(page, 'hidden')
    await expect.poll(() => admin.live(s.project), POLL).toMatchObject({ total: 3, versions: [{ version: 'v1', sessions: 3 }] })

    await releaseAndDeploy(s)
    await admin.setMinSupported(s.project, 'v2')
    // Every tab has heard it is below the minimum…
    for (const page of pages) await expect.poll(async () => (await sdkState(page)).belowMinimum, POLL).toBe(true)
    // …and the raise was a mistake: undone at once.
    await admin.setMinSupported(s.project, null)
    for (const page of pages) await expect.poll(async () => (await sdkState(page)).belowMinimum, POLL).toBe(false)

    // Long enough for every forced reload of the undone wave to have started
    // (its lead, then three slots a second apart), and for the old SDK's
    // 8 s window twice over.
    await pages[0]!.waitForTimeout((LEAD_SECONDS + 10) * 1000)
    expect(s.customer.pagesServed).toEqual(['v1', 'v1', 'v1'])
    expect(reloadsAcknowledged(s.relay)).toEqual([])
    for (const page of pages) expect((await sdkState(page)).version).toBe('v1')
  }, 180_000)

  it('an outage during forced reloads: after recovery the reasons are forced and no heartbeat is missing', async () => {
    const s = await setup('rollout-outage')
    const pages = [await openTab(s), await openTab(s), await openTab(s)]
    for (const page of pages) await setVisibility(page, 'hidden')
    const sessions = await Promise.all(pages.map(sessionOf))
    await expect.poll(() => admin.live(s.project), POLL).toMatchObject({ total: 3, versions: [{ version: 'v1', sessions: 3 }] })

    // Ingest goes down for a while the moment the first tab is told to
    // reload (an answer that says "now", or for an SDK without slots, the
    // first that says it is below the minimum): that tab's reload event and
    // what it still had queued meet the outage, and so do the first events
    // of its next load and every heartbeat the other tabs send meanwhile.
    const told = new Set<string>()
    const landed = () => s.customer.pagesServed.filter((v) => v === 'v2').length
    let outage: { told: number; reloaded: number } | undefined
    let started = false
    s.relay.onAnswer = (batch: RelayedBatch, answer) => {
      if (started || answer.belowMinimum !== true || (answer.reloadIn !== undefined && answer.reloadIn !== 0)) return
      told.add(batch.session)
      // Answers already on their way when it went down still count as told.
      setTimeout(() => (started = true), 0)
      if (s.relay.down) return
      s.relay.down = true
      setTimeout(() => {
        outage = { told: told.size, reloaded: landed() }
        s.relay.down = false
      }, 10_000)
    }
    await releaseAndDeploy(s)
    await admin.setMinSupported(s.project, 'v2')

    await expect.poll(() => outage !== undefined, { timeout: 120_000, interval: 250 }).toBe(true)
    expect(outage!.reloaded).toBeGreaterThan(0)
    expect(s.relay.refused.length).toBeGreaterThan(0)
    await expect.poll(landed, { timeout: 90_000, interval: 250 }).toBe(3)

    // After recovery the upgrades count as forced…
    await expect
      .poll(() => admin.releaseFigures(s.project, 'v2'), { timeout: 90_000, interval: 500 })
      .toMatchObject({ upgradedByReload: { total: 3, byReason: [{ reason: 'forced', sessions: 3 }] } })
    expect(reloadsAcknowledged(s.relay).map((r) => [r.session, r.reason]).sort()).toEqual(sessions.map((x) => [x, 'forced']).sort())
    // …and every event each v1 load made is stored, heartbeats included: the
    // numbers n of its ids <load>_<n> run from 0 to its reload event's.
    for (const session of sessions) {
      const batches = s.relay.forwarded.filter((b) => b.session === session && b.version === 'v1')
      const stored = new Set(batches.flatMap((b) => b.events.map((e) => e.id)))
      const reload = batches.flatMap((b) => b.events).find((e) => e.type === 'reload')!
      const [load, last] = [reload.id.slice(0, reload.id.lastIndexOf('_')), Number(reload.id.split('_').at(-1))]
      const missing = Array.from({ length: last + 1 }, (_, n) => `${load}_${n}`).filter((id) => !stored.has(id))
      expect(missing, `events of ${session}'s v1 load never stored`).toEqual([])
      const heartbeats = batches.flatMap((b) => b.events).filter((e) => e.type === 'heartbeat' && e.id.startsWith(load + '_'))
      expect(heartbeats.length).toBeGreaterThan(0)
    }
    // While ingest was down, the tabs told to reload before it went down did, and no other.
    expect(outage!.reloaded).toBe(outage!.told)
  }, 300_000)

  it('a tab with a dirty form does not reload until the form is submitted or cleared', async () => {
    const form = `<form id="note" onsubmit="event.preventDefault(); this.dataset.saved = this.elements.text.value">
      <label>Note <input name="text" autocomplete="off"></label> <button>Save</button></form>`
    const s = await setup('rollout-dirty-form', { body: form })
    const [cleared, submitted, clean] = [await openTab(s), await openTab(s), await openTab(s)]
    const sessions = await Promise.all([cleared, submitted, clean].map(sessionOf))
    // Two people left a half-written note in their tab; the third tab has none.
    await cleared.fill('input[name=text]', 'half a sentence')
    await submitted.fill('input[name=text]', 'a whole one')
    for (const page of [cleared, submitted, clean]) await setVisibility(page, 'hidden')
    await expect.poll(() => admin.live(s.project), POLL).toMatchObject({ total: 3, versions: [{ version: 'v1', sessions: 3 }] })

    await releaseAndDeploy(s)
    await admin.setMinSupported(s.project, 'v2')
    // The clean tab reloads in the wave…
    await expect.poll(() => reloadsAcknowledged(s.relay).map((r) => r.session), { timeout: 90_000, interval: 250 }).toEqual([sessions[2]])
    // …and the dirty ones wait, well past their slots.
    await cleared.waitForTimeout(15_000)
    expect(reloadsAcknowledged(s.relay).map((r) => r.session)).toEqual([sessions[2]])
    expect(await cleared.inputValue('input[name=text]')).toBe('half a sentence')
    expect(await submitted.inputValue('input[name=text]')).toBe('a whole one')

    // One person clears the field, the other saves the note: both tabs reload then.
    await cleared.fill('input[name=text]', '')
    await submitted.click('button')
    await expect
      .poll(() => reloadsAcknowledged(s.relay).map((r) => r.session).sort(), { timeout: 90_000, interval: 250 })
      .toEqual([...sessions].sort())
    expect(reloadsAcknowledged(s.relay).every((r) => r.reason === 'forced')).toBe(true)
    await expect.poll(() => s.customer.pagesServed.filter((v) => v === 'v2').length, POLL).toBe(3)
  }, 300_000)

  it('a tab with a dirty form that goes hidden is not granted a reload until its work is saved: every start lands', async () => {
    const form = `<form id="note" onsubmit="event.preventDefault(); this.dataset.saved = this.elements.text.value">
      <label>Note <input name="text" autocomplete="off"></label> <button>Save</button></form>`
    const s = await setup('rollout-dirty-hidden', { body: form })
    const tab = await openTab(s)
    const session = await sessionOf(tab)
    await tab.fill('input[name=text]', 'half a sentence')
    await expect.poll(() => admin.live(s.project), POLL).toMatchObject({ total: 1, versions: [{ version: 'v1', sessions: 1 }] })
    await releaseAndDeploy(s)
    await admin.setMinSupported(s.project, 'v2')
    // In use through the lead and past its slot; then the person switches tabs with the note unsaved.
    await expect.poll(async () => (await sdkState(tab)).belowMinimum, POLL).toBe(true)
    await tab.waitForTimeout((LEAD_SECONDS + 3) * 1000)
    await setVisibility(tab, 'hidden')
    await tab.waitForTimeout(8_000)
    // Hidden, with the note unsaved: not granted a start, so nothing is counted that cannot land.
    expect((await admin.rollout(s.project)).wave).toMatchObject({ granted: 0, landed: 0 })
    expect(reloadsAcknowledged(s.relay)).toEqual([])
    // Saved: the next heartbeat says nothing is unsaved, and the tab reloads in its slot.
    await tab.click('button')
    await expect.poll(() => reloadsAcknowledged(s.relay).map((r) => r.session), { timeout: 90_000, interval: 250 }).toEqual([session])
    await expect.poll(async () => (await admin.rollout(s.project)).wave, POLL).toMatchObject({ granted: 1, landed: 1 })
  }, 300_000)

  it('one tab accepts the prompt: the other tabs follow, staggered', async () => {
    const staggerSeconds = 2
    const s = await setup('rollout-follow', { prompt: true }, { staggerSeconds })
    // One window: the tab the person uses, and two background tabs of the same app.
    const [front, ...background] = [await openTab(s), await openTab(s), await openTab(s)]
    for (const page of background) await setVisibility(page, 'hidden')
    const sessions = await Promise.all([front, ...background].map(sessionOf))
    await expect.poll(() => admin.live(s.project), POLL).toMatchObject({ total: 3, versions: [{ version: 'v1', sessions: 3 }] })

    await admin.release(s.project, 'v1')
    await admin.release(s.project, 'v2')
    s.customer.deploy('v2')
    for (const page of background) await expect.poll(async () => (await sdkState(page)).updateAvailable, POLL).toBe(true)
    const prompt = front.getByRole('dialog')
    await prompt.waitFor({ timeout: POLL.timeout })
    await prompt.getByRole('button', { name: 'Reload' }).click()

    // All three land on v2, each with reason update_prompt…
    await expect.poll(() => s.customer.pagesServed.filter((v) => v === 'v2').length, POLL).toBe(3)
    await expect
      .poll(() => admin.releaseFigures(s.project, 'v2'), POLL)
      .toMatchObject({ upgradedByReload: { total: 3, byReason: [{ reason: 'update_prompt', sessions: 3 }] } })
    const reloads = reloadsAcknowledged(s.relay)
    expect(reloads.map((r) => r.session).sort()).toEqual([...sessions].sort())
    // …the front tab first, then the background ones one at a time, at least staggerSeconds apart.
    const times = sessions.map((session) => reloads.find((r) => r.session === session)!.ts!)
    const followers = times.slice(1).sort((a, b) => a - b)
    // A follower's wait starts when it hears of the acceptance, which the front
    // tab broadcasts just before it sends its own reload event: measured from
    // that event, the first follower may come up to a few hundred ms early.
    expect(followers[0]! - times[0]!).toBeGreaterThanOrEqual(staggerSeconds * 1000 - 500)
    expect(followers[1]! - followers[0]!).toBeGreaterThanOrEqual(staggerSeconds * 1000 - 5)
  }, 180_000)
})
