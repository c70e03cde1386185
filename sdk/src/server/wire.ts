// The aggregate wire format as the middleware sends it (docs/wire-format.md,
// "Aggregates"): the SDK's own copy, sharing no code with the server.
// test/sdk/wire-agreement.test.ts holds these types equal to the ones the
// server's schema is checked against (lib/backend-load-wire.ts).

export type LoadKind = 'http' | 'ws_upgrade' | 'ws_reconnect'
export type StatusClass = '1xx' | '2xx' | '3xx' | '4xx' | '5xx' | 'aborted' | 'forwarded'
export type ReservedVersionLabel = 'unknown' | 'other'

export interface AggregateItem {
  /** Epoch ms of a minute boundary: requests received in [minute, minute + 60 s). */
  minute: number
  kind: LoadKind
  version: string
  route: string
  status: StatusClass
  count: number
}

export interface AggregateEnvelope {
  sentAt: number
  items: AggregateItem[]
}

export interface AggregateAnswer {
  accepted: number
  relabelled: number
  rejected: { index: number; code: string; message: string }[]
}

/** The server's limits the middleware keeps within, so a send is never refused whole. */
export const SEND_LIMITS = { maxItems: 1000, maxVersions: 200, maxRoutes: 500, maxRouteLength: 200, maxVersionLength: 64 } as const
