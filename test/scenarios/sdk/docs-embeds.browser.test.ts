import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApp, type RunningApp } from '../../support/app-server'
import { launchChromium } from '../../support/browser'
import { inlineJson, startCustomerApp, type CustomerApp } from '../../support/customer-app'
import { stalewatchAdmin } from '../../support/stalewatch-admin'

// The script tag docs/sdk.md tells customers to embed, run as written in
// Chromium on a customer origin, served by the app (/sdk.js). The framework
// adapters run in apps made by the frameworks' scaffolders: test/scenarios/apps/.

let app: RunningApp
let browser: Browser
let admin: ReturnType<typeof stalewatchAdmin>
const customers: CustomerApp[] = []
const POLL = { timeout: 30_000, interval: 200 }

beforeAll(async () => {
  ;[app, browser] = await Promise.all([startApp(), launchChromium()])
  admin = stalewatchAdmin(app)
}, 600_000)

afterAll(async () => {
  await browser?.close()
  await Promise.all(customers.map((c) => c.close()))
  await app?.stop()
})

async function openTab(customer: CustomerApp): Promise<Page> {
  const page = await (await browser.newContext()).newPage()
  await page.goto(customer.url)
  return page
}

describe('the embeds docs/sdk.md shows, in Chromium', () => {
  it('the script tag from the app starts itself from its data attributes and reports to the app cross-origin', async () => {
    const project = await admin.createProject('browser-script-tag')
    const customer = await startCustomerApp({
      version: '2024-06-01.3',
      page: (v) => `<!doctype html><title>Shop</title><h1>Shop</h1>
<script src="${app.url}/sdk.js" async data-key=${inlineJson(project.ingestKey)} data-version=${inlineJson(v)}></script>`,
    })
    customers.push(customer)
    const page = await openTab(customer)

    await expect.poll(() => admin.live(project), POLL).toMatchObject({ total: 1, versions: [{ version: '2024-06-01.3', sessions: 1, visible: 1 }] })
    // With no release registered, no answer names a latest (docs/semantics.md, What a tab is told): nothing to update to.
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { Stalewatch: { getState(): unknown } }).Stalewatch.getState()), POLL)
      .toEqual({ version: '2024-06-01.3', latest: null, minSupported: null, belowMinimum: false, updateAvailable: false })
    await page.context().close()
  })
})
