// Adapters for Node's http server and the frameworks on it (Express, Fastify,
// Koa via ctx.req/ctx.res…): the request is counted when its response
// closes, with the status it was answered, or `aborted` when the connection
// closed first; its minute is the receive time. Per request: a timestamp and
// one 'close' listener shared by every response, no closure, no I/O.
import type { LoadCounter } from './counter'
import { queryVersion, routeGroup, statusClass } from './labels'
import { VERSION_HEADER } from '../tag-names'

/** The part of http.IncomingMessage read here (Express and Fastify's raw request have it). */
export interface NodeRequest {
  headers: Record<string, string | string[] | undefined>
  url?: string
  /** Express: the URL before mounted routers rewrote req.url. */
  originalUrl?: string
  /** Express: the matched route, known once routing has run. */
  route?: { path?: unknown }
  baseUrl?: string
}

/** The part of http.ServerResponse read here. */
export interface NodeResponse {
  statusCode: number
  /** Set by Node (since 15.7) on every response. */
  req?: NodeRequest
  writableFinished?: boolean
  on(event: 'close', listener: () => void): unknown
}

export interface NodeCountOptions {
  /** The route group of a request; default: Express's matched route when there is one, else the path with ids collapsed (labels.ts routeGroup). */
  routeGroup?: (req: NodeRequest) => string
}

const RECEIVED = Symbol('stalewatch.receivedAt')
const ROUTE = Symbol('stalewatch.route')
const REQUEST = Symbol('stalewatch.request')

type Tracked = NodeResponse & { [RECEIVED]?: number; [ROUTE]?: string; [REQUEST]?: NodeRequest }

/** The version a request carried: the header, else the query parameter (WebSocket, EventSource). */
export function requestVersion(req: NodeRequest): string | string[] | undefined {
  const header = req.headers[VERSION_HEADER]
  if (header !== undefined) return header
  return queryVersion(req.originalUrl ?? req.url ?? '')
}

function defaultRouteGroup(req: NodeRequest): string {
  const pattern = req.route?.path
  if (typeof pattern === 'string') return (req.baseUrl ?? '') + pattern
  return routeGroup(req.originalUrl ?? req.url ?? '/')
}

/**
 * Returns track(req, res, route?): call it first thing for each request.
 * `route` fixes the route group (Fastify's routeOptions.url, say); without
 * it the group is decided when the response closes, after the framework's
 * routing.
 */
export function nodeTracker(counter: LoadCounter, options: NodeCountOptions = {}): (req: NodeRequest, res: NodeResponse, route?: string) => void {
  const group = options.routeGroup ?? defaultRouteGroup
  function onClose(this: Tracked): void {
    try {
      const req = this[REQUEST] ?? this.req!
      const status = this.writableFinished === false ? 'aborted' : statusClass(this.statusCode)
      counter.count(requestVersion(req), this[ROUTE] ?? group(req), status, 'http', this[RECEIVED])
    } catch {
      // Counting must never break the app.
    }
  }
  return (req, res, route) => {
    const tracked = res as Tracked
    tracked[RECEIVED] = counter.time()
    if (tracked.req !== req) tracked[REQUEST] = req
    if (route !== undefined) tracked[ROUTE] = route
    res.on('close', onClose)
  }
}

/** Wraps a `(req, res)` listener of http.createServer. */
export function countNode<Req extends NodeRequest, Res extends NodeResponse>(
  counter: LoadCounter,
  listener: (req: Req, res: Res) => void,
  options?: NodeCountOptions,
): (req: Req, res: Res) => void {
  const track = nodeTracker(counter, options)
  return (req, res) => {
    track(req, res)
    listener(req, res)
  }
}

/** Express (and Connect) middleware: `app.use(countExpress(counter))` before the routes. */
export function countExpress(counter: LoadCounter, options?: NodeCountOptions): (req: NodeRequest, res: NodeResponse, next: () => void) => void {
  const track = nodeTracker(counter, options)
  return (req, res, next) => {
    track(req, res)
    next()
  }
}

interface FastifyRequestLike {
  raw: NodeRequest
  routeOptions?: { url?: string }
}
interface FastifyReplyLike {
  raw: NodeResponse
}

/**
 * A Fastify onRequest hook: `fastify.addHook('onRequest', countFastify(counter))`.
 * Routing has run by then, so the group is the route's pattern; a request no
 * route matched is `(unmatched)`, so random paths never become labels.
 */
export function countFastify(counter: LoadCounter, options?: NodeCountOptions): (request: FastifyRequestLike, reply: FastifyReplyLike, done: () => void) => void {
  const track = nodeTracker(counter, options)
  return (request, reply, done) => {
    track(request.raw, reply.raw, options?.routeGroup ? undefined : (request.routeOptions?.url ?? '(unmatched)'))
    done()
  }
}
