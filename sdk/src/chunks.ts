// Chunk errors: an old build failing to load one of its scripts or chunks after
// a deploy. An add-on outside the core size budget: call watchChunks() after
// init() (the adapters do it for you). Each failure is probed and classified
// (skew.ts) and sent as one `skew_error` event, then a safe reload (reason
// chunk_error) is asked for: with watchReloads() installed (reloads.ts) it
// happens once the tab is hidden or idle with no unsaved work, within the loop
// guard; without it, never. The script tag (iife.ts) keeps only the detection
// here (onChunkErrors) in its first file and probes from its rules' file.
import type { Env } from './types'
import { reload, report } from './index'
import { ACTION, HTML, skewWatcher, watchWorkerSwap, type ProbeEnv } from './skew'

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

/**
 * The script tag's chunk watching (iife.ts), on this window: each chunk error's message goes
 * to q (default: an `error` event; the script tag keeps them for its rules'
 * file, which probes them), then a safe reload is asked for.
 */
export const onChunkErrors = (q: { push(message: string): unknown } = { push: report }): void => {
  const on = (e: Event) => {
    // The window's origin (self.origin): the page's, as location.origin.
    const message = chunkError(e, origin)
    if (message) {
      q.push(message)
      reload('chunk_error', true)
    }
  }
  addEventListener('error', on, true)
  addEventListener('unhandledrejection', on)
}

// Beyond chunkError: a server action the new build no longer has (Next.js),
// a script answered with HTML (its SyntaxError names the script's URL as its
// filename), and Vite's preload failures (vite:preloadError, whose payload is the error).
const skewError = (e: Event, origin: string): string | undefined => {
  const x = e as ErrorEvent & { payload?: unknown; reason?: { message?: string } }
  const m = String(x.error?.message || x.reason?.message || x.reason || x.message || '')
  if (ACTION.test(m)) return m.slice(0, 300)
  if (HTML.test(m) && !x.filename?.indexOf(origin + '/')) return `${m.slice(0, 100)} ${x.filename}`
  return chunkError(x.payload ? ({ reason: x.payload } as unknown as Event) : e, origin)
}

type Skew = ReturnType<typeof skewWatcher>

/** This page's skew watcher: the one watchChunks() made, so a failure seen twice (by the window and by the framework) is probed and sent once. */
let pageSkew: Skew | undefined

const watcher = (env: Pick<Env, 'location'>): Skew => skewWatcher(env as unknown as ProbeEnv, watchWorkerSwap((env as { navigator?: Navigator }).navigator))

/**
 * A chunk failure the framework caught itself, so no window event shows it
 * (Nuxt's app:chunkError, Angular's router NavigationError): probed and sent
 * as a skew_error like the others, then a safe reload. Settles once the
 * reload is asked for.
 */
export const chunkFailed = (message: string, env: Pick<Env, 'location'> = globalThis as unknown as Env): Promise<void> =>
  (pageSkew ??= watcher(env))(message.slice(0, 300)).then(() => {
    reload('chunk_error', true)
  })

/** Listen for chunk errors on this window (default globalThis), probe and report each as a skew_error. */
export const watchChunks = (env: Pick<Env, 'addEventListener' | 'location'> = globalThis as unknown as Env): void => {
  const skew = (pageSkew = watcher(env))
  const on = (e: Event) => {
    const message = skewError(e, env.location.origin)
    // The safe reload waits for the probe: its event must be queued before the page may go.
    if (message) skew(message).then(() => reload('chunk_error', true))
  }
  env.addEventListener('error', on, true)
  env.addEventListener('unhandledrejection', on)
  env.addEventListener('vite:preloadError', on)
}
