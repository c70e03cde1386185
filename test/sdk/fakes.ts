// Fakes for the SDK's env (a window-shaped object) so the SDK runs in node
// under vi.useFakeTimers(): timers and Date come from the faked globals.
import type { IngestEnvelope } from '../../sdk/src/wire'
import { mulberry32 } from '../../scripts/simulator/prng'
import type { Env, ResponseLike } from '../../sdk/src/types'
import { asciiJson } from '../../ingest/edge/answers'

export interface FakeAnswer {
  status?: number
  headers?: Record<string, string>
  body?: unknown
  /** Reject like a network error. */
  networkError?: boolean
}

export interface Sent {
  at: number
  url: string
  envelope: IngestEnvelope
  keepalive?: boolean
  body: string
}

type Fn = (e: Event) => void

export interface FakeOptions {
  random?: () => number
  storage?: Map<string, string> | null
  visibility?: 'visible' | 'hidden'
  focused?: boolean
  navigation?: string
  /** Answers to fetch calls; default 200 with nothing new. */
  respond?: (sent: Sent) => FakeAnswer | Promise<FakeAnswer>
  beaconOk?: boolean
  /** Timers and time from this clock instead of the (faked) globals. */
  clock?: SimClock
  /** The tabs of one browser: BroadcastChannel and Web Locks shared among the envs given the same one. */
  browser?: FakeBrowser
}

type Message = { data: unknown }

/**
 * What the tabs of one browser share: BroadcastChannels by name (a message
 * reaches every other channel of that name, in a later task, as in browsers)
 * and Web Locks (held until the callback's promise settles or its tab
 * unloads, as a reload does).
 */
export class FakeBrowser {
  /** localStorage, shared by the tabs of one origin. */
  readonly localStorage = new Map<string, string>()
  private channels = new Map<string, Set<{ onmessage: ((e: MessageEvent) => void) | null }>>()
  private locks = new Map<string, { holder: object | null; queue: { tab: object; fn: () => Promise<unknown> }[] }>()

  channel(name: string) {
    const all = this.channels.get(name) ?? new Set()
    this.channels.set(name, all)
    const self = {
      onmessage: null as ((e: MessageEvent) => void) | null,
      postMessage: (data: unknown) => {
        for (const other of all) if (other !== self) setTimeout(() => other.onmessage?.({ data } as Message as MessageEvent), 0)
      },
    }
    all.add(self)
    return self
  }

  request(tab: object, name: string, fn: () => Promise<unknown>): Promise<unknown> {
    const lock = this.locks.get(name) ?? { holder: null, queue: [] }
    this.locks.set(name, lock)
    lock.queue.push({ tab, fn })
    this.next(name)
    return Promise.resolve()
  }

  private next(name: string): void {
    const lock = this.locks.get(name)!
    if (lock.holder || !lock.queue.length) return
    const { tab, fn } = lock.queue.shift()!
    lock.holder = tab
    void fn().finally(() => {
      if (lock.holder === tab) this.release(tab)
    })
  }

  /** The tab unloads: every lock it holds or waits for goes. */
  release(tab: object): void {
    for (const [name, lock] of this.locks) {
      lock.queue = lock.queue.filter((q) => q.tab !== tab)
      if (lock.holder === tab) {
        lock.holder = null
        this.next(name)
      }
    }
  }
}

export const ok = (body: Record<string, unknown> = {}): FakeAnswer => ({
  status: 200,
  body: { accepted: 1, rejected: [], latest: null, minSupported: null, ...body },
})

/** What the server answers a request with ?answer=header whose events were all accepted. */
export const headerOk = (versions: Record<string, unknown> = {}): FakeAnswer => ({
  status: 204,
  headers: { 'stalewatch-answer': asciiJson({ latest: null, minSupported: null, belowMinimum: false, ...versions }) },
})

export const response = (a: FakeAnswer): ResponseLike => {
  const headers = Object.fromEntries(Object.entries(a.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]))
  const status = a.status ?? 200
  return {
    ok: status >= 200 && status < 300,
    status,
    headers: { get: (name: string) => headers[name.toLowerCase()] ?? null },
    // Like fetch: an empty body (a 204) is not JSON.
    json: async () => {
      if (a.body === undefined) throw new SyntaxError('Unexpected end of JSON input')
      return a.body
    },
  }
}

