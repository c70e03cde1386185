// The aggregate wire format (docs/wire-format.md, "Aggregates"): what the
// server middleware sends to POST /api/ingest/aggregates every 10 s, defined
// once, here in the package that sends it. The server imports these types and
// limits; its zod schema (lib/aggregates/schema.ts) is checked against them.
import { MAX_VERSION_LENGTH } from '../wire'

/** http: a request; ws_upgrade: a socket's first connection; ws_reconnect: an upgrade the client marked as a reconnect. */
export type LoadKind = 'http' | 'ws_upgrade' | 'ws_reconnect'

/** aborted: closed before an answer; forwarded: counted by a proxy that passes the request on and never sees its answer. */
export type StatusClass = '1xx' | '2xx' | '3xx' | '4xx' | '5xx' | 'aborted' | 'forwarded'

/** Version labels that are not versions: no (valid) version on the request, and over the sender's cap on distinct labels. */
export type ReservedVersionLabel = 'unknown' | 'other'

export interface AggregateItem {
  /** Epoch ms of a minute boundary: the requests were received in [minute, minute + 60 s), server clock. */
  minute: number
  kind: LoadKind
  /** The client version the requests carried, or a reserved label. */
  version: string
  /** The route group (the path with ids collapsed, or the framework's route pattern), or `other`. */
  route: string
  status: StatusClass
  /** Requests, at least 1. */
  count: number
}

export interface AggregateEnvelope {
  /** The sender's clock when it sent, epoch ms. */
  sentAt: number
  items: AggregateItem[]
}

/** 200 (some or all items stored) and 400 `no_valid_items` (none stored) carry this. */
export interface AggregateAnswer {
  accepted: number
  /** Accepted items whose version the project does not know (no tab reported it, no release has it): stored under `unknown`. */
  relabelled: number
  rejected: { index: number; code: string; message: string }[]
}

export const AGGREGATE_LIMITS = {
  maxBodyBytes: 256 * 1024,
  maxItems: 1000,
  /** Distinct versions, and distinct route groups, in one request ("too many labels"). */
  maxVersionsPerRequest: 200,
  maxRoutesPerRequest: 500,
  maxRouteLength: 200,
  /** More than this in one item (one label set, one minute, one sender) is not a real count: 1.6 M requests/s. */
  maxCount: 100_000_000,
  /** A window starting later than this after the receive time is refused. */
  maxFutureMs: 5 * 60_000,
  /** …or earlier than this before it: the middleware sends every 10 s and never resends. */
  maxAgeMs: 60 * 60_000,
} as const

/** What the middleware keeps each send within: the server's limits. */
export const SEND_LIMITS = {
  maxItems: AGGREGATE_LIMITS.maxItems,
  maxVersions: AGGREGATE_LIMITS.maxVersionsPerRequest,
  maxRoutes: AGGREGATE_LIMITS.maxRoutesPerRequest,
  maxRouteLength: AGGREGATE_LIMITS.maxRouteLength,
  maxVersionLength: MAX_VERSION_LENGTH,
} as const
