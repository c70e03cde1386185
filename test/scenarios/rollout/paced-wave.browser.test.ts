import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { adminFetch, startApp, type RunningApp } from '../../support/app-server'
import { launchChromium, logInWithToken, setVisibility } from '../../support/browser'
import { esmPage, sdkAssets, startCustomerApp, type CustomerApp } from '../../support/customer-app'
import { simulatedTabs, type SimulatedTab } from '../../support/simulated-tabs'
import { stalewatchAdmin, type Preview, type Rollout, type TestProject } from '../../support/stalewatch-admin'
import { startReceiver, type Receiver } from '../../support/webhook-receiver'

// Paced reload waves and their guard, against the whole app: a population of
// tabs (simulated ones speaking the wire format to the real ingest endpoint,
// plus real Chromium tabs) below a raised minimum, the dashboard's "raise
// minimum" flow in Chromium, the per-minute count of forced reloads the
// server let start, and the guard pausing the wave while ingest sheds.
// Counts are per minute against the rate, never against the clock's speed.

let app: RunningApp
let browser: Browser
let admin: ReturnType<typeof stalewatchAdmin>
let receiver: Receiver
const faultDir = mkdtempSync(path.join(tmpdir(), 'stalewatch-fault-'))
const faultFile = path.join(faultDir, 'fault')
const closers: (() => unknown)[] = []
const POLL = { timeout: 60_000, interval: 250 }
const MINUTE = 60_000

