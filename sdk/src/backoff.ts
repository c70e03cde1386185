// Retry delay: exponential backoff with full jitter, never sooner than Retry-After.

export const BACKOFF_BASE_MS = 1e3
export const BACKOFF_CAP_MS = 6e4

/** attempt 0 is the first retry; retryAfter is the header's value in seconds. */
export const backoff = (attempt: number, random: () => number, retryAfter?: unknown): number =>
  Math.max((+(retryAfter as string) || 0) * 1e3, random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt))
