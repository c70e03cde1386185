import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ChartData } from '@/lib/charts/chart-data'
import { adminFetch, startApp, type RunningApp } from '../../support/app-server'
import { launchChromium, logInWithToken } from '../../support/browser'
import { appsDir, buildRelease, packedSdk, releaseCopy, scaffold, stalewatchCli } from '../../support/real-apps'
import { stalewatchAdmin, type TestProject } from '../../support/stalewatch-admin'

// Skew errors in Chromium with a real Vite app (docs/skew-errors.md): the app
// create-vite makes from its react template, instrumented by the README's
// steps, with one lazy route (a dynamic import of a chunk whose content, and
// so whose hash, differs per build), built as v1 and v2. A v1 tab is open when
// v2 is deployed, then navigates to the lazy route: v1's chunk is not on the
// host any more. Three hosts, three causes:
//   1. v1's chunks deleted: the host answers 404 (gone);
//   2. an SPA fallback: the host answers index.html for the missing script
//      (html_instead_of_script);
//   3. a caching proxy in front of (1) that keeps the 404 and says so with Age
//      (cached_404).
// The host is a plain static server over each build's dist/ (what a CDN or
// bucket does with a deploy), since the causes are about what the host
// answers. Each tab sends one skew_error; the dashboard's charts, read over
// the product's HTTP API, count exactly what the tabs sent. A service-worker
// swap and a missing Next.js server action are not produced here: their
// classification is tested as code (test/sdk/src/skew.test.ts).

const root = path.resolve(import.meta.dirname, '../../..')
const artifacts = path.join(root, 'test/artifacts')
const POLL = { timeout: 60_000, interval: 250 }
const SHA = { v1: '5ca1ab1e0000000000000000000000000000000a', v2: 'c0ffee00000000000000000000000000000000b2' }

/** The lazy route: a button whose click imports a chunk of its own, as a router's lazy route does. */
const LAZY_MODULE = `// A lazy route's page, in a chunk of its own; its text holds the build's version, so each build's chunk has its own hash.
export default function lazyPage() {
  return 'lazy page of ' + import.meta.env.STALEWATCH_VERSION
}
`
const LAZY_ROUTE = `
// The lazy route (test/scenarios/skew-errors/vite-three-hosts.browser.test.ts): its chunk loads on the click.
const lazyLink = Object.assign(document.createElement('button'), { id: 'lazy-route', textContent: 'Open the lazy page' })
lazyLink.onclick = () => import('./lazy.js').then((m) => (document.body.dataset.lazy = m.default()))
document.body.append(lazyLink)
`

type Missing = 'not_found' | 'spa_fallback'

/** A static host over one build's dist/ at a time: a deploy switches the build; a missing file is a 404 or index.html. */
async function staticHost(missing: Missing) {
  let dist = ''
  const server = http.createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://host').pathname
    const file = path.join(dist, pathname === '/' ? 'index.html' : pathname)
    const type = (f: string) => ({ '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html; charset=utf-8', '.svg': 'image/svg+xml' })[path.extname(f)] ?? 'application/octet-stream'
    if (file.startsWith(dist) && existsSync(file) && !file.endsWith(path.sep)) {
      res.writeHead(200, { 'content-type': type(file) })
      res.end(readFileSync(file))
    } else if (missing === 'spa_fallback') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      res.end(readFileSync(path.join(dist, 'index.html')))
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' })
      res.end('not found')
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    deploy: (d: string) => void (dist = d),
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  }
}

