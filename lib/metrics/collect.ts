import { listProjects } from '../projects/project-store'
import { liveClasses, type LiveClasses } from '../figures/adoption/read-classes'
import type { Histogram, MetricFamily, Sample } from './exposition'

// Everything /api/metrics exposes, as metric families. The ingest counters
// come in as plain data: lib/ does not import ingest/ (ARCHITECTURE), the
// route hands them over.

export interface IngestSnapshot {
  accepted: number
  rejectedByReason: ReadonlyMap<string, number>
  inserts: number
  failedInserts: number
  insertedRows: number
  /** Ingest log segments that could not be stored whole: split, or moved aside unreadable (docs/scaling.md). */
  quarantinedSegments: number
  /** Their lines set aside, by kind; optional for callers that predate the split. */
  quarantinedLinesByKind?: ReadonlyMap<string, number>
  /** Their good rows, stored. */
  salvagedRows?: number
  /** Ingest requests whose client went away before they were read. */
  clientAborts: number
  /** Requests to everything but ingest refused by the front door's per-address limit. */
  httpRateLimited?: number
  /** Requests to Next.js routes whose client went away mid-body (counted instead of logged). */
  httpClientAborts?: number
  /** The front door's connections (server.ts); absent where no front door runs. */
  connections?: { open: number; maxTotal: number; refusedPerAddress: number; refusedTotal: number; timedOut: number }
  /** Events refused by the version cap or the new-version rate, by project, then reason. */
  versionRefusedEvents: ReadonlyMap<string, ReadonlyMap<string, number>>
  flushSeconds: { bounds: readonly number[]; counts: readonly number[]; sum: number; count: number }
}

export interface BufferSnapshot {
  waitingRows: number
  inFlightRows: number
  capacityRows: number
  /** The ingest log's bytes not yet stored, and their bound; absent for the in-memory buffer. */
  bytes?: number
  capacityBytes?: number
  /** Files in the ingest log's quarantine, waiting for a person (`npm run ingest-log`). */
  quarantineFiles?: number
  /** The disk ingest writes to: free bytes, and the floor below which ingest answers 503 disk_low. */
  diskFreeBytes?: number
  diskMinFreeBytes?: number
}

export interface ProjectLive {
  projectId: string
  live: LiveClasses
}

export async function liveByProject(at: number): Promise<ProjectLive[]> {
  const projects = await listProjects()
  return Promise.all(
    projects.map(async (p) => ({ projectId: p.id, live: await liveClasses({ projectId: p.id, at, windowSeconds: p.livenessWindowSeconds }) })),
  )
}

export function liveFamilies(projects: readonly ProjectLive[]): MetricFamily[] {
  const sessions: Sample[] = []
  const totals: Sample[] = []
  const shares: Sample[] = []
  for (const { projectId, live } of projects) {
    totals.push({ labels: { project: projectId }, value: live.total })
    // Undefined when nothing is live (docs/semantics.md, Rollout): no sample rather than a made-up 0.
    if (live.staleShare !== null) shares.push({ labels: { project: projectId }, value: live.staleShare })
    for (const v of live.versions) {
      const unknown = v.sessions - v.visible - v.hidden
      const split: [string, number][] = [
        ['visible', v.visible],
        ['hidden', v.hidden],
      ]
      if (unknown > 0) split.push(['unknown', unknown])
      for (const [visibility, value] of split) sessions.push({ labels: { project: projectId, version: v.version, visibility }, value })
    }
  }
  return [
    { name: 'stalewatch_live_sessions', help: 'Live sessions by project, version and visibility (docs/semantics.md, Liveness).', type: 'gauge', samples: sessions },
    { name: 'stalewatch_project_live_sessions', help: 'Live sessions per project.', type: 'gauge', samples: totals },
    { name: 'stalewatch_stale_share', help: 'Stale sessions / live sessions per project (0..1); absent when nothing is live.', type: 'gauge', samples: shares },
  ]
}

