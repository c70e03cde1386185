import { eventRow, type EventRow } from './row'
import type { ParsedEnvelope, ParsedEvent } from './schema'
import type { BrowserInfo } from './user-agent'

/**
 * How far an event's corrected time may lie from when the server received it
 * (STALEWATCH_EVENT_MAX_AGE_HOURS, STALEWATCH_EVENT_MAX_FUTURE_SECONDS). The
 * client's clock is the public key's word: an event dated weeks back would
 * reach into finalised minutes, so it is refused rather than stored.
 */
export interface EventTimeBounds {
  maxAgeMs: number
  maxFutureMs: number
}

/** The bounds the settings give; the age never beyond the retention, whose TTL would drop the row anyway. */
export function eventTimeBounds(settings: { maxAgeHours: number; maxFutureSeconds: number }, retentionDays: number): EventTimeBounds {
  return {
    maxAgeMs: Math.min(settings.maxAgeHours, retentionDays * 24) * 3600_000,
    maxFutureMs: settings.maxFutureSeconds * 1000,
  }
}

/** Why an event was refused: a code per event in the answer's `rejected` (docs/wire-format.md). */
export type EventRefusal = 'invalid_event' | 'event_too_old' | 'event_in_future'

export type EventVerdict = { ok: true; row: EventRow } | { ok: false; code: EventRefusal; error: string }

const hours = (ms: number) => `${+(ms / 3600_000).toFixed(2)} h`

/**
 * An event of a request as a row of the events table, or why it is refused:
 * its time corrected and bounded here, each column's value then taken by the
 * column table (./row.ts). `browser` is the request's User-Agent, read once
 * per request (./user-agent.ts); without it the row leaves browser and
 * browser_major to the columns' defaults.
 */
export function normalizeEvent(
  projectId: string,
  envelope: ParsedEnvelope,
  event: ParsedEvent,
  receivedAt: number,
  bounds: EventTimeBounds,
  browser?: BrowserInfo,
): EventVerdict {
  // Event time (docs/semantics.md, Words): the client's ts corrected by the
  // request's clock offset, ts + (receivedAt - sentAt), and never later than receivedAt.
  const raw = event.ts + (receivedAt - envelope.sentAt)
  if (raw > receivedAt + bounds.maxFutureMs) {
    return { ok: false, code: 'event_in_future', error: `ts: after sentAt by more than ${bounds.maxFutureMs / 1000} s (STALEWATCH_EVENT_MAX_FUTURE_SECONDS)` }
  }
  const eventTime = Math.min(raw, receivedAt)
  if (receivedAt - eventTime > bounds.maxAgeMs) {
    return { ok: false, code: 'event_too_old', error: `ts: more than ${hours(bounds.maxAgeMs)} before the server received it (STALEWATCH_EVENT_MAX_AGE_HOURS, within the retention)` }
  }
  return { ok: true, row: eventRow({ projectId, envelope, event, receivedAt, eventTime, browser }) }
}
