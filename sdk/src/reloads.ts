// Automatic reloads, an add-on outside the core budget that every adapter
// installs (watchReloads()), and the script tag loads once a reload can matter
// (iife.ts). Without it the core never reloads by itself. With it:
// - a forced reload starts only on an answer whose reloadIn is 0 ("now"):
//   when the slot an earlier answer gave comes, the tab asks again (a
//   heartbeat), so lowering the minimum or a paused wave stops it, and any
//   answer without a slot cancels what was scheduled;
// - a forced, chunk-error or following reload happens only while the tab is
//   hidden or idle (no input for idleSeconds since these rules started),
//   never while a form field holds edits not submitted (fields.ts) or
//   canReload() says no, and at most once per tab per loopGuardSeconds (the
//   loop guard, sessionStorage 'sw_r'). One that cannot happen now waits until
//   the tab is free (checked on every heartbeat and visibility change, and
//   when a form is submitted);
// - an accepted update prompt or a forced reload tells the other tabs of this
//   origin (BroadcastChannel 'stalewatch'). After a prompt they follow with
//   reason update_prompt under the same rules, one at a time (Web Locks),
//   staggerSeconds apart; after a forced reload they ask for their own slot,
//   so the wave's rate holds. An accepted prompt also leaves the version in
//   localStorage 'sw_u', for the tabs that start these rules later (the script
//   tag loads them once its tab hears of the update): they follow as well.
// For the script tag this file is built apart (stalewatch-reloads.js,
// iife-reloads.ts), outside its budget: short code all the same.
import type { ReloadReason } from './wire'
import type { Channel, Env, Options } from './types'
import type { Answer } from './transport'
import { beat, getState, hooks, reload } from './index'
import { store } from './session'
import { edited, submitted, watchFields, type Fields } from './fields'

/** The options watchReloads reads (init's options object will do). */
export type ReloadOptions = Pick<Options, 'canReload' | 'idleSeconds' | 'staggerSeconds' | 'loopGuardSeconds' | 'env'>

/**
 * What the script tag (iife.ts) watched and kept from the page's start until
 * it loaded these rules: the form fields, the last ingest answer, a safe
 * reload asked for (a chunk error). Adapters leave it out. A cached
 * stalewatch.js may be older than the rules Stalewatch serves (they are
 * always revalidated, it is not): keep what these fields mean.
 */
export interface Early {
  f: Fields
  a?: Answer
  r?: ReloadReason
  /** Chunk failures' messages, for the rules' file to probe (skew.ts); it then makes this array's push the probe. */
  k?: string[]
}

/** Install automatic reloads for the instance init() started last. Call it once, after init(). */
export const watchReloads = (o: ReloadOptions = {}, early?: Early): void => {
  // That instance's, whatever init() starts later (tests start several in one process).
  const [h, ask, reloadNow, state] = [hooks, beat, reload, getState]
  const env = (o.env || globalThis) as Env
  const d = env.document
  const now = () => env.Date.now()
  const fields = early?.f || watchFields(d)
  let input = now()
  let slot: unknown
  let queued = 0
  /** A reload that waits for the tab to be free. */
  let waiting: ReloadReason | 0 = 0
  let channel: Channel | undefined
  try {
    channel = new env.BroadcastChannel!('stalewatch')
  } catch {}

  const unsaved = () => edited(d, fields) || o.canReload?.() == false
  const idle = () => now() - input >= (o.idleSeconds || 900) * 1e3
  const free = () => (d.visibilityState == 'hidden' || idle()) && !unsaved()

  // A waiting reload goes on once the tab is free: a forced one asks the
  // server again (its slot may have passed), a following one joins the queue.
  const check = () => {
    const r = waiting
    if (r && free()) {
      waiting = 0
      if (r == 'forced') ask()
      else if (r == 'update_prompt') follow()
      else reloadNow(r, true)
    }
  }

  // The queue's turn: a pause, then reload if free (the lock goes with the page), else wait and leave the queue.
  const follow = () =>
    queued ||
    ((queued = 1),
    env.navigator.locks?.request(
      'stalewatch',
      () => new Promise((done) => env.setTimeout(() => (queued = 0) || reloadNow('update_prompt', true) || done(0), (o.staggerSeconds || 3) * 1e3)),
    ))

  // Another tab updated to latest (a message, or the mark an accepted prompt left).
  const updated = (reason: ReloadReason, latest: unknown) => {
    if (reason == 'forced') ask()
    else if (latest && latest != state()!.version) {
      waiting = 'update_prompt'
      check()
    }
  }

  // Every reload passes here: an accepted prompt or a forced reload tells the
  // other tabs; a safe one needs the tab free and the loop guard's leave.
  h.s = (reason, safe) => {
    if (safe) {
      if (!free()) return (waiting = reason), 0
      if (now() - +store(env, 'sw_r')! < (o.loopGuardSeconds || 600) * 1e3 || !store(env, 'sw_r', '' + now())) return
    }
    if (reason == 'update_prompt' || reason == 'forced') {
      const latest = state()!.latest
      channel?.postMessage([reason, latest])
      if (reason == 'update_prompt' && latest)
        try {
          env.localStorage!.setItem('sw_u', latest)
        } catch {}
    }
    return 1
  }
  // Heartbeats say whether this tab could reload now (the preview counts them), and check a waiting reload.
  h.b = () => (env.setTimeout(check, 0), { idle: idle() || undefined, unsaved: unsaved() || undefined })
  const answered = (h.a = ({ belowMinimum, reloadIn }: Answer) => {
    env.clearTimeout(slot)
    if (waiting == 'forced') waiting = 0
    // Only the number 0 says now; anything else above 0 is a slot to ask again at; a malformed answer reloads nothing.
    if (belowMinimum !== true) return
    if (reloadIn === 0) reloadNow('forced', true)
    else if (reloadIn! > 0) slot = env.setTimeout(() => (waiting = 'forced') && check(), Math.min(+reloadIn!, 36e5))
  })

  for (const type of ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart']) env.addEventListener(type, () => (input = now()), true)
  // Bubbling, after the app's own handler (which may clear the form): what the form holds then is saved.
  d.addEventListener('submit', (e) => {
    submitted(fields, e.target)
    check()
  })
  d.addEventListener('visibilitychange', check)
  if (channel) channel.onmessage = (e) => updated(e.data[0], e.data[1])

  // What came before these rules: the answer (its slot, or "now", which the
  // server counted), an accepted prompt in another tab, a chunk error.
  if (early?.a) answered(early.a)
  try {
    const latest = state()!.latest
    if (latest && env.localStorage!.getItem('sw_u') == latest) updated('update_prompt', latest)
  } catch {}
  if (early?.r) {
    waiting = early.r
    check()
  }
}