export function ingestFamilies(m: IngestSnapshot, b: BufferSnapshot): MetricFamily[] {
  const histogram: Histogram = { bounds: m.flushSeconds.bounds, counts: m.flushSeconds.counts, sum: m.flushSeconds.sum, count: m.flushSeconds.count }
  const rejected = [...m.rejectedByReason].sort(([a], [b]) => a.localeCompare(b)).map(([reason, value]) => ({ labels: { reason }, value }))
  const buffered = b.waitingRows + b.inFlightRows
  // Either bound refuses requests when reached, so the fill is the fuller of the two.
  const fill = Math.max(b.capacityRows > 0 ? buffered / b.capacityRows : 0, b.capacityBytes ? (b.bytes ?? 0) / b.capacityBytes : 0)
  const bytes: MetricFamily[] =
    b.capacityBytes === undefined
      ? []
      : [
          { name: 'stalewatch_ingest_buffer_bytes', help: 'Bytes of the ingest log not yet stored.', type: 'gauge', samples: [{ value: b.bytes ?? 0 }] },
          { name: 'stalewatch_ingest_buffer_capacity_bytes', help: 'Bytes the ingest log holds before answering 503.', type: 'gauge', samples: [{ value: b.capacityBytes }] },
        ]
  const gauge = (name: string, help: string, value: number | undefined): MetricFamily[] =>
    value === undefined || !Number.isFinite(value) ? [] : [{ name, help, type: 'gauge', samples: [{ value }] }]
  const lines = [...(m.quarantinedLinesByKind ?? [])].sort(([a], [b]) => a.localeCompare(b)).map(([kind, value]) => ({ labels: { kind }, value }))
  const quarantine: MetricFamily[] = [
    {
      name: 'stalewatch_ingest_quarantined_lines_total',
      help: 'Lines of quarantined segments set aside (not stored), by kind; the rest of those segments was stored.',
      type: 'counter',
      samples: lines,
    },
    { name: 'stalewatch_ingest_salvaged_rows_total', help: 'Good rows of quarantined segments, stored.', type: 'counter', samples: [{ value: m.salvagedRows ?? 0 }] },
    ...gauge('stalewatch_ingest_quarantine_files', 'Files in the quarantines of the ingest log and the aggregates log, waiting for `npm run ingest-log` (alert when above 0).', b.quarantineFiles),
    ...gauge('stalewatch_ingest_disk_free_bytes', 'Free bytes on the disk ingest writes to (the lowest of the ingest log and the engine).', b.diskFreeBytes),
    ...gauge('stalewatch_ingest_disk_min_free_bytes', 'Below this many free bytes ingest answers 503 disk_low (STALEWATCH_MIN_FREE_DISK_BYTES).', b.diskMinFreeBytes),
  ]
  return [
    { name: 'stalewatch_ingest_events_accepted_total', help: 'Events accepted by ingest.', type: 'counter', samples: [{ value: m.accepted }] },
    { name: 'stalewatch_ingest_events_rejected_total', help: 'Rejected events and requests by reason.', type: 'counter', samples: rejected },
    { name: 'stalewatch_ingest_inserts_total', help: 'Successful ClickHouse inserts of ingested events.', type: 'counter', samples: [{ value: m.inserts }] },
    { name: 'stalewatch_ingest_failed_inserts_total', help: 'Failed ClickHouse inserts of ingested events.', type: 'counter', samples: [{ value: m.failedInserts }] },
    { name: 'stalewatch_ingest_inserted_rows_total', help: 'Event rows stored.', type: 'counter', samples: [{ value: m.insertedRows }] },
    {
      name: 'stalewatch_ingest_quarantined_segments_total',
      help: 'Ingest log segments that could not be stored whole (refused as data, damaged, unreadable): split or moved to the quarantine directory.',
      type: 'counter',
      samples: [{ value: m.quarantinedSegments }],
    },
    ...quarantine,
    {
      name: 'stalewatch_ingest_version_refused_events_total',
      help: 'Events refused by the cap on distinct versions (reason version_cap) or the rate of new versions (new_version_rate), by project.',
      type: 'counter',
      samples: [...m.versionRefusedEvents].flatMap(([project, byReason]) => [...byReason].map(([reason, value]) => ({ labels: { project, reason }, value }))),
    },
    {
      name: 'stalewatch_ingest_client_aborts_total',
      help: 'Ingest requests whose client went away before the request was read (counted instead of logged).',
      type: 'counter',
      samples: [{ value: m.clientAborts }],
    },
    {
      name: 'stalewatch_http_rate_limited_total',
      help: "Requests to pages, the API and assets refused 429 by the front door's per-address limit (STALEWATCH_HTTP_RATE_PER_IP) before Next.js saw them.",
      type: 'counter',
      samples: [{ value: m.httpRateLimited ?? 0 }],
    },
    {
      name: 'stalewatch_http_client_aborts_total',
      help: 'Requests to pages and the API whose client went away before the request was read (counted instead of logged).',
      type: 'counter',
      samples: [{ value: m.httpClientAborts ?? 0 }],
    },
    ...connectionFamilies(m.connections),
    { name: 'stalewatch_ingest_flush_seconds', help: 'Time per insert of a batch of events.', type: 'histogram', histograms: [histogram] },
    {
      name: 'stalewatch_ingest_buffer_rows',
      help: 'Rows in the ingest buffer, waiting or being inserted.',
      type: 'gauge',
      samples: [
        { labels: { state: 'waiting' }, value: b.waitingRows },
        { labels: { state: 'in_flight' }, value: b.inFlightRows },
      ],
    },
    { name: 'stalewatch_ingest_buffer_capacity_rows', help: 'Rows the ingest buffer holds before answering 503.', type: 'gauge', samples: [{ value: b.capacityRows }] },
    ...bytes,
    {
      name: 'stalewatch_ingest_buffer_fill_ratio',
      help: 'Buffered rows / capacity, or bytes / capacity in bytes if fuller.',
      type: 'gauge',
      samples: [{ value: fill }],
    },
  ]
}

function connectionFamilies(c: IngestSnapshot['connections']): MetricFamily[] {
  if (!c) return []
  return [
    { name: 'stalewatch_connections_open', help: 'Connections open to the server now.', type: 'gauge', samples: [{ value: c.open }] },
    { name: 'stalewatch_connections_max', help: 'Connections the server takes in all (STALEWATCH_MAX_CONNECTIONS, else from the descriptor limit).', type: 'gauge', samples: [{ value: c.maxTotal }] },
    {
      name: 'stalewatch_connections_refused_total',
      help: 'Connections closed as they were accepted: past the per-address cap (STALEWATCH_MAX_CONNECTIONS_PER_IP) or the total (STALEWATCH_MAX_CONNECTIONS).',
      type: 'counter',
      samples: [
        { labels: { reason: 'per_address' }, value: c.refusedPerAddress },
        { labels: { reason: 'total' }, value: c.refusedTotal },
      ],
    },
    {
      name: 'stalewatch_connections_timed_out_total',
      help: 'Connections closed for not sending a whole request head (STALEWATCH_HEADERS_TIMEOUT_MS) or body (STALEWATCH_REQUEST_TIMEOUT_MS) in time.',
      type: 'counter',
      samples: [{ value: c.timedOut }],
    },
  ]
}
