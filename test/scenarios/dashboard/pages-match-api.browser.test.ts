import { mkdirSync } from 'node:fs'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ChartData } from '@/lib/charts/chart-data'
import { formatDuration, formatShare } from '@/lib/charts/format'
import type { ProjectOverview } from '@/lib/figures/overview'
import type { ReleaseSummary } from '@/lib/figures/release-summaries/summaries'
import type { IngestEnvelope, WireEvent } from '@/sdk/src/wire'
import { adminFetch, startApp, type RunningApp } from '../../support/app-server'
import { launchChromium, logInWithToken } from '../../support/browser'
import { uid } from '../../support/envelopes'

// Each dashboard page in real Chromium against the whole app, with seeded
// traffic: the figures on the page must be the ones its JSON API gives.
// Screenshots go to test/artifacts/ for review.

const M = 60_000
const artifacts = path.resolve(import.meta.dirname, '../../artifacts')
let app: RunningApp
let browser: Browser
let page: Page
let project: { id: string; ingestKey: string; deployToken: string }
let v2ReleasedAt = 0

async function api<T>(pathname: string): Promise<T> {
  const res = await adminFetch(app, pathname)
  const body = await res.text()
  expect(res.status, body).toBe(200)
  return JSON.parse(body) as T
}

async function sendTab(version: string, from: number, to: number, opts: { reloadAt?: number; into?: string; reason?: 'update_prompt' | 'forced'; hidden?: boolean } = {}) {
  const session = uid('sess')
  const loads: { version: string; load: string; events: WireEvent[] }[] = [{ version, load: uid('load'), events: [] }]
  for (let t = from; t <= to; t += M) {
    if (opts.reloadAt && opts.into && t >= opts.reloadAt && loads.length === 1) {
      if (opts.reason) loads[0]!.events.push({ id: uid('evt'), type: 'reload', ts: t - 2000, reason: opts.reason })
      loads.push({ version: opts.into, load: uid('load'), events: [{ id: uid('evt'), type: 'load', ts: t, visibility: 'visible', navigation: 'reload', previousVersion: version }] })
    }
    const current = loads.at(-1)!
    current.events.push({ id: uid('evt'), type: 'heartbeat', ts: t, visibility: opts.hidden ? 'hidden' : 'visible' })
    if (t % (17 * M) < M) current.events.push({ id: uid('evt'), type: 'visibility', ts: t + 1000, visibility: 'visible' })
  }
  for (const load of loads) {
    for (let i = 0; i < load.events.length; i += 100) {
      const envelope: IngestEnvelope = { key: project.ingestKey, session, load: load.load, version: load.version, sentAt: Date.now(), events: load.events.slice(i, i + 100) }
      const res = await fetch(new URL('/api/ingest', app.url), { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(envelope) })
      expect(res.status, await res.text()).toBe(200)
    }
  }
}

async function shot(name: string) {
  mkdirSync(artifacts, { recursive: true })
  await page.screenshot({ path: path.join(artifacts, `dashboard-${name}.png`), fullPage: true })
}

const text = async (testId: string) => (await page.getByTestId(testId).innerText()).trim()

beforeAll(async () => {
  ;[app, browser] = await Promise.all([startApp(), launchChromium()])
  const created = await adminFetch(app, '/api/projects', { method: 'POST', body: JSON.stringify({ name: 'shop' }) })
  expect(created.status).toBe(201)
  project = (await created.json()) as typeof project
  const now = Date.now()
  const start = Math.floor((now - 100 * M) / M) * M
  v2ReleasedAt = start + 30 * M
  for (const [version, releasedAt] of [['2026.11.1', start - 60 * M], ['2026.11.2', v2ReleasedAt]] as const) {
    const res = await adminFetch(app, '/api/releases', { method: 'POST', body: JSON.stringify({ project: project.id, version, releasedAt }) })
    expect(res.status).toBe(201)
  }
  const end = now - 5000
  await Promise.all([
    sendTab('2026.11.1', start, end, { reloadAt: start + 35 * M, into: '2026.11.2', reason: 'update_prompt' }),
    sendTab('2026.11.1', start, end, { reloadAt: start + 50 * M, into: '2026.11.2' }),
    sendTab('2026.11.1', start, end, { reloadAt: start + 70 * M, into: '2026.11.2', reason: 'forced' }),
    sendTab('2026.11.1', start, end, { hidden: true }),
    sendTab('2026.11.1', start, end),
    sendTab('2026.11.2', start + 40 * M, end),
    sendTab('2026.11.2', start + 60 * M, end, { hidden: true }),
  ])
  page = await browser.newPage({ viewport: { width: 1280, height: 900 }, timezoneId: 'Europe/Paris', colorScheme: 'light' })
  await logInWithToken(page, app)
}, 600_000)

afterAll(async () => {
  await browser?.close()
  await app?.stop()
})

