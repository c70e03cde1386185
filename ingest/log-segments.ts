import { mkdir, readdir, readFile, rename, truncate } from 'node:fs/promises'
import path from 'node:path'

// The ingest log's files. A segment is a file of JSON lines (one events row
// per line) named so that names sort in the order segments were opened; its
// name is also the insert's deduplication token, so replaying a segment that
// was already stored stores nothing twice.

const SEGMENT_SUFFIX = '.jsonl'
const NEWLINE = 0x0a

let sequence = 0

/** A new segment name: opening time, process and a counter, so two never collide. */
export function nextSegmentName(now = Date.now()): string {
  sequence = (sequence + 1) % 1_000_000
  return `${String(now).padStart(15, '0')}-${process.pid}-${String(sequence).padStart(6, '0')}${SEGMENT_SUFFIX}`
}

export function dedupToken(segmentName: string): string {
  return `stalewatch-log:${segmentName}`
}

function countLines(bytes: Buffer): number {
  let count = 0
  let at = bytes.indexOf(NEWLINE)
  while (at !== -1) {
    count++
    at = bytes.indexOf(NEWLINE, at + 1)
  }
  return count
}

/** A segment's first line names its columns; the rest are rows. */
export function splitHeader(bytes: Buffer): { columns: string[]; rows: Buffer } {
  const end = bytes.indexOf(NEWLINE)
  const header: unknown = end === -1 ? null : JSON.parse(bytes.subarray(0, end).toString('utf8'))
  if (!Array.isArray(header) || !header.every((c) => typeof c === 'string')) throw new Error('ingest log segment without its column line')
  return { columns: header, rows: bytes.subarray(end + 1) }
}

export interface RecoveredSegment {
  name: string
  rows: number
  /** Its rows' bytes on disk, the header line excluded. */
  bytes: number
}

/**
 * The segments a previous process left (crash, kill, or shutdown while
 * ClickHouse was unreachable), oldest first. A segment whose last line is
 * incomplete (the machine lost power mid-write) is cut back to its last whole
 * line: that write was never acknowledged.
 */
export async function recoverSegments(dir: string): Promise<RecoveredSegment[]> {
  await mkdir(dir, { recursive: true })
  const names = (await readdir(dir)).filter((n) => n.endsWith(SEGMENT_SUFFIX)).sort()
  const segments: RecoveredSegment[] = []
  for (const name of names) {
    const file = path.join(dir, name)
    const bytes = await readFile(file)
    const end = bytes.lastIndexOf(NEWLINE) + 1
    if (end < bytes.length) await truncate(file, end)
    // The first line names the columns; a segment cut before its first row holds nothing.
    const rows = Math.max(0, countLines(bytes.subarray(0, end)) - 1)
    segments.push({ name, rows, bytes: rows === 0 ? 0 : end - (bytes.indexOf(NEWLINE) + 1) })
  }
  return segments
}

/** Moves a segment ClickHouse refuses as data (not as an outage) aside, for a person to look at. */
export async function quarantineSegment(dir: string, name: string): Promise<string> {
  const target = path.join(dir, 'quarantine')
  await mkdir(target, { recursive: true })
  await rename(path.join(dir, name), path.join(target, name))
  return path.join(target, name)
}
