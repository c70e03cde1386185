// Chunk errors: an old build failing to load one of its scripts or chunks after
// a deploy. An add-on outside the core size budget: call watchChunks() after
// init() (the script-tag build does it for you). Each failure is reported as an
// `error` event, then a safe reload (reason chunk_error) is asked for: with
// watchReloads() installed (reloads.ts) it happens once the tab is hidden or
// idle with no unsaved work, within the loop guard; without it, never.
import type { Env } from './types'
import { reload, report } from './index'

const CHUNK = /chunkloaderror|load(ing)? (css )?chunk|dynamically imported/i

type Failure = { tagName?: string; src?: string; href?: string; name?: string; message?: string }

/**
 * A message describing the chunk failure, or undefined when e is something else:
 * a same-origin <script>/<link> that failed to load (window 'error', capture),
 * webpack's ChunkLoadError ("Loading chunk 3 failed", "Loading CSS chunk"),
 * Turbopack's "Failed to load chunk", or a failed import().
 */
export const chunkError = (e: Event, origin: string): string | undefined => {
  const x = ((e as PromiseRejectionEvent).reason || (e as ErrorEvent).error || e.target || {}) as Failure
  const url = (/^(SCRIPT|LINK)$/.test(x.tagName!) && (x.src || x.href)) || ''
  const m = url || String(x.message || x)
  if (!url.indexOf(origin + '/') || CHUNK.test(x.name + m)) return m.slice(0, 300)
}

/** Listen for chunk errors on this window (default globalThis). */
export const watchChunks = (env: Pick<Env, 'addEventListener' | 'location'> = globalThis as unknown as Env): void => {
  const on = (e: Event) => {
    const message = chunkError(e, env.location.origin)
    if (message) {
      report(message)
      reload('chunk_error', true)
    }
  }
  env.addEventListener('error', on, true)
  env.addEventListener('unhandledrejection', on)
}
