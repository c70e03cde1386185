import { createHash } from 'node:crypto'
import { engineError } from '../../lib/store/engine-error'
import type { SegmentInsert } from './segments'
import { dedupToken, parseColumns } from './segments'

// Splitting a segment that cannot be stored whole: every good row is stored,
// only the bad lines are set aside, each with its reason. Used by the ingest
// log when ClickHouse refuses a segment as data or its column line is
// damaged, and by `npm run ingest-log` for what is already in quarantine.
//
// The good rows are found in two steps. Lines that are not rows at all (not
// JSON, not an array of the segment's columns) are set aside without asking
// ClickHouse. The rest are inserted; a range ClickHouse refuses as data is
// halved until the refused lines stand alone. Each insert's deduplication
// token is the segment's token plus a hash of the exact bytes inserted, so
// splitting the same segment again (the process died before the segment was
// removed) stores nothing twice: the same halves come out, with the same
// tokens.

export type RejectKind =
  /** The column line is damaged; the rows were read with the columns this release writes. */
  | 'bad_header'
  /** Not valid UTF-8 JSON (a torn or overwritten line, NUL bytes). */
  | 'not_json'
  /** JSON, but not an array of one plain value per column. */
  | 'wrong_columns'
  /** The last line has no newline: a write cut short. */
  | 'torn'
  /** ClickHouse refused this one line as data. */
  | 'refused'
  /** Not isolated: the split stopped at its insert budget; a replay tries again. */
  | 'unresolved'

/** One set-aside line, as stored (one JSON object per line) in `<segment>.rejected.jsonl`. */
export interface RejectedLine {
  segment: string
  /** 1-based; the column line is line 1. */
  line: number
  kind: RejectKind
  reason: string
  /** The columns the line was read against; a replay reads it with them. */
  columns: string[]
  /** The line's bytes when they are valid UTF-8… */
  text?: string
  /** …or else in base64. */
  base64?: string
}

/** A line that looks like a row of the segment's columns. */
export interface RowLine {
  line: number
  bytes: Buffer
  values: unknown[]
}

export interface SplitSegment {
  columns: string[]
  rows: RowLine[]
  rejected: RejectedLine[]
}

const NEWLINE = 0x0a
const utf8 = new TextDecoder('utf-8', { fatal: true })

function lineContent(bytes: Buffer): Pick<RejectedLine, 'text' | 'base64'> {
  try {
    return { text: utf8.decode(bytes) }
  } catch {
    return { base64: bytes.toString('base64') }
  }
}

export function rejectLine(segment: string, line: number, kind: RejectKind, reason: string, columns: readonly string[], bytes: Buffer): RejectedLine {
  return { segment, line, kind, reason, columns: [...columns], ...lineContent(bytes) }
}

/** The bytes of a set-aside line. */
export const rejectedBytes = (r: RejectedLine): Buffer => (r.base64 !== undefined ? Buffer.from(r.base64, 'base64') : Buffer.from(r.text ?? '', 'utf8'))

/** Why a line is not a row of `columns`, or its values when it is one. */
export function checkRow(bytes: Buffer, columns: readonly string[]): { values: unknown[] } | { kind: RejectKind; reason: string } {
  let value: unknown
  try {
    value = JSON.parse(utf8.decode(bytes))
  } catch (error) {
    return { kind: 'not_json', reason: bytes.length === 0 ? 'empty line' : `not UTF-8 JSON: ${error instanceof Error ? error.message : String(error)}` }
  }
  if (!Array.isArray(value)) return { kind: 'wrong_columns', reason: 'not a JSON array' }
  if (value.length !== columns.length) return { kind: 'wrong_columns', reason: `${value.length} values for ${columns.length} columns` }
  const bad = value.findIndex((v) => typeof v !== 'string' && typeof v !== 'number')
  if (bad !== -1) return { kind: 'wrong_columns', reason: `${columns[bad]}: not a string or number` }
  return { values: value }
}

/**
 * Splits a segment's bytes into its columns, the lines that are rows of them,
 * and the lines that are not. A damaged column line is set aside and the rows
 * are read with `fallbackColumns` (the columns this release writes; releases
 * only ever add columns at the end, so a row of an older layout has fewer
 * values and is set aside rather than misread).
 */
export function splitSegment(name: string, bytes: Buffer, fallbackColumns: readonly string[]): SplitSegment {
  const lines: { line: number; bytes: Buffer; torn: boolean }[] = []
  let start = 0
  while (start < bytes.length) {
    const end = bytes.indexOf(NEWLINE, start)
    const stop = end === -1 ? bytes.length : end
    lines.push({ line: lines.length + 1, bytes: bytes.subarray(start, stop), torn: end === -1 })
    start = stop + 1
  }
  const rejected: RejectedLine[] = []
  const header = lines.shift()
  let columns = header && !header.torn ? parseColumns(header.bytes) : null
  if (!columns) {
    columns = [...fallbackColumns]
    if (header) rejected.push(rejectLine(name, 1, 'bad_header', 'not a JSON array of column names; rows read with the columns this release writes', columns, header.bytes))
  }
  const rows: RowLine[] = []
  for (const l of lines) {
    if (l.torn) {
      rejected.push(rejectLine(name, l.line, 'torn', 'the last line has no newline: a write cut short', columns, l.bytes))
      continue
    }
    const checked = checkRow(l.bytes, columns)
    if ('values' in checked) rows.push({ line: l.line, bytes: l.bytes, values: checked.values })
    else rejected.push(rejectLine(name, l.line, checked.kind, checked.reason, columns, l.bytes))
  }
  return { columns, rows, rejected }
}

