// Wire format v1 between the browser SDK and POST /api/ingest
// (docs/wire-format.md), defined once, here in the package that sends it: the
// server imports these types and limits (its zod schema in lib/events/schema.ts is
// checked against the types both ways), so the two cannot drift. Types, and a
// few constants that the bundle inlines where it uses them.

export type Visibility = 'visible' | 'hidden'
export type Navigation = 'navigate' | 'reload' | 'back_forward' | 'prerender'
export type ReloadReason = 'user' | 'update_prompt' | 'forced' | 'chunk_error' | 'app'
export type PromptAction = 'shown' | 'accepted' | 'dismissed'
/** Why a tab failed to load code (docs/skew-errors.md), as the SDK's probe of the failing URL classified it. */
export type SkewCause = 'gone' | 'html_instead_of_script' | 'cached_404' | 'sw_swap' | 'server_action_missing' | 'network' | 'other'
export const SKEW_CAUSES = ['gone', 'html_instead_of_script', 'cached_404', 'sw_swap', 'server_action_missing', 'network', 'other'] as const satisfies readonly SkewCause[]

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
    | {
        type: 'skew_error'
        cause: SkewCause
        /** The failing asset's path group: its path without origin, query or fragment, hashes and ids as * (/assets/index-*.js); for a server action, the page's. */
        path: string
        /** ms since the tab loaded this page (its time origin) when the code failed to load. */
        age: number
      }
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

/** The versions an ingest answer carries (the stalewatch-answer header of a 204, or the 200 body). */
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

/**
 * GET /api/projects/<project>/gate (docs/release-gates.md), what `stalewatch
 * wait` and `check` read: adoption of the latest release now and, with
 * ?below=, the live tabs (and backend requests) of builds older than a version.
 * Shares are null when nothing is live; requests null when the app's servers
 * counted no backend load in the window; approximate when sampled.
 */
export interface GateAnswer {
  project: string
  at: number
  live: number
  latest: { version: string; releasedAt: number; registered: boolean; adoption: number | null; adopted: number } | null
  below?: {
    version: string
    known: boolean
    live: number
    share: number | null
    versions: { version: string; sessions: number }[]
    requests: number | null
    requestsMinutes: number
  }
  approximate?: boolean
}

/** The 200 body: the same versions, with what was accepted and rejected. */
export interface IngestAnswer extends HeaderAnswer {
  accepted: number
  /** Each refused event by its id, with a code (invalid_event, event_too_old, event_in_future) and what was wrong. */
  rejected: { id: string | null; code: string; error: string }[]
}

// The limits the server enforces and the SDK keeps to. Numbers on their own,
// so that esbuild inlines the one the SDK's transport uses (MAX_EVENTS).
export const MAX_BODY_BYTES = 64 * 1024
/** Events in one envelope. */
export const MAX_EVENTS = 100
export const MAX_VERSION_LENGTH = 64
/** An error event's message, in characters. */
export const MAX_MESSAGE_LENGTH = 500
/** A skew_error's path group, in characters. */
export const MAX_PATH_GROUP_LENGTH = 200

export const WIRE_LIMITS = {
  maxBodyBytes: MAX_BODY_BYTES,
  maxEvents: MAX_EVENTS,
  maxVersionLength: MAX_VERSION_LENGTH,
  maxMessageLength: MAX_MESSAGE_LENGTH,
  maxPathGroupLength: MAX_PATH_GROUP_LENGTH,
  idPattern: /^[A-Za-z0-9_-]{8,64}$/,
} as const
