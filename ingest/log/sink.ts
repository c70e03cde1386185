import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { config } from '../../lib/config'
import { errorMessage, log } from '../../lib/log'
import type { TableName } from '../../lib/store/tables'
import { unavailable, type IngestResult } from '../edge/answers'
import { ingestLimits } from '../edge/limits'
import { ingestMetrics } from '../edge/metrics'
import { DiskLowError, DiskSpaceWatch, shedWhenDiskLow } from './disk-space'
import { EventLog, type QuarantineReport } from './event-log'
import { diskFullFault, withFaultFile } from './fault-hook'
import { AckTimeoutError, BufferFullError, ClosedError, GroupCommitBuffer, type GroupCommitOptions } from './group-commit'
import { rowsWriter, segmentFileWriter, segmentWriter } from './segment-writer'
import type { SegmentFile, SegmentInsert } from './segments'

// The one sink factory of both endpoints (events and backend-load aggregates):
// where acknowledged rows go, the ingest log (ack when logged) or the group
// commit (ack when stored), with the same disk-low shedding, append-failure
// logging and quarantine reporting for each, so neither pipeline can lack a
// guard the other has.

/** Where acknowledged rows go. */
export type Sink<Row> = Pick<GroupCommitBuffer<Row>, 'add' | 'flush' | 'close' | 'stats'>

export interface SinkSpec<Row> {
  /** Said in logs: "ingest log", "aggregate log". */
  name: string
  /** The table the rows end in. */
  table: TableName
  /** Its log's folder under the ingest log directory ('' for the events' own). */
  logSubdir: string
  /** The row's columns in the log's line order, and a row's values in that order. */
  columns: readonly string[]
  values: (row: Row) => unknown[]
  /** The backlog bounds of this sink (the log's, or the buffer's rows). */
  maxBacklogRows: number
  maxBacklogBytes: number
  /** Rows flushed (the events' metrics count them). */
  onFlush?: GroupCommitOptions<Row>['onFlush']
  /**
   * Told of each batch once it is in the table, where queries see it (the
   * events' live index): by every insert that succeeded, a whole segment, a
   * part of a split one, a group-commit batch. Never fails the insert.
   */
  onStored?: StoredListener
}

export interface StoredListener {
  /** Whether the listener wants rows now: when not, a stored segment is not read back and parsed for it. */
  wanted?: () => boolean
  /** Rows as positional values in the order of `columns`, made when asked for. */
  stored: (columns: readonly string[], rows: () => readonly (readonly unknown[])[]) => void
  /** Some stored rows could not be told (their segment unreadable after the insert, or not read while unwanted): the listener must not trust what it was told. */
  missed: () => void
}

/** The answer to a request whose rows a sink refused (`what`: "events", "aggregates"): always a 503 with the seconds to wait. */
export function sinkRefusal(error: unknown, what: string): IngestResult {
  if (error instanceof BufferFullError) return unavailable(1, 'overloaded', 'Ingest is at capacity; retry after the given seconds.')
  if (error instanceof AckTimeoutError) return unavailable(1, 'storage_slow', `Storing the ${what} is slow right now; none were acknowledged. Retry after the given seconds.`)
  if (error instanceof ClosedError) return unavailable(2, 'shutting_down', 'This server is shutting down; retry shortly.')
  if (error instanceof DiskLowError) return unavailable(5, 'disk_low', `The server's disk is nearly full; none of the ${what} were accepted. Retry after the given seconds.`)
  return unavailable(2, 'storage_unavailable', `The ${what} could not be stored; none were accepted. Retry after the given seconds.`)
}

/** Counts and logs a quarantined segment of either log, in the same metrics. */
export function reportQuarantine(report: QuarantineReport, logName: string): void {
  const metrics = ingestMetrics()
  metrics.quarantinedSegments++
  metrics.salvagedRows += report.storedRows
  const byKind = new Map<string, number>()
  for (const r of report.rejected) byKind.set(r.kind, (byKind.get(r.kind) ?? 0) + 1)
  for (const [kind, n] of byKind) metrics.quarantinedLinesByKind.set(kind, (metrics.quarantinedLinesByKind.get(kind) ?? 0) + n)
  const fields = { segment: report.segment, reason: report.reason, storedRows: report.storedRows, setAside: Object.fromEntries(byKind), file: report.file }
  // Split with every row stored (ClickHouse refused the whole, then took every part): nothing for a person to do.
  if (report.file === null && report.rejected.length === 0 && report.storedRows > 0) log.warn(`${logName}: segment split; every row stored`, fields)
  // Said at error level and counted: a person has to look at the quarantine (npm run ingest-log).
  else log.error(`${logName}: segment quarantined; its good rows are stored, see \`npm run ingest-log -- inspect\``, fields)
}

// A full disk fails every append until the watch sheds: one line per 10 s, not one per request.
const APPEND_FAILURE_LOG_MS = 10_000
function appendFailureLogger(logName: string): (error: unknown) => void {
  let last = 0
  let failures = 0
  return (error) => {
    failures++
    if (Date.now() - last < APPEND_FAILURE_LOG_MS) return
    log.error(`${logName}: appends fail; those requests are answered 503 and nothing of them is kept`, { error: errorMessage(error), failures })
    last = Date.now()
    failures = 0
  }
}

/** The filesystems ingest fills: the log's, and the embedded engine's. */
function watchedDirs(): string[] {
  const c = config()
  return [...(c.ingestAck === 'logged' ? [c.ingestLogDir] : []), ...(c.clickhouseUrl ? [] : [c.dataDir])]
}

