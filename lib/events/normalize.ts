import type { EventRow } from './row'
import type { ParsedEnvelope, ParsedEvent } from './schema'

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

export function normalizeEvent(projectId: string, envelope: ParsedEnvelope, event: ParsedEvent, receivedAt: number, bounds: EventTimeBounds): EventVerdict {
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
  return {
    ok: true,
    row: {
      project_id: projectId,
      event_id: event.id,
      session_id: envelope.session,
      load_id: envelope.load,
      version: envelope.version,
      type: event.type,
      event_time: eventTime,
      client_ts: event.ts,
      received_at: receivedAt,
      // freeze counts as hidden (docs/semantics.md, Liveness: visibility at t).
      visibility: 'visibility' in event ? event.visibility : event.type === 'freeze' ? 'hidden' : '',
      navigation: event.type === 'load' ? event.navigation : '',
      previous_version: event.type === 'load' ? (event.previousVersion ?? '') : '',
      // A skew error's cause is why its code failed to load, as a reload's reason is why it reloaded.
      reason: event.type === 'reload' ? event.reason : event.type === 'skew_error' ? event.cause : '',
      action: event.type === 'update_prompt' ? event.action : '',
      latest: event.type === 'update_available' ? event.latest : '',
      // A skew error's message is its asset's path group.
      message: event.type === 'error' ? event.message : event.type === 'skew_error' ? event.path : '',
      ...(event.type === 'skew_error' ? { tab_age_ms: event.age } : {}),
      ...(event.type === 'heartbeat' ? { idle: event.idle ? 1 : 0, unsaved: event.unsaved ? 1 : 0 } : {}),
    },
  }
}
