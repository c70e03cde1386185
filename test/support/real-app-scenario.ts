import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, realpathSync } from 'node:fs'
import path from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import type { ChartData } from '@/lib/charts/chart-data'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { adminFetch, startApp, type RunningApp } from './app-server'
import { launchChromium } from './browser'
import { buildRelease, deployment, installFromRegistry, packedSdk, releaseCopy, scaffold, serveRelease, stalewatchCli, appsDir, type Deployment, type RealInstall, type Served } from './real-apps'
import type { ExampleApp } from './snippets'
import { stalewatchAdmin, type TestProject } from './stalewatch-admin'

// One scenario for every scaffolded app: what the README promises a newcomer.
// Two releases built with only GIT_SHA set, the first deployed and registered
// with `npx stalewatch release`; two tabs open on it; the second deployed and
// registered; both tabs show the prompt; Reload in one lands it on the second
// release; the other follows once hidden; and the dashboard's live versions
// are what the tabs report.
// The Next.js app also follows docs/backend-load.md: its tabs tag their
// requests to a route handler counted by the server middleware, and the
// dashboard's backend load by version is the requests the tabs made.
// With a RealInstall, the app installs everything from the registry with that
// package manager and follows the README's commands for it (pnpm), or moves to
// a Next.js canary first and installs the tarball with plain npm install.

const root = path.resolve(import.meta.dirname, '../..')
const artifacts = path.join(root, 'test/artifacts')
const POLL = { timeout: 60_000, interval: 250 }
const SHA = { v1: '1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d', v2: '9f8e7d6c5b4a39281706f5e4d3c2b1a098f7e6d5' }

/** What a person switching to another tab makes the browser do (headless Chromium never hides a tab), and coming back if `back`. */
async function switchAway(page: Page, back = false): Promise<void> {
  for (const state of back ? ['hidden', 'visible'] : ['hidden']) {
    await page.evaluate((s) => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => s })
      document.dispatchEvent(new Event('visibilitychange'))
    }, state)
  }
}
const switchAwayAndBack = (page: Page) => switchAway(page, true)

/** The package's entry points for an app's framework, imported in Node in the built app (the framework's packages are there). */
const NODE_IMPORTS: Partial<Record<ExampleApp, Record<string, string[]>>> = {
  astro: { 'stalewatch/astro': ['buildVersion', 'stalewatch'], 'stalewatch/astro-client': ['startAstro'] },
  'react-router': { 'stalewatch/react-router': ['Stalewatch', 'useStalewatch'] },
  nuxt: { 'stalewatch/nuxt': ['default'] },
  angular: { 'stalewatch/angular': ['provideStalewatch'] },
}
/**
 * What Node loads first, as the framework's own server does: Angular's
 * packages, partially compiled, need its compiler outside an AOT build. Their
 * globals are theirs: taken before the snapshot.
 */
const NODE_PEERS: Partial<Record<ExampleApp, string[]>> = { angular: ['@angular/compiler', '@angular/core', '@angular/common', '@angular/router'] }

