// What every framework adapter does once per page load in the browser: start
// the SDK with the options given or baked in at build time, install automatic
// reloads (the core alone never reloads), watch for chunk errors, and mount
// the update prompt. On the server (no document) it does
// nothing, so adapters can call it during server-side rendering.
import type { Options } from './types'
import { init } from './index'
import { watchChunks } from './chunks'
import { watchReloads } from './reloads'
import { mountUpdatePrompt, type PromptOptions } from './prompt'
import { baked } from './baked'

export interface StartOptions extends Partial<Options> {
  /** Report chunk errors and reload safely after them. Default true. */
  chunks?: boolean
  /** The update prompt's options, or false for none (build your own from the state). Default: shown. */
  prompt?: PromptOptions | false
}

let started = false

/** Start once per page load; true when this call started it. */
export const start = (options: StartOptions = {}): boolean => {
  if (started || typeof document != 'object') return false
  const b = baked()
  const o = { ...options, key: options.key || b.key, version: options.version || b.version, endpoint: options.endpoint || b.endpoint }
  if (!o.key || !o.version) {
    console.warn(`stalewatch: not started, no ${o.key ? 'version' : 'ingest key'}: use the build helper (stalewatch/next, stalewatch/vite) with STALEWATCH_KEY set, or pass it`)
    return false
  }
  started = true
  init(o as Options)
  watchReloads(o)
  if (o.chunks !== false) watchChunks(o.env)
  if (o.prompt !== false) mountUpdatePrompt(o.prompt)
  return true
}
