// Entry of stalewatch-reloads.js, the script-tag build's second file: the
// automatic reloads' rules (reloads.ts), which stalewatch.js loads from beside
// itself once a reload can matter (iife.ts). It runs on the SDK instance that
// file started: its imports of the core read window.Stalewatch
// (sdk/scripts/build.ts), and it takes over what that file watched and kept.
// It also probes the chunk failures that file kept (skew.ts), and takes over
// their queue, so the first file carries no probe; a failure's safe reload
// waits for its probe, whose event must be queued before the page may go.
import { watchReloads } from './reloads'
import { hooks, reload } from './index'
import { skewWatcher, watchWorkerSwap, type ProbeEnv } from './skew'
import type { StalewatchGlobal } from './iife'

const early = (globalThis as unknown as { Stalewatch: StalewatchGlobal }).Stalewatch.e
// A chunk error's reload waits for its probes (any other reason goes as before).
const failed = early?.r == 'chunk_error' && early.k?.length ? (early.r = undefined) || 'chunk_error' : undefined
watchReloads({}, early)
if (early?.k) {
  // A worker swap is seen only from now on: this file comes after the page's start.
  const skew = skewWatcher(globalThis as unknown as ProbeEnv, watchWorkerSwap())
  // The probes under way: a chunk error's reload (the first file asks for it
  // right after the push) waits for them, then asks again.
  let probing: Promise<unknown> | undefined
  const probe = (m: string) => {
    const p = (probing = Promise.all([probing, skew(m)]))
    p.then(() => probing == p && (probing = undefined))
    return p
  }
  const rules = hooks.s!
  hooks.s = (reason, safe) => (reason == 'chunk_error' && probing ? (probing.then(() => reload(reason, safe)), 0) : rules(reason, safe))
  // The first file pushes into this very array: its push becomes the probe.
  const kept = early.k.splice(0)
  early.k.push = (m) => (probe(m), 0)
  Promise.all(kept.map(probe)).then(() => failed && reload(failed, true))
}
