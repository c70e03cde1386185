// Stalewatch browser SDK core: reports which version this tab runs, learns the
// latest and minimum supported versions, and reloads stale tabs safely.
// Must stay within 1.5 KB min+gzip (test/sdk/size.test.ts): short code, no
// classes, every browser dependency reached through `env` (default globalThis).
import type { EventType, PromptAction, ReloadReason, WireEvent } from './wire'
import type { Env, Options, State } from './types'
import { transport, type Answer } from './transport'
import { navigation, store, uid } from './session'

export type { Answer } from './transport'

export type { Env, Options, ResponseLike, State } from './types'

// sessionStorage keys, written as literals where used (gzip prefers the
// repeats to named constants): 'sw_s' the session id, 'sw_v' this tab's last
// version, 'sw_r' the last automatic reload (the loop guard).

const listeners = new Set<(s: State) => void>()
const noop = () => {}

// The module API: live bindings that init() points at the instance it starts
// (the last one, when tests start several). Before init they do nothing
// (reload just reloads).

/**
 * Report a reload with this reason (sent by sendBeacon), then reload.
 * safe: only when canReload() allows and no other safe reload happened in this
 * session within the forced-reload window (the loop guard, in sessionStorage).
 */
export let reload: (reason?: ReloadReason, safe?: boolean) => void = () => location.reload()
/** Report what happened to an update prompt. */
export let updatePrompt: (action: PromptAction) => void = noop
/** Report an error (an `error` event; keep message within 500 chars). */
export let report: (message: string) => void = noop
/** Send queued events now. */
export let flush: () => void = noop
/** Merge what is known about versions from elsewhere (see headers.ts). */
export let update: (versions: Answer) => void = noop
/** The current state; undefined before init. */
export let getState: () => State | undefined = noop as () => undefined
/** Call fn on every state change; returns the unsubscribe function. */
export const subscribe = (fn: (s: State) => void): (() => void) => {
  listeners.add(fn)
  return () => listeners.delete(fn)
}

/** What init() returns: the module API bound to that instance. */
export interface Handle {
  reload: typeof reload
  updatePrompt: typeof updatePrompt
  flush: typeof flush
  getState: () => State
  subscribe: typeof subscribe
}

/**
 * Start the SDK. Call it once per page load: every call starts another
 * instance (useStalewatch(options) in react.ts guards this for React).
 */
export const init = (o: Options): Handle => {
  const env = (o.env || globalThis) as Env
  const d = env.document
  const now = () => env.Date.now()
  const version = o.version
  const windowMs = (o.forceReloadWindowSeconds ?? 600) * 1e3
  const heartbeatMs = (o.heartbeatSeconds || 60) * 1e3

  const load = uid(env)
  const session = store(env, 'sw_s') || store(env, 'sw_s', uid(env)) || uid(env)
  const previousVersion = store(env, 'sw_v')
  store(env, 'sw_v', version)

  let n = 0
  let due = 0
  let told: string | null | undefined
  let state: State

  // Browsers report only 'visible' and 'hidden' today.
  const visibility = () => ({ visibility: d.visibilityState })
  const hidden = () => d.visibilityState == 'hidden'

  // What the server (or a response header) says about versions.
  const learn = ({ latest = null, minSupported = null, belowMinimum = false }: Answer) => {
    const updateAvailable = !!latest && latest != version
    state = { version, latest, minSupported, belowMinimum, updateAvailable }
    listeners.forEach((f) => f(state))
    if (updateAvailable && latest != told) {
      ev('update_available', { latest: (told = latest) })
      o.onUpdate?.(latest!)
    }
    // Each client waits its own random delay, uniform over the window.
    if (belowMinimum && !due) {
      due = now() + env.Math.random() * windowMs
      env.setTimeout(force, due - now())
    }
  }

  const t = transport(o.endpoint || '/api/ingest', { key: o.key, session, load, version }, env, learn)
  const ev = (type: EventType, e?: object) => t.add({ id: load + '_' + n++, ts: now(), type, ...e } as WireEvent)

  // safe: only if canReload() allows and no safe reload happened in this
  // session within the window (the loop guard, kept in sessionStorage).
  const reloadHere: typeof reload = (reason = 'app', safe) => {
    const l = now()
    if (!safe || (o.canReload?.() != false && !(l - +store(env, 'sw_r')! < windowMs) && store(env, 'sw_r', '' + l))) {
      ev('reload', { reason })
      t.beacon()
      env.location.reload()
    }
  }

  // A due forced reload waits until the person is elsewhere (tab hidden, or
  // visible without focus); a tab in use gets one more window. Checked when
  // due, on every heartbeat and on visibility changes.
  const force = () => {
    const l = now()
    if (due && l >= due && (hidden() || !d.hasFocus() || l > due + windowMs)) reloadHere('forced', true)
  }

  const heartbeat = () => {
    ev('heartbeat', visibility())
    force()
    env.setTimeout(heartbeat, heartbeatMs)
  }

  reload = reloadHere
  updatePrompt = (action) => ev('update_prompt', { action })
  report = (message) => ev('error', { message })
  flush = t.flush
  update = (versions) => learn({ ...state, ...versions })
  getState = () => state
  learn({})
  ev('load', { navigation: navigation(env), previousVersion, ...visibility() })
  env.setTimeout(heartbeat, heartbeatMs)
  d.addEventListener('visibilitychange', () => {
    ev('visibility', visibility())
    if (hidden()) t.beacon()
    force()
  })
  // Page Lifecycle (Chromium): a frozen page runs no timer, and may be
  // discarded without another event, so the freeze leaves now by beacon.
  d.addEventListener('freeze', () => {
    ev('freeze')
    t.beacon()
  })
  env.addEventListener('pagehide', t.beacon)
  d.addEventListener('resume', () => ev('resume'))
  return { reload, updatePrompt, flush, getState: getState as () => State, subscribe }
}
