import { mkdir, open, readdir, readFile, rename, truncate, unlink } from 'node:fs/promises'
import path from 'node:path'

// The ingest log's files. A segment is a file of JSON lines (one events row
// per line) named so that names sort in the order segments were opened; its
// name is also the insert's deduplication token, so replaying a segment that
// was already stored stores nothing twice.

const SEGMENT_SUFFIX = '.jsonl'
/** Beside a quarantined segment's name: the lines of it that could not be stored. */
export const REJECTED_SUFFIX = '.rejected.jsonl'
export const QUARANTINE_DIR = 'quarantine'
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

/** Column names from a segment file reach SQL: only plain identifiers pass. */
export const isColumnName = (name: unknown): name is string => typeof name === 'string' && /^[a-z_][a-z0-9_]*$/.test(name)

/** A segment's column line, or null when it is not one (damaged, or missing). */
export function parseColumns(line: Buffer): string[] | null {
  try {
    const header: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(line))
    return Array.isArray(header) && header.length > 0 && header.every(isColumnName) ? header : null
  } catch {
    return null
  }
}

/** A segment's first line names its columns; the rest are rows. Null when the column line is damaged. */
export function splitHeader(bytes: Buffer): { columns: string[]; rows: Buffer } | null {
  const end = bytes.indexOf(NEWLINE)
  const columns = end === -1 ? null : parseColumns(bytes.subarray(0, end))
  return columns && { columns, rows: bytes.subarray(end + 1) }
}

export interface RecoveredSegment {
  name: string
  rows: number
  /** Its rows' bytes on disk, the header line excluded. */
  bytes: number
  /** Set when the file could not be read: the log quarantines it at once instead of replaying it. */
  unreadable?: string
}

/**
 * The segments a previous process left (crash, kill, or shutdown while
 * ClickHouse was unreachable), oldest first. A segment whose last line is
 * incomplete (the machine lost power mid-write) is cut back to its last whole
 * line: that write was never acknowledged. A file that cannot be read is
 * still listed, so one bad file never keeps the others from replaying.
 */
export async function recoverSegments(dir: string): Promise<RecoveredSegment[]> {
  await mkdir(dir, { recursive: true })
  const names = (await readdir(dir)).filter((n) => n.endsWith(SEGMENT_SUFFIX)).sort()
  const segments: RecoveredSegment[] = []
  for (const name of names) {
    const file = path.join(dir, name)
    try {
      const bytes = await readFile(file)
      const end = bytes.lastIndexOf(NEWLINE) + 1
      if (end < bytes.length) await truncate(file, end)
      // The first line names the columns; a segment cut before its first row holds nothing.
      const rows = Math.max(0, countLines(bytes.subarray(0, end)) - 1)
      segments.push({ name, rows, bytes: rows === 0 ? 0 : end - (bytes.indexOf(NEWLINE) + 1) })
    } catch (error) {
      segments.push({ name, rows: 0, bytes: 0, unreadable: error instanceof Error ? error.message : String(error) })
    }
  }
  return segments
}

export const quarantinePath = (dir: string, name = '') => path.join(dir, QUARANTINE_DIR, name)
export const rejectedName = (segment: string) => segment.slice(0, -SEGMENT_SUFFIX.length) + REJECTED_SUFFIX

/** Files in the quarantine directory (set-aside lines and whole segments), for the metric; 0 when there is none. */
export async function countQuarantined(dir: string): Promise<number> {
  try {
    return (await readdir(quarantinePath(dir))).filter((n) => n.endsWith(SEGMENT_SUFFIX)).length
  } catch {
    return 0
  }
}

/** Moves a whole segment that cannot be read aside, for `npm run ingest-log -- salvage`. */
export async function quarantineSegment(dir: string, name: string): Promise<string> {
  await mkdir(quarantinePath(dir), { recursive: true })
  await rename(path.join(dir, name), quarantinePath(dir, name))
  return quarantinePath(dir, name)
}

/**
 * Writes a file in the quarantine directory whole or not at all (a temporary
 * file, fdatasync'd, then renamed over the target), so a crash or a full disk
 * never leaves half of the set-aside lines. An empty list removes the file.
 */
export async function writeQuarantineFile(dir: string, name: string, lines: readonly string[]): Promise<string> {
  const target = quarantinePath(dir, name)
  if (lines.length === 0) {
    await unlink(target).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error
    })
    return target
  }
  await mkdir(quarantinePath(dir), { recursive: true })
  const temporary = `${target}.tmp`
  const file = await open(temporary, 'w')
  try {
    await file.writeFile(lines.map((l) => l + '\n').join(''))
    await file.datasync()
  } finally {
    await file.close()
  }
  await rename(temporary, target)
  return target
}

export interface SegmentInsert {
  name: string
  token: string
  /** The columns of each row, from the segment's first line. */
  columns: string[]
  /** The rows, one JSON array (JSONCompactEachRow) per line. */
  bytes: Buffer
  rows: number
}

/** A whole segment for an insert that reads the file itself (the embedded engine's file() table function). */
export interface SegmentFile {
  name: string
  token: string
  /** The segment file: its column line, then whole rows only. */
  path: string
  /** The columns of each row, from the segment's first line. */
  columns: string[]
  rows: number
}
