// The tab (session id and last version live in sessionStorage) and this page load.
import type { Navigation } from './wire'
import type { Env } from './types'

/** Random id of about 19 chars of [0-9a-z]: the time (8 chars) then random digits. */
export const uid = (env: Env): string => env.Date.now().toString(36) + env.Math.random().toString(36).slice(2)

/** sessionStorage get (no value) or set (returns the value; undefined when storage failed). */
export const store = (env: Env, key: string, value?: string): string | undefined => {
  try {
    const s = env.sessionStorage!
    return value ? (s.setItem(key, value), value) : s.getItem(key) || undefined
  } catch {}
}

/** How this page was reached, from PerformanceNavigationTiming. */
export const navigation = (env: Env): Navigation =>
  (env.performance?.getEntriesByType('navigation')[0] as { type?: Navigation } | undefined)?.type || 'navigate'
