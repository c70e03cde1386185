import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLoadCounter, type LoadCounter } from '@/sdk/src/server/counter'
import { countNode } from '@/sdk/src/server/node'
import { countUpgrades } from '@/sdk/src/server/ws'
import { useEngine, testProject } from '../../../support/engine'
import { envelope, heartbeat, post } from '../../../support/envelopes'
import { backendLoadMinutes, eventually, startStalewatchIngest, storedByLabels, type StoredLabelCount } from '../../../support/backend-load'

// The middleware mounted on a real node:http app, sending to Stalewatch's
// real front door, stored by the real engine: what ends up in
// backend_load_raw equals the requests the test actually made, by version,
// route group, status class and kind.

useEngine()

let stalewatch: Awaited<ReturnType<typeof startStalewatchIngest>>
beforeAll(async () => {
  stalewatch = await startStalewatchIngest()
})
afterAll(() => stalewatch.close())

/** The customer's app: a few routes with known answers, and a socket endpoint that accepts or refuses upgrades. */
async function startApp(counter: LoadCounter) {
  const server = http.createServer(
    countNode(counter, (req: http.IncomingMessage, res: http.ServerResponse) => {
      const path = (req.url ?? '/').split('?')[0]!
      const item = /^\/api\/items\/(\d+)$/.exec(path)
      if (item) {
        res.writeHead(Number(item[1]) % 2 ? 200 : 404)
        return res.end('item')
      }
      if (path === '/api/fail') {
        res.writeHead(500)
        return res.end()
      }
      if (path === '/old') {
        res.writeHead(302, { location: '/' })
        return res.end()
      }
      // Never answered: the client gives up first.
      if (path === '/hang') return
      res.writeHead(200)
      res.end('home')
    }),
  )
  server.on(
    'upgrade',
    countUpgrades(counter, (req, socket) => {
      if ((req.url ?? '').startsWith('/live')) {
        socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n')
        socket.end()
      } else {
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n')
      }
    }),
  )
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 })

function request(port: number, path: string, version?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, agent, headers: version === undefined ? {} : { 'x-app-version': version } }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('error', reject)
    req.end()
  })
}

function abandon(port: number, path: string, version: string): Promise<void> {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, path, headers: { 'x-app-version': version } })
    req.on('error', () => resolve())
    req.end()
    setTimeout(() => {
      req.destroy()
      resolve()
    }, 100)
  })
}

function upgrade(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, headers: { connection: 'Upgrade', upgrade: 'websocket' } })
    req.on('upgrade', (res, socket) => {
      socket.destroy()
      resolve(res.statusCode ?? 0)
    })
    req.on('response', (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('error', reject)
    req.end()
  })
}

/** What the test expects stored, built from the requests as they were made and answered. */
class Expected {
  private counts = new Map<string, StoredLabelCount>()
  add(kind: string, version: string, route: string, status: string, n = 1) {
    const key = [kind, version, route, status].join(' ')
    const row = this.counts.get(key) ?? { kind, version, route_group: route, status_class: status, requests: 0 }
    row.requests += n
    this.counts.set(key, row)
  }
  rows(): StoredLabelCount[] {
    const key = (r: StoredLabelCount) => [r.kind, r.version, r.route_group, r.status_class]
    return [...this.counts.values()].sort((a, b) => {
      const [x, y] = [key(a), key(b)]
      for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1
      return 0
    })
  }
}

const statusClassOf = (status: number) => `${Math.floor(status / 100)}xx`

