// A Fetch-API handler wrapper: `(request, ...rest) => Response` handlers of
// Hono (app.fetch), Bun.serve, Deno.serve, Cloudflare Workers and Next.js
// route handlers. Counts each request with the status of its Response (101
// for an accepted WebSocket upgrade), or 5xx when the handler throws (the
// error is rethrown untouched).
import type { LoadCounter } from './counter'
import { isReconnect, queryVersion, routeGroup, statusClass } from './labels'
import type { LoadKind } from './wire'
import { VERSION_HEADER } from '../tag-names'

export interface FetchCountOptions {
  /** The route group: a fixed pattern (a Next.js route file's, e.g. '/api/items/[id]') or a function; default the path with ids collapsed. */
  route?: string | ((request: Request) => string)
}

interface WaitUntil {
  waitUntil(promise: Promise<unknown>): void
}

const hasWaitUntil = (value: unknown): value is WaitUntil => typeof (value as Partial<WaitUntil> | null)?.waitUntil === 'function'

function labelsOf(request: Request, options: FetchCountOptions): { version: string | undefined; route: string; kind: LoadKind } {
  const url = request.url
  const socket = request.headers.get('upgrade')?.toLowerCase() === 'websocket'
  const route = typeof options.route === 'string' ? options.route : options.route ? options.route(request) : routeGroup(new URL(url).pathname)
  return {
    version: request.headers.get(VERSION_HEADER) ?? queryVersion(url),
    route,
    kind: socket ? (isReconnect(url) ? 'ws_reconnect' : 'ws_upgrade') : 'http',
  }
}

export function countFetch<Rest extends unknown[], R extends Response>(
  counter: LoadCounter,
  handler: (request: Request, ...rest: Rest) => R | Promise<R>,
  options: FetchCountOptions = {},
): (request: Request, ...rest: Rest) => Promise<R> {
  return async (request, ...rest) => {
    const at = counter.time()
    let labels: ReturnType<typeof labelsOf> | undefined
    try {
      labels = labelsOf(request, options)
      // Runtimes that freeze between requests (Workers) run no timer: a due
      // send rides on the request's waitUntil, after the answer.
      const ctx = rest.find(hasWaitUntil)
      if (ctx && counter.flushDue()) ctx.waitUntil(counter.flush())
    } catch {
      // Counting must never break the app.
    }
    try {
      const response = await handler(request, ...rest)
      if (labels) counter.count(labels.version, labels.route, statusClass(response.status), labels.kind, at)
      return response
    } catch (error) {
      if (labels) counter.count(labels.version, labels.route, '5xx', labels.kind, at)
      throw error
    }
  }
}
