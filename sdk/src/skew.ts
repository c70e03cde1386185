// Skew errors (docs/skew-errors.md): when a tab fails to load code, probe the
// failing URL once, without cache, say why it failed, and send one
// `skew_error` event with the cause, the asset's path group and the tab's age.
// Part of the chunk watching (chunks.ts; for the script tag, of the reload
// rules' file, iife-reloads.ts): outside the core and its size budget.
import type { SkewCause } from './wire'
import { hooks } from './index'

/** What the probe's answer said; null when the probe's fetch threw (no answer at all). */
export interface ProbeAnswer {
  status: number
  /** Content-Type, lower case ('' when none). */
  type: string
  /** The Age header in seconds (0 when none). */
  age: number
  /** A cache saying it served this (X-Cache, CF-Cache-Status, X-Vercel-Cache… with HIT). */
  hit: boolean
}

/** The browser dependencies of the probe; the window by default. */
export interface ProbeEnv {
  location: { href: string }
  fetch(url: string, init: { cache: 'no-store' }): Promise<{ status: number; headers: { get(name: string): string | null } }>
  performance?: { now(): number }
}

/** Next.js: a server action the new build no longer has. */
export const ACTION = /failed.to.find.server.action|server action .* (was )?not found/i
/** A script or module answered with HTML (an SPA fallback), as the browser words it. */
export const HTML = /unexpected token '?<|expected a javascript.* mime type of "text\/html"/i
// The URL a failure names: a tag's src, the URL in an import() or webpack message, Turbopack's path.
const URL_IN = /(https?:\/\/[^\s'"()]+|\/[^\s'"()]+\.(m?js|css)\b[^\s'"()]*)/
// Caches that say in a header whether they answered from the cache.
const CACHE_HEADERS = ['x-cache', 'cf-cache-status', 'x-vercel-cache', 'x-proxy-cache', 'cdn-cache']
/** Probes per page load, whatever fails: a page whose every chunk is gone sends this many at most. */
export const MAX_PROBES = 8

/**
 * The cause of a failure, from its message, whether a script or stylesheet was
 * expected at the URL, whether a service worker took over this page since it
 * loaded, and the probe's answer (null: the probe threw; undefined: no probe).
 */
export const causeOf = (message: string, script: boolean, swapped: boolean, a?: ProbeAnswer | null): SkewCause => {
  if (ACTION.test(message)) return 'server_action_missing'
  if (swapped) return 'sw_swap'
  if (HTML.test(message)) return 'html_instead_of_script'
  if (a === null) return 'network'
  if (!a) return 'other'
  if (a.status == 404 || a.status == 410) return a.age > 0 || a.hit ? 'cached_404' : 'gone'
  if (a.status < 300 && script && a.type.includes('text/html')) return 'html_instead_of_script'
  return 'other'
}

/**
 * A URL's path group: its path alone (no origin, query or fragment), with the
 * parts a build or a record names collapsed to *: a bundler's hash
 * (index-BdH3k2Lq.js → index-*.js, page-0a1b2c3d4e5f6789.js → page-*.js) and
 * numbers or long tokens with a digit (/_next/static/chunks/123.js → /_next/static/chunks/*.js).
 * So a chart can count one asset across builds, and no id leaves the tab.
 */
export const pathGroup = (url: string, base: string): string => {
  let path: string
  try {
    path = new URL(url, base).pathname
  } catch {
    return ''
  }
  return path
    .split('/')
    .map((s) =>
      s
        // Vite's and Rollup's [name]-[hash].ext: eight characters of base64url before the extension.
        .replace(/-[\w-]{8}(?=(\.[a-z0-9]+)+$)/i, '-*')
        // Then, between - and ., numbers and tokens of six characters or more with a digit (webpack's hashes, build ids).
        .split(/([-.])/)
        .map((t) => (/^\d+$|^(?=\w*\d)\w{6,}$/.test(t) ? '*' : t))
        .join(''),
    )
    .join('/')
    .slice(0, 200)
}

/** The URL a failure message names, absolute; undefined when it names none. */
export const failingUrl = (message: string, base: string): string | undefined => {
  const m = URL_IN.exec(message)
  try {
    return m ? new URL(m[1]!, base).href : undefined
  } catch {}
}

/** Ask the URL once more, past every cache of the browser's; null when the fetch threw. */
export const probe = async (env: ProbeEnv, url: string): Promise<ProbeAnswer | null> => {
  try {
    const r = await env.fetch(url, { cache: 'no-store' })
    const h = (name: string) => (r.headers.get(name) || '').toLowerCase()
    return { status: r.status, type: h('content-type'), age: +h('age') || 0, hit: CACHE_HEADERS.some((n) => h(n).includes('hit')) }
  } catch {
    return null
  }
}

/**
 * A skew watcher for this page load: call it with each failure's message; it
 * probes each URL once (at most MAX_PROBES in all, so a page whose every chunk
 * is gone makes no storm) and sends one skew_error per URL through the core
 * the last init() started. The promise settles once the event is queued.
 * swapped() says whether a service worker took over the page since it loaded.
 */
export const skewWatcher = (env: ProbeEnv, swapped: () => boolean) => {
  // Each URL's probe, so a second failure of it waits for the first's event (its reload must not go before).
  const seen = new Map<string, Promise<void>>()
  const send = async (message: string, url: string | undefined): Promise<void> => {
    const age = Math.round(env.performance?.now() || 0)
    const sw = swapped()
    const answer = url && !sw && !HTML.test(message) ? await probe(env, url) : undefined
    const script = !!url && /\.(m?js|css)$/i.test(new URL(url).pathname)
    hooks.e?.('skew_error', {
      cause: causeOf(message, script, sw, answer),
      path: pathGroup(url || env.location.href, env.location.href),
      age,
    })
  }
  return (message: string): Promise<void> => {
    const url = ACTION.test(message) ? undefined : failingUrl(message, env.location.href)
    const key = url || message
    let sent = seen.get(key)
    if (!sent) {
      if (seen.size >= MAX_PROBES) return Promise.resolve()
      seen.set(key, (sent = send(message, url)))
    }
    return sent
  }
}

/**
 * Whether a service worker took over this page since these lines ran: true
 * once the controller changed (a new worker claimed the page mid-navigation).
 */
export const watchWorkerSwap = (nav: { serviceWorker?: WorkerContainer } = globalThis.navigator): (() => boolean) => {
  const sw = nav?.serviceWorker
  // A first worker claiming a page that had none is an install, not a swap.
  const had = !!sw?.controller
  let swapped = false
  sw?.addEventListener('controllerchange', () => (swapped = had))
  return () => swapped
}

interface WorkerContainer {
  controller: unknown
  addEventListener(type: string, fn: () => void): void
}
