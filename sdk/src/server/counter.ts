// The core of the backend-load middleware: counts the app's requests by
// client version, route group, status class and kind, per minute of receive
// time, in memory, and sends the counts to Stalewatch every 10 s with the
// project's server key (docs/backend-load.md).
//
// It must never slow or break the app:
// - count() does no I/O and never throws; sending runs on a timer, unref'd so
//   it never keeps the process alive;
// - memory is bounded: per 10 s window at most maxVersions versions,
//   maxRoutes route groups and maxSeries (minute, version, route) series;
//   past a cap the request is counted under `other` (and in stats().overflowed);
// - a failed send is dropped, not retried (the counts would arrive late and
//   out of order), counted in stats(), and logged at most once a minute.
import { OTHER, UNKNOWN, routeLabel, versionLabel } from './labels'
import { SEND_LIMITS, type AggregateItem, type LoadKind, type StatusClass } from './wire'

export interface LoadCounterOptions {
  /** Stalewatch's aggregate endpoint, e.g. https://stalewatch.example/api/ingest/aggregates. */
  endpoint: string
  /** The project's server key (sws_…): a secret, for the server only. Without one nothing is sent. */
  serverKey: string | undefined
  /** Default 10 000. */
  intervalMs?: number
  /** Distinct versions per window; default 100, at most 198. */
  maxVersions?: number
  /** Distinct route groups per window; default 200, at most 499. */
  maxRoutes?: number
  /** Distinct (minute, version, route group) series per window; default 2000. */
  maxSeries?: number
  /** Give up a send after this long; default 5000. */
  timeoutMs?: number
  /** Where the once-a-minute warnings go; default console.warn. */
  warn?: (message: string) => void
  fetch?: (url: string, init: RequestInit) => Promise<{ ok: boolean; status: number }>
  now?: () => number
}

export interface LoadCounterStats {
  /** Requests counted since start. */
  counted: number
  /** Of which counted under `other` because a cap was reached. */
  overflowed: number
  sends: number
  failedSends: number
  /** Requests whose counts were in failed sends (dropped). */
  lostRequests: number
  /** Series held now, waiting for the next send. */
  series: number
}

export interface LoadCounter {
  /**
   * The time to count a request at: the clock read at most a second ago. A
   * clock read costs 25 ns on most machines and 250 ns on some VMs (a slow
   * clock source), on every request; minutes need no more than this.
   */
  time(): number
  /** Counts one request. `version` as received (header or query parameter): anything invalid is `unknown`. */
  count(version: string | string[] | null | undefined, route: string, status: StatusClass, kind?: LoadKind, at?: number): void
  /** True when a send is due (for runtimes without timers between requests: see fetch.ts). */
  flushDue(): boolean
  /** Sends what was counted so far. Never rejects. */
  flush(): Promise<void>
  /** Stops the timer and sends what is left. */
  close(): Promise<void>
  stats(): LoadCounterStats
}

const KINDS: readonly LoadKind[] = ['http', 'ws_upgrade', 'ws_reconnect']
const STATUSES: readonly StatusClass[] = ['1xx', '2xx', '3xx', '4xx', '5xx', 'aborted', 'forwarded']
const KIND_INDEX: Record<LoadKind, number> = { http: 0, ws_upgrade: 1, ws_reconnect: 2 }
const STATUS_INDEX: Record<StatusClass, number> = { '1xx': 0, '2xx': 1, '3xx': 2, '4xx': 3, '5xx': 4, aborted: 5, forwarded: 6 }
const CELLS = KINDS.length * STATUSES.length
const MINUTE = 60_000
const WARN_EVERY_MS = 60_000
/** Distinct minutes per window: more only comes from a caller passing odd `at` times, counted in the current minute. */
const MAX_MINUTES = 10

interface Series {
  version: string
  route: string
  /** Requests per kind × status class. */
  counts: Float64Array
}

