import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import type { LoadCounter } from '../../../../sdk/src/server/counter'
import { countExpress, countFastify, type NodeRequest } from '../../../../sdk/src/server/node'

// The Express and Fastify adapters with request/response objects of their
// shape (neither framework is a dependency here): which route group and
// status each request is counted under. The node:http, upgrade, Fetch and
// Next.js adapters run against real servers and objects beside this file
// (node.stored-requests.engine.test.ts, next-counting.engine.test.ts).

function recordingCounter() {
  const counted: unknown[][] = []
  const counter = { time: () => 1_000, count: (...args: unknown[]) => void counted.push(args) } as unknown as LoadCounter
  return { counter, counted }
}

class FakeResponse extends EventEmitter {
  statusCode = 200
  writableFinished = true
  req?: NodeRequest
}

describe('Express', () => {
  it('counts under the matched route (with its mount path) once routing ran, else the collapsed path', () => {
    const { counter, counted } = recordingCounter()
    const middleware = countExpress(counter)
    const run = (req: NodeRequest, route: { path?: unknown } | undefined, baseUrl: string, status: number, finished = true) => {
      const res = new FakeResponse()
      let nexted = false
      middleware(req, res, () => (nexted = true))
      expect(nexted).toBe(true)
      // Express's router sets these while handling the request.
      Object.assign(req, { route, baseUrl, url: '/rewritten-by-a-mounted-router' })
      res.statusCode = status
      res.writableFinished = finished
      res.emit('close')
    }
    run({ headers: { 'x-app-version': 'v1' }, url: '/shop/items/42', originalUrl: '/shop/items/42' }, { path: '/items/:itemId' }, '/shop', 200)
    run({ headers: {}, url: '/static/app.3f2a1b9c.js', originalUrl: '/static/app.3f2a1b9c.js' }, undefined, '', 404)
    run({ headers: { 'x-app-version': 'v2' }, url: '/api/slow', originalUrl: '/api/slow' }, { path: '/api/slow' }, '', 200, false)
    expect(counted).toEqual([
      ['v1', '/shop/items/:itemId', '2xx', 'http', 1_000],
      [undefined, '/static/:id', '4xx', 'http', 1_000],
      ['v2', '/api/slow', 'aborted', 'http', 1_000],
    ])
  })
})

describe('Fastify', () => {
  it('counts under the route pattern, and requests no route matched as (unmatched)', () => {
    const { counter, counted } = recordingCounter()
    const hook = countFastify(counter)
    const run = (url: string, pattern: string | undefined, status: number) => {
      const raw = { headers: { 'x-app-version': 'v3' }, url }
      const res = new FakeResponse()
      let done = false
      hook({ raw, routeOptions: pattern ? { url: pattern } : {} }, { raw: res }, () => (done = true))
      expect(done).toBe(true)
      res.statusCode = status
      res.emit('close')
    }
    run('/users/17/orders?page=2', '/users/:id/orders', 200)
    run('/wp-admin/setup.php', undefined, 404)
    expect(counted).toEqual([
      ['v3', '/users/:id/orders', '2xx', 'http', 1_000],
      ['v3', '(unmatched)', '4xx', 'http', 1_000],
    ])
  })
})
