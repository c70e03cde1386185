import { NextRequest, NextResponse } from 'next/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLoadCounter } from '@/sdk/src/server/counter'
import { countFetch } from '@/sdk/src/server/fetch'
import { countProxy, countRoute } from '@/sdk/src/server/next-counting'
import { useEngine, testProject } from '../../../support/engine'
import { envelope, heartbeat, post } from '../../../support/envelopes'
import { eventually, startStalewatchIngest, storedByLabels } from '../../../support/backend-load'

// The middleware on Next.js: route handlers (app/…/route.ts functions) and a
// proxy (proxy.ts) called with real Request / NextRequest objects and
// answering with real Response / NextResponse ones, as Next.js calls them;
// the counts go to Stalewatch's real front door and engine.

useEngine()

let stalewatch: Awaited<ReturnType<typeof startStalewatchIngest>>
beforeAll(async () => {
  stalewatch = await startStalewatchIngest()
})
afterAll(() => stalewatch.close())

async function knownProject(name: string) {
  const project = await testProject(name)
  for (const version of ['v1', 'v2']) expect((await post(`${stalewatch.url}/api/ingest`, envelope(project.ingestKey, version, [heartbeat(Date.now())]))).status).toBe(200)
  return project
}

const total = (rows: { requests: number }[]) => rows.reduce((n, r) => n + r.requests, 0)

describe('Next.js route handlers and proxy', () => {
  it('route handlers are counted with their route pattern and real status; a throwing handler as 5xx', async () => {
    const project = await knownProject('mw-next-route')
    const counter = createLoadCounter({ endpoint: stalewatch.aggregatesUrl, serverKey: project.serverKey, intervalMs: 3_600_000, warn: () => {} })
    // app/api/items/[id]/route.ts, as Next.js calls it: (request, { params }).
    const GET = countRoute(
      counter,
      async (_request: Request, context: { params: Promise<{ id: string }> }) => {
        const { id } = await context.params
        return Number(id) % 2 ? Response.json({ id }) : Response.json({ error: 'not found' }, { status: 404 })
      },
      { route: '/api/items/[id]' },
    )
    const POST = countRoute(counter, async (): Promise<Response> => {
      throw new Error('boom')
    }, { route: '/api/orders' })
    const made = { ok: 0, missing: 0 }
    for (let id = 1; id <= 30; id++) {
      const version = id % 3 === 0 ? undefined : id % 3 === 1 ? 'v1' : 'v2'
      const request = new Request(`http://app.test/api/items/${id}`, { headers: version ? { 'x-app-version': version } : {} })
      const response = await GET(request, { params: Promise.resolve({ id: String(id) }) })
      made[response.status === 200 ? 'ok' : 'missing']++
    }
    await expect(POST(new Request('http://app.test/api/orders', { method: 'POST', headers: { 'x-app-version': 'v2' } }))).rejects.toThrow('boom')

    await counter.close()
    const rows = await eventually(() => storedByLabels(project.id), (r) => total(r) >= 31)
    expect(made).toEqual({ ok: 15, missing: 15 })
    expect(rows).toEqual([
      { kind: 'http', version: 'unknown', route_group: '/api/items/[id]', status_class: '2xx', requests: 5 },
      { kind: 'http', version: 'unknown', route_group: '/api/items/[id]', status_class: '4xx', requests: 5 },
      { kind: 'http', version: 'v1', route_group: '/api/items/[id]', status_class: '2xx', requests: 5 },
      { kind: 'http', version: 'v1', route_group: '/api/items/[id]', status_class: '4xx', requests: 5 },
      { kind: 'http', version: 'v2', route_group: '/api/items/[id]', status_class: '2xx', requests: 5 },
      { kind: 'http', version: 'v2', route_group: '/api/items/[id]', status_class: '4xx', requests: 5 },
      { kind: 'http', version: 'v2', route_group: '/api/orders', status_class: '5xx', requests: 1 },
    ])
  })

  it('the proxy counts what it passes on as forwarded, and what it answers itself with that status', async () => {
    const project = await knownProject('mw-next-proxy')
    const counter = createLoadCounter({ endpoint: stalewatch.aggregatesUrl, serverKey: project.serverKey, intervalMs: 3_600_000, warn: () => {} })
    const proxy = countProxy(counter, (request: NextRequest) => {
      if (request.nextUrl.pathname.startsWith('/admin')) return NextResponse.redirect(new URL('/login', request.url))
      if (request.nextUrl.pathname === '/blocked') return new NextResponse(null, { status: 401 })
      if (request.nextUrl.pathname.startsWith('/old-shop')) return NextResponse.rewrite(new URL('/shop', request.url))
      return NextResponse.next()
    })
    const paths = ['/shop/items/123', '/admin/users/42', '/blocked', '/old-shop/9', '/']
    for (const path of paths) for (const version of ['v1', 'v2']) await proxy(new NextRequest(`http://app.test${path}`, { headers: { 'x-app-version': version } }))
    // A socket's version rides on its URL.
    await proxy(new NextRequest('http://app.test/?sw_v=v1'))

    await counter.close()
    const rows = await eventually(() => storedByLabels(project.id), (r) => total(r) >= 11)
    const line = (r: { version: string; route_group: string; status_class: string; requests: number }) => `${r.version} ${r.route_group} ${r.status_class} ${r.requests}`
    expect(rows.map(line)).toEqual([
      'v1 / forwarded 2',
      'v1 /admin/users/:id 3xx 1',
      'v1 /blocked 4xx 1',
      'v1 /old-shop/:id forwarded 1',
      'v1 /shop/items/:id forwarded 1',
      'v2 / forwarded 1',
      'v2 /admin/users/:id 3xx 1',
      'v2 /blocked 4xx 1',
      'v2 /old-shop/:id forwarded 1',
      'v2 /shop/items/:id forwarded 1',
    ])
  })

  it('a Workers-style handler hands a due send to waitUntil instead of a timer', async () => {
    const project = await knownProject('mw-fetch-waituntil')
    let clock = Date.now()
    const counter = createLoadCounter({ endpoint: stalewatch.aggregatesUrl, serverKey: project.serverKey, intervalMs: 10_000, now: () => clock, warn: () => {} })
    const handler = countFetch(counter, (_request: Request, _env: unknown, _ctx: { waitUntil(p: Promise<unknown>): void }) => new Response('ok'))
    const waited: Promise<unknown>[] = []
    const ctx = { waitUntil: (p: Promise<unknown>) => void waited.push(p) }
    await handler(new Request('http://worker.test/a', { headers: { 'x-app-version': 'v1' } }), {}, ctx)
    expect(waited).toHaveLength(0)
    clock += 10_000
    await handler(new Request('http://worker.test/a', { headers: { 'x-app-version': 'v1' } }), {}, ctx)
    expect(waited).toHaveLength(1)
    await Promise.all(waited)
    expect((await eventually(() => storedByLabels(project.id), (r) => total(r) >= 1)).map((r) => [r.version, r.route_group, r.requests])).toEqual([['v1', '/a', 1]])
    await counter.close()
  })
})
