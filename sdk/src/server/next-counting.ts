// Counting for Next.js apps (not the build helper, which is sdk/src/next.ts): the proxy (proxy.ts, formerly middleware.ts) and route handlers.
// The proxy runs before every route it matches but never sees the route's
// answer: a request it passes on (NextResponse.next(), a rewrite) is counted
// with the status class `forwarded`; one it answers itself (a redirect, a
// 401) with that answer's status. Route handlers wrapped with countRoute are
// counted with their real status: let the proxy's matcher leave their paths
// out, or each request is counted twice.
import type { LoadCounter } from './counter'
import { countFetch, type FetchCountOptions } from './fetch'
import { queryVersion, routeGroup, statusClass } from './labels'
import { VERSION_HEADER } from '../tag-names'

interface ProxyRequest {
  url: string
  headers: { get(name: string): string | null }
  nextUrl?: { pathname: string }
}

interface ProxyResult {
  status: number
  headers: { get(name: string): string | null }
}

export interface ProxyCountOptions {
  routeGroup?: (request: ProxyRequest) => string
}

const passedOn = (result: ProxyResult | null | undefined | void): boolean =>
  !result || result.headers.get('x-middleware-next') !== null || result.headers.get('x-middleware-rewrite') !== null

/** Wraps the proxy function: `export const proxy = countProxy(counter, (request) => NextResponse.next())`. */
export function countProxy<Req extends ProxyRequest, Rest extends unknown[], R extends ProxyResult | null | undefined | void>(
  counter: LoadCounter,
  proxy: (request: Req, ...rest: Rest) => R | Promise<R>,
  options: ProxyCountOptions = {},
): (request: Req, ...rest: Rest) => Promise<R> {
  return async (request, ...rest) => {
    const at = counter.time()
    let version: string | undefined
    let route = ''
    try {
      version = request.headers.get(VERSION_HEADER) ?? queryVersion(request.url)
      route = options.routeGroup ? options.routeGroup(request) : routeGroup(request.nextUrl?.pathname ?? new URL(request.url).pathname)
    } catch {
      // Counting must never break the app.
    }
    try {
      const result = await proxy(request, ...rest)
      counter.count(version, route, passedOn(result) ? 'forwarded' : statusClass((result as ProxyResult).status), 'http', at)
      return result
    } catch (error) {
      counter.count(version, route, '5xx', 'http', at)
      throw error
    }
  }
}

/** A route handler (app/…/route.ts), counted with its status: `export const GET = countRoute(counter, handler, { route: '/api/items/[id]' })`. */
export const countRoute = <Rest extends unknown[], R extends Response>(
  counter: LoadCounter,
  handler: (request: Request, ...rest: Rest) => R | Promise<R>,
  options?: FetchCountOptions,
) => countFetch(counter, handler, options)
