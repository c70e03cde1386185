import { mkdirSync } from 'node:fs'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { IngestEnvelope, ReloadReason, WireEvent } from '@/sdk/src/wire'
import { adminFetch, startApp, type RunningApp } from '../../support/app-server'
import { launchChromium, logInWithToken } from '../../support/browser'
import { uid } from '../../support/envelopes'
import { simulatedTabs, type SimulatedTab } from '../../support/simulated-tabs'

// Every dashboard page, at a laptop's 1280 and 1440 px and a phone's 390 px,
// light and dark, with what real projects put on it: git SHAs for versions
// (40 characters, what the README recommends), long project names, every
// reload reason, a minimum and its wave. A page fails if any element sticks
// out of its parent's box or clips its text, if the page scrolls sideways,
// or, from 1280 px up, if a table needs a horizontal scroll. Screenshots go
// to test/artifacts/layout-*.png.

const M = 60_000
const artifacts = path.resolve(import.meta.dirname, '../../artifacts')
const WIDTHS = [1280, 1440, 390] as const
const THEMES = ['light', 'dark'] as const
// Three releases named by their commit, as `git rev-parse HEAD` prints them.
const SHA = ['3f9c2a7d1e8b4c6a0f5d2e9b7c1a4d8e6f0b3c5a', '8b1e4d7a2c9f6b3e0d5a8c1f4b7e2a9d6c3f0b5e', 'c4a7e0d3b6f9c2a5e8b1d4f7a0c3e6b9d2f5a8c1'] as const

let app: RunningApp
let browser: Browser
let projectId = ''
let latestReleasedAt = 0
let waveTabs: SimulatedTab[] = []

async function sendTab(key: string, version: string, from: number, to: number, reload?: { at: number; into: string; reason?: ReloadReason }): Promise<void> {
  const session = uid('sess')
  const loads: { version: string; load: string; events: WireEvent[] }[] = [{ version, load: uid('load'), events: [] }]
  for (let t = from; t <= to; t += M) {
    if (reload && t >= reload.at && loads.length === 1) {
      if (reload.reason) loads[0]!.events.push({ id: uid('evt'), type: 'reload', ts: t - 2000, reason: reload.reason })
      loads.push({ version: reload.into, load: uid('load'), events: [{ id: uid('evt'), type: 'load', ts: t, visibility: 'visible', navigation: 'reload', previousVersion: version }] })
    }
    loads.at(-1)!.events.push({ id: uid('evt'), type: 'heartbeat', ts: t, visibility: 'visible' })
  }
  for (const load of loads) {
    for (let i = 0; i < load.events.length; i += 100) {
      const envelope: IngestEnvelope = { key, session, load: load.load, version: load.version, sentAt: Date.now(), events: load.events.slice(i, i + 100) }
      const res = await fetch(new URL('/api/ingest', app.url), { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(envelope) })
      expect(res.status, await res.text()).toBe(200)
    }
  }
}

beforeAll(async () => {
  ;[app, browser] = await Promise.all([startApp(), launchChromium()])
  const names = ['Northwind Traders customer storefront (production, eu-west-1)', 'Internal back-office administration console for the warehouse teams']
  const created = []
  for (const name of names) {
    const res = await adminFetch(app, '/api/projects', { method: 'POST', body: JSON.stringify({ name }) })
    expect(res.status).toBe(201)
    created.push((await res.json()) as { id: string; ingestKey: string })
  }
  const project = created[0]!
  projectId = project.id
  const now = Date.now()
  const start = Math.floor((now - 90 * M) / M) * M
  const at = [start - 120 * M, start + 20 * M, start + 50 * M] as const
  latestReleasedAt = at[2]
  for (let i = 0; i < SHA.length; i++) {
    const res = await adminFetch(app, '/api/releases', { method: 'POST', body: JSON.stringify({ project: project.id, version: SHA[i], releasedAt: at[i] }) })
    expect(res.status).toBe(201)
  }
  const end = now - 5000
  const key = project.ingestKey
  await Promise.all([
    sendTab(key, SHA[0], start, end),
    sendTab(key, SHA[0], start, end, { at: at[1] + 5 * M, into: SHA[1], reason: 'update_prompt' }),
    sendTab(key, SHA[0], start, end, { at: at[1] + 9 * M, into: SHA[1], reason: 'forced' }),
    sendTab(key, SHA[0], start, end, { at: at[1] + 12 * M, into: SHA[1], reason: 'chunk_error' }),
    sendTab(key, SHA[0], start, end, { at: at[1] + 15 * M, into: SHA[1] }),
    sendTab(key, SHA[1], at[1] + M, end, { at: at[2] + 4 * M, into: SHA[2], reason: 'update_prompt' }),
    sendTab(key, SHA[1], at[1] + 2 * M, end, { at: at[2] + 6 * M, into: SHA[2], reason: 'forced' }),
    sendTab(key, SHA[1], at[1] + 3 * M, end, { at: at[2] + 8 * M, into: SHA[2], reason: 'app' }),
    sendTab(key, SHA[2], at[2] + M, end),
  ])
  // A minimum at the middle release: a slow wave runs over the oldest one's
  // tabs while the pages are measured, twelve tabs that ask for their slot
  // and reload onto the latest release as the SDK does.
  const pace = await adminFetch(app, `/api/projects/${project.id}/rollout/settings`, { method: 'PUT', body: JSON.stringify({ reloadsPerMinute: 3, leadSeconds: 10 }) })
  expect(pace.status).toBe(200)
  waveTabs = simulatedTabs(12, { endpoint: new URL('/api/ingest', app.url).href, key, version: SHA[0], next: SHA[2], heartbeatMs: 20_000 })
  const min = await adminFetch(app, `/api/projects/${project.id}/min-supported`, { method: 'PUT', body: JSON.stringify({ version: SHA[1] }) })
  expect(min.status).toBe(200)
}, 600_000)

