// Wire format v1 between the browser SDK and POST /api/ingest.
// Types only: the server's zod schema in ingest/schema.ts is checked against
// them, and test/sdk/wire-agreement.test.ts holds the SDK's own copy
// (sdk/src/wire.ts) equal to them, so the three cannot drift.
// Documented for humans in docs/wire-format.md.

export type Visibility = 'visible' | 'hidden'
export type Navigation = 'navigate' | 'reload' | 'back_forward' | 'prerender'
export type ReloadReason = 'user' | 'update_prompt' | 'forced' | 'chunk_error' | 'app'
export type PromptAction = 'shown' | 'accepted' | 'dismissed'

interface EventBase {
  /** Unique per event, 8–64 chars of [A-Za-z0-9_-]; a resent event keeps its id. */
  id: string
  /** Client clock, epoch ms. */
  ts: number
}

export type WireEvent = EventBase &
  (
    | { type: 'load'; visibility: Visibility; navigation: Navigation; previousVersion?: string }
    | {
        type: 'heartbeat'
        visibility: Visibility
        /** No input (pointer, key, wheel, touch) for the SDK's idle time (default 15 min); sent only when true. */
        idle?: boolean
        /** A form field holds edits not submitted, or the app's canReload() says no; sent only when true. */
        unsaved?: boolean
      }
    | { type: 'visibility'; visibility: Visibility }
    | { type: 'freeze' }
    | { type: 'resume' }
    | { type: 'update_available'; latest: string }
    | { type: 'update_prompt'; action: PromptAction }
    | { type: 'reload'; reason: ReloadReason }
    | { type: 'error'; message: string }
  )

export type EventType = WireEvent['type']

export interface IngestEnvelope {
  /** Project ingest key; may instead be given as ?key= */
  key?: string
  session: string
  load: string
  version: string
  /** Client clock when this request was sent, epoch ms. */
  sentAt: number
  /** Events the SDK had to drop because its queue was full (optional, additive). */
  dropped?: number
  /**
   * These events were made by an earlier load of this tab (load and version
   * are that load's) and are sent again by a later one: the answer is not
   * for the page that sends them, so it carries no reload slot (additive).
   */
  replay?: boolean
  events: WireEvent[]
}

/**
 * What a request with ?answer=header gets in the `stalewatch-answer` header of
 * a 204 when every event was accepted: compact JSON, non-ASCII escaped as \uXXXX.
 */
export interface HeaderAnswer {
  latest: string | null
  minSupported: string | null
  belowMinimum: boolean
  /**
   * This tab's forced-reload slot: ms from this answer until it may start its
   * forced reload, 0 = now (the server counted this start against the rate),
   * null = none (not below the minimum, wave paused or not started, replay).
   */
  reloadIn: number | null
}

/** The 200 body: the same versions, with what was accepted and rejected. */
export interface IngestAnswer extends HeaderAnswer {
  accepted: number
  /** Each refused event by its id, with a code (invalid_event, event_too_old, event_in_future) and what was wrong. */
  rejected: { id: string | null; code: string; error: string }[]
}

export const WIRE_LIMITS = {
  maxBodyBytes: 64 * 1024,
  maxEvents: 100,
  maxVersionLength: 64,
  maxMessageLength: 500,
  idPattern: /^[A-Za-z0-9_-]{8,64}$/,
} as const
