// Tag the app's own requests with this tab's version, so the server
// middleware (server/) can count backend load by client version. An opt-in
// add-on outside the core size budget; nothing happens at import.
//
// A cookie cannot do this: every tab of an origin shares it, so tabs on two
// versions would overwrite each other. A header set per request can.
import { baked } from './baked'
import { RECONNECT_PARAM, VERSION_HEADER, VERSION_PARAM } from './tag-names'

export { RECONNECT_PARAM, VERSION_HEADER, VERSION_PARAM } from './tag-names'

type FetchLike = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>

interface XhrPrototype {
  open(this: XhrLike, ...args: unknown[]): void
}
interface XhrLike {
  setRequestHeader(name: string, value: string): void
}

/** The part of `window` tagging uses; default globalThis. */
export interface TagEnv {
  location: { href: string; origin: string }
  fetch?: FetchLike
  XMLHttpRequest?: { prototype: XhrPrototype }
}

export interface TagOptions {
  /**
   * The version (build) this page runs. Default: the one the build helper
   * baked in (withStalewatch, the Vite plugin), which the tab reports too.
   */
  version?: string
  /**
   * Other origins of the app's own servers to tag, e.g. ['https://api.example.com'].
   * Same-origin requests are always tagged; others never, unless listed here:
   * a custom header makes a cross-origin request preflighted, and the listed
   * servers must allow it (Access-Control-Allow-Headers: x-app-version).
   */
  origins?: readonly string[]
  env?: TagEnv
}

const envOf = (o: TagOptions) => (o.env || globalThis) as TagEnv
const versionOf = (o: TagOptions): string | undefined => o.version || baked().version

/** Whether a request to `url` is tagged: same origin, or a listed one. */
export const isTagged = (url: string, o: TagOptions): boolean => {
  const { location } = envOf(o)
  try {
    const origin = new URL(url, location.href).origin
    return origin == location.origin || (o.origins || []).indexOf(origin) >= 0
  } catch {
    return false
  }
}

const urlOf = (input: RequestInfo | URL): string => (typeof input == 'string' ? input : 'url' in input ? input.url : input.href)

/** `fetchFn` with the version header added to tagged requests (never replacing one the app set). */
export const taggedFetch =
  (fetchFn: FetchLike, o: TagOptions): FetchLike =>
  (input, init) => {
    const version = versionOf(o)
    if (!version || !isTagged(urlOf(input), o)) return fetchFn(input, init)
    const headers = new Headers(init?.headers || (typeof input == 'object' && 'headers' in input ? input.headers : undefined))
    if (!headers.has(VERSION_HEADER)) headers.set(VERSION_HEADER, version)
    return fetchFn(input, { ...init, headers })
  }

/**
 * Tags every fetch and XMLHttpRequest of the page from now on. Call once,
 * before the app's first request; returns a function that undoes it. With
 * no version given or baked in, nothing is tagged.
 */
export const tagRequests = (o: TagOptions = {}): (() => void) => {
  const version = versionOf(o)
  if (!version) return () => {}
  const env = envOf(o)
  const fetchFn = env.fetch
  const proto = env.XMLHttpRequest?.prototype
  const open = proto?.open
  if (fetchFn) env.fetch = taggedFetch(fetchFn.bind(env), o)
  if (proto && open) {
    proto.open = function (this: XhrLike, ...args: unknown[]) {
      open.apply(this, args)
      // After open(), before send(): the only time a header can be set.
      if (isTagged(String(args[1]), o)) this.setRequestHeader(VERSION_HEADER, version)
    }
  }
  return () => {
    if (fetchFn) env.fetch = fetchFn
    if (proto && open) proto.open = open
  }
}

export interface UrlOptions {
  /** Mark this connection as a reconnect (the server counts reconnects apart). */
  reconnect?: boolean
  /** Turn http(s) into ws(s), for WebSocket. Default true; false for EventSource. */
  socket?: boolean
  env?: TagEnv
}

/**
 * `url` with the version as a query parameter, for what cannot carry headers:
 * new WebSocket(url), new EventSource(url). A relative URL is resolved
 * against the page.
 */
export const versionedUrl = (url: string | URL, version: string, o: UrlOptions = {}): string => {
  const u = new URL(url, (o.env || (globalThis as unknown as TagEnv)).location?.href)
  if (o.socket != false) u.protocol = u.protocol.replace(/^http/, 'ws')
  u.searchParams.set(VERSION_PARAM, version)
  if (o.reconnect) u.searchParams.set(RECONNECT_PARAM, '1')
  else u.searchParams.delete(RECONNECT_PARAM)
  return u.href
}

/**
 * For a socket that reconnects: each call gives the URL to connect with, the
 * first plain, every later one marked as a reconnect. E.g.
 * `const next = socketUrls('/live', version); const connect = () => new WebSocket(next())`.
 */
export const socketUrls = (url: string | URL, version: string, env?: TagEnv): (() => string) => {
  let calls = 0
  return () => versionedUrl(url, version, { reconnect: calls++ > 0, env })
}
