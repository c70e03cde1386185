import { mkdirSync } from 'node:fs'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ChartData } from '@/lib/charts/chart-data'
import { adminFetch, startApp, type RunningApp } from '../../support/app-server'
import { launchChromium, logInWithToken } from '../../support/browser'
import { envelope, heartbeat } from '../../support/envelopes'

// Release and minimum markers as a person reads them in Chromium (issue #27,
// "Markers that say which line they belong to", "Colours fixed per
// version"): releases named by their git SHA a few minutes apart, and a
// minimum raised among them. Every marker is labelled in the chart or named
// in the list under it, the latest release always in the chart, no label
// covers another or another marker's line, marker lines are not in any
// series' colour, and a version keeps its colour when a release is added.

const M = 60_000
const artifacts = path.resolve(import.meta.dirname, '../../artifacts')
const SHA = ['0d4c1f7a9b2e5c8d1a4f7b0e3c6d9a2f5b8e1c4d', '5e8b1d4a7c0f3b6e9d2a5c8f1b4e7a0d3c6f9b2e', '9a2d5f8c1e4b7a0d3f6c9e2b5a8d1f4c7e0b3a6d', 'e1b4a7d0c3f6e9b2a5d8c1f4e7b0a3d6c9f2e5b8'] as const

let app: RunningApp
let browser: Browser
let project: { id: string; ingestKey: string }

beforeAll(async () => {
  ;[app, browser] = await Promise.all([startApp(), launchChromium()])
  const created = await adminFetch(app, '/api/projects', { method: 'POST', body: JSON.stringify({ name: 'markers' }) })
  expect(created.status).toBe(201)
  project = (await created.json()) as typeof project
}, 600_000)

afterAll(async () => {
  await browser?.close()
  await app?.stop()
})

async function release(version: string, releasedAt: number): Promise<void> {
  const res = await adminFetch(app, '/api/releases', { method: 'POST', body: JSON.stringify({ project: project.id, version, releasedAt }) })
  expect(res.status).toBe(201)
}

/** `count` tabs on `version`, a heartbeat a minute over [from, to]. */
async function tabs(version: string, count: number, from: number, to: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const events = []
    for (let t = from; t <= to; t += M) events.push(heartbeat(t))
    const res = await fetch(new URL('/api/ingest', app.url), { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(envelope(project.ingestKey, version, events)) })
    expect(res.status, await res.text()).toBe(200)
  }
}

/** The drawn marker lines' x and the marker labels' boxes of a chart, and the names its marker list gives. */
async function drawnMarkers(page: Page, chart: string) {
  return page.getByTestId(`chart-${chart}`).evaluate((el) => {
    const lines = [...el.querySelectorAll('.recharts-reference-line line')].map((l) => {
      const box = l.getBoundingClientRect()
      return { x: box.left + box.width / 2, stroke: l.getAttribute('stroke') ?? '' }
    })
    const labels = [...el.querySelectorAll('.marker-label text')].map((t) => {
      const box = t.getBoundingClientRect()
      return { text: t.textContent ?? '', left: box.left, right: box.right, top: box.top, bottom: box.bottom }
    })
    const listed = [...(el.parentElement?.querySelectorAll('[data-testid^="markers-"] li') ?? [])].map((li) => li.getAttribute('title') ?? li.textContent ?? '')
    return { lines, labels, listed }
  })
}

const legendColours = (page: Page, chart: string) =>
  page.getByTestId(`chart-${chart}`).evaluate((el) =>
    Object.fromEntries(
      [...el.querySelectorAll('.recharts-legend-item')].map((item) => {
        const icon = item.querySelector('path, rect, line')
        return [item.getAttribute('title') ?? item.textContent?.trim() ?? '', icon?.getAttribute('fill') && icon.getAttribute('fill') !== 'none' ? icon.getAttribute('fill') : icon?.getAttribute('stroke')]
      }),
    ),
  )