/**
 * Opens a sink for one endpoint's rows. Each sink has its own disk watch over
 * the same filesystems (a statfs a second each): closing one endpoint's sink
 * stops only its own watch.
 */
export function openSink<Row extends object>(spec: SinkSpec<Row>): Sink<Row> {
  const c = config()
  const dirs = watchedDirs()
  const watch = c.minFreeDiskBytes > 0 && dirs.length > 0 ? new DiskSpaceWatch(dirs, c.minFreeDiskBytes) : null
  const sink = c.ingestAck === 'logged' ? openLog(spec, watch) : openGroupCommit(spec)
  return watch ? shedWhenDiskLow(sink, watch) : sink
}

function openLog<Row extends object>(spec: SinkSpec<Row>, watch: DiskSpaceWatch | null): Sink<Row> {
  const c = config()
  const limits = ingestLimits()
  const logAppendFailure = appendFailureLogger(spec.name)
  return new EventLog<Row>({
    dir: path.join(c.ingestLogDir, spec.logSubdir),
    columns: spec.columns,
    values: spec.values,
    insert: toldOfSegment(withFaultFile(segmentWriter(spec.table), limits.faultFile), spec.onStored),
    // Only an engine in this process can read the log's files.
    insertFile: c.clickhouseUrl || !c.ingestLogFileInsert ? undefined : toldOfFile(withFaultFile(segmentFileWriter(spec.table), limits.faultFile), spec.onStored),
    maxSegmentRows: c.flushMaxRows,
    maxSegmentAgeMs: c.flushMaxWaitMs,
    maxBacklogRows: spec.maxBacklogRows,
    maxBacklogBytes: spec.maxBacklogBytes,
    fsync: c.ingestLogFsync,
    onFlush: spec.onFlush,
    onQuarantine: (report) => reportQuarantine(report, spec.name),
    onAppendFailure: (error) => {
      void watch?.refresh()
      logAppendFailure(error)
    },
    appendFault: diskFullFault(limits.faultFile),
    reserveBytes: watch ? (bytes) => watch.reserve(bytes) : undefined,
  })
}

function openGroupCommit<Row extends object>(spec: SinkSpec<Row>): Sink<Row> {
  const c = config()
  const limits = ingestLimits()
  return new GroupCommitBuffer<Row>({
    write: toldOfRows(withFaultFile(rowsWriter<Row>(spec.table), limits.faultFile), spec),
    maxRows: c.flushMaxRows,
    maxWaitMs: c.flushMaxWaitMs,
    maxBufferedRows: spec.maxBacklogRows,
    onFlush: spec.onFlush,
    // The deadline runs from when the rows could first be inserted: the
    // buffer's own wait (flushMaxWaitMs) is not time spent waiting for ClickHouse.
    ackTimeoutMs: c.flushMaxWaitMs + limits.ackTimeoutMs,
    stallTimeoutMs: limits.stallTimeoutMs,
  })
}

// The listener runs after the insert resolved: the rows are then in the table,
// exactly when a query would see them. Its failure is logged, never the insert's.
function tell(listener: StoredListener, columns: readonly string[], rows: () => readonly (readonly unknown[])[]): void {
  try {
    listener.stored(columns, rows)
  } catch (error) {
    log.error('a listener of stored rows failed', { error: errorMessage(error) })
    listener.missed()
  }
}

// A segment's bytes are rows of JSONCompactEachRow, one a line.
const segmentRows = (bytes: Buffer): unknown[][] =>
  bytes
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as unknown[])

function toldOfSegment(insert: (segment: SegmentInsert) => Promise<void>, listener: StoredListener | undefined): (segment: SegmentInsert) => Promise<void> {
  if (!listener) return insert
  return async (segment) => {
    await insert(segment)
    if (segment.rows > 0) tell(listener, segment.columns, () => segmentRows(segment.bytes))
  }
}

function toldOfFile(insert: (segment: SegmentFile) => Promise<void>, listener: StoredListener | undefined): (segment: SegmentFile) => Promise<void> {
  if (!listener) return insert
  return async (segment) => {
    // Nobody wants rows (no live index built): the segment is not read back.
    // One wanted meanwhile may have missed these rows, so it is told so.
    if (listener.wanted?.() === false) {
      await insert(segment)
      if (listener.wanted()) listener.missed()
      return
    }
    // Read beside the insert, so the rows are told as soon as it is done; the log deletes the file only after this returns.
    const reading = readFile(segment.path).then(
      (bytes) => bytes,
      (error: unknown) => error instanceof Error ? error : new Error(String(error)),
    )
    await insert(segment)
    const bytes = await reading
    if (bytes instanceof Error) {
      log.error('a listener of stored rows could not read the stored segment', { segment: segment.name, error: errorMessage(bytes) })
      listener.missed()
      return
    }
    // The file is the column line, then the rows.
    const newline = bytes.indexOf(10)
    tell(listener, segment.columns, () => (newline < 0 ? [] : segmentRows(bytes.subarray(newline + 1))))
  }
}

function toldOfRows<Row extends object>(write: (rows: Row[]) => Promise<void>, spec: SinkSpec<Row>): (rows: Row[]) => Promise<void> {
  const listener = spec.onStored
  if (!listener) return write
  return async (rows) => {
    await write(rows)
    tell(listener, spec.columns, () => rows.map(spec.values))
  }
}