beforeAll(async () => {
  ;[app, browser, receiver] = await Promise.all([
    startApp({ STALEWATCH_FAULT_FILE: faultFile, STALEWATCH_GUARD_WINDOW_SECONDS: '15', STALEWATCH_WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32' }),
    launchChromium(),
    startReceiver(),
  ])
  admin = stalewatchAdmin(app)
}, 600_000)

afterAll(async () => {
  for (const close of closers) await close()
  await browser?.close()
  await receiver?.close()
  await app?.stop()
  rmSync(faultDir, { recursive: true, force: true })
})

function population(project: TestProject, n: number): SimulatedTab[] {
  const tabs = simulatedTabs(n, { endpoint: `${app.url}/api/ingest`, key: project.ingestKey, version: 'v1', next: 'v2', heartbeatMs: 2_000 })
  closers.push(() => tabs.forEach((t) => t.stop()))
  return tabs
}

async function dashboard(project: TestProject): Promise<Page> {
  const page = await (await browser.newContext()).newPage()
  closers.push(() => page.context().close())
  await logInWithToken(page, app)
  await page.goto(`${app.url}/rollout?project=${encodeURIComponent(project.id)}`)
  return page
}

const wave = async (project: TestProject) => (await admin.rollout(project)).wave

describe('paced reload waves (whole app)', () => {
  it('a wave at a set rate over simulated tabs: no minute above the rate, the end time as the preview said', async () => {
    const rate = 20
    const project = await admin.createProject('rollout-wave-rate')
    await admin.rolloutSettings(project, { reloadsPerMinute: rate, leadSeconds: 5 })
    const simulated = population(project, 30)
    // Two real tabs among them, hidden, with the SDK's automatic reloads.
    const customer: CustomerApp = await startCustomerApp({
      version: 'v1',
      page: (v) => esmPage(v, { reloads: true, init: { key: project.ingestKey, endpoint: `${app.url}/api/ingest`, heartbeatSeconds: 1 } }),
      assets: await sdkAssets(),
    })
    closers.push(() => customer.close())
    const context = await browser.newContext()
    closers.push(() => context.close())
    for (let i = 0; i < 2; i++) {
      const tab = await context.newPage()
      await tab.goto(customer.url)
      await tab.waitForFunction(() => (window as { stalewatch?: unknown }).stalewatch !== undefined)
      await setVisibility(tab, 'hidden')
    }
    const n = simulated.length + 2
    await expect.poll(() => admin.live(project), POLL).toMatchObject({ total: n, versions: [{ version: 'v1', sessions: n }] })
    await admin.release(project, 'v1')
    await admin.release(project, 'v2')
    customer.deploy('v2')

    // The dashboard's flow: type the new minimum, see its blast radius, confirm.
    const page = await dashboard(project)
    await page.getByLabel('New minimum version').fill('v2')
    await page.getByRole('button', { name: 'Preview' }).click()
    const preview = page.getByTestId('preview')
    await expect.poll(() => preview.getByTestId('preview-total').textContent(), POLL).toBe(String(n))
    expect(await preview.getByTestId('preview-hidden').textContent()).toBe(String(n))
    expect(await preview.getByTestId('preview-rate').textContent()).toBe(`${rate} / min`)
    await page.getByRole('button', { name: 'Raise the minimum to v2' }).click()
    await expect.poll(async () => (await admin.rollout(project)).minSupported, POLL).toBe('v2')

    // The audit has the change, who made it and the preview it was made on.
    const audit = (await admin.rollout(project)).audit.find((a) => a.action === 'min_supported')!
    expect(audit).toMatchObject({ actor: 'dashboard', from: null, to: 'v2', detail: { tabs: { total: n, hidden: n } } })
    const shown = audit.detail as Preview

    // Every tab lands on v2.
    await expect.poll(async () => (await wave(project))?.landed, { timeout: 5 * MINUTE, interval: 1_000 }).toBe(n)
    const done = (await wave(project))!
    await expect.poll(() => customer.pagesServed.filter((v) => v === 'v2').length, POLL).toBe(2)

    // No minute above the rate, every start granted by the server, and the
    // wave ended when the preview said it would (its last slot starts one
    // spacing before the projected end; a tab asks a moment after its slot).
    expect(done.perMinute.reduce((sum, m) => sum + m.granted, 0)).toBe(n)
    for (const m of done.perMinute) expect(m.granted, `minute ${new Date(m.minute).toISOString()}`).toBeLessThanOrEqual(rate)
    expect(simulated.reduce((sum, t) => sum + t.goes.length, 0) + customer.pagesServed.filter((v) => v === 'v2').length).toBe(n)
    const spacing = MINUTE / rate
    expect(done.lastGrantAt!).toBeGreaterThanOrEqual(shown.projectedEndAt! - 2 * spacing)
    expect(done.lastGrantAt!).toBeLessThanOrEqual(shown.projectedEndAt! + 30_000)

    console.log(
      `[rollout] preview: ${shown.tabs.total} tabs (visible ${shown.tabs.visible}, hidden ${shown.tabs.hidden}, idle ${shown.tabs.idle}, ` +
        `unsaved ${shown.tabs.unsaved}) at ${shown.reloadsPerMinute}/min, starts ${new Date(shown.startsAt).toISOString()}, ` +
        `projected end ${new Date(shown.projectedEndAt!).toISOString()}; happened: ` +
        done.perMinute.map((m) => `${new Date(m.minute).toISOString().slice(11, 16)} ${m.granted}`).join(', ') +
        ` reloads per minute, last started ${new Date(done.lastGrantAt!).toISOString()}, landed ${done.landed}`,
    )
  }, 600_000)

  it('the guard pauses the wave when ingest sheds, and resumes it afterwards', async () => {
    const project = await admin.createProject('rollout-guard')
    await admin.rolloutSettings(project, { reloadsPerMinute: 6, leadSeconds: 5 })
    // The alert destinations of the project's rules also hear of the wave's pauses.
    const rule = await adminFetch(app, '/api/alerts/rules', {
      method: 'POST',
      body: JSON.stringify({
        project: project.id,
        name: 'below minimum',
        condition: { kind: 'below_minimum', maxSessions: 1000 },
        destinations: [{ kind: 'webhook', url: `${receiver.url}/guard` }],
      }),
    })
    expect(rule.status).toBe(201)
    const tabs = population(project, 12)
    await expect.poll(() => admin.live(project), POLL).toMatchObject({ total: 12 })
    await admin.release(project, 'v1')
    await admin.release(project, 'v2')
    await admin.setMinSupported(project, 'v2')
    await expect.poll(async () => (await wave(project))?.granted ?? 0, { timeout: 2 * MINUTE, interval: 500 }).toBeGreaterThanOrEqual(2)

    // Ingest sheds: storage fails, every request is answered 503.
    writeFileSync(faultFile, 'down')
    let paused: Rollout['wave']
    await expect
      .poll(async () => (paused = await wave(project))?.paused, { timeout: MINUTE, interval: 500 })
      .toBe(true)
    expect(paused!.causes.map((c) => c.cause)).toContain('ingest_errors')
    const metrics = await (await adminFetch(app, '/api/metrics')).text()
    expect(metrics).toContain(`stalewatch_rollout_paused{project="${project.id}"} 1`)
    const page = await dashboard(project)
    await expect.poll(() => page.getByTestId('wave-status').textContent(), POLL).toMatch(/Paused.*ingest/i)
    await expect.poll(() => receiver.to('/guard').map((r) => JSON.parse(r.body).type), POLL).toContain('rollout.paused')

    // Storage is back; the guard resumes once its window is clear of errors.
    rmSync(faultFile, { force: true })
    await expect.poll(async () => (await wave(project))?.paused, { timeout: 2 * MINUTE, interval: 500 }).toBe(false)
    const resumed = (await admin.rollout(project)).audit.filter((a) => a.action === 'guard_resumed')
    expect(resumed).toHaveLength(1)
    await expect.poll(() => receiver.to('/guard').map((r) => JSON.parse(r.body).type), POLL).toEqual(['rollout.paused', 'rollout.resumed'])
    expect(await (await adminFetch(app, '/api/metrics')).text()).toContain(`stalewatch_rollout_paused{project="${project.id}"} 0`)
    await page.reload()
    await expect.poll(() => page.getByTestId('wave-status').textContent(), POLL).toMatch(/Running/)

    // The wave goes on and finishes; no forced reload started while it was paused.
    await expect.poll(async () => (await wave(project))?.landed, { timeout: 4 * MINUTE, interval: 1_000 }).toBe(12)
    const pausedAudit = (await admin.rollout(project)).audit.find((a) => a.action === 'guard_paused')!
    const [from, to] = [pausedAudit.at, resumed[0]!.at]
    const goes = tabs.flatMap((t) => t.goes)
    expect(goes.filter((at) => at > from && at < to)).toEqual([])
    expect(goes.filter((at) => at >= to).length).toBeGreaterThan(0)
  }, 600_000)
})
