import { mkdirSync } from 'node:fs'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../../support/browser'
import { inlineJson, sdkAssets, startCustomerApp, type CustomerApp } from '../../support/customer-app'

// The update prompt (stalewatch/prompt, which every adapter mounts) in
// Chromium, on a page whose own CSS is hostile to it and whose fixed sidebar
// covers the corner it uses: it stays visible and clickable on top, is a
// dialog announced politely, takes no focus from what the person types, works
// from the keyboard (Tab, Enter, Escape) and gives focus back, shows the app's
// own text, and follows light and dark. Ingest is answered by the test.

const artifacts = path.resolve(import.meta.dirname, '../../artifacts')
let browser: Browser
let customer: CustomerApp

const HOSTILE = `<style>
  dialog, span, button { display: none !important; }
  * { font-size: 2px !important; z-index: 1 !important; }
  #sidebar { position: fixed; inset: 0 0 0 auto; width: 60vw; z-index: 99999 !important; background: #2563eb; color: #fff; }
</style>`

const page = (options: unknown) => `<!doctype html><html><head><meta charset="utf-8"><title>Shop</title>${HOSTILE}</head>
<body><aside id="sidebar">Sidebar</aside><label>Note <input id="note"></label>
<script type="module">
import * as stalewatch from '/sdk/index.mjs'
import { mountUpdatePrompt } from '/sdk/prompt.mjs'
stalewatch.init({ key: 'swk_prompt', version: 'v1', endpoint: '/api/ingest' })
mountUpdatePrompt(${inlineJson(options)})
window.stalewatch = stalewatch
</script></body></html>`

beforeAll(async () => {
  const assets = await sdkAssets()
  customer = await startCustomerApp({
    version: 'v1',
    page: () => page({}),
    assets: { ...assets, '/custom': { type: 'text/html', body: page({ text: 'Eine neue Version ist da.', reloadLabel: 'Neu laden', laterLabel: 'Später', theme: 'dark' }) } },
  })
  browser = await launchChromium()
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await customer?.close()
})

/** A tab whose ingest requests the test answers, recording every event sent. */
async function openTab(pathname = '/', colorScheme: 'light' | 'dark' = 'light') {
  const context = await browser.newContext({ colorScheme, viewport: { width: 900, height: 400 } })
  const tab = await context.newPage()
  const events: { type: string; action?: string; reason?: string }[] = []
  await context.route('**/api/ingest**', async (route) => {
    const body = route.request().postData()
    if (body) events.push(...(JSON.parse(body) as { events: typeof events }).events)
    await route.fulfill({ status: 204, headers: { 'stalewatch-answer': '{"latest":"v1","minSupported":null,"belowMinimum":false}' } })
  })
  await tab.goto(customer.url + pathname)
  await tab.waitForFunction(() => 'stalewatch' in window)
  return { tab, events }
}

/** Closes the tab's context without waiting on an ingest request still in the test's route (the reload's beacon). */
async function closeTab(tab: Page): Promise<void> {
  await tab.context().unrouteAll({ behavior: 'ignoreErrors' })
  await tab.context().close()
}

const announce = (tab: Page) => tab.evaluate(() => (window as unknown as { stalewatch: { update(a: object): void } }).stalewatch.update({ latest: 'v2' }))

describe('the update prompt in Chromium', () => {
  it('shows above a fixed sidebar and hostile CSS, as a polite dialog, without taking focus', async () => {
    const { tab, events } = await openTab()
    await tab.locator('#note').focus()
    await tab.keyboard.type('half a sentence')
    await announce(tab)
    const dialog = tab.getByRole('dialog')
    await dialog.waitFor()
    expect(await dialog.textContent()).toContain('A new version is available.')
    expect(await dialog.getAttribute('aria-live')).toBe('polite')
    // Still typing where they were.
    expect(await tab.evaluate(() => document.activeElement?.id)).toBe('note')
    // The topmost element at the Reload button's centre is the prompt's host, not the sidebar.
    const box = (await dialog.getByRole('button', { name: 'Reload' }).boundingBox())!
    expect(await tab.evaluate(([x, y]) => document.elementFromPoint(x!, y!)?.tagName, [box.x + box.width / 2, box.y + box.height / 2])).toBe('STALEWATCH-PROMPT')
    mkdirSync(artifacts, { recursive: true })
    await tab.screenshot({ path: path.join(artifacts, 'sdk-prompt-light.png') })
    await expect.poll(() => events.filter((e) => e.type === 'update_prompt').map((e) => e.action)).toEqual(['shown'])
    await closeTab(tab)
  })

  it('works from the keyboard: Tab reaches Reload, Escape means Later and gives focus back', async () => {
    const { tab, events } = await openTab()
    await tab.locator('#note').focus()
    await announce(tab)
    await tab.getByRole('dialog').waitFor()
    await tab.keyboard.press('Tab')
    expect(await tab.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.textContent)).toBe('Reload')
    await tab.keyboard.press('Escape')
    await expect.poll(() => tab.getByRole('dialog').count()).toBe(0)
    expect(await tab.evaluate(() => document.activeElement?.id)).toBe('note')
    // Once per new version: the same latest again shows nothing.
    await announce(tab)
    expect(await tab.locator('stalewatch-prompt').count()).toBe(0)
    await expect.poll(() => events.filter((e) => e.type === 'update_prompt').map((e) => e.action)).toEqual(['shown', 'dismissed'])
    await closeTab(tab)
  })

  it('Enter on Reload reloads the tab, reporting accepted and the reason update_prompt', async () => {
    const { tab, events } = await openTab()
    await announce(tab)
    await tab.getByRole('dialog').waitFor()
    await tab.locator('#note').focus()
    await tab.keyboard.press('Tab')
    await expect.poll(() => tab.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.textContent), { timeout: 10_000 }).toBe('Reload')
    const navigated = tab.waitForEvent('framenavigated', { timeout: 20_000 })
    await tab.keyboard.press('Enter')
    await navigated
    await expect.poll(() => events.map((e) => e.action ?? e.reason).filter(Boolean)).toEqual(expect.arrayContaining(['shown', 'accepted', 'update_prompt']))
    expect(events.find((e) => e.type === 'reload')).toMatchObject({ reason: 'update_prompt' })
    await closeTab(tab)
  })

  it('shows the app\'s own text, in the dark scheme when asked', async () => {
    const { tab } = await openTab('/custom', 'dark')
    await announce(tab)
    const dialog = tab.getByRole('dialog')
    await dialog.getByRole('button', { name: 'Neu laden' }).waitFor()
    expect(await dialog.textContent()).toContain('Eine neue Version ist da.')
    expect(await dialog.getByRole('button', { name: 'Später' }).count()).toBe(1)
    const colours = await dialog.evaluate((d) => getComputedStyle(d).backgroundColor)
    // Canvas in the dark scheme is dark.
    const [r, g, b] = colours.match(/\d+/g)!.map(Number)
    expect(r! + g! + b!).toBeLessThan(150)
    await tab.screenshot({ path: path.join(artifacts, 'sdk-prompt-dark.png') })
    await closeTab(tab)
  })
})
