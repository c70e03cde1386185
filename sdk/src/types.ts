// Public types of the browser SDK. Types only: nothing here reaches the bundle.
import type { WireEvent } from './wire'

/** A wire event before the SDK stamps its id and ts. */
export type EventInput = WireEvent extends infer E ? (E extends WireEvent ? Omit<E, 'id' | 'ts'> : never) : never

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

/**
 * Every browser dependency of the SDK, shaped like the part of `window` it
 * uses, so the default is simply globalThis. Tests pass a fake.
 */
export interface Env extends Target {
  location: { origin: string; reload(): void }
  document: Target & { visibilityState: string; hasFocus(): boolean }
  navigator: { sendBeacon(url: string, data: string): boolean }
  /** Missing or throwing storage disables automatic reloads (no loop guard). */
  sessionStorage?: { getItem(key: string): string | null; setItem(key: string, value: string): void }
  performance?: { getEntriesByType(type: string): unknown[] }
  fetch(url: string, init: { method: 'POST'; body: string; keepalive: boolean }): Promise<ResponseLike>
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(timer: unknown): void
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
  /** Forced reloads are spread uniformly over this many seconds. Default 600. */
  forceReloadWindowSeconds?: number
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
