// React binding: useStalewatch() reads the SDK state; the first call with
// options (typically in the root layout's client component) starts the SDK
// once, StrictMode and remounts included, and watches for chunk errors.
// Outside the core size budget; the only file that imports React.
import { useEffect, useSyncExternalStore } from 'react'
import type { ReloadReason } from './wire'
import { getState, init, reload, subscribe, type Options, type State } from './index'
import { watchChunks } from './chunks'
import { watchReloads } from './reloads'

export interface StalewatchOptions extends Options {
  /** Report chunk errors and reload safely after them (default true). */
  chunks?: boolean
}

export interface StalewatchHook {
  version: string
  latest: string | null
  updateAvailable: boolean
  /** Reload now, reporting the reason (default update_prompt). */
  reload: (reason?: ReloadReason) => void
}

let started = false
const before: State = { version: '', latest: null, minSupported: null, belowMinimum: false, updateAvailable: false }
const snapshot = (): State => getState() ?? before
const serverSnapshot = (): State => before
const reloadFor = (reason: ReloadReason = 'update_prompt') => reload(reason)

/** Start the SDK once per page load (a second call does nothing). */
export const start = (options: StalewatchOptions): void => {
  if (started) return
  started = true
  init(options)
  watchReloads(options)
  if (options.chunks !== false) watchChunks(options.env)
}

export function useStalewatch(options?: StalewatchOptions): StalewatchHook {
  useEffect(() => {
    if (options) start(options)
    // Options are read once: the SDK starts once per page load.
  }, [])
  const s = useSyncExternalStore(subscribe, snapshot, serverSnapshot)
  return {
    version: s.version || options?.version || '',
    latest: s.latest,
    updateAvailable: s.updateAvailable,
    reload: reloadFor,
  }
}