describe('chart markers', () => {
  it('labels every marker or lists it, always labels the latest release, and keeps each label on its own line, in both themes', async () => {
    const now = Date.now()
    const base = Math.floor((now - 40 * M) / M) * M
    const at = [base - 60 * M, base + 20 * M, base + 23 * M, base + 26 * M]
    await release(SHA[0], at[0]!)
    await release(SHA[1], at[1]!)
    await tabs(SHA[0], 3, base, now - 5000)
    await tabs(SHA[1], 2, at[1]! + M, now - 5000)

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' })
    await logInWithToken(page, app)
    await page.goto(new URL(`/?project=${project.id}`, app.url).href)
    await page.getByTestId('chart-versions').locator('.recharts-legend-item').first().waitFor()
    const before = await legendColours(page, 'versions')

    await release(SHA[2], at[2]!)
    await release(SHA[3], at[3]!)
    await tabs(SHA[2], 1, at[2]! + M, now - 5000)
    await tabs(SHA[3], 2, at[3]! + M, now - 5000)
    const min = await adminFetch(app, `/api/projects/${project.id}/min-supported`, { method: 'PUT', body: JSON.stringify({ version: SHA[1] }) })
    expect(min.status).toBe(200)

    for (const theme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: theme })
      await page.goto(new URL(`/?project=${project.id}`, app.url).href)
      await page.getByTestId('chart-versions').locator('.recharts-legend-item').first().waitFor()
      mkdirSync(artifacts, { recursive: true })
      await page.screenshot({ path: path.join(artifacts, `chart-markers-${theme}.png`), fullPage: true })

      // A version's colour does not change when releases are added after it.
      const after = await legendColours(page, 'versions')
      for (const [version, colour] of Object.entries(before)) expect(after[version], `the colour of ${version}`).toBe(colour)

      const href = await page.getByTestId('chart-versions').locator('xpath=following-sibling::p[1]/a[2]').getAttribute('href')
      const data = (await (await adminFetch(app, href!)).json()) as ChartData
      // The three releases of the last hour (the first one is older) and the minimum.
      expect(data.markers.length).toBe(4)
      const { lines, labels, listed } = await drawnMarkers(page, 'versions')
      expect(lines).toHaveLength(data.markers.length)

      // Named: in the chart or in the list under it, by the whole version.
      for (const m of data.markers) {
        // A label in the chart is the version's short form (a prefix of it), or cut with "…".
        const named = labels.some((l) => m.label.startsWith(l.text.replace(/…$/, ''))) || listed.some((t) => t.includes(m.label))
        expect(named, `marker ${m.label} is named; labels ${labels.map((l) => l.text).join(', ')}`).toBe(true)
      }
      const latestShort = SHA[3].slice(0, 7)
      expect(labels.map((l) => l.text).some((t) => t.includes(latestShort)), `the latest release ${latestShort} is labelled in the chart: ${labels.map((l) => l.text).join(', ')}`).toBe(true)

      // No two labels overlap, and no label covers another marker's line.
      for (let i = 0; i < labels.length; i++) {
        for (let j = i + 1; j < labels.length; j++) {
          const [a, b] = [labels[i]!, labels[j]!]
          expect(a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top, `${a.text} and ${b.text} overlap`).toBe(true)
        }
        const crossed = lines.filter((l) => l.x > labels[i]!.left + 1 && l.x < labels[i]!.right - 1)
        expect(crossed, `lines under the label ${labels[i]!.text}`).toEqual([])
      }

      // Marker lines are in no series' colour: not red over warm areas, not orange on orange.
      const seriesColours = new Set(Object.values(after))
      for (const l of lines) expect(seriesColours.has(l.stroke), `marker stroke ${l.stroke}`).toBe(false)
      for (const l of lines) expect(l.stroke).not.toMatch(/danger|#c0392b|#ff7b6b|#e03131/)
    }
    await page.close()
  }, 300_000)
})
