import { config } from '../../lib/config'
import { dropSingleton, existingSingleton, processSingleton } from '../../lib/process-singleton'
import { projectByIngestKey } from '../../lib/projects/project-directory'
import { catalogFor, updateAdvice } from '../../lib/releases/catalog'
import { versionSeen } from '../../lib/releases/versions-seen'
import { reloadIn } from '../../lib/rollout/registry'
import { recordIngestAnswer } from '../../lib/rollout/ingest-signal'
import { recordStormEvents } from '../../lib/rollout/storm-signal'
import { EVENT_COLUMNS, eventValues, type EventRow } from '../../lib/events/row'
import { LoopPressure } from '../edge/loop-pressure'
import { ingestLimits } from '../edge/limits'
import { IngestRateLimiter } from '../edge/rate-limit'
import { RefusalCounts } from './refusal-counts'
import { addressKey, stormEvents } from './reload-ask'
import { VersionCap } from './version-cap'
import { ingestMetrics } from '../edge/metrics'
import { errorCode } from '../edge/answers'
import { openSink, type Sink } from '../log/sink'
import { liveIndexFeed, stopLiveIndexFeed } from '../../lib/figures/live-sessions/live-index-feed'
import type { IngestDeps } from './pipeline'

/** Where acknowledged events go (ingest/log/sink.ts). */
export type EventSink = Sink<EventRow>

interface IngestRuntime {
  buffer: EventSink
  deps: IngestDeps
  pressure: LoopPressure | null
  refusals: RefusalCounts
}

// The one ingest buffer of this process (lib/process-singleton.ts): the Next
// route bundle and server.ts each load their own copy of this module, and two
// buffers would mean two half-empty inserts.

export function ingestRuntime(): IngestRuntime {
  return processSingleton('ingestRuntime', (): IngestRuntime => {
    const c = config()
    const metrics = ingestMetrics()
    const limits = ingestLimits()
    const buffer: EventSink = openSink<EventRow>({
      name: 'ingest log',
      table: 'events',
      logSubdir: '',
      columns: EVENT_COLUMNS,
      values: eventValues,
      maxBacklogRows: c.bufferMaxRows,
      maxBacklogBytes: c.bufferMaxBytes,
      onFlush: (flush) => metrics.recordFlush(flush),
      // The live sessions kept in memory see each batch once it is stored.
      onStored: liveIndexFeed() ?? undefined,
    })
    const pressure = limits.shedLoopDelayMs > 0 ? new LoopPressure(limits.shedLoopDelayMs) : null
    const versionCap = new VersionCap(
      {
        maxVersions: limits.maxVersionsPerProject,
        newVersions: { perSecond: c.newVersionsPerMinute / 60, burst: c.newVersionsBurst },
        forgetAfterMs: c.versionForgetHours * 3600_000,
      },
      {
        seen: async (projectId) => new Map((await versionSeen({ projectId })).map((v) => [v.version, v])),
        // The catalog is dropped on every registration in this process, and reloaded within 3 s on others.
        registered: async (projectId) => new Set((await catalogFor(projectId)).releases.map((r) => r.version)),
      },
    )
    const refusals = new RefusalCounts()
    const deps: IngestDeps = {
      findProject: projectByIngestKey,
      store: (rows) => buffer.add(rows),
      advise: async (projectId, version, at, tab) => {
        const catalog = await catalogFor(projectId)
        const advice = updateAdvice(catalog, version, at)
        return { ...advice, reloadIn: tab ? await reloadIn(projectId, catalog.minSupportedChanges, advice.belowMinimum, tab, at) : null }
      },
      retentionDays: c.retentionDays,
      eventTimes: { maxAgeHours: c.eventMaxAgeHours, maxFutureSeconds: c.eventMaxFutureSeconds },
      addressKey: (address) => addressKey(address, !limits.limitLoopback),
      rateLimiter: new IngestRateLimiter({
        perKey: { perSecond: limits.ratePerKey, burst: limits.burstPerKey },
        perAddress: { perSecond: limits.ratePerAddress, burst: limits.burstPerAddress },
        exemptLoopback: !limits.limitLoopback,
      }),
      admitVersion: (projectId, version, address) => versionCap.admit(projectId, version, address),
      onAnswer: (result, keyed, address) => {
        metrics.recordAnswer(result)
        // The reload wave's guard pauses on 5xx (lib/rollout/guard.ts). It
        // counts answers to requests with a known key, and 5xx given before
        // the key was checked (the server failing whoever asks): a flood
        // without a key neither dilutes nor adds to its share, and one address
        // counts as a few tabs however fast it sends. A stopping server's own
        // `shutting_down` answers say nothing of the backend: counted, they
        // paused the wave at every restart, and it stayed paused after it.
        if (errorCode(result) === 'shutting_down') return
        if (keyed || result.status >= 500) recordIngestAnswer(result.status, Date.now(), addressKey(address, !limits.limitLoopback))
      },
      // The guard's storm signals count where events came from, which the stored events do not say.
      onAccepted: (projectId, rows, address) =>
        recordStormEvents(projectId, addressKey(address, !limits.limitLoopback), stormEvents(rows, Date.now())),
      onClientAbort: () => metrics.clientAborts++,
      onVersionRefused: (projectId, reason, events) => {
        metrics.recordVersionRefused(projectId, reason, events)
        refusals.add(projectId, reason, events)
      },
      overloaded: pressure ? () => pressure.isOverloaded() : undefined,
    }
    return { buffer, deps, pressure, refusals }
  })
}

/** Flushes and stops the buffer (SIGTERM). */
export async function closeIngest(): Promise<void> {
  const runtime = existingSingleton<IngestRuntime>('ingestRuntime')
  if (!runtime) return
  runtime.pressure?.stop()
  await runtime.buffer.close()
  stopLiveIndexFeed()
  await runtime.refusals.close().catch(() => undefined)
  dropSingleton('ingestRuntime')
}
