import { mkdirSync } from 'node:fs'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { IngestEnvelope, WireEvent } from '@/sdk/src/wire'
import { adminFetch, startApp, type RunningApp } from '../../support/app-server'
import { launchChromium, logInWithToken } from '../../support/browser'
import { uid } from '../../support/envelopes'

// How the charts look, in Chromium against the whole app: a rollout of three
// versions must be told apart at a glance, the labels of release and minimum markers must
// stay inside the chart and off each other, and a day at 0 % stale is drawn as
// 0, not as "nothing live". Each test makes its own project. Screenshots go
// to test/artifacts/ for review.

const M = 60_000
const artifacts = path.resolve(import.meta.dirname, '../../artifacts')
let app: RunningApp
let browser: Browser

beforeAll(async () => {
  ;[app, browser] = await Promise.all([startApp(), launchChromium()])
}, 600_000)

afterAll(async () => {
  await browser?.close()
  await app?.stop()
})

async function newProject(name: string): Promise<{ id: string; ingestKey: string }> {
  const created = await adminFetch(app, '/api/projects', { method: 'POST', body: JSON.stringify({ name }) })
  expect(created.status).toBe(201)
  return (await created.json()) as { id: string; ingestKey: string }
}

async function release(projectId: string, version: string, releasedAt: number): Promise<void> {
  const res = await adminFetch(app, '/api/releases', { method: 'POST', body: JSON.stringify({ project: projectId, version, releasedAt }) })
  expect(res.status).toBe(201)
}

/** One tab heartbeating every minute on `version` from `from` to `to`, reloading into `into` at `reloadAt` if given. */
async function sendTab(ingestKey: string, version: string, from: number, to: number, reload?: { at: number; into: string }): Promise<void> {
  const session = uid('sess')
  const loads: { version: string; load: string; events: WireEvent[] }[] = [{ version, load: uid('load'), events: [] }]
  for (let t = from; t <= to; t += M) {
    if (reload && t >= reload.at && loads.length === 1) {
      loads.push({ version: reload.into, load: uid('load'), events: [{ id: uid('evt'), type: 'load', ts: t, visibility: 'visible', navigation: 'reload', previousVersion: version }] })
    }
    loads.at(-1)!.events.push({ id: uid('evt'), type: 'heartbeat', ts: t, visibility: 'visible' })
  }
  for (const load of loads) {
    for (let i = 0; i < load.events.length; i += 100) {
      const envelope: IngestEnvelope = { key: ingestKey, session, load: load.load, version: load.version, sentAt: Date.now(), events: load.events.slice(i, i + 100) }
      const res = await fetch(new URL('/api/ingest', app.url), { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(envelope) })
      expect(res.status, await res.text()).toBe(200)
    }
  }
}

async function dashboardPage(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' })
  await logInWithToken(page, app)
  return page
}

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(artifacts, { recursive: true })
  await page.screenshot({ path: path.join(artifacts, `charts-${name}.png`), fullPage: true })
}

/** The legend of a chart as [label, colour] pairs. */
async function legendColours(page: Page, chart: string): Promise<[string, string][]> {
  return page.getByTestId(`chart-${chart}`).evaluate((el) =>
    [...el.querySelectorAll('.recharts-legend-item')].map((item) => {
      const icon = item.querySelector('path, rect, line') as SVGElement | null
      const colour = icon?.getAttribute('fill') && icon.getAttribute('fill') !== 'none' ? icon.getAttribute('fill')! : (icon?.getAttribute('stroke') ?? '')
      return [item.textContent?.trim() ?? '', colour] as [string, string]
    }),
  )
}

function rgb(colour: string): [number, number, number] {
  const hex = /^#([0-9a-f]{6})$/i.exec(colour)
  expect(hex, `a #rrggbb colour, got ${colour}`).not.toBeNull()
  const n = parseInt(hex![1]!, 16)
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255]
}

/** Euclidean distance in RGB (0..441): under about 60, two fills look alike at a glance. */
function distance(a: string, b: string): number {
  const [x, y] = [rgb(a), rgb(b)]
  return Math.hypot(x[0] - y[0], x[1] - y[1], x[2] - y[2])
}

/** Bounding boxes of the marker labels of a chart, and of its drawing surface. */
async function markerLabels(page: Page, chart: string) {
  return page.getByTestId(`chart-${chart}`).evaluate((el) => {
    const surface = el.querySelector('.recharts-wrapper > svg')!.getBoundingClientRect()
    const labels = [...el.querySelectorAll('text.recharts-label')].map((t) => {
      const box = t.getBoundingClientRect()
      return { text: t.textContent ?? '', left: box.left, right: box.right, top: box.top, bottom: box.bottom }
    })
    return { surface: { left: surface.left, right: surface.right, top: surface.top, bottom: surface.bottom }, labels }
  })
}

