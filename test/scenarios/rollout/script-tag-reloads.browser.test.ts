import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApp, type RunningApp } from '../../support/app-server'
import { launchChromium, setVisibility } from '../../support/browser'
import { inlineJson, startCustomerApp, type CustomerApp } from '../../support/customer-app'
import { startIngestRelay, type IngestRelay, type RelayedAnswer } from '../../support/ingest-relay'
import { stalewatchAdmin, type TestProject } from '../../support/stalewatch-admin'

// Automatic reloads with the script tag, in Chromium against the whole app:
// /sdk.js as docs/sdk.md embeds it, whose reload rules (/stalewatch-reloads.js,
// beside it) come only once a reload can matter. Each tab reports through a
// loopback relay in front of the app, which records what the app answered
// and acknowledged. The script tag's heartbeat is a minute; where a test
// needs "the tab's next heartbeat" it asks for it with Stalewatch.beat().

let app: RunningApp
let browser: Browser
let admin: ReturnType<typeof stalewatchAdmin>
const closers: (() => Promise<unknown>)[] = []
const POLL = { timeout: 60_000, interval: 250 }
const LEAD_SECONDS = 20
const RULES = '/stalewatch-reloads.js'

beforeAll(async () => {
  ;[app, browser] = await Promise.all([
    startApp({ STALEWATCH_WAVE_LEAD_SECONDS: String(LEAD_SECONDS), STALEWATCH_RELOADS_PER_MINUTE: '60' }),
    launchChromium(),
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
  /** The page of each request for the rules' file, in order. */
  rulesFetchedBy: Page[]
}

async function setup(name: string): Promise<Setup> {
  const project = await admin.createProject(name)
  // v1 is a registered release: the tabs' answers name it as the latest (a project without releases names none).
  await admin.release(project, 'v1')
  const relay = await startIngestRelay(app.url)
  const customer = await startCustomerApp({
    version: 'v1',
    page: (v) => `<!doctype html><title>Shop ${v}</title><h1>Shop</h1><p>Running build <b>${v}</b>.</p>
<script src="${app.url}/sdk.js" async data-key=${inlineJson(project.ingestKey)} data-version=${inlineJson(v)} data-endpoint=${inlineJson(`${relay.url}/api/ingest`)}></script>`,
  })
  const context = await browser.newContext({ viewport: { width: 800, height: 400 } })
  const rulesFetchedBy: Page[] = []
  context.on('request', (r) => {
    if (new URL(r.url()).pathname === RULES) rulesFetchedBy.push(r.frame().page())
  })
  closers.push(() => context.close(), () => customer.close(), () => relay.close())
  return { project, customer, relay, context, rulesFetchedBy }
}

type SdkState = { version: string; latest: string | null; belowMinimum: boolean; updateAvailable: boolean }
type Global = { Stalewatch: { getState(): SdkState | undefined; beat(): void } }
const sdkState = (page: Page) => page.evaluate(() => (window as unknown as Global).Stalewatch.getState())
/** The tab's next heartbeat, now. */
const beat = (page: Page) => page.evaluate(() => (window as unknown as Global).Stalewatch.beat())
const sessionOf = (page: Page) => page.evaluate(() => sessionStorage.getItem('sw_s')!)

async function openTab(s: Setup): Promise<Page> {
  const page = await s.context.newPage()
  await page.goto(s.customer.url)
  // Started, and its first answer (the load event's) is in.
  await expect.poll(async () => (await sdkState(page))?.latest, POLL).toBe('v1')
  return page
}

/** Sessions whose tab sent a `reload` event the app acknowledged, with its reason and client time. */
function reloadsAcknowledged(relay: IngestRelay): { session: string; reason?: string; ts: number }[] {
  const seen = new Map<string, { session: string; reason?: string; ts: number }>()
  for (const b of relay.forwarded) for (const e of b.events) if (e.type === 'reload') seen.set(e.id, { session: b.session, reason: e.reason, ts: e.ts! })
  return [...seen.values()]
}

const served = (s: Setup, version: string) => s.customer.pagesServed.filter((v) => v === version).length

describe('automatic reloads with the script tag (Chromium, whole app)', () => {
  it('a tab below the minimum loads the rules, and reloads only in its slot and once hidden', async () => {
    const s = await setup('script-tag-forced')
    const page = await openTab(s)
    const session = await sessionOf(page)
    // With nothing to update to, the rules are not fetched, whatever the tab does.
    await beat(page)
    await page.mouse.move(10, 10)
    await page.waitForTimeout(1_500)
    expect(s.rulesFetchedBy).toEqual([])

    const answers: (RelayedAnswer & { at: number })[] = []
    s.relay.onAnswer = (batch, answer) => {
      if (batch.session === session) answers.push({ ...answer, at: Date.now() })
    }
    await admin.release(s.project, 'v2')
    s.customer.deploy('v2')
    await admin.setMinSupported(s.project, 'v2')
    await beat(page)
    await expect.poll(async () => (await sdkState(page))?.belowMinimum, POLL).toBe(true)
    await expect.poll(() => s.rulesFetchedBy.length, POLL).toBe(1)
    expect(s.rulesFetchedBy[0]).toBe(page)
    // The answer that told it gave its slot, after the wave's lead.
    const told = answers.find((a) => a.belowMinimum === true)!
    expect(told.reloadIn).toBeGreaterThan(0)
    const slotAt = told.at + (told.reloadIn as number)

    // The person is using the tab: its slot comes and goes, and it stays.
    await page.waitForTimeout(Math.max(0, slotAt - Date.now()) + 3_000)
    expect(s.customer.pagesServed).toEqual(['v1'])
    expect(reloadsAcknowledged(s.relay)).toEqual([])

    // They switch to another tab: it reloads, reason forced, onto v2.
    const hiddenAt = Date.now()
    await setVisibility(page, 'hidden')
    await expect.poll(() => served(s, 'v2'), POLL).toBe(1)
    await expect.poll(() => reloadsAcknowledged(s.relay), POLL).toEqual([{ session, reason: 'forced', ts: expect.any(Number) }])
    const [forced] = reloadsAcknowledged(s.relay)
    expect(forced!.ts).toBeGreaterThanOrEqual(slotAt - 1_000)
    expect(forced!.ts).toBeGreaterThanOrEqual(hiddenAt)
    // On v2 nothing is stale: the rules are not fetched again.
    await expect.poll(async () => (await sdkState(page))?.version, POLL).toBe('v2')
    expect(s.rulesFetchedBy).toHaveLength(1)
  }, 240_000)

  it('one tab accepts the prompt: a tab that had heard of the update follows at once, one that had not follows at its next heartbeat, staggered', async () => {
    const s = await setup('script-tag-follow')
    const [front, heard, late] = [await openTab(s), await openTab(s), await openTab(s)]
    for (const page of [heard, late]) await setVisibility(page, 'hidden')
    const sessions = await Promise.all([front, heard, late].map(sessionOf))
    await expect.poll(() => admin.live(s.project), POLL).toMatchObject({ total: 3, versions: [{ version: 'v1', sessions: 3 }] })
    // The last thing each background tab said (that it went hidden) was answered before the release.
    for (const session of sessions.slice(1))
      await expect.poll(() => s.relay.forwarded.some((b) => b.session === session && b.events.some((e) => e.type === 'visibility')), POLL).toBe(true)

    await admin.release(s.project, 'v2')
    s.customer.deploy('v2')
    // One background tab hears of v2 (its rules come); the other has not asked since.
    await beat(heard)
    await expect.poll(async () => (await sdkState(heard))?.updateAvailable, POLL).toBe(true)
    await expect.poll(() => s.rulesFetchedBy.includes(heard), POLL).toBe(true)
    await beat(front)
    const prompt = front.getByRole('dialog')
    await prompt.waitFor({ timeout: POLL.timeout })
    expect(s.rulesFetchedBy.includes(front)).toBe(true)
    expect(await sdkState(late)).toMatchObject({ latest: 'v1', updateAvailable: false })
    expect(s.rulesFetchedBy.includes(late)).toBe(false)
    await prompt.getByRole('button', { name: 'Reload' }).click()

    // The front tab, then the one that had heard, after the stagger (3 s by default).
    await expect.poll(() => served(s, 'v2'), POLL).toBe(2)
    // The other hears of v2 at its next heartbeat: its rules come, and it follows too.
    const lateHeard = Date.now()
    await beat(late)
    await expect.poll(() => served(s, 'v2'), POLL).toBe(3)
    await expect.poll(() => reloadsAcknowledged(s.relay).length, POLL).toBe(3)
    const reloads = reloadsAcknowledged(s.relay)
    expect(reloads.map((r) => r.session).sort()).toEqual([...sessions].sort())
    expect(reloads.every((r) => r.reason === 'update_prompt')).toBe(true)
    const at = (session: string) => reloads.find((r) => r.session === session)!.ts
    expect(at(sessions[1]!) - at(sessions[0]!)).toBeGreaterThanOrEqual(3_000 - 5)
    expect(at(sessions[2]!) - lateHeard).toBeGreaterThanOrEqual(3_000 - 5)
    await expect
      .poll(() => admin.releaseFigures(s.project, 'v2'), POLL)
      .toMatchObject({ upgradedByReload: { total: 3, byReason: [{ reason: 'update_prompt', sessions: 3 }] } })
  }, 240_000)
})
