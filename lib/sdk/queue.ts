// Bounded event queue: a plain array, trimmed from the front (oldest first).

/** Most events the SDK holds while it cannot send. */
export const QUEUE_MAX = 200
/** Most events in one envelope (the server's limit). */
export const BATCH_MAX = 100

/** Drops the oldest events beyond max and returns how many it dropped. */
export const trim = (q: unknown[]): number => q.splice(0, q.length - QUEUE_MAX).length
