import { config } from '../lib/config'
import { dropSingleton, existingSingleton, processSingleton } from '../lib/process-singleton'
import { projectByIngestKey } from '../lib/projects/project-directory'
import { catalogFor, updateAdvice } from '../lib/releases/catalog'
import { versionSeen } from '../lib/figures/live-sessions/read-seen'
import { reloadIn } from '../lib/rollout/registry'
import { recordIngestAnswer } from '../lib/rollout/ingest-signal'
import { recordStormEvents } from '../lib/rollout/storm-signal'
import { EVENT_COLUMNS, eventValues, type EventRow } from './event-row'
import { writeEventFile, writeEventLines, writeEvents } from './event-writer'
import { EventLog } from './event-log'
import { LoopPressure } from './loop-pressure'
import { errorMessage, log } from '../lib/log'
import { diskFullFault, withFaultFile } from './fault-hook'
import { DiskSpaceWatch, shedWhenDiskLow } from './disk-space'
import type { QuarantineReport } from './event-log'
import { ingestLimits } from './limits'
import { IngestRateLimiter } from './rate-limit'
import { RefusalCounts } from './refusal-counts'
import { addressKey, stormEvents } from './reload-ask'
import { VersionCap } from './version-cap'
import { GroupCommitBuffer } from './group-commit'
import { ingestMetrics } from './metrics'
import type { IngestDeps } from './pipeline'

/** Where acknowledged rows go: the ingest log (ack when logged) or the group commit (ack when stored). */
export type EventSink = Pick<GroupCommitBuffer<EventRow>, 'add' | 'flush' | 'close' | 'stats'>

interface IngestRuntime {
  buffer: EventSink
  deps: IngestDeps
  pressure: LoopPressure | null
  refusals: RefusalCounts
}

// The one ingest buffer of this process (lib/process-singleton.ts): the Next
// route bundle and server.ts each load their own copy of this module, and two
// buffers would mean two half-empty inserts.

/** Said at error level and counted: a person has to look at the quarantine (npm run ingest-log). */
/** Counts and logs a quarantined segment of either log (the events' or the aggregates'), in the same metrics. */
export function reportQuarantine(report: QuarantineReport, logName = 'ingest log'): void {
  const metrics = ingestMetrics()
  metrics.quarantinedSegments++
  metrics.salvagedRows += report.storedRows
  const byKind = new Map<string, number>()
  for (const r of report.rejected) byKind.set(r.kind, (byKind.get(r.kind) ?? 0) + 1)
  for (const [kind, n] of byKind) metrics.quarantinedLinesByKind.set(kind, (metrics.quarantinedLinesByKind.get(kind) ?? 0) + n)
  const fields = { segment: report.segment, reason: report.reason, storedRows: report.storedRows, setAside: Object.fromEntries(byKind), file: report.file }
  // Split with every row stored (ClickHouse refused the whole, then took every part): nothing for a person to do.
  if (report.file === null && report.rejected.length === 0 && report.storedRows > 0) log.warn(`${logName}: segment split; every row stored`, fields)
  else log.error(`${logName}: segment quarantined; its good rows are stored, see \`npm run ingest-log -- inspect\``, fields)
}

// A full disk fails every append until the watch sheds: one line per 10 s, not one per request.
const APPEND_FAILURE_LOG_MS = 10_000
function appendFailureLogger(): (error: unknown) => void {
  let last = 0
  let failures = 0
  return (error) => {
    failures++
    if (Date.now() - last < APPEND_FAILURE_LOG_MS) return
    log.error('ingest log: appends fail; those requests are answered 503 and nothing of them is kept', { error: errorMessage(error), failures })
    last = Date.now()
    failures = 0
  }
}

/** The filesystems ingest fills: the log's, and the embedded engine's. */
function watchedDirs(): string[] {
  const c = config()
  return [...(c.ingestAck === 'logged' ? [c.ingestLogDir] : []), ...(c.clickhouseUrl ? [] : [c.dataDir])]
}

function openSink(watch: DiskSpaceWatch | null): EventSink {
  const c = config()
  const metrics = ingestMetrics()
  const limits = ingestLimits()
  if (c.ingestAck === 'logged') {
    const logAppendFailure = appendFailureLogger()
    return new EventLog<EventRow>({
      dir: c.ingestLogDir,
      columns: EVENT_COLUMNS,
      values: eventValues,
      insert: withFaultFile(writeEventLines, limits.faultFile),
      // Only an engine in this process can read the log's files.
      insertFile: c.clickhouseUrl || !c.ingestLogFileInsert ? undefined : withFaultFile(writeEventFile, limits.faultFile),
      maxSegmentRows: c.flushMaxRows,
      maxSegmentAgeMs: c.flushMaxWaitMs,
      maxBacklogRows: c.bufferMaxRows,
      maxBacklogBytes: c.bufferMaxBytes,
      fsync: c.ingestLogFsync,
      onFlush: (flush) => metrics.recordFlush(flush),
      onQuarantine: (report) => reportQuarantine(report),
      onAppendFailure: (error) => {
        void watch?.refresh()
        logAppendFailure(error)
      },
      appendFault: diskFullFault(limits.faultFile),
      reserveBytes: watch ? (bytes) => watch.reserve(bytes) : undefined,
    })
  }
  return new GroupCommitBuffer<EventRow>({
    write: withFaultFile(writeEvents, limits.faultFile),
    maxRows: c.flushMaxRows,
    maxWaitMs: c.flushMaxWaitMs,
    maxBufferedRows: c.bufferMaxRows,
    onFlush: (flush) => metrics.recordFlush(flush),
    // The deadline runs from when the rows could first be inserted: the
    // buffer's own wait (flushMaxWaitMs) is not time spent waiting for ClickHouse.
    ackTimeoutMs: c.flushMaxWaitMs + limits.ackTimeoutMs,
    stallTimeoutMs: limits.stallTimeoutMs,
  })
}

export function ingestRuntime(): IngestRuntime {
  return processSingleton('ingestRuntime', (): IngestRuntime => {
    const c = config()
    const metrics = ingestMetrics()
    const limits = ingestLimits()
    const dirs = watchedDirs()
    const watch = c.minFreeDiskBytes > 0 && dirs.length > 0 ? new DiskSpaceWatch(dirs, c.minFreeDiskBytes) : null
    const sink = openSink(watch)
    const buffer: EventSink = watch ? shedWhenDiskLow(sink, watch) : sink
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
        // counts as a few tabs however fast it sends.
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
  await runtime.refusals.close().catch(() => undefined)
  dropSingleton('ingestRuntime')
}