describe('the middleware on a real node:http server', () => {
  it('stores exactly the requests made, by version, route group, status class and kind', async () => {
    const project = await testProject('mw-node')
    // Tabs on v1 and v2 reported to Stalewatch, so those versions are known.
    for (const version of ['v1', 'v2']) expect((await post(`${stalewatch.url}/api/ingest`, envelope(project.ingestKey, version, [heartbeat(Date.now())]))).status).toBe(200)
    const counter = createLoadCounter({ endpoint: stalewatch.aggregatesUrl, serverKey: project.serverKey, intervalMs: 3_600_000, warn: () => {} })
    const app = await startApp(counter)
    const expected = new Expected()
    const from = Date.now()

    // Versions as tabs send them, none, one nobody reported (Stalewatch counts it as unknown), and one no tab could send.
    const versions: (string | undefined)[] = ['v1', 'v2', undefined, 'made-up', 'x'.repeat(80)]
    const stored = (v: string | undefined) => (v === 'v1' || v === 'v2' ? v : 'unknown')
    for (let i = 0; i < 200; i++) {
      const version = versions[i % versions.length]
      const path = i % 7 === 0 ? '/api/fail' : i % 5 === 0 ? '/old' : i % 3 === 0 ? `/?q=${i}` : `/api/items/${i}`
      const status = await request(app.port, path, version)
      const route = path.startsWith('/api/items/') ? '/api/items/:id' : path.split('?')[0]!
      expected.add('http', stored(version), route, statusClassOf(status))
    }
    for (let i = 0; i < 3; i++) {
      await abandon(app.port, '/hang', 'v1')
      expected.add('http', 'v1', '/hang', 'aborted')
    }
    const sockets: [path: string, kind: string][] = [
      ['/live?sw_v=v1', 'ws_upgrade'],
      ['/live?sw_v=v1&sw_reconnect=1', 'ws_reconnect'],
      ['/live?sw_v=v1&sw_reconnect=1', 'ws_reconnect'],
      ['/live?sw_v=v2&sw_reconnect=1', 'ws_reconnect'],
      ['/admin-socket?sw_v=v2', 'ws_upgrade'],
      ['/live', 'ws_upgrade'],
    ]
    for (const [path, kind] of sockets) {
      const status = await upgrade(app.port, path)
      const version = new URLSearchParams(path.split('?')[1] ?? '').get('sw_v') ?? undefined
      expected.add(kind, stored(version), path.split('?')[0]!, statusClassOf(status))
    }
    expect(counter.stats()).toMatchObject({ counted: 209, overflowed: 0 })

    await counter.close()
    expect(counter.stats()).toMatchObject({ failedSends: 0, lostRequests: 0 })
    const rows = await eventually(() => storedByLabels(project.id), (r) => r.reduce((n, x) => n + x.requests, 0) >= 209)
    expect(rows).toEqual(expected.rows())
    // Spot checks a reader relies on: refused and accepted upgrades, aborted requests, 5xx by version.
    expect(rows).toContainEqual({ kind: 'ws_upgrade', version: 'v2', route_group: '/admin-socket', status_class: '4xx', requests: 1 })
    expect(rows).toContainEqual({ kind: 'ws_reconnect', version: 'v1', route_group: '/live', status_class: '1xx', requests: 2 })
    expect(rows).toContainEqual({ kind: 'http', version: 'v1', route_group: '/hang', status_class: 'aborted', requests: 3 })

    const minutes = await backendLoadMinutes({ projectId: project.id, from, to: Date.now() + 60_000, kinds: ['http'] })
    const byVersion = (v: string) => minutes.filter((m) => m.version === v).reduce((n, m) => n + m.requests, 0)
    const expectedHttp = expected.rows().filter((r) => r.kind === 'http')
    for (const v of ['v1', 'v2', 'unknown']) expect(byVersion(v), v).toBe(expectedHttp.filter((r) => r.version === v).reduce((n, r) => n + r.requests, 0))
    expect(minutes.reduce((n, m) => n + m.serverErrors, 0)).toBe(expectedHttp.filter((r) => r.status_class === '5xx').reduce((n, r) => n + r.requests, 0))
    await app.close()
  })

  it('keeps answering while Stalewatch is down: sends are dropped and counted, requests are not touched', async () => {
    const project = await testProject('mw-down')
    const counter = createLoadCounter({ endpoint: 'http://127.0.0.1:9/api/ingest/aggregates', serverKey: project.serverKey, intervalMs: 3_600_000, warn: () => {} })
    const app = await startApp(counter)
    for (let i = 0; i < 20; i++) expect(await request(app.port, `/api/items/${2 * i + 1}`, 'v1')).toBe(200)
    await counter.flush()
    expect(counter.stats()).toMatchObject({ counted: 20, failedSends: 1, lostRequests: 20 })
    expect(await request(app.port, '/api/items/1', 'v1')).toBe(200)
    await app.close()
    await counter.close()
  })
})
