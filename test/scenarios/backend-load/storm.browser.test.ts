import { spawn } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ChartData } from '@/lib/charts/chart-data'
import { adminFetch, startApp, type RunningApp } from '../../support/app-server'
import { launchChromium, logInWithToken } from '../../support/browser'

// `npm run simulate -- --storm` against the whole app, as a person would run
// it: the simulator's tabs report to Stalewatch, poll a simulated app server
// through the real middleware and hold sockets to it; the backend blips, the
// old build's background tabs reconnect at once and keep at it. The
// reconnect-storm rule the run creates must fire while the blip lasts, the
// charts must show the storm on the old build, and the overview, the
// explorer and the latest release's page are photographed for review, with
// the simulator's output beside them (test/artifacts/, not committed).

const root = path.resolve(import.meta.dirname, '../../..')
const artifacts = path.resolve(import.meta.dirname, '../../artifacts')
const BLIP_S = 90
let app: RunningApp
let browser: Browser

interface StormRun {
  code: number | null
  output: string
  /** When the simulator printed that the blip began. */
  blipAt: number
  projectId: string
  versions: { old: string; previous: string; latest: string }
}

let run: StormRun

function runStorm(): Promise<StormRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'scripts/simulate.ts', '--url', app.url, '--admin-token', app.adminToken, '--storm', '--calm', '30', '--blip', String(BLIP_S), '--after', '50', '--seed', '11'],
      { cwd: root, env: { ...process.env, STALEWATCH_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let output = ''
    let blipAt = 0
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      if (!blipAt && /BLIP: every socket dropped/.test(output)) blipAt = Date.now()
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    // Bounded: calm + blip + after is 170 s; the run then waits at most 45 s for the alert.
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`the storm did not end in 6 minutes:\n${output}`))
    }, 360_000)
    child.once('exit', (code) => {
      clearTimeout(timer)
      const project = /project "demo" \((\S+)\)/.exec(output)?.[1] ?? ''
      const builds = /(\d+) on the old build (\S+) .*?(\d+) on (\S+), (\d+) on the latest (\S+)\./.exec(output)
      resolve({ code, output, blipAt, projectId: project, versions: { old: builds?.[2] ?? '', previous: builds?.[4] ?? '', latest: builds?.[6] ?? '' } })
    })
  })
}

beforeAll(async () => {
  ;[app, browser] = await Promise.all([startApp({ STALEWATCH_WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32' }), launchChromium()])
  run = await runStorm()
  // What the simulator printed (requests/s by build each minute, the alert), beside the screenshots.
  mkdirSync(artifacts, { recursive: true })
  writeFileSync(path.join(artifacts, 'storm-output.txt'), run.output)
}, 900_000)

afterAll(async () => {
  await browser?.close()
  await app?.stop()
})

async function chart(name: string, from: number, to: number): Promise<ChartData> {
  const res = await adminFetch(app, `/api/stats/chart/${name}?project=${run.projectId}&from=${from}&to=${to}`)
  expect(res.status).toBe(200)
  return (await res.json()) as ChartData
}

const peak = (data: ChartData, series: string) => Math.max(0, ...data.points.map((p) => p.values[series] ?? 0))

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(artifacts, { recursive: true })
  await page.screenshot({ path: path.join(artifacts, `storm-${name}.png`), fullPage: true })
}

describe('npm run simulate -- --storm against the whole app', () => {
  it('fires the reconnect-storm alert while the blip lasts, and the notification reaches the receiver', async () => {
    expect(run.code, run.output).toBe(0)
    expect(run.blipAt, run.output).toBeGreaterThan(0)
    const history = await adminFetch(app, `/api/alerts/history?project=${run.projectId}`)
    const { transitions } = (await history.json()) as { transitions: { kind: string; at: number; ruleName: string; summary: string }[] }
    const fired = transitions.find((t) => t.kind === 'firing')
    expect(fired, run.output).toBeDefined()
    expect(fired!.ruleName).toBe('Reconnect storm by version (simulate --storm)')
    // Fired after the blip began and before it was over, naming the old build.
    expect(fired!.at).toBeGreaterThan(run.blipAt)
    expect(fired!.at).toBeLessThan(run.blipAt + BLIP_S * 1000)
    expect(fired!.summary).toContain(`Socket reconnects from ${run.versions.old}`)
    expect(run.output).toContain('notification received: alert.firing')
  })

  it('shows the storm on the old build in the charts and their exports', async () => {
    const from = run.blipAt - 3 * 60_000
    const to = run.blipAt + 4 * 60_000
    const reconnects = await chart('backend-reconnects', from, to)
    const { old, previous, latest } = run.versions
    expect(reconnects.series).toEqual(expect.arrayContaining([old, latest]))
    // The old build's tabs are 30 % of them but reconnect many times as often as the rest together.
    expect(peak(reconnects, old)).toBeGreaterThan(960)
    expect(peak(reconnects, old)).toBeGreaterThan(3 * (peak(reconnects, latest) + peak(reconnects, previous)))
    const requests = await chart('backend-requests', from, to)
    expect(peak(requests, old)).toBeGreaterThan(3 * peak(requests, latest))
    const perTab = await chart('backend-per-tab', from, to)
    expect(peak(perTab, old)).toBeGreaterThan(5 * peak(perTab, latest))
    const csv = await adminFetch(app, `/api/stats/chart/backend-reconnects?project=${run.projectId}&from=${from}&to=${to}&format=csv`)
    expect((await csv.text()).split('\n')[0]).toContain(old)
  })

  it('draws the storm by version on the overview and in the explorer', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' })
    await logInWithToken(page, app)
    await page.goto(new URL(`/?project=${run.projectId}`, app.url).href)
    for (const name of ['backend-requests', 'backend-reconnects', 'backend-per-tab']) {
      await page.getByTestId(`chart-${name}`).locator('.recharts-legend-item').first().waitFor()
    }
    const legend = await page.getByTestId('chart-backend-reconnects').locator('.recharts-legend-item').allTextContents()
    expect(legend.map((l) => l.trim())).toEqual(expect.arrayContaining([run.versions.old, run.versions.latest]))
    await shot(page, 'overview')
    const from = run.blipAt - 3 * 60_000
    await page.goto(new URL(`/explorer?project=${run.projectId}&from=${from}&to=${run.blipAt + 5 * 60_000}`, app.url).href)
    await page.getByTestId('chart-backend-reconnects').locator('.recharts-legend-item').first().waitFor()
    await page.getByTestId('chart-backend-requests').scrollIntoViewIfNeeded()
    await shot(page, 'explorer')
    // The latest release's page: the release against the builds before it.
    await page.goto(new URL(`/releases/${encodeURIComponent(run.versions.latest)}?project=${run.projectId}`, app.url).href)
    await page.getByTestId('chart-backend-reconnects').locator('.recharts-legend-item').first().waitFor()
    const against = await page.getByTestId('chart-backend-reconnects').locator('.recharts-legend-item').allTextContents()
    expect(against.map((l) => l.trim())).toEqual(expect.arrayContaining([run.versions.latest, `older than ${run.versions.latest}`]))
    await shot(page, 'release')
    await page.close()
  })
})