/** A CDN in front of an origin that keeps every answer (404s too) and serves it again with Age and X-Cache: HIT, whatever the request's cache headers. */
async function cachingProxy(origin: string) {
  const cache = new Map<string, { at: number; status: number; headers: http.IncomingHttpHeaders; body: Buffer }>()
  const server = http.createServer((req, res) => {
    const key = new URL(req.url ?? '/', 'http://cdn').pathname
    const hit = cache.get(key)
    if (hit) {
      res.writeHead(hit.status, { ...hit.headers, age: String(Math.floor((Date.now() - hit.at) / 1000)), 'x-cache': 'HIT' })
      res.end(hit.body)
      return
    }
    http.get(new URL(req.url ?? '/', origin), (answer) => {
      const chunks: Buffer[] = []
      answer.on('data', (c: Buffer) => chunks.push(c))
      answer.on('end', () => {
        const body = Buffer.concat(chunks)
        // Pages change on a deploy and are not kept; assets (and their 404s) are.
        if (key.startsWith('/assets/')) cache.set(key, { at: Date.now(), status: answer.statusCode ?? 502, headers: answer.headers, body })
        res.writeHead(answer.statusCode ?? 502, { ...answer.headers, 'x-cache': 'MISS' })
        res.end(body)
      })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  }
}

interface SentSkew {
  id: string
  cause: string
  path: string
  age: number
  version: string
}

describe('skew errors from a real Vite app, three hosts', () => {
  let stalewatch: RunningApp
  let browser: Browser
  let project: TestProject & { name: string }
  const dirs = { v1: '', v2: '' }
  const dist = { v1: '', v2: '' }
  const lazyChunk = { v1: '', v2: '' }
  const started = Date.now()
  /** Every skew_error the tabs sent, by id (a beacon may repeat what a fetch had in flight). */
  const sent = new Map<string, SentSkew>()
  const closers: (() => Promise<void>)[] = []

  beforeAll(async () => {
    const work = path.join(appsDir, 'vite-skew')
    mkdirSync(work, { recursive: true })
    const [sw, chromium, tarball] = await Promise.all([startApp(), launchChromium(), packedSdk(work)])
    stalewatch = sw
    browser = chromium
    const name = `skew-vite-${Date.now().toString(36)}`
    project = { ...(await stalewatchAdmin(stalewatch).createProject(name)), name }
    const template = path.join(work, 'template')
    scaffold('vite-react', template)
    writeFileSync(path.join(template, 'src/lazy.js'), LAZY_MODULE)
    appendFileSync(path.join(template, 'src/main.jsx'), LAZY_ROUTE)
    for (const v of ['v1', 'v2'] as const) {
      const dir = (dirs[v] = releaseCopy('vite-react', template, path.join(work, v), tarball))
      buildRelease('vite-react', dir, { GIT_SHA: SHA[v], STALEWATCH_URL: stalewatch.url, STALEWATCH_KEY: project.ingestKey })
      dist[v] = path.join(dir, 'dist')
      lazyChunk[v] = readdirSync(path.join(dist[v], 'assets')).find((f) => /^lazy-.*\.js$/.test(f)) ?? ''
    }
    register('v1')
  }, 900_000)

  /** `npx stalewatch release` in the build's folder, as CI runs it after a deploy. */
  const register = (v: 'v1' | 'v2') =>
    expect(
      stalewatchCli(dirs[v], ['release'], { GIT_SHA: SHA[v], STALEWATCH_URL: stalewatch.url, STALEWATCH_PROJECT: project.name, STALEWATCH_DEPLOY_TOKEN: project.deployToken }),
    ).toContain(`registered release ${SHA[v]}`)

  afterAll(async () => {
    for (const close of closers) await close()
    await browser?.close()
    await stalewatch?.stop()
  })

  /** A v1 tab on `site`, then v2 deployed (and registered), then the lazy route: returns the tab's skew_errors. */
  async function v1TabMeetsV2(site: string, deploy: () => Promise<void> | void, name: string): Promise<SentSkew[]> {
    const context = await browser.newContext()
    const page: Page = await context.newPage()
    const mine: SentSkew[] = []
    page.on('request', (r) => {
      if (r.method() !== 'POST' || !r.url().startsWith(`${stalewatch.url}/api/ingest`)) return
      const envelope = JSON.parse(r.postData() ?? '{}') as { version: string; events: ({ type: string } & SentSkew)[] }
      for (const e of envelope.events) {
        if (e.type !== 'skew_error' || sent.has(e.id)) continue
        const skew = { id: e.id, cause: e.cause, path: e.path, age: e.age, version: envelope.version }
        sent.set(e.id, skew)
        mine.push(skew)
      }
    })
    await page.goto(site)
    await page.locator('#lazy-route').waitFor()
    await deploy()
    await page.locator('#lazy-route').click()
    await expect.poll(() => mine.length, POLL).toBe(1)
    mkdirSync(artifacts, { recursive: true })
    await page.screenshot({ path: path.join(artifacts, `skew-vite-${name}.png`) })
    // The lazy page never came: the import failed.
    expect(await page.evaluate(() => document.body.dataset.lazy ?? null)).toBeNull()
    await context.close()
    return mine
  }

  it('builds v1 and v2 with a lazy chunk of their own each', () => {
    expect(lazyChunk.v1).toMatch(/^lazy-[\w-]{8}\.js$/)
    expect(lazyChunk.v2).toMatch(/^lazy-[\w-]{8}\.js$/)
    expect(lazyChunk.v1).not.toBe(lazyChunk.v2)
    expect(existsSync(path.join(dist.v2, 'assets', lazyChunk.v1))).toBe(false)
  })

  it('v1 chunks deleted: the tab sends gone', async () => {
    const host = await staticHost('not_found')
    closers.push(host.close)
    host.deploy(dist.v1)
    // The first deploy of v2, registered as CI does: from now on v1 is older than the latest.
    const skew = await v1TabMeetsV2(
      host.url,
      async () => {
        host.deploy(dist.v2)
        register('v2')
      },
      'gone',
    )
    expect(skew).toMatchObject([{ cause: 'gone', path: '/assets/lazy-*.js', version: SHA.v1 }])
    expect(skew[0]!.age).toBeGreaterThan(0)
  }, 180_000)

  it('an SPA fallback serving index.html for the missing script: the tab sends html_instead_of_script', async () => {
    const host = await staticHost('spa_fallback')
    closers.push(host.close)
    host.deploy(dist.v1)
    const skew = await v1TabMeetsV2(host.url, () => host.deploy(dist.v2), 'spa-fallback')
    expect(skew).toMatchObject([{ cause: 'html_instead_of_script', path: '/assets/lazy-*.js', version: SHA.v1 }])
  }, 180_000)

  it('a caching proxy that keeps the 404 with Age: the tab sends cached_404', async () => {
    const host = await staticHost('not_found')
    const cdn = await cachingProxy(host.url)
    closers.push(cdn.close, host.close)
    host.deploy(dist.v1)
    const skew = await v1TabMeetsV2(
      cdn.url,
      async () => {
        host.deploy(dist.v2)
        // Another visitor's old page asked for v1's chunk after the deploy: the CDN keeps that 404,
        // and a second later it says how old its copy is (Age, in whole seconds).
        expect((await fetch(`${cdn.url}/assets/${lazyChunk.v1}`)).status).toBe(404)
        await new Promise((r) => setTimeout(r, 1_100))
      },
      'cached-404',
    )
    expect(skew).toMatchObject([{ cause: 'cached_404', path: '/assets/lazy-*.js', version: SHA.v1 }])
  }, 180_000)

  it('the dashboard counts what the tabs sent, by cause and by version, and the share from older builds', async () => {
    const tabs = { byCause: {} as Record<string, number>, byVersion: {} as Record<string, number> }
    for (const s of sent.values()) {
      tabs.byCause[s.cause] = (tabs.byCause[s.cause] ?? 0) + 1
      tabs.byVersion[s.version] = (tabs.byVersion[s.version] ?? 0) + 1
    }
    expect(tabs.byCause).toEqual({ gone: 1, html_instead_of_script: 1, cached_404: 1 })
    const window = `project=${project.id}&from=${started - 120_000}&to=${Date.now() + 60_000}`
    const chart = async (name: string) => {
      const res = await adminFetch(stalewatch, `/api/stats/chart/${name}?${window}`)
      expect(res.status).toBe(200)
      return (await res.json()) as ChartData
    }
    const totals = (data: ChartData) => Object.fromEntries(data.series.map((s) => [s, data.points.reduce((n, p) => n + (p.values[s] ?? 0), 0)]))
    await expect.poll(async () => totals(await chart('skew-errors')), POLL).toEqual(tabs.byCause)
    expect(totals(await chart('skew-errors-by-version'))).toEqual(tabs.byVersion)
    expect((await chart('skew-errors')).notes).toEqual(['3 of 3 (100.0 %) from builds older than the latest release.'])
    console.log(`skew errors: tabs sent ${JSON.stringify(tabs.byCause)}, the dashboard shows ${JSON.stringify(totals(await chart('skew-errors')))}`)

    // The explorer draws them, for the eye.
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const page = await context.newPage()
    await logInWithToken(page, stalewatch)
    await page.goto(`${stalewatch.url}/explorer?${window}`)
    const panel = page.getByRole('region', { name: 'Skew errors by cause' })
    await panel.scrollIntoViewIfNeeded()
    await panel.screenshot({ path: path.join(artifacts, 'skew-vite-explorer.png') })
    await context.close()
  }, 180_000)
})
