// Entry of the script-tag build (dist/stalewatch.js, served by Stalewatch as
// /sdk.js): the API on window.Stalewatch, and auto-init from its own tag:
// <script src="https://stalewatch.example/sdk.js" data-key="…" data-version="…"
//   data-endpoint="…optional…" data-prompt="false (optional)"></script>
// The endpoint defaults to /api/ingest on the origin that served the script.
//
// Automatic reloads come in two files. This one watches from the start what
// their rules need to know and keeps what would start one: the form fields
// the person touched, the last ingest answer (it may carry the tab's slot),
// a chunk error. The rules (reloads.ts) are stalewatch-reloads.js beside this
// file (iife-reloads.ts), loaded only once a reload can matter: an answer
// says an update is available or the tab is below the minimum, or a chunk
// failed. Until they are in, nothing reloads by itself, and the prompt waits
// for them (or for their failure to load), so that an accepted prompt always
// tells the other tabs.
// Budget: 2,400 B min+gzip for this file, what a page loads at first (test/sdk/scripts/build.size.test.ts).
import { beat, flush, getState, hooks, init, reload, report, subscribe, update, updatePrompt } from './index'
import { onChunkErrors } from './chunks'
import { mountUpdatePrompt } from './prompt'
import { watchFields } from './fields'
import type { Early } from './reloads'
import type { Options } from './types'

/** The rules' file, beside this one. */
const RULES = 'stalewatch-reloads.js'

/** window.Stalewatch: the core's API (it follows init), chunk watching and the prompt. */
export type StalewatchGlobal = typeof import('./index') & {
  /** Chunk errors reported as `error` events (with init() called by hand; auto-init probes them, as skew errors). */
  watchChunks: typeof onChunkErrors
  mountUpdatePrompt: typeof mountUpdatePrompt
  /** Internal: what stalewatch-reloads.js takes over. */
  e?: Early
}

// The core's functions as they are now; init() changes them (to the instance
// it starts), and only init() does, so its wrapper takes them again.
const api = {
  init(o: Options) {
    init(o)
    live()
  },
  subscribe,
  watchChunks: onChunkErrors,
  mountUpdatePrompt,
} as StalewatchGlobal
const live = () => Object.assign(api, { beat, flush, getState, hooks, reload, report, update, updatePrompt })
live()
;(window as { Stalewatch?: StalewatchGlobal }).Stalewatch = api

// A script: it runs in a browser, where the tag that loaded it is currentScript.
const tag = document.currentScript as HTMLScriptElement | null
const data = tag?.dataset
if (data?.key && data.version) {
  const d = document
  const early: Early = (api.e = { f: watchFields(d), k: [] })
  // Once the rules are in, or could not be: the prompt works without them.
  const prompt = () => data.prompt != 'false' && mountUpdatePrompt()
  let loading: unknown
  // An absolute URL: a script from another origin imports with about:blank as its base.
  // (Not a literal either, which the bundler would try to bundle.)
  const rules = () => (loading ||= import(new URL(RULES, tag!.src) as never).then(prompt, prompt))
  api.init({ key: data.key, version: data.version, endpoint: data.endpoint || new URL('/api/ingest', tag!.src).href, onUpdate: rules })
  hooks.a = (a) => {
    early.a = a
    // Below the minimum with nothing newer released (a minimum above the latest): the rules matter too.
    if (a.belowMinimum) rules()
  }
  // A safe reload waits for the rules; any other goes.
  hooks.s = (reason, safe) => !safe || ((early.r = reason), rules(), 0)
  // Failures wait for the rules' file, which probes them (skew.ts) and takes the queue over.
  onChunkErrors(early.k!)
}
