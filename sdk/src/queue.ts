// Bounded event queue: a plain array, trimmed from the front (oldest first).

/** Most events the SDK holds while it cannot send. */
export const QUEUE_MAX = 200
// The transport's constants live here too: esbuild inlines numbers imported
// from another module, not those declared beside their use.
/** Wait this long after the first queued event so that events travel together. */
export const BATCH_DELAY_MS = 1e3
/** keepalive requests share a 64 KiB budget in the browser; stay under it. */
export const KEEPALIVE_MAX_BYTES = 6e4

/** Drops the oldest events beyond max, sparing the first `from` (in flight), and returns how many it dropped. */
export const trim = (q: unknown[], from: number): number => q.splice(from, q.length - QUEUE_MAX).length