describe('charts in the browser', () => {
  it('tells three versions of a rollout apart at a glance, and keeps marker labels whole and apart', async () => {
    const project = await newProject('three-versions')
    const now = Date.now()
    const start = Math.floor((now - 50 * M) / M) * M
    const [v1At, v2At, v3At] = [start - 60 * M, start + 10 * M, start + 30 * M]
    await release(project.id, 'v1', v1At)
    await release(project.id, 'v2', v2At)
    const end = now - 5000
    await Promise.all([
      sendTab(project.ingestKey, 'v1', start, end),
      sendTab(project.ingestKey, 'v1', start, end),
      sendTab(project.ingestKey, 'v1', start, end, { at: v2At + 5 * M, into: 'v2' }),
      sendTab(project.ingestKey, 'v2', v2At + 2 * M, end),
      sendTab(project.ingestKey, 'v2', v2At + 4 * M, end, { at: v3At + 3 * M, into: 'v3' }),
      sendTab(project.ingestKey, 'v3', v3At + 1 * M, end),
      sendTab(project.ingestKey, 'v3', v3At + 2 * M, end),
    ])
    await release(project.id, 'v3', v3At)
    // A minimum raised just now: its marker sits at the right edge of the last hour.
    const min = await adminFetch(app, `/api/projects/${project.id}/min-supported`, { method: 'PUT', body: JSON.stringify({ version: 'v2' }) })
    expect(min.status).toBe(200)

    const page = await dashboardPage()
    await page.goto(new URL(`/?project=${project.id}`, app.url).href)
    await page.getByTestId('chart-versions').waitFor()
    await page.getByTestId('chart-versions').locator('.recharts-legend-item').first().waitFor()

    const legend = new Map(await legendColours(page, 'versions'))
    expect([...legend.keys()].sort()).toEqual(['v1', 'v2', 'v3'])
    const [c1, c2, c3] = ['v1', 'v2', 'v3'].map((v) => legend.get(v)!)
    // Each version in a colour of its own (fixed for the project's life: test/scenarios/charts/markers.browser.test.ts).
    for (const [a, b] of [[c1, c2], [c1, c3], [c2, c3]] as const) expect(distance(a!, b!), `${a} vs ${b}`).toBeGreaterThan(90)

    const { surface, labels } = await markerLabels(page, 'versions')
    expect(labels.map((l) => l.text)).toContain('min v2')
    for (const l of labels) {
      expect(l.left, `${l.text} starts inside the chart`).toBeGreaterThanOrEqual(surface.left)
      expect(l.right, `${l.text} ends inside the chart`).toBeLessThanOrEqual(surface.right)
      expect(l.top, `${l.text} is below the chart's top`).toBeGreaterThanOrEqual(surface.top)
    }
    for (let i = 0; i < labels.length; i++) {
      for (let j = i + 1; j < labels.length; j++) {
        const [a, b] = [labels[i]!, labels[j]!]
        const apart = a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top
        expect(apart, `${a.text} and ${b.text} overlap`).toBe(true)
      }
    }
    await shot(page, 'three-versions')
    await page.emulateMedia({ colorScheme: 'dark' })
    await shot(page, 'three-versions-dark')
    await page.close()
  })

  it('draws a day at 0 % stale as 0, not as nothing live', async () => {
    const project = await newProject('never-stale')
    const now = Date.now()
    // Live all day, on the latest release all day.
    const start = Math.floor((now - 24 * 60 * M) / M) * M
    await release(project.id, 'v7', start - 60 * M)
    const end = now - 5000
    await Promise.all(Array.from({ length: 4 }, () => sendTab(project.ingestKey, 'v7', start, end)))

    const page = await dashboardPage()
    await page.goto(new URL(`/?project=${project.id}`, app.url).href)
    await page.getByTestId('chart-versions').waitFor()
    expect(await page.getByTestId('stale-share').innerText()).toBe('0.0 %')
    await page.getByTestId('chart-stale-share').waitFor({ timeout: 10_000 })
    expect(await page.getByTestId('empty-stale-share').count()).toBe(0)
    await shot(page, 'zero-stale')
    await page.close()
  })

  it('says on the release page what its upgrades tile and its reloads chart each count', async () => {
    const project = await newProject('reload-names')
    const now = Date.now()
    const start = Math.floor((now - 30 * M) / M) * M
    await release(project.id, 'r1', start - 60 * M)
    await release(project.id, 'r2', start)
    // Upgraded by the browser's button: a reloaded load, and no reload event.
    await sendTab(project.ingestKey, 'r1', start - 5 * M, now - 5000, { at: start + 5 * M, into: 'r2' })

    const page = await dashboardPage()
    await page.goto(new URL(`/releases/r2?project=${project.id}&releasedAt=${start}`, app.url).href)
    await page.getByTestId('upgraded').waitFor()
    expect(await page.getByTestId('upgraded').innerText()).toBe('1')
    const tile = await page.getByTestId('release-stats').innerText()
    expect(tile).toMatch(/reloaded loads/i)
    const reloads = page.getByRole('region', { name: /reload events/i })
    expect(await reloads.innerText()).toMatch(/the browser's own reload button sends none/i)
    await shot(page, 'release-reload-names')
    await page.close()
  })
})
