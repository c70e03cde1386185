import { z } from 'zod'

// The per-project allowlist of browser origins for ingest (docs/security.md).
// Entries are origins as browsers send them: scheme://host[:port], no path.

export const MAX_ALLOWED_ORIGINS = 50

export const originSchema = z
  .string()
  .max(300)
  .refine((value) => normalizeOrigin(value) === value, 'must be an origin like https://app.example.com (scheme, host and port only)')

export const allowedOriginsSchema = z.array(originSchema).max(MAX_ALLOWED_ORIGINS, `at most ${MAX_ALLOWED_ORIGINS} origins`)

export function normalizeOrigin(value: string): string | null {
  try {
    const url = new URL(value)
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return null
    return url.origin
  } catch {
    return null
  }
}

export type OriginVerdict = 'allowed' | 'no_origin' | 'not_allowed'

/**
 * The rule: an empty allowlist admits everything. Otherwise a request with an
 * Origin header must name a listed origin ("null", sent by sandboxed frames
 * and file: pages, never matches). A request without Origin is admitted:
 * browsers always send Origin on the cross-origin POSTs the SDK makes, so a
 * missing one means a server-side sender, which could forge any Origin anyway;
 * the allowlist stops other sites' pages from using the key, not scripts.
 */
export function checkOrigin(allowed: readonly string[] | undefined, origin: string | null): OriginVerdict {
  if (!allowed || allowed.length === 0) return 'allowed'
  if (origin === null || origin === '') return 'no_origin'
  return allowed.includes(origin) ? 'allowed' : 'not_allowed'
}