export function fakeEnv(options: FakeOptions = {}) {
  const listeners = { window: new Map<string, Fn[]>(), document: new Map<string, Fn[]>() }
  const add = (m: Map<string, Fn[]>) => (type: string, fn: Fn) => m.set(type, [...(m.get(type) ?? []), fn])
  const storage = options.storage === undefined ? new Map<string, string>() : options.storage
  const requests: Sent[] = []
  const beacons: Sent[] = []
  const reloads: number[] = []
  /** Everything that left, in order: fetches, beacons and reloads. */
  const log: string[] = []
  const state = { visibility: options.visibility ?? 'visible', focused: options.focused ?? true, beaconOk: options.beaconOk ?? true }

  /** The page's elements: every object an event was fired at, while its isConnected is not false. */
  const page = new Set<{ isConnected?: boolean }>()
  const document = {
    get visibilityState() {
      return state.visibility
    },
    hasFocus: () => state.focused,
    addEventListener: add(listeners.document),
    querySelectorAll: () => [...page].filter((e) => e.isConnected !== false),
  }
  const now = options.clock ? options.clock.now : () => Date.now()
  const tab = {}
  const env: Env = {
    addEventListener: add(listeners.window),
    location: {
      origin: 'https://app.example',
      reload: () => {
        reloads.push(now())
        log.push('reload')
        options.browser?.release(tab)
      },
    },
    document,
    navigator: {
      ...(options.browser ? { locks: { request: (name: string, fn: () => Promise<unknown>) => options.browser!.request(tab, name, fn) } } : {}),
      sendBeacon(url: string, data: string) {
        if (!state.beaconOk) return false
        beacons.push({ at: Date.now(), url, envelope: JSON.parse(data), body: data })
        log.push('beacon')
        return true
      },
    },
    sessionStorage: storage
      ? { getItem: (k) => storage.get(k) ?? null, setItem: (k, v) => void storage.set(k, v) }
      : undefined,
    ...(options.browser
      ? { localStorage: { getItem: (k: string) => options.browser!.localStorage.get(k) ?? null, setItem: (k: string, v: string) => void options.browser!.localStorage.set(k, v) } }
      : {}),
    performance: { getEntriesByType: (t) => (t == 'navigation' ? [{ type: options.navigation ?? 'navigate' }] : []) },
    async fetch(url, init) {
      const sent: Sent = { at: Date.now(), url, envelope: JSON.parse(init.body), keepalive: init.keepalive, body: init.body }
      requests.push(sent)
      log.push('fetch')
      const a = await (options.respond ?? (() => ok()))(sent)
      if (a.networkError) throw new TypeError('Failed to fetch')
      return response(a)
    },
    setTimeout: options.clock ? options.clock.setTimeout : (fn, ms) => setTimeout(fn, ms),
    clearTimeout: options.clock ? options.clock.clearTimeout : (t) => clearTimeout(t as ReturnType<typeof setTimeout>),
    ...(options.browser ? { BroadcastChannel: function (this: unknown, name: string) { return options.browser!.channel(name) } as unknown as Env['BroadcastChannel'] } : {}),
    Math: { random: options.random ?? Math.random },
    Date: { now },
  }

  const fire = (target: 'window' | 'document', type: string, event: { target?: unknown; [k: string]: unknown } = {}) => {
    if (event.target && typeof event.target == 'object') page.add(event.target)
    for (const fn of listeners[target].get(type) ?? []) fn({ type, ...event } as unknown as Event)
  }
  const setVisibility = (v: 'visible' | 'hidden') => {
    state.visibility = v
    fire('document', 'visibilitychange')
  }
  const events = () => [...requests, ...beacons].sort((a, b) => a.at - b.at).flatMap((s) => s.envelope.events)
  return { env, requests, beacons, reloads, log, storage, state, fire, setVisibility, events, listeners }
}

/** Seeded PRNG for reproducible "random" numbers: the simulator's mulberry32. */
export const seeded = (seed: number): (() => number) => mulberry32(seed)

/**
 * A minimal simulated clock for many clients at once (vi's fake timers scan
 * every timer on each step, too slow for 10,000 clients): a binary heap of
 * timers; run() fires them in time order and lets promises settle between
 * distinct instants.
 */
export interface SimClock {
  now(): number
  setTimeout(fn: () => void, ms: number): number
  clearTimeout(id: unknown): void
  run(until: number): Promise<void>
}

export function simClock(start = 1_700_000_000_000): SimClock {
  let time = start
  let seq = 0
  const heap: { at: number; seq: number; fn: () => void }[] = []
  const cancelled = new Set<number>()
  const less = (a: number, b: number) => heap[a]!.at < heap[b]!.at || (heap[a]!.at == heap[b]!.at && heap[a]!.seq < heap[b]!.seq)
  const swap = (a: number, b: number) => ([heap[a], heap[b]] = [heap[b]!, heap[a]!])
  const push = (t: { at: number; seq: number; fn: () => void }) => {
    heap.push(t)
    for (let i = heap.length - 1; i > 0 && less(i, (i - 1) >> 1); i = (i - 1) >> 1) swap(i, (i - 1) >> 1)
  }
  const pop = () => {
    const top = heap[0]!
    const last = heap.pop()!
    if (heap.length) {
      heap[0] = last
      for (let i = 0; ; ) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < heap.length && less(l, m)) m = l
        if (r < heap.length && less(r, m)) m = r
        if (m == i) break
        swap(i, m)
        i = m
      }
    }
    return top
  }
  const settle = () => new Promise<void>((r) => setImmediate(r))
  return {
    now: () => time,
    setTimeout(fn, ms) {
      push({ at: time + Math.max(0, ms), seq: ++seq, fn })
      return seq
    },
    clearTimeout: (id) => void cancelled.add(id as number),
    async run(until) {
      await settle()
      while (heap.length && heap[0]!.at <= until) {
        const t = pop()
        if (t.at > time) {
          await settle()
          time = t.at
        }
        if (!cancelled.delete(t.seq)) t.fn()
      }
      await settle()
      time = Math.max(time, until)
    },
  }
}
