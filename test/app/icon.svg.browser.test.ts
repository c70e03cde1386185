import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApp, type RunningApp } from '../support/app-server'
import { launchChromium, logInWithToken } from '../support/browser'

// The dashboard's icon (app/icon.svg, Next.js's app-router convention): every
// page links it, and it is served to anyone, logged in or not, so no page
// load ends in a 404 for it.

let app: RunningApp
let browser: Browser

beforeAll(async () => {
  ;[app, browser] = await Promise.all([startApp(), launchChromium()])
}, 600_000)

afterAll(() => Promise.all([browser?.close(), app?.stop()]))

/** Opens `pathname` in a fresh context; returns the icon the page links and every 404 the load met. */
async function visit(pathname: string, loggedIn: boolean) {
  const context = await browser.newContext()
  const page = await context.newPage()
  if (loggedIn) await logInWithToken(page, app)
  const notFound: string[] = []
  page.on('response', (r) => {
    if (r.status() === 404) notFound.push(r.url())
  })
  await page.goto(new URL(pathname, app.url).href, { waitUntil: 'load' })
  // The icon the page links, fetched as the browser fetches it for the tab: from the page, with its cookies (none when logged out).
  // Without a link, a browser asks for /favicon.ico.
  const { href, icon } = await page.evaluate(async () => {
    const href = document.querySelector('link[rel~="icon"]')?.getAttribute('href') ?? null
    const r = await fetch(href ?? '/favicon.ico')
    return { href, icon: { status: r.status, type: r.headers.get('content-type'), body: await r.text() } }
  })
  const landed = new URL(page.url()).pathname
  await context.close()
  return { href, icon, notFound, landed }
}

describe('the favicon', () => {
  it('is linked from the login page and served 200 as SVG to a logged-out browser', async () => {
    const seen = await visit('/', false)
    expect(seen.landed).toBe('/login')
    expect(seen.icon).toMatchObject({ status: 200, type: 'image/svg+xml' })
    expect(seen.href).toMatch(/^\/icon\.svg/)
    expect(seen.icon.body).toContain('<svg')
    expect(seen.notFound).toEqual([])
  }, 120_000)

  it('is linked from a dashboard page for a logged-in browser', async () => {
    const seen = await visit('/', true)
    expect(seen.landed).toBe('/')
    expect(seen.icon).toMatchObject({ status: 200, type: 'image/svg+xml' })
    expect(seen.href).toMatch(/^\/icon\.svg/)
    expect(seen.notFound).toEqual([])
  }, 120_000)
})
