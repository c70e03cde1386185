import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { adminFetch } from '../../support/app-server'
import { esmPage, startCustomerApp, type CustomerApp } from '../../support/customer-app'
import { envelope, heartbeat, post } from '../../support/envelopes'
import { startIngestRelay, type IngestRelay, type RelayedAnswer } from '../../support/ingest-relay'
import type { TestProject } from '../../support/stalewatch-admin'
import { useWholeApp } from '../../support/whole-app'

// Issue 22, finding 2, in Chromium against the whole app: a version string
// sent with the public ingest key alone must not make a real tab show "A new
// version is available"; a registered release, or the app's own x-app-version
// response header, still does. The tab's SDK (with the prompt) reports
// through a loopback relay that records the app's answers.

const whole = useWholeApp()
const POLL = { timeout: 60_000, interval: 250 }

interface Setup {
  project: TestProject
  customer: CustomerApp
  relay: IngestRelay
  /** Every answer the app gave the tab, in order. */
  answers: RelayedAnswer[]
  page: Page
}

// The page asks the app's own server which build it runs, and tells the SDK (stalewatch/headers).
const ASK_THE_APP = `<script type="module">
window.askTheApp = async () => (await import('/sdk/headers.mjs')).observeResponse(await fetch('/api/cart'))
</script>`

/** A project without releases, a customer app on v1 whose tab (with the update prompt) beats every second. */
async function setup(name: string): Promise<Setup> {
  const { app, browser, sdk, admin, closers } = whole
  const project = await admin.createProject(name)
  const relay = await startIngestRelay(app.url)
  const customer = await startCustomerApp({
    version: 'v1',
    page: (v) => esmPage(v, { prompt: true, body: ASK_THE_APP, init: { key: project.ingestKey, endpoint: `${relay.url}/api/ingest`, heartbeatSeconds: 1 } }),
    // The app's own API says which build its servers run, as withStalewatch() makes every Next.js response do.
    assets: { ...sdk, '/api/cart': (v) => ({ type: 'application/json', body: '{"items":[]}', headers: { 'x-app-version': v } }) },
  })
  const answers: RelayedAnswer[] = []
  relay.onAnswer = (_batch, answer) => answers.push(answer)
  const context = await browser.newContext({ viewport: { width: 800, height: 400 } })
  closers.push(() => context.close(), () => customer.close(), () => relay.close())
  const page = await context.newPage()
  await page.goto(customer.url)
  await page.waitForFunction(() => (window as { stalewatch?: unknown }).stalewatch !== undefined)
  await expect.poll(() => admin.live(project), POLL).toMatchObject({ total: 1, versions: [{ version: 'v1', sessions: 1 }] })
  return { project, customer, relay, answers, page }
}

type SdkState = { latest: string | null; updateAvailable: boolean }
const sdkState = (page: Page) => page.evaluate(() => (window as unknown as { stalewatch: { getState(): SdkState } }).stalewatch.getState())

/** The overview's latest release: the app's catalog (which its ingest answers read too) as of now. */
async function overviewLatest(project: TestProject): Promise<string | null> {
  const res = await adminFetch(whole.app, `/api/stats/overview?project=${project.id}`)
  expect(res.status).toBe(200)
  return ((await res.json()) as { latest: { version: string } | null }).latest?.version ?? null
}

/** Waits for `n` more answers to the tab than it has had so far, and returns them. */
async function nextAnswers(s: Setup, n: number): Promise<RelayedAnswer[]> {
  const from = s.answers.length
  await expect.poll(() => s.answers.length, POLL).toBeGreaterThanOrEqual(from + n)
  return s.answers.slice(from)
}

describe('versions only the public key reported (Chromium, whole app)', () => {
  it('a forged version does not make a real tab prompt; a registered release does', async () => {
    const s = await setup('forged-version')

    // An outsider with the page's public key reports a version nobody deployed.
    const { app, admin } = whole
    const forged = await post(`${app.url}/api/ingest`, envelope(s.project.ingestKey, 'v2-forged', [heartbeat(Date.now())]))
    expect(forged.status).toBe(200)
    await expect.poll(async () => (await admin.live(s.project)).versions.map((v) => v.version).sort(), POLL).toEqual(['v1', 'v2-forged'])
    // The dashboard shows it, first seen last: the app's catalog has it from here on.
    await expect.poll(() => overviewLatest(s.project), POLL).toBe('v2-forged')

    // The tab's answers from then on name no latest, and it shows no prompt.
    const answers = await nextAnswers(s, 3)
    expect(answers.map((a) => a.latest)).toEqual([null, null, null])
    expect(await sdkState(s.page)).toMatchObject({ latest: null, updateAvailable: false })
    expect(await s.page.locator('stalewatch-prompt').count()).toBe(0)

    // CI registers a real release with the deploy token: the tab prompts.
    await admin.release(s.project, 'v2')
    const dialog = s.page.getByRole('dialog')
    await dialog.waitFor({ timeout: POLL.timeout })
    expect(await dialog.textContent()).toContain('A new version is available.')
    expect(await sdkState(s.page)).toMatchObject({ latest: 'v2', updateAvailable: true })
  }, 180_000)

  it("without releases, the app's own x-app-version header makes the tab prompt, and answers naming no latest keep it", async () => {
    const s = await setup('app-header')
    s.customer.deploy('v2')
    await s.page.evaluate(() => (window as unknown as { askTheApp(): Promise<void> }).askTheApp())
    const dialog = s.page.getByRole('dialog')
    await dialog.waitFor({ timeout: POLL.timeout })
    expect(await dialog.textContent()).toContain('A new version is available.')

    const answers = await nextAnswers(s, 3)
    expect(answers.map((a) => a.latest)).toEqual([null, null, null])
    expect(await sdkState(s.page)).toMatchObject({ latest: 'v2', updateAvailable: true })
  }, 180_000)
})
