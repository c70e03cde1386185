// Public types of the browser SDK. Types only: nothing here reaches the bundle.

/** What the SDK needs from fetch's Response (and what observeResponse reads). */
export interface ResponseLike {
  ok: boolean
  status: number
  headers: { get(name: string): string | null }
  json(): Promise<unknown>
}

export type Listener = (e: Event) => void
export interface Target {
  addEventListener(type: string, fn: Listener, capture?: boolean): void
}

/** The part of a BroadcastChannel the SDK uses. */
export interface Channel {
  postMessage(message: unknown): void
  onmessage: ((e: MessageEvent) => void) | null
}

/**
 * Every browser dependency of the SDK, shaped like the part of `window` it
 * uses, so the default is simply globalThis. Tests pass a fake.
 */
export interface Env extends Target {
  location: { origin: string; reload(): void }
  /** querySelectorAll: automatic reloads look for the form fields still on the page. */
  document: Target & { visibilityState: string; hasFocus(): boolean; querySelectorAll(selectors: string): Iterable<unknown> }
  navigator: {
    sendBeacon(url: string, data: string): boolean
    /** Web Locks: tabs following another tab's update reload one at a time. */
    locks?: { request(name: string, fn: () => Promise<unknown>): Promise<unknown> }
  }
  /** Missing or throwing storage disables automatic reloads (no loop guard) and keeps no events across loads. */
  sessionStorage?: { getItem(key: string): string | null; setItem(key: string, value: string): void }
  /** Automatic reloads: an accepted prompt leaves its version here for the tabs that start their rules later. */
  localStorage?: { getItem(key: string): string | null; setItem(key: string, value: string): void }
  performance?: { getEntriesByType(type: string): unknown[] }
  fetch(url: string, init: { method: 'POST'; body: string; keepalive: boolean }): Promise<ResponseLike>
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(timer: unknown): void
  /** Tells the other tabs of this origin that one updated; missing = they are not told. */
  BroadcastChannel?: new (name: string) => Channel
  Math: { random(): number }
  Date: { now(): number }
}

export interface Options {
  /** Ingest URL. Default '/api/ingest' (same origin). */
  endpoint?: string
  /** Project ingest key. */
  key: string
  /** The version (build) this page runs, at most 64 chars. */
  version: string
  /** Default 60. */
  heartbeatSeconds?: number
  /** Called once per new latest version the server reports. */
  onUpdate?: (latest: string) => void
  /** Return false while a reload would lose the person's work. Default: always true. */
  canReload?: () => boolean
  /** Automatic reloads (watchReloads): a visible tab counts as idle after this long without input. Default 900. */
  idleSeconds?: number
  /** Automatic reloads: tabs following another tab's update reload one at a time, this far apart. Default 3. */
  staggerSeconds?: number
  /** Automatic reloads: the loop guard allows one per tab per this many seconds. Default 600. */
  loopGuardSeconds?: number
  /** Browser dependencies (the window). Default globalThis. */
  env?: Env
}

export interface State {
  version: string
  latest: string | null
  minSupported: string | null
  /** The server says this version is ordered before minSupported. */
  belowMinimum: boolean
  /** latest !== null && latest !== version */
  updateAvailable: boolean
}