afterAll(async () => {
  for (const tab of waveTabs) tab.stop()
  await browser?.close()
  await app?.stop()
})

/** Everything on the page that sticks out of its box, in words; empty when the layout holds. */
function overflows(page: Page, tablesMayScroll: boolean): Promise<string[]> {
  return page.evaluate((mayScroll) => {
    const problems: string[] = []
    const name = (el: Element) => {
      const id = el.getAttribute('data-testid')
      const cls = typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : ''
      return `<${el.tagName.toLowerCase()}${cls}${id ? ` data-testid=${id}` : ''}> "${(el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 60)}"`
    }
    const root = document.documentElement
    if (root.scrollWidth > root.clientWidth + 1) problems.push(`the page scrolls sideways: ${root.scrollWidth} px wide in ${root.clientWidth} px`)
    const scrolls = (s: CSSStyleDeclaration) => s.overflowX === 'auto' || s.overflowX === 'scroll'
    for (const el of document.querySelectorAll('body *')) {
      // Chart drawings are checked by their own tests; the tooltip is shown on hover only.
      if (el.closest('svg') || el.closest('.recharts-tooltip-wrapper') || el.id === 'recharts_measurement_span') continue
      const style = getComputedStyle(el)
      if (style.display === 'none' || style.visibility === 'hidden' || style.display === 'contents') continue
      if (scrolls(style)) {
        if (!mayScroll && el.scrollWidth > el.clientWidth + 1) problems.push(`${name(el)} needs a horizontal scroll: ${el.scrollWidth} px in ${el.clientWidth} px`)
        continue
      }
      if (style.display !== 'inline' && el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1) {
        problems.push(`${name(el)} overflows or clips its content: ${el.scrollWidth} px in ${el.clientWidth} px`)
      }
      const parent = el.parentElement
      if (!parent || parent === document.body || scrolls(getComputedStyle(parent))) continue
      const box = el.getBoundingClientRect()
      const outer = parent.getBoundingClientRect()
      // A parent of no width is a positioning anchor (the chart library's), not a box to stay in.
      if (box.width === 0 || box.height === 0 || outer.width === 0) continue
      if (box.right > outer.right + 1 || box.left < outer.left - 1) {
        problems.push(`${name(el)} sticks out of ${name(parent).slice(0, 40)}: ${Math.round(box.left)}..${Math.round(box.right)} in ${Math.round(outer.left)}..${Math.round(outer.right)}`)
      }
    }
    return problems
  }, tablesMayScroll)
}

/** Waits for the streamed charts and the hydrated times, so the page is measured as a person sees it. */
async function settled(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle')
  await page.waitForFunction(() => document.querySelectorAll('[aria-busy="true"]').length === 0, undefined, { timeout: 30_000 })
  await page.waitForFunction(() => [...document.querySelectorAll('time')].every((t) => !t.textContent?.endsWith('UTC')), undefined, { timeout: 10_000 })
}

const PAGES = () => [
  { name: 'overview', path: `/?project=${projectId}` },
  { name: 'releases', path: `/releases?project=${projectId}` },
  { name: 'release', path: `/releases/${SHA[2]}?project=${projectId}&releasedAt=${latestReleasedAt}` },
  { name: 'explorer', path: `/explorer?project=${projectId}` },
  { name: 'alerts', path: `/alerts?project=${projectId}` },
  { name: 'rollout', path: `/rollout?project=${projectId}` },
]

describe('dashboard layout', () => {
  for (const theme of THEMES) {
    for (const width of WIDTHS) {
      it(`holds every page at ${width} px, ${theme}`, async () => {
        const page = await browser.newPage({ viewport: { width, height: 900 }, colorScheme: theme, locale: 'en-US', timezoneId: 'America/Los_Angeles' })
        await logInWithToken(page, app)
        const found: string[] = []
        for (const p of PAGES()) {
          await page.goto(new URL(p.path, app.url).href)
          await settled(page)
          mkdirSync(artifacts, { recursive: true })
          await page.screenshot({ path: path.join(artifacts, `layout-${p.name}-${width}-${theme}.png`), fullPage: true })
          for (const problem of await overflows(page, width < 1280)) found.push(`${p.name}: ${problem}`)
        }
        await page.close()
        expect(found).toEqual([])
      }, 180_000)
    }
  }
})
