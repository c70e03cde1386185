import { createHash } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createLoadCounter } from '@/sdk/src/server/counter'
import { countNode } from '@/sdk/src/server/node'
import { countUpgrades } from '@/sdk/src/server/ws'
import { eventually, startStalewatchIngest, storedByLabels } from '../../support/backend-load'
import { launchChromium } from '../../support/browser'
import { inlineJson, sdkAssets, type Asset } from '../../support/customer-app'
import { useEngine, testProject } from '../../support/engine'
import { envelope, heartbeat, post } from '../../support/envelopes'

// The tagging add-on's built ESM file in real Chromium: which of the page's
// requests carry the version (fetch, XMLHttpRequest, a listed API origin
// with its CORS preflight, an unlisted origin, WebSocket URLs), and what the
// middleware on the page's own server then stores in Stalewatch.

useEngine()

interface Seen {
  path: string
  method: string
  version: string | undefined
  requestHeaders: string | undefined
}

async function listen(handler: http.RequestListener): Promise<{ server: http.Server; origin: string }> {
  const server = http.createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

const record = (seen: Seen[], req: http.IncomingMessage) => {
  seen.push({ path: req.url ?? '', method: req.method ?? '', version: req.headers['x-app-version'] as string | undefined, requestHeaders: req.headers['access-control-request-headers'] as string | undefined })
}

let browser: Browser
let assets: Record<string, Asset>
const servers: http.Server[] = []
let stalewatch: Awaited<ReturnType<typeof startStalewatchIngest>>

beforeAll(async () => {
  ;[browser, assets, stalewatch] = await Promise.all([launchChromium(), sdkAssets(), startStalewatchIngest()])
}, 600_000)

afterAll(async () => {
  await browser?.close()
  for (const s of servers) {
    s.closeAllConnections()
    s.close()
  }
  await stalewatch?.close()
})

it('tags same-origin fetch, XHR and listed origins, never others, and the middleware stores them by version', async () => {
  const project = await testProject('tagging-browser')
  expect((await post(`${stalewatch.url}/api/ingest`, envelope(project.ingestKey, 'v9', [heartbeat(Date.now())]))).status).toBe(200)
  const counter = createLoadCounter({ endpoint: stalewatch.aggregatesUrl, serverKey: project.serverKey, intervalMs: 3_600_000, warn: () => {} })

  const apiSeen: Seen[] = []
  const otherSeen: Seen[] = []
  const appSeen: Seen[] = []
  const api = await listen((req, res) => {
    record(apiSeen, req)
    res.writeHead(req.method === 'OPTIONS' ? 204 : 200, {
      'access-control-allow-origin': '*',
      'access-control-allow-headers': 'x-app-version',
      'content-type': 'application/json',
    })
    res.end(req.method === 'OPTIONS' ? undefined : '{"results":[]}')
  })
  const other = await listen((req, res) => {
    record(otherSeen, req)
    res.writeHead(204, { 'access-control-allow-origin': '*' })
    res.end()
  })
  servers.push(api.server, other.server)

  let page = ''
  const app = await listen(
    countNode(counter, (req: http.IncomingMessage, res: http.ServerResponse) => {
      record(appSeen, req)
      const path = (req.url ?? '/').split('?')[0]!
      const asset = assets[path]
      if (asset) {
        res.writeHead(200, { 'content-type': asset.type })
        return res.end(asset.body)
      }
      if (path.startsWith('/api/items/')) {
        res.writeHead(200, { 'content-type': 'application/json' })
        return res.end('{}')
      }
      res.writeHead(path === '/' ? 200 : 404, { 'content-type': 'text/html' })
      res.end(path === '/' ? page : 'not found')
    }),
  )
  servers.push(app.server)
  const upgrades: string[] = []
  app.server.on(
    'upgrade',
    countUpgrades(counter, (req, socket) => {
      upgrades.push(req.url ?? '')
      const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64')
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`)
    }),
  )

  page = `<!doctype html><meta charset="utf-8"><title>Shop v9</title>
<script type="module">
import { tagRequests, socketUrls } from '/sdk/tag-requests.mjs'
tagRequests({ version: 'v9', origins: [${inlineJson(api.origin)}] })
await fetch('/api/items/17')
await new Promise((done) => { const x = new XMLHttpRequest(); x.open('GET', '/api/items/18'); x.onloadend = done; x.send() })
await fetch(${inlineJson(api.origin)} + '/v1/search?q=shoes')
await fetch(${inlineJson(other.origin)} + '/collect', { method: 'POST', body: 'x' })
const next = socketUrls('/live', 'v9')
for (let i = 0; i < 2; i++) await new Promise((done) => { const ws = new WebSocket(next()); ws.onopen = () => { ws.close(); done() }; ws.onerror = done })
window.done = true
</script>`

  const context = await browser.newContext()
  const tab = await context.newPage()
  await tab.goto(app.origin + '/')
  await tab.waitForFunction(() => (window as { done?: boolean }).done === true, undefined, { timeout: 30_000 })
  await context.close()

  const tagged = (seen: Seen[], path: string) => seen.filter((s) => s.path.startsWith(path)).map((s) => [s.method, s.version ?? null])
  expect(tagged(appSeen, '/api/items/')).toEqual([
    ['GET', 'v9'],
    ['GET', 'v9'],
  ])
  // The browser's own loads (the page, its module) carry no version: the server counts them as unknown.
  expect(tagged(appSeen, '/sdk/')).toEqual([['GET', null]])
  // The listed API origin: preflighted for the header, then tagged.
  expect(apiSeen.map((s) => [s.method, s.version ?? null, s.requestHeaders ?? null])).toEqual([
    ['OPTIONS', null, 'x-app-version'],
    ['GET', 'v9', null],
  ])
  expect(otherSeen.map((s) => [s.method, s.version ?? null])).toEqual([['POST', null]])
  expect(upgrades).toEqual(['/live?sw_v=v9', '/live?sw_v=v9&sw_reconnect=1'])

  await counter.close()
  const rows = await eventually(() => storedByLabels(project.id), (r) => r.some((x) => x.kind === 'ws_reconnect'))
  expect(rows.filter((r) => r.version === 'v9')).toEqual([
    { kind: 'http', version: 'v9', route_group: '/api/items/:id', status_class: '2xx', requests: 2 },
    { kind: 'ws_reconnect', version: 'v9', route_group: '/live', status_class: '1xx', requests: 1 },
    { kind: 'ws_upgrade', version: 'v9', route_group: '/live', status_class: '1xx', requests: 1 },
  ])
  expect(rows.filter((r) => r.version === 'unknown').map((r) => r.route_group)).toEqual(expect.arrayContaining(['/', '/sdk/tag-requests.mjs']))
})