interface Window {
  /** Series by minute, then by version, then by route group. */
  minutes: Map<number, Map<string, Map<string, Series>>>
  /** Raw version value → its label, for versions admitted in this window. */
  versions: Map<string, string>
  routes: Set<string>
  series: number
}

const newWindow = (): Window => ({ minutes: new Map(), versions: new Map(), routes: new Set(), series: 0 })

export function createLoadCounter(options: LoadCounterOptions): LoadCounter {
  const intervalMs = options.intervalMs ?? 10_000
  // Two labels per window are reserved (unknown, other), so a send of one
  // window always fits the server's per-request limits.
  const maxVersions = Math.min(options.maxVersions ?? 100, SEND_LIMITS.maxVersions - 2)
  const maxRoutes = Math.min(options.maxRoutes ?? 200, SEND_LIMITS.maxRoutes - 1)
  const maxSeries = options.maxSeries ?? 2000
  const now = options.now ?? Date.now
  const send = options.fetch ?? ((url: string, init: RequestInit) => fetch(url, init))
  const warn = options.warn ?? ((message: string) => console.warn(message))
  const stats: LoadCounterStats = { counted: 0, overflowed: 0, sends: 0, failedSends: 0, lostRequests: 0, series: 0 }
  let window = newWindow()
  let lastFlush = now()
  let coarse = lastFlush
  let lastWarning = -Infinity
  let warnedNoKey = false

  // The minute's map most requests land in, kept at hand.
  let currentMinute = -1
  let current: Map<string, Map<string, Series>> | undefined

  function admitVersion(raw: string | string[] | null | undefined): string {
    if (raw === undefined || raw === null) return UNKNOWN
    const key = Array.isArray(raw) ? (raw[0] ?? '') : raw
    const known = window.versions.get(key)
    if (known !== undefined) return known
    const label = versionLabel(key)
    if (label === UNKNOWN) return UNKNOWN
    if (window.versions.size >= maxVersions) {
      stats.overflowed++
      return OTHER
    }
    window.versions.set(key, label)
    return label
  }

  function admitRoute(route: string): string {
    if (window.routes.has(route)) return route
    if (window.routes.size >= maxRoutes) {
      stats.overflowed++
      return OTHER
    }
    const label = routeLabel(route)
    window.routes.add(label)
    return label
  }

  function seriesFor(minute: number, version: string, route: string): Series {
    if (minute !== currentMinute || current === undefined) {
      if (!window.minutes.has(minute) && window.minutes.size >= MAX_MINUTES) {
        const t = now()
        minute = t - (t % MINUTE)
      }
      current = window.minutes.get(minute)
      if (!current) window.minutes.set(minute, (current = new Map()))
      currentMinute = minute
    }
    // Two lookups rather than one on a joined key: the route label's hash is
    // already computed (admitRoute), a joined string would need its own.
    let byRoute = current.get(version)
    const series = byRoute?.get(route)
    if (series) return series
    if (window.series >= maxSeries) {
      stats.overflowed++
      return overflowSeries(current)
    }
    if (!byRoute) current.set(version, (byRoute = new Map()))
    const created: Series = { version, route, counts: new Float64Array(CELLS) }
    byRoute.set(route, created)
    window.series++
    return created
  }

  /** The one (other, other) series of a minute, past the series cap. */
  function overflowSeries(minute: Map<string, Map<string, Series>>): Series {
    let byRoute = minute.get(OTHER)
    if (!byRoute) minute.set(OTHER, (byRoute = new Map()))
    let series = byRoute.get(OTHER)
    if (!series) byRoute.set(OTHER, (series = { version: OTHER, route: OTHER, counts: new Float64Array(CELLS) }))
    return series
  }

  function count(version: string | string[] | null | undefined, route: string, status: StatusClass, kind: LoadKind = 'http', at = coarse): void {
    try {
      const minute = at - (at % MINUTE)
      const series = seriesFor(minute, admitVersion(version), admitRoute(route))
      series.counts[KIND_INDEX[kind] * STATUSES.length + STATUS_INDEX[status]]!++
      stats.counted++
    } catch {
      // Counting must never break a request.
    }
  }

  function itemsOf(w: Window): AggregateItem[] {
    const items: AggregateItem[] = []
    for (const [minute, byVersion] of w.minutes) {
      for (const s of [...byVersion.values()].flatMap((byRoute) => [...byRoute.values()])) {
        for (let cell = 0; cell < CELLS; cell++) {
          const n = s.counts[cell]!
          if (n > 0) {
            items.push({ minute, kind: KINDS[Math.floor(cell / STATUSES.length)]!, version: s.version, route: s.route, status: STATUSES[cell % STATUSES.length]!, count: n })
          }
        }
      }
    }
    return items
  }

  function failed(reason: string, requests: number): void {
    stats.failedSends++
    stats.lostRequests += requests
    const t = now()
    if (t - lastWarning >= WARN_EVERY_MS) {
      lastWarning = t
      warn(`stalewatch: backend-load counts were not sent (${reason}); ${stats.lostRequests} requests dropped so far in ${stats.failedSends} failed sends. The app is not affected.`)
    }
  }

  async function sendChunk(items: AggregateItem[]): Promise<void> {
    const requests = items.reduce((n, i) => n + i.count, 0)
    if (!options.serverKey) {
      if (!warnedNoKey) warn('stalewatch: no server key given; backend-load counts are not sent.')
      warnedNoKey = true
      return
    }
    // A timer of our own rather than AbortSignal.timeout: it is cleared (and
    // its send let go) as soon as the send settles, and never holds the process.
    const controller = new AbortController()
    const timeout = setTimeout(() => controller.abort(new DOMException('The send timed out', 'TimeoutError')), options.timeoutMs ?? 5000) as unknown as { unref?: () => void }
    timeout.unref?.()
    try {
      stats.sends++
      const response = await send(options.endpoint, {
        method: 'POST',
        headers: { authorization: `Bearer ${options.serverKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ sentAt: now(), items }),
        signal: controller.signal,
      })
      if (!response.ok) failed(`HTTP ${response.status}`, requests)
    } catch (error) {
      failed(error instanceof Error ? error.name : 'network error', requests)
    } finally {
      clearTimeout(timeout as unknown as ReturnType<typeof setTimeout>)
    }
  }

  async function flush(): Promise<void> {
    const w = window
    window = newWindow()
    current = undefined
    currentMinute = -1
    lastFlush = coarse = now()
    const items = itemsOf(w)
    const sends: Promise<void>[] = []
    for (let i = 0; i < items.length; i += SEND_LIMITS.maxItems) sends.push(sendChunk(items.slice(i, i + SEND_LIMITS.maxItems)))
    await Promise.all(sends)
  }

  const timer = setInterval(() => void flush(), intervalMs) as unknown as { unref?: () => void }
  timer.unref?.()
  const tick = setInterval(() => void (coarse = now()), 1000) as unknown as { unref?: () => void }
  tick.unref?.()

  return {
    time: () => coarse,
    count,
    flushDue: () => now() - lastFlush >= intervalMs,
    flush,
    async close() {
      clearInterval(timer as unknown as ReturnType<typeof setInterval>)
      clearInterval(tick as unknown as ReturnType<typeof setInterval>)
      await flush()
    },
    stats: () => ({ ...stats, series: window.series }),
  }
}

const SHARED = Symbol.for('stalewatch.loadCounter')
type Holder = { [SHARED]?: LoadCounter }

/**
 * The process's one counter, created on first call. Frameworks that bundle
 * modules more than once in a process (Next.js's proxy and route handlers)
 * still share it, so each request is counted once and sent once.
 */
export function loadCounter(options: LoadCounterOptions): LoadCounter {
  const holder = globalThis as Holder
  holder[SHARED] ??= createLoadCounter(options)
  return holder[SHARED]
}
