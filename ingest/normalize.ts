import type { EventRow } from './event-row'
import type { ParsedEnvelope, ParsedEvent } from './schema'

// Event time (docs/semantics.md, Words): the client's ts corrected by the request's clock
// offset, ts + (receivedAt - sentAt), and never later than receivedAt.
export function correctedEventTime(ts: number, sentAt: number, receivedAt: number): number {
  return Math.min(ts + (receivedAt - sentAt), receivedAt)
}

/** Corrected times further than this before receipt are past retention and rejected. */
function maxEventAgeMs(retentionDays: number): number {
  return retentionDays * 24 * 3600 * 1000
}

// A client clock can run ahead of its own sentAt only by the time spent
// queueing the batch; an event "from the future" by more than this is a bug
// or a forgery and is rejected rather than clamped.
export const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000

export type EventVerdict = { ok: true; row: EventRow } | { ok: false; error: string }

export function normalizeEvent(
  projectId: string,
  envelope: ParsedEnvelope,
  event: ParsedEvent,
  receivedAt: number,
  retentionDays: number,
): EventVerdict {
  const raw = event.ts + (receivedAt - envelope.sentAt)
  if (raw > receivedAt + MAX_FUTURE_SKEW_MS) return { ok: false, error: 'ts: after sentAt by more than 5 minutes' }
  const eventTime = Math.min(raw, receivedAt)
  if (receivedAt - eventTime > maxEventAgeMs(retentionDays)) {
    return { ok: false, error: `ts: older than the ${retentionDays}-day retention` }
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
      reason: event.type === 'reload' ? event.reason : '',
      action: event.type === 'update_prompt' ? event.action : '',
      latest: event.type === 'update_available' ? event.latest : '',
      message: event.type === 'error' ? event.message : '',
      ...(event.type === 'heartbeat' ? { idle: event.idle ? 1 : 0, unsaved: event.unsaved ? 1 : 0 } : {}),
    },
  }
}
