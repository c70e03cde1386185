import path from 'node:path'
import { build } from 'esbuild'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApp, type RunningApp } from '../support/app-server'
import { launchChromium } from '../support/browser'
import { inlineJson, startCustomerApp, type CustomerApp } from '../support/customer-app'
import { stalewatchAdmin, type TestProject } from '../support/stalewatch-admin'

// The two ways docs/sdk.md tells customers to embed the SDK, run as written in
// Chromium on a customer origin: the script tag the app serves (/sdk.js), and
// the Next.js client component (docs/examples/next-client.tsx, shown verbatim
// in the docs), bundled the way Next.js bundles a client component.

const root = path.resolve(import.meta.dirname, '../..')
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

/**
 * The Next.js example as the browser gets it from a build of that version:
 * NEXT_PUBLIC_* inlined, the rest of process.env empty (Next's polyfill),
 * React in production mode, mounted as the root layout would.
 */
async function nextBundle(project: TestProject, version: string): Promise<string> {
  const result = await build({
    stdin: {
      contents: `import { createElement } from 'react'
        import { createRoot } from 'react-dom/client'
        import { Stalewatch } from './docs/examples/next-client'
        createRoot(document.getElementById('root')).render(createElement(Stalewatch))`,
      resolveDir: root,
      loader: 'tsx',
    },
    absWorkingDir: root,
    tsconfig: path.join(root, 'tsconfig.json'),
    bundle: true,
    write: false,
    format: 'iife',
    jsx: 'automatic',
    target: 'es2020',
    logLevel: 'silent',
    banner: { js: 'var process = { env: {} };' },
    define: {
      'process.env.NODE_ENV': '"production"',
      'process.env.NEXT_PUBLIC_STALEWATCH_KEY': JSON.stringify(project.ingestKey),
      'process.env.NEXT_PUBLIC_STALEWATCH_ENDPOINT': JSON.stringify(`${app.url}/api/ingest`),
      'process.env.NEXT_PUBLIC_APP_VERSION': JSON.stringify(version),
    },
  })
  return result.outputFiles[0]!.text
}

/** What a person switching to another tab and back makes the browser do (headless Chromium never hides a tab). */
async function switchAwayAndBack(page: Page): Promise<void> {
  for (const state of ['hidden', 'visible']) {
    await page.evaluate((s) => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => s })
      document.dispatchEvent(new Event('visibilitychange'))
    }, state)
  }
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
    // With no release registered, the version seen is the latest (released implicitly): nothing to update to.
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { Stalewatch: { getState(): unknown } }).Stalewatch.getState()), POLL)
      .toEqual({ version: '2024-06-01.3', latest: '2024-06-01.3', minSupported: null, belowMinimum: false, updateAvailable: false })
    await page.context().close()
  })

  it('the Next.js snippet reports its build, shows Update for a new release, and reloads onto it', async () => {
    const project = await admin.createProject('browser-next')
    const bundles = { v1: await nextBundle(project, 'v1'), v2: await nextBundle(project, 'v2') }
    const customer = await startCustomerApp({
      version: 'v1',
      page: (v) => `<!doctype html><title>Shop</title><p id="version">${v}</p><div id="root"></div><script src="/app.js"></script>`,
      assets: { '/app.js': (v) => ({ type: 'text/javascript', body: bundles[v as keyof typeof bundles] }) },
    })
    customers.push(customer)
    const page = await openTab(customer)
    await expect.poll(() => admin.live(project), POLL).toMatchObject({ total: 1, versions: [{ version: 'v1', sessions: 1 }] })
    expect(await page.getByRole('button', { name: 'Update' }).count()).toBe(0)

    await admin.release(project, 'v2')
    customer.deploy('v2')
    // The next thing the tab sends (here: coming back to it) brings the answer with latest v2.
    await switchAwayAndBack(page)
    const update = page.getByRole('button', { name: 'Update' })
    await update.waitFor({ timeout: POLL.timeout })
    await update.click()

    await page.waitForFunction(() => document.getElementById('version')?.textContent === 'v2')
    await expect.poll(() => admin.live(project), POLL).toMatchObject({ total: 1, versions: [{ version: 'v2', sessions: 1 }] })
    await expect
      .poll(() => admin.releaseFigures(project, 'v2'), POLL)
      .toMatchObject({ upgradedByReload: { total: 1, byReason: [{ reason: 'update_prompt', sessions: 1 }] } })
    await page.context().close()
  })
})