// Engine error codes known to mean "these bytes are not valid rows" rather
// than "the engine cannot take inserts now": such a segment is split at once.
// Any other code is retried, and split only after a bounded number of tries
// while the engine still takes inserts (event-log.ts), so no code left off
// this list can hold the log up.
const DATA_ERROR_CODES = new Set([6, 26, 27, 38, 41, 53, 69, 72, 117, 130, 131])

/** The engine refused the bytes as data: decided on its parsed code (lib/store/engine-error.ts), never on message text. */
export function isDataError(error: unknown): boolean {
  const engine = engineError(error)
  return engine !== null && DATA_ERROR_CODES.has(engine.code)
}

/** The first line of an error, without the engine's stack trace, its code named: a set-aside line's reason. */
export const shortReason = (error: unknown) => (engineError(error)?.message ?? (error instanceof Error ? error.message : String(error))).split('\n')[0]!.slice(0, 500)

/**
 * Whether the engine takes an insert into the segment's table now, asked
 * with an insert of no rows through the segment's own path (faults
 * included): what tells a segment the engine refuses from an outage. The one
 * blank line makes the engine run the insert (and find its table); an empty
 * insert is answered without asking it.
 */
export async function engineTakesInserts(insert: (segment: SegmentInsert) => Promise<void>, segment: string, columns: string[]): Promise<boolean> {
  try {
    await insert({ name: segment, token: `${dedupToken(segment)}:probe`, columns, bytes: Buffer.from('\n'), rows: 0 })
    return true
  } catch {
    return false
  }
}

export interface StoreLinesOptions {
  segment: string
  columns: string[]
  insert: (segment: SegmentInsert) => Promise<void>
  /** The whole set was already refused as data: start by halving it. */
  refusedWhole?: boolean
  /** At most this many inserts; lines not isolated by then are set aside as 'unresolved'. */
  maxInserts?: number
  /**
   * Asked when an insert fails with a code not known to be about the data:
   * true when the engine still takes inserts, so the failure belongs to the
   * range, which is halved as a data refusal is. Without it, or false (an
   * outage), the error is thrown.
   */
  engineAnswers?: () => Promise<boolean>
}

export interface StoredLines {
  stored: number
  rejected: RejectedLine[]
  inserts: number
}

/**
 * Inserts the rows, halving every range ClickHouse refuses as data, or
 * refuses with any code while `engineAnswers` says the engine takes inserts.
 * Any other failure (ClickHouse unreachable, too many parts) is thrown: the
 * caller tries the whole split again later, and the ranges already stored
 * are deduplicated by their tokens.
 */
export async function storeLines(rows: readonly RowLine[], options: StoreLinesOptions): Promise<StoredLines> {
  const maxInserts = options.maxInserts ?? 256
  const result: StoredLines = { stored: 0, rejected: [], inserts: 0 }
  let lastRefusal = ''
  const setAside = (range: readonly RowLine[], kind: RejectKind, reason: string) => {
    for (const r of range) result.rejected.push(rejectLine(options.segment, r.line, kind, reason, options.columns, r.bytes))
  }
  const store = async (range: readonly RowLine[], knownRefused: boolean): Promise<void> => {
    if (range.length === 0) return
    if (!knownRefused) {
      if (result.inserts >= maxInserts) {
        setAside(range, 'unresolved', `not isolated within ${maxInserts} inserts (last refusal: ${lastRefusal}); \`npm run ingest-log -- replay\` tries again`)
        return
      }
      result.inserts++
      const bytes = Buffer.concat(range.flatMap((r) => [r.bytes, Buffer.from('\n')]))
      const token = `${dedupToken(options.segment)}:${createHash('sha256').update(bytes).digest('hex').slice(0, 32)}`
      try {
        await options.insert({ name: options.segment, token, columns: options.columns, bytes, rows: range.length })
        result.stored += range.length
        return
      } catch (error) {
        if (!isDataError(error) && !(await options.engineAnswers?.())) throw error
        lastRefusal = shortReason(error)
        if (range.length === 1) {
          setAside(range, 'refused', lastRefusal)
          return
        }
      }
    }
    const middle = Math.ceil(range.length / 2)
    await store(range.slice(0, middle), false)
    await store(range.slice(middle), false)
  }
  await store(rows, options.refusedWhole === true && rows.length > 1)
  return result
}