export function realAppScenario(app: ExampleApp, install?: RealInstall): void {
  let stalewatch: RunningApp
  let browser: Browser
  let context: BrowserContext
  let project: TestProject & { name: string }
  let site: Deployment
  const servers: Served[] = []
  const dirs = { template: '', v1: '', v2: '' }
  const logs: Record<string, string> = {}
  // docs/backend-load.md (Next.js): the requests each version's tabs made to the counted route, and the version header each carried.
  const madeByVersion: Record<string, number> = {}
  const tagged: { version: string; header: string | undefined }[] = []
  const callItems = async (tab: Page, version: string) => {
    if (app !== 'next') return
    const ids = [41, 41, 41, 42, 42]
    const answers = await tab.evaluate((list) => Promise.all(list.map((id) => fetch(`/api/items/${id}`).then((r) => r.json() as Promise<{ id: string }>))), ids)
    expect(answers.map((a) => a.id)).toEqual(ids.map(String))
    madeByVersion[version] = (madeByVersion[version] ?? 0) + ids.length
  }
  const started = Date.now()

  beforeAll(async () => {
    const work = path.join(appsDir, install ? [app, install.manager, install.next].filter(Boolean).join('-') : app)
    mkdirSync(work, { recursive: true })
    // Scaffolding and building need no Stalewatch; the builds need its URL and the project's key.
    const [sw, chromium, tarball] = await Promise.all([startApp(), launchChromium(), packedSdk(work)])
    stalewatch = sw
    browser = chromium
    const name = `shop-${app}-${Date.now().toString(36)}`
    project = { ...(await stalewatchAdmin(stalewatch).createProject(name)), name }
    dirs.template = path.join(work, 'template')
    scaffold(app, dirs.template)
    if (install) logs.install = installFromRegistry(app, dirs.template, tarball, install)
    for (const v of ['v1', 'v2'] as const) {
      dirs[v] = releaseCopy(app, dirs.template, path.join(work, v), tarball, install)
      logs[v] = buildRelease(app, dirs[v], { GIT_SHA: SHA[v], STALEWATCH_URL: stalewatch.url, STALEWATCH_KEY: project.ingestKey }, install?.manager)
    }
    // The counter reads its endpoint and secret key at run time, on the server only.
    const runtime = { STALEWATCH_URL: stalewatch.url, STALEWATCH_SERVER_KEY: project.serverKey ?? '' }
    servers.push(await serveRelease(app, dirs.v1, runtime, install?.manager), await serveRelease(app, dirs.v2, runtime, install?.manager))
    site = await deployment(servers[0]!)
    context = await browser.newContext()
  }, 900_000)

  afterAll(async () => {
    await context?.close()
    await browser?.close()
    await site?.close()
    await Promise.all(servers.map((s) => s.stop()))
    await stalewatch?.stop()
  })

  it('says in the build log which version it baked in, from GIT_SHA alone', () => {
    for (const v of ['v1', 'v2'] as const) {
      expect(logs[v]).toContain(`stalewatch: baked in version ${SHA[v]} (from GIT_SHA (the git SHA)), reporting to ${stalewatch.url}/api/ingest`)
    }
  })

  it('the servers (next start, vite preview) say nothing of the ingest key, which only the build needs', () => {
    for (const server of servers) {
      // Its own ready line names its address: its output is what was read.
      expect(server.output()).toContain(`:${new URL(server.url).port}`)
      expect(server.output()).not.toContain('stalewatch:')
    }
  })

  const entries = NODE_IMPORTS[app]
  if (entries) {
    it(`imports ${Object.keys(entries).join(', ')} under Node without a DOM where the framework is installed, doing nothing`, () => {
      const script = `for (const p of ${JSON.stringify(NODE_PEERS[app] ?? [])}) await import(p)
const before = new Set(Object.getOwnPropertyNames(globalThis)); const out = {}
for (const s of ${JSON.stringify(Object.keys(entries))}) out[s] = Object.keys(await import(s)).sort()
out.addedGlobals = Object.getOwnPropertyNames(globalThis).filter((k) => !before.has(k))
console.log(JSON.stringify(out))`
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dirs.v1, encoding: 'utf8', timeout: 60_000 })
      expect(r.status, `${r.stdout}${r.stderr}`).toBe(0)
      expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toEqual({ ...entries, addedGlobals: [] })
    })
  }

  if (install?.next) {
    it(`runs on next ${install.next}, the tarball installed by plain npm install`, () => {
      const installed = (dir: string) => (JSON.parse(readFileSync(path.join(dir, 'node_modules/next/package.json'), 'utf8')) as { version: string }).version
      expect([installed(dirs.v1), installed(dirs.v2)]).toEqual([install.next, install.next])
      expect(logs.install).not.toContain('ERESOLVE')
    })
  }

  if (install?.manager === 'pnpm') {
    it('has the package where pnpm puts it (its store, linked), installed by the README\'s pnpm command', () => {
      expect(realpathSync(path.join(dirs.v1, 'node_modules/stalewatch'))).toContain(`${path.sep}.pnpm${path.sep}stalewatch@file+`)
      expect(readFileSync(path.join(dirs.v1, 'package.json'), 'utf8')).toMatch(/"stalewatch": "file:/)
    })
  }

  it('tabs on v1 see v2 released, show the prompt, and one Reload lands that tab on v2; the dashboard shows what the tabs report', async () => {
    const admin = stalewatchAdmin(stalewatch)
    const cli = (version: keyof typeof SHA) =>
      stalewatchCli(dirs[version], ['release'], {
        GIT_SHA: SHA[version],
        STALEWATCH_URL: stalewatch.url,
        STALEWATCH_PROJECT: project.name,
        STALEWATCH_DEPLOY_TOKEN: project.deployToken,
      }, install?.manager)
    expect(cli('v1')).toContain(`stalewatch: registered release ${SHA.v1} of project ${project.name} (${project.id})`)

    // What each tab reports: the version of every envelope it sends to Stalewatch.
    const reported = new Map<Page, string>()
    const errors: string[] = []
    const openTab = async () => {
      const page = await context.newPage()
      page.on('request', (r) => {
        if (new URL(r.url()).pathname.startsWith('/api/items/')) tagged.push({ version: reported.get(page) ?? '', header: r.headers()['x-app-version'] })
        if (r.method() === 'POST' && r.url().startsWith(`${stalewatch.url}/api/ingest`)) reported.set(page, (JSON.parse(r.postData() ?? '{}') as { version: string }).version)
      })
      page.on('pageerror', (e) => errors.push(`${app}: ${e.message}`))
      await page.goto(site.url)
      return page
    }
    const tabs = [await openTab(), await openTab()]
    const tabCounts = () => {
      const counts: Record<string, number> = {}
      for (const tab of tabs) if (reported.has(tab)) counts[reported.get(tab)!] = (counts[reported.get(tab)!] ?? 0) + 1
      return counts
    }
    const liveCounts = async () => Object.fromEntries((await admin.live(project)).versions.map((v) => [v.version, v.sessions]))
    await expect.poll(liveCounts, POLL).toEqual({ [SHA.v1]: 2 })
    expect(tabCounts()).toEqual({ [SHA.v1]: 2 })
    for (const tab of tabs) await callItems(tab, SHA.v1)

    site.deploy(servers[1]!)
    expect(cli('v2')).toContain(`stalewatch: registered release ${SHA.v2} of project ${project.name} (${project.id})`)
    // The next thing each tab sends (here: coming back to it) brings the answer with latest v2.
    for (const tab of tabs) await switchAwayAndBack(tab)
    for (const tab of tabs) {
      await tab.getByRole('dialog').getByRole('button', { name: 'Reload' }).waitFor({ timeout: POLL.timeout })
      await expect.poll(() => tab.getByRole('dialog').textContent()).toContain('A new version is available.')
    }
    mkdirSync(artifacts, { recursive: true })
    await tabs[0]!.screenshot({ path: path.join(artifacts, `app-${app}-prompt.png`) })

    await tabs[0]!.getByRole('dialog').getByRole('button', { name: 'Reload' }).click()
    await expect.poll(() => reported.get(tabs[0]!), POLL).toBe(SHA.v2)
    // After the reload, v2 runs and its release is the latest: no prompt.
    await tabs[0]!.waitForLoadState('load')
    await expect.poll(async () => (await liveCounts())[SHA.v2], POLL).toBe(1)
    await expect.poll(async () => ({ dashboard: await liveCounts(), tabs: tabCounts() }), POLL).toEqual({ dashboard: tabCounts(), tabs: tabCounts() })
    expect(await tabs[0]!.locator('stalewatch-prompt').count()).toBe(0)
    await callItems(tabs[0]!, SHA.v2)
    await expect
      .poll(() => admin.releaseFigures(project, SHA.v2), POLL)
      .toMatchObject({ upgradedByReload: { total: 1, byReason: [{ reason: 'update_prompt', sessions: 1 }] } })

    // The other tab heard of the accepted prompt; it follows once the person leaves it (hidden: nothing is lost), with the same reason.
    await switchAway(tabs[1]!)
    await expect.poll(() => reported.get(tabs[1]!), POLL).toBe(SHA.v2)
    await tabs[1]!.waitForLoadState('load')
    await expect.poll(liveCounts, POLL).toEqual({ [SHA.v2]: 2 })
    await expect
      .poll(() => admin.releaseFigures(project, SHA.v2), POLL)
      .toMatchObject({ upgradedByReload: { total: 2, byReason: [{ reason: 'update_prompt', sessions: 2 }] } })

    if (app === 'astro') {
      // View transitions: a link to a page of another build (here v1 again, as a rollback serves it) is loaded in
      // full, not swapped into the page under the v2 code running it (the window's own mark is gone after a load).
      site.deploy(servers[0]!)
      await tabs[0]!.evaluate(() => Object.assign(window, { sameDocument: true }))
      await tabs[0]!.getByRole('link', { name: 'About' }).click()
      await expect.poll(() => reported.get(tabs[0]!), POLL).toBe(SHA.v1)
      await tabs[0]!.waitForLoadState('load')
      expect(new URL(tabs[0]!.url()).pathname).toBe('/about/')
      expect(await tabs[0]!.evaluate(() => 'sameDocument' in window)).toBe(false)
    }
    expect(errors).toEqual([])
  }, 300_000)

  if (app === 'next') {
    it('counts the requests its tabs made by client version, as docs/backend-load.md sets it up', async () => {
      // Each request carried its own tab's version…
      expect(tagged.length).toBe(15)
      expect(tagged.filter((t) => t.header !== t.version)).toEqual([])
      // …and the dashboard's backend load by version is the requests made (rates back to counts: per second, one-minute steps).
      const counted = async () => {
        const res = await adminFetch(stalewatch, `/api/stats/chart/backend-requests?project=${project.id}&from=${started - 120_000}&to=${Date.now() + 60_000}`)
        expect(res.status).toBe(200)
        const data = (await res.json()) as ChartData
        return Object.fromEntries(data.series.map((v) => [v, Math.round(data.points.reduce((n, p) => n + (p.values[v] ?? 0), 0) * 60)]))
      }
      await expect.poll(counted, POLL).toEqual(madeByVersion)
      expect(madeByVersion).toEqual({ [SHA.v1]: 10, [SHA.v2]: 5 })
      const errors = await adminFetch(stalewatch, `/api/stats/chart/backend-errors?project=${project.id}&from=${started - 120_000}&to=${Date.now() + 60_000}`)
      expect(((await errors.json()) as ChartData).points.every((p) => Object.values(p.values).every((v) => !v))).toBe(true)
    }, 120_000)
  }
}
