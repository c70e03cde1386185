// Stalewatch browser SDK core: reports which version this tab runs, learns the
// latest and minimum supported versions, and keeps every event until it is
// acknowledged, across reloads of the tab. It never reloads by itself:
// automatic reloads (forced, chunk-error, following another tab) are the
// add-on reloads.ts, which every adapter installs and the script tag loads
// once a reload can matter.
// Must stay within 1.5 KB min+gzip (test/sdk/scripts/build.size.test.ts): short code, no
// classes, every browser dependency reached through `env` (default globalThis).
import type { EventType, PromptAction, ReloadReason, WireEvent } from './wire'
import type { Env, Options, State } from './types'
import { transport, type Answer, type Transport } from './transport'
import { navigation, store, uid } from './session'

export type { Answer } from './transport'

export type { Env, Options, ResponseLike, State } from './types'

// sessionStorage keys, written as literals where used (gzip prefers the
// repeats to named constants): 'sw_s' the session id, 'sw_v' this tab's last
// version, 'sw_q' events earlier loads did not see acknowledged, 'sw_r' the
// last automatic reload (the loop guard, reloads.ts).

const listeners = new Set<(s: State) => void>()
const noop = () => {}

/** The hooks of the instance init() started last, where reloads.ts plugs in. */
export let hooks: Hooks = {}

/** One-letter names: property names stay in the bundle. The core alone never reloads by itself. */
export interface Hooks {
  /**
   * safe: a reload with this reason is about to happen; may it? With safe
   * (forced, chunk-error, following) only when the tab's rules allow it now;
   * without this hook, never. reloads.ts also tells the other tabs here.
   */
  s?: (reason: ReloadReason, safe?: boolean) => unknown
  /** beat: extra heartbeat fields (idle, unsaved). */
  b?: () => object
  /** answer: every ingest answer for this page load (not those for earlier loads' events). */
  a?: (a: Answer) => void
  /** event: the core sets it to queue an event of any type (skew.ts sends skew_error through it). */
  e?: (type: EventType, fields?: object) => void
}

// The module API: live bindings that init() points at the instance it starts
// (the last one, when tests start several). Before init they do nothing
// (reload just reloads).

/**
 * Report a reload with this reason, keep the queue for the next load, then
 * reload. An accepted prompt or a forced reload tells the other tabs of this
 * origin (BroadcastChannel 'stalewatch'); reloads.ts makes them follow.
 * safe: only when reloads.ts is installed and its rules allow it now.
 * Returns whether it reloaded.
 */
export let reload: (reason?: ReloadReason, safe?: boolean) => unknown = () => location.reload()
/** Report what happened to an update prompt. */
export let updatePrompt: (action: PromptAction) => void = noop
/** Report an error (an `error` event; keep message within 500 chars). */
export let report: (message: string) => void = noop
/** Send queued events now. */
export let flush: () => void = noop
/** Send a heartbeat now (its answer carries this tab's reload slot). */
export let beat: () => void = noop
/** Merge what is known about versions from elsewhere (see headers.ts). */
export let update: (versions: Answer) => void = noop
/** The current state; undefined before init. */
export let getState: () => State | undefined = noop as () => undefined
/** Call fn on every state change; returns the unsubscribe function. */
export const subscribe = (fn: (s: State) => void): (() => void) => {
  listeners.add(fn)
  return () => listeners.delete(fn)
}

/**
 * Start the SDK. Call it once per page load: every call starts another
 * instance (useStalewatch(options) in react.ts guards this for React).
 */
export const init = (o: Options): void => {
  const env = (o.env || globalThis) as Env
  const d = env.document
  const url = o.endpoint || '/api/ingest'
  const version = o.version
  const heartbeatMs = (o.heartbeatSeconds || 60) * 1e3

  const load = uid(env)
  const session = store(env, 'sw_s') || store(env, 'sw_s', uid(env)) || uid(env)
  const previousVersion = store(env, 'sw_v')
  store(env, 'sw_v', version)

  let n = 0
  let told: string | null | undefined
  let state: State
  const h: Hooks = (hooks = {})

  // Browsers report only 'visible' and 'hidden' today.
  const visibility = () => ({ visibility: d.visibilityState })

  // What the server (or a response header) says about versions.
  const learn = ({ latest = null, minSupported = null, belowMinimum = false }: Answer) => {
    const updateAvailable = !!latest && latest != version
    state = { version, latest, minSupported, belowMinimum, updateAvailable }
    listeners.forEach((f) => f(state))
    if (updateAvailable && latest != told) {
      ev('update_available', { latest: (told = latest) })
      o.onUpdate?.(latest!)
    }
  }

  const t = transport(url, { key: o.key, session, load, version }, env, (a) => {
    learn(a)
    h.a?.(a)
  })
  const ev = (h.e = (type: EventType, e?: object) => t.add({ id: load + '_' + n++, ts: env.Date.now(), type, ...e } as WireEvent))

  // What earlier loads of this tab left unacknowledged (an outage, a reload
  // before the answer) goes again, each under its own load's head and marked
  // replay, so the server counts it under the load that made it and hands no
  // reload slot for it. Ids make a resend of a stored event harmless.
  const all: Transport[] = [t]
  // (Nothing kept: JSON.parse(undefined) throws, and the catch takes it.)
  try {
    for (const [h, q] of JSON.parse(store(env, 'sw_q')!)) {
      const x = transport(url, { ...h, replay: true }, env, noop)
      q.forEach(x.add)
      all.push(x)
    }
  } catch {}
  // This load's unsettled events and those it took over, newest loads first, at most five loads.
  const save = () => store(env, 'sw_q', JSON.stringify(all.map((x) => x.keep()).slice(0, 5)))
  // The page may be going away: keep the queue for the next load, and send a copy now.
  const away = () => {
    save()
    t.beacon()
  }

  const reloadHere: typeof reload = (reason = 'app', safe) => {
    if (h.s ? h.s(reason, safe) : !safe) {
      ev('reload', { reason })
      away()
      env.location.reload()
      return 1
    }
  }

  // This instance's heartbeat (the module's `beat` is the instance started last).
  const beatHere = () => {
    ev('heartbeat', { ...visibility(), ...h.b?.() })
    t.flush()
  }
  const heartbeat = () => {
    beatHere()
    env.setTimeout(heartbeat, heartbeatMs)
  }

  reload = reloadHere
  updatePrompt = (action) => ev('update_prompt', { action })
  report = (message) => ev('error', { message })
  flush = t.flush
  beat = beatHere
  update = (versions) => learn({ ...state, ...versions })
  getState = () => state
  learn({})
  ev('load', { navigation: navigation(env), previousVersion, ...visibility() })
  env.setTimeout(heartbeat, heartbeatMs)
  d.addEventListener('visibilitychange', () => {
    ev('visibility', visibility())
    // A hidden page may be killed without another event: keep the queue for the next load.
    save()
  })
  // Page Lifecycle (Chromium): a frozen page runs no timer, and may be
  // discarded without another event, so the freeze leaves now by beacon.
  d.addEventListener('freeze', () => {
    ev('freeze')
    away()
  })
  env.addEventListener('pagehide', away)
  d.addEventListener('resume', () => ev('resume'))
}
