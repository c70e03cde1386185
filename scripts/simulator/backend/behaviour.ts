import { uniform, type Rng } from '../prng'

// How a simulated tab uses the app's own backend (docs/backend-load.md,
// "The simulator"). Pure: the I/O is ./client.ts. A well-behaved build polls
// gently (a background tab's timers run at most once a minute in Chrome) and
// reconnects its socket with a jittered exponential backoff. A misbehaving
// one, as the old build of the incident issue 17 replays: it polls several
// times as often, reconnects at once and again about every second while the
// server refuses, polls as a fallback while its socket is down, and resyncs
// with a burst of requests once it is back.

export interface BackendBehaviour {
  /** Poll period while visible, and while hidden. */
  pollMs: { visible: number; hidden: number }
  reconnect: 'backoff' | 'eager'
  /** While its socket is down, poll this often instead; null keeps the usual pace. */
  fallbackPollMs: number | null
  /** Requests sent at once after each successful reconnect. */
  resyncRequests: number
}

const POLL = { visible: 30_000, hidden: 60_000 }

export const WELL_BEHAVED: BackendBehaviour = { pollMs: POLL, reconnect: 'backoff', fallbackPollMs: null, resyncRequests: 0 }

/** The old build's behaviour, polling `factor` times as often as a well-behaved one. */
export function misbehaving(factor: number): BackendBehaviour {
  if (!(factor >= 1)) throw new RangeError(`factor must be at least 1, got ${factor}`)
  return { pollMs: { visible: POLL.visible / factor, hidden: POLL.hidden / factor }, reconnect: 'eager', fallbackPollMs: 2_000, resyncRequests: 5 }
}

const BACKOFF = { firstMs: 2_000, maxMs: 30_000 }

/**
 * Wait before reconnect attempt `attempt` (0 = right after the drop). Backoff:
 * 2 s doubling up to 30 s, each drawn in [½, 1½] of it so tabs spread out.
 * Eager: at once after the drop, then every 0.5–1 s.
 */
export function reconnectDelayMs(behaviour: BackendBehaviour, attempt: number, rng: Rng): number {
  if (behaviour.reconnect === 'eager') return attempt === 0 ? 0 : uniform(rng, 500, 1_000)
  const base = Math.min(BACKOFF.maxMs, BACKOFF.firstMs * 2 ** attempt)
  return uniform(rng, base / 2, (base * 3) / 2)
}

/** The next poll's wait: the period with ±20 % jitter, the fallback's while disconnected. */
export function pollDelayMs(behaviour: BackendBehaviour, hidden: boolean, connected: boolean, rng: Rng): number {
  const period = !connected && behaviour.fallbackPollMs !== null ? behaviour.fallbackPollMs : hidden ? behaviour.pollMs.hidden : behaviour.pollMs.visible
  return uniform(rng, period * 0.8, period * 1.2)
}