describe('dashboard pages', () => {
  it('overview shows the figures of /api/stats/overview', async () => {
    await page.goto(new URL(`/?project=${project.id}`, app.url).href)
    await page.getByTestId('chart-versions').waitFor()
    const o = await api<ProjectOverview>(`/api/stats/overview?project=${project.id}`)
    expect(o.liveTotal).toBe(7)
    expect(await text('live-total')).toBe(String(o.liveTotal))
    expect(await text('stale-share')).toBe(formatShare(o.staleShare))
    expect(await text('latest-version')).toBe('2026.11.2')
    expect(await text('latest-adoption')).toBe(formatShare(o.latest?.adoption))
    for (const v of o.versions) {
      const row = page.locator(`tr[data-version="${v.version}"]`)
      expect(await row.locator('[data-col="sessions"]').innerText()).toBe(String(v.sessions))
      expect(await row.locator('[data-col="visible"]').innerText()).toBe(String(v.visible))
      expect(await row.locator('[data-col="hidden"]').innerText()).toBe(String(v.hidden))
    }
    await page.getByTestId('chart-stale-share').waitFor()
    await shot('overview')
    await page.emulateMedia({ colorScheme: 'dark' })
    await shot('overview-dark')
    await page.emulateMedia({ colorScheme: 'light' })
  })

  it('releases list shows the figures of /api/stats/releases', async () => {
    await page.goto(new URL(`/releases?project=${project.id}`, app.url).href)
    const { releases } = await api<{ releases: ReleaseSummary[] }>(`/api/stats/releases?project=${project.id}`)
    expect(releases.map((r) => r.version)).toEqual(['2026.11.2', '2026.11.1'])
    const v2 = releases[0]!
    expect(v2.upgradedByReload.total).toBe(3)
    expect(v2.upgradedByReload.byReason).toEqual([
      { reason: 'forced', sessions: 1 },
      { reason: 'update_prompt', sessions: 1 },
      { reason: 'user', sessions: 1 },
    ])
    for (const r of releases) {
      const row = page.locator(`tr[data-released-at="${r.releasedAt}"]`)
      expect(await row.locator('[data-col="adoption"]').innerText()).toBe(formatShare(r.adoptionNow))
      expect(await row.locator('[data-col="to50"]').innerText()).toBe(formatDuration(r.timeTo['50']))
      expect(await row.locator('[data-col="to90"]').innerText()).toBe(formatDuration(r.timeTo['90']))
      expect(await row.locator('[data-col="stragglers"]').innerText()).toBe(r.stragglers === null ? 'not yet' : String(r.stragglers))
      expect(await row.locator('[data-col="upgraded"]').innerText()).toBe(String(r.upgradedByReload.total))
    }
    await shot('releases')
  })

  it('release page shows its figures and every chart with exports matching the chart API', async () => {
    await page.goto(new URL(`/releases/2026.11.2?project=${project.id}&releasedAt=${v2ReleasedAt}`, app.url).href)
    const { releases } = await api<{ releases: ReleaseSummary[] }>(`/api/stats/releases?project=${project.id}&release=2026.11.2`)
    const r = releases[0]!
    expect(await text('adoption-now')).toBe(formatShare(r.adoptionNow))
    expect(await text('to50')).toBe(formatDuration(r.timeTo['50']))
    expect(await text('stragglers')).toBe(r.stragglers === null ? 'not yet' : String(r.stragglers))
    expect(await text('upgraded')).toBe(String(r.upgradedByReload.total))
    for (const chart of ['adoption', 'aligned', 'versions', 'visibility', 'reloads']) await page.getByTestId(`chart-${chart}`).waitFor()
    // The reloads chart's legend names the reasons its API series has.
    const href = await page.getByTestId('chart-reloads').locator('xpath=following-sibling::p[1]/a[2]').getAttribute('href')
    const data = await api<ChartData>(href!)
    // Reload events carry a reason; the browser's own reload button sends none.
    expect(data.series.sort()).toEqual(['forced', 'update_prompt'])
    const legend = await page.getByTestId('chart-reloads').locator('.recharts-legend-item-text').allInnerTexts()
    expect(legend.sort()).toEqual(data.series)
    await shot('release')
  })

  it('explorer keeps its window in the URL and exports each chart as CSV', async () => {
    const to = Date.now()
    const from = to - 2 * 3600_000
    const url = `/explorer?project=${project.id}&from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`
    await page.goto(new URL(url, app.url).href)
    for (const chart of ['versions', 'reloads', 'returns']) await page.getByTestId(`chart-${chart}`).waitFor()
    for (const empty of ['resumes', 'errors']) await page.getByTestId(`empty-${empty}`).waitFor()
    const versions = await api<ChartData>(`/api/stats/chart/versions?project=${project.id}&from=${from}&to=${to}`)
    const legend = await page.getByTestId('chart-versions').locator('.recharts-legend-item-text').allInnerTexts()
    expect(legend).toEqual(versions.series)
    const csv = await adminFetch(app, `/api/stats/chart/reloads?project=${project.id}&from=${from}&to=${to}&format=csv`)
    expect(csv.headers.get('content-type')).toContain('text/csv')
    const lines = (await csv.text()).trim().split('\n')
    expect(lines[0]).toBe('time,forced,update_prompt')
    const total = lines.slice(1).reduce((sum, line) => sum + line.split(',').slice(1).reduce((s, v) => s + Number(v), 0), 0)
    expect(total).toBe(2)
    await shot('explorer')
    // Keyboard: from the Show button, Tab reaches the presets; Enter puts the new window in the URL.
    await page.getByRole('button', { name: 'Show' }).focus()
    await page.keyboard.press('Tab')
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('1 h')
    await page.keyboard.press('Enter')
    await page.waitForURL((u) => u.searchParams.get('from') !== new Date(from).toISOString())
    const moved = new URL(page.url())
    expect(Date.parse(moved.searchParams.get('to')!) - Date.parse(moved.searchParams.get('from')!)).toBe(3600_000)
  })

  it('answers bad chart requests with 4xx JSON errors', async () => {
    const unknown = await adminFetch(app, `/api/stats/chart/nope?project=${project.id}`)
    expect(unknown.status).toBe(404)
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('unknown_chart')
    const noRelease = await adminFetch(app, `/api/stats/chart/adoption?project=${project.id}`)
    expect(noRelease.status).toBe(400)
    const badTime = await adminFetch(app, `/api/stats/chart/versions?project=${project.id}&from=yesterday`)
    expect(badTime.status).toBe(400)
    const anonymous = await fetch(new URL(`/api/stats/overview?project=${project.id}`, app.url))
    expect(anonymous.status).toBe(401)
  })
})
