'use client'
// React: <Stalewatch /> starts the SDK once per page load (StrictMode and
// remounts included) and shows the update prompt; useStalewatch() reads the
// state for an app that draws its own. Works as a client component in
// Next.js's app router (the built file keeps 'use client'). The only file
// that imports React.
import { useEffect, useSyncExternalStore } from 'react'
import type { ReloadReason } from './wire'
import { getState, reload, subscribe, type State } from './index'
import { start, type StartOptions } from './start'

/** start()'s options, with the ingest key as `ingestKey`: React keeps `key` for itself. */
export type StalewatchProps = Omit<StartOptions, 'key'> & { ingestKey?: string }
export type { PromptOptions } from './prompt'

export interface StalewatchHook {
  version: string
  latest: string | null
  updateAvailable: boolean
  /** Reload now, reporting the reason (default update_prompt). */
  reload: (reason?: ReloadReason) => void
}

const before: State = { version: '', latest: null, minSupported: null, belowMinimum: false, updateAvailable: false }
const snapshot = (): State => getState() ?? before
const serverSnapshot = (): State => before
const reloadFor = (reason: ReloadReason = 'update_prompt') => reload(reason)

/**
 * Render once, near the root (in Next.js: in app/layout.tsx's <body>). With no
 * props it uses what the build helper baked in (version, key, endpoint).
 */
export function Stalewatch({ ingestKey, ...props }: StalewatchProps): null {
  useEffect(() => {
    start({ ...props, key: ingestKey })
    // Options are read once: the SDK starts once per page load.
  }, [])
  return null
}

/** The SDK's state; with options, also starts it (without the prompt unless options.prompt is set). */
export function useStalewatch(options?: StartOptions): StalewatchHook {
  useEffect(() => {
    if (options) start({ prompt: false, ...options })
  }, [])
  const s = useSyncExternalStore(subscribe, snapshot, serverSnapshot)
  return {
    version: s.version || options?.version || '',
    latest: s.latest,
    updateAvailable: s.updateAvailable,
    reload: reloadFor,
  }
}
